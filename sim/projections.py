"""``python -m sim.projections SWEEP_DIR``: the 2028-29 outlook under each projection.

Reads a sweep over ``calibration.draw`` (parameter uncertainty), seeds (stochastic
uncertainty) and ``projection`` (aligned, free, trend, pre_pandemic), e.g. ``make projections``,
and writes ``projections.csv``, ``projections.md`` and ``charts/projections.png``: for each
projection, people on a health-related benefit and spending in 2028-29 (median and the
range across runs, or 5-95% with 20+ runs), beside IFS's projection for 2028-29 (GB,
scaled to E&W; a projection, not data, and never fitted).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sim.aggregate import by_financial_year, spread  # noqa: E402
from sim.published import load_figures  # noqa: E402
from sim.results import save_figure, sweep_argument, write_atomic  # noqa: E402

YEARS = ("2019-20", "2023-24", "2028-29")
MEASURES = {"health_benefit_recipients": "people on a health-related benefit",
            "inactive_long_term_sick": "inactive through long-term sickness",
            "health_benefit_spending_gbp": "health-related benefit spending (£ a year)"}


def yearly(sweep: pd.DataFrame) -> pd.DataFrame:
    """Financial-year values per run (sim/aggregate.py), in the years reported."""
    total = sweep[(sweep["area"] == "all") & (sweep["age_band"] == "all") & (sweep["programme"] == "all")]
    frames = []
    for metric in MEASURES:
        rows = total.loc[total["metric"] == metric, ["run", "projection", "draw", "seed", "month", "value"]]
        frames.append(by_financial_year(rows, metric).assign(metric=metric))
    values = pd.concat(frames, ignore_index=True).rename(columns={"financial_year": "year"})
    return values[values["year"].isin(YEARS)].reset_index(drop=True)


def intervals(values: pd.DataFrame) -> pd.DataFrame:
    return spread(values, ["projection", "metric", "year"])


def published_2028_29() -> dict[str, tuple[float, float, float]]:
    figures = load_figures()
    return {
        "health_benefit_recipients": tuple(figures[f"ifs_hrb_projection_2028_29_{v}"].england_and_wales
                                           for v in ("central", "low", "high")),
        "health_benefit_spending_gbp": (figures["ifs_spending_2028_29"].england_and_wales,) * 3,
    }


def markdown(table: pd.DataFrame) -> str:
    ifs = published_2028_29()
    figures = load_figures()
    lines = ["# Projections to 2028-29", "",
             "Median [range] across calibration draws and seeds, England & Wales. IFS figures are GB "
             f"projections scaled by {figures['ifs_hrb_projection_2028_29_central'].factor_to_england_and_wales:.3f}"
             " (E&W share of 16-64s); they are projections, not data, and were not fitted.", "",
             "| projection | measure | 2019-20 | 2023-24 | 2028-29 | runs |", "|---|---|---:|---:|---:|---:|"]
    for (projection, metric), group in table.groupby(["projection", "metric"]):
        unit, suffix = (1e9, "bn") if metric.endswith("_gbp") else (1e6, "m")
        cells = {}
        for row in group.itertuples():
            cells[row.year] = f"{row.median / unit:.2f}{suffix} [{row.low / unit:.2f}-{row.high / unit:.2f}]"
        lines.append(f"| {projection} | {MEASURES[metric]} | {cells.get('2019-20', '')} | "
                     f"{cells.get('2023-24', '')} | {cells.get('2028-29', '')} | {group['runs'].max()} |")
    central, low, high = ifs["health_benefit_recipients"]
    lines += ["", f"IFS 2028-29: {central / 1e6:.2f}m on a health-related benefit (range {low / 1e6:.2f}m to "
              f"{high / 1e6:.2f}m) and £{ifs['health_benefit_spending_gbp'][0] / 1e9:.1f}bn spending, in E&W terms.", "",
              *alignment_lines()]
    return "\n".join(lines)


def alignment_lines() -> list[str]:
    """The `aligned` projection's factors on new claims, as configured (configs/projection/aligned.yaml)."""
    import yaml

    from sim.params.compose import CONFIG_DIR

    aligned = yaml.safe_load((CONFIG_DIR / "projection" / "aligned.yaml").read_text())
    if not aligned.get("alignment"):
        return ["The `aligned` projection has no factors yet (run `python -m sim.alignment`).", ""]
    years = sorted({year for by_year in aligned["alignment"].values() for year in by_year})
    lines = ["## Alignment factors of the `aligned` projection", "",
             "Multipliers on the monthly claim rate in each financial year, so that caseloads follow the official "
             f"path ({aligned['alignment_source']}).", "",
             "| transition | " + " | ".join(years) + " |", "|---|" + "---:|" * len(years)]
    for transition, by_year in aligned["alignment"].items():
        lines.append(f"| {transition} | " + " | ".join(f"{by_year.get(year, 1.0):.3f}" for year in years) + " |")
    return [*lines, ""]


def chart(sweep: pd.DataFrame, path: Path) -> None:
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.75)
    figure, axis = plt.subplots(figsize=(12, 7), dpi=130)
    total = sweep[(sweep["area"] == "all") & (sweep["age_band"] == "all") & (sweep["programme"] == "all")
                  & (sweep["metric"] == "health_benefit_recipients")]
    palette = dict(zip(sorted(total["projection"].unique()), sns.color_palette("colorblind")))
    for projection, group in total.groupby("projection"):
        by_month = group.groupby("month")["value"]
        axis.fill_between(by_month.min().index, by_month.min() / 1e6, by_month.max() / 1e6,
                          color=palette[projection], alpha=0.2)
        axis.plot(by_month.median().index, by_month.median() / 1e6, color=palette[projection],
                  label=f"model, {projection} (median and range across draws and seeds)")
    central, low, high = published_2028_29()["health_benefit_recipients"]
    axis.errorbar([pd.Timestamp("2028-10-01")], [central / 1e6], yerr=[[(central - low) / 1e6], [(high - central) / 1e6]],
                  fmt="s", mfc="white", color="black", capsize=6, label="IFS projection 2028-29 (GB scaled to E&W)")
    figures = load_figures()
    for figure_id in ("ifs_hrb_recipients_2019_20", "ifs_hrb_recipients_2023_24"):
        published = figures[figure_id]
        axis.plot([published.date], [published.england_and_wales / 1e6], "o", color="black")
    axis.set_ylim(bottom=0)
    axis.set_ylabel("people (millions)")
    axis.set_title("People aged 16-64 on a health-related benefit, England & Wales: projections to 2028-29",
                   fontweight="bold")
    axis.legend(loc="lower right", fontsize=9)
    figure.text(0.01, 0.005, "Black dots: IFS (Sep 2024), 2019-20 and 2023-24. IFS projection: Recent trends in "
                "and outlook for health-related benefits (Apr/May 2024), 5.4m GB central, 4.4m-5.8m, x 0.914.",
                fontsize=8)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    save_figure(figure, path)


def main(argv: list[str] | None = None) -> int:
    loaded = sweep_argument(sys.argv[1:] if argv is None else argv, "projections", "run `make projections` first")
    if loaded is None:
        return 2
    sweep_dir, sweep = loaded
    table = intervals(yearly(sweep))
    write_atomic(sweep_dir / "projections.csv", lambda path: table.to_csv(path, index=False))
    text = markdown(table)
    write_atomic(sweep_dir / "projections.md", lambda path: path.write_text(text))
    chart(sweep, sweep_dir / "charts" / "projections.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
