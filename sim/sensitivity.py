"""``python -m sim.sensitivity SWEEP_DIR``: the tornado of a sensitivity sweep.

``make sensitivity`` runs the sweep: one Hydra multirun of ``scenario=baseline,SCENARIO``
over every case in ``configs/sensitivity/`` (each moves one assumption to the low or high
end of its range: programme effect ratios, incapacity-benefit exit rates, persistence after
March 2029, earnings behind tax and NICs, displacement and optimism bias) and seeds. This
command appraises every case as ``python -m sim.compare`` does (pairs share the case) and
draws, for the net exchequer NPV and the cost per additional job-year, how far each
factor's low and high ends move the central median.

Writes ``sensitivity.csv``, ``sensitivity.md`` and ``charts/sensitivity_tornado.png`` into
SWEEP_DIR (atomically).
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
import yaml  # noqa: E402

from sim.appraisal.outcomes import BASELINE, appraise  # noqa: E402
from sim.compare import CENTRAL, valuations  # noqa: E402
from sim.params.compose import CONFIG_DIR  # noqa: E402
from sim.results import save_figure, sweep_argument, write_atomic  # noqa: E402

MEASURES = {"net_exchequer_npv_gbp": ("net exchequer NPV", 1e6, "£ million, present value"),
            "cost_per_additional_job_year_gbp": ("cost per additional job-year", 1e3, "£ thousand")}


def case_labels() -> dict[str, tuple[str, str]]:
    """Sensitivity case -> (factor, level), read from configs/sensitivity/."""
    labels = {}
    for path in sorted((CONFIG_DIR / "sensitivity").glob("*.yaml")):
        case = (yaml.safe_load(path.read_text()) or {}).get("sensitivity", {})
        labels[case.get("name", path.stem)] = (case.get("factor", "none"), case.get("level", "central"))
    return labels


def tornado_table(pairs: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """Median of each measure per case, and its change from the central case."""
    labels = case_labels()
    part = pairs[pairs["scenario"] == scenario]
    medians = part.groupby("sensitivity")[list(MEASURES)].median()
    if CENTRAL not in medians.index:
        raise ValueError(f"the sweep has no '{CENTRAL}' case for {scenario}")
    rows = []
    for case, values in medians.iterrows():
        factor, level = labels.get(case, (case, "?"))
        for measure in MEASURES:
            rows.append({"scenario": scenario, "case": case, "factor": factor, "level": level, "measure": measure,
                         "median": values[measure], "central": medians.loc[CENTRAL, measure],
                         "change_from_central": values[measure] - medians.loc[CENTRAL, measure],
                         "pairs": int(part[part["sensitivity"] == case][measure].notna().sum())})
    return pd.DataFrame(rows)


def tornado_chart(table: pd.DataFrame, path: Path) -> None:
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.75)
    figure, axes = plt.subplots(1, len(MEASURES), figsize=(15, 7), dpi=130)
    scenario = table["scenario"].iloc[0]
    for axis, (measure, (title, scale, unit)) in zip(np.atleast_1d(axes), MEASURES.items()):
        part = table[(table["measure"] == measure) & (table["factor"] != "none")]
        central = table[table["measure"] == measure]["central"].iloc[0] / scale
        spans = part.groupby("factor")["change_from_central"].agg(lambda c: c.abs().max()).sort_values()
        for row, factor in enumerate(spans.index):
            for _, case in part[part["factor"] == factor].iterrows():
                colour = "#d62728" if case["level"] == "low" else "#1f77b4"
                axis.barh(row, case["change_from_central"] / scale, left=central, color=colour, height=0.6,
                          label=case["level"])
        axis.set_yticks(range(len(spans)), spans.index)
        axis.axvline(central, color="black", linewidth=1)
        axis.set_title(f"{title}\n(central {central:,.1f})")
        axis.set_xlabel(unit)
        handles, labels = axis.get_legend_handles_labels()
        unique = dict(zip(labels, handles))
        axis.legend(unique.values(), [f"{label} end" for label in unique], frameon=False, fontsize=9)
    figure.suptitle(f"What moves the appraisal of {scenario}, England & Wales", fontsize=15, fontweight="bold")
    figure.text(0.01, 0.01, "Each bar: the median across paired runs with one assumption at the low (red) or high "
                "(blue) end of its range, against the central case (black line). Ranges: configs/sensitivity/.\n"
                "Source: sim model output; 2024-25 prices, 3.5% discount rate (HM Treasury Green Book).", fontsize=9)
    figure.tight_layout(rect=(0, 0.06, 1, 0.93))
    save_figure(figure, path)


def markdown(table: pd.DataFrame) -> str:
    lines = [f"# Sensitivity of the appraisal: {table['scenario'].iloc[0]}", "",
             "Median across paired runs of each case (one assumption moved, the rest central); "
             "change from the central case. Cases: configs/sensitivity/.", "",
             "| factor | level | net exchequer NPV | change | cost per job-year | change | pairs |",
             "|---|---|---|---|---|---|---|"]
    for case, part in table.groupby("case", sort=False):
        measure = part.set_index("measure")
        npv, cost = measure.loc["net_exchequer_npv_gbp"], measure.loc["cost_per_additional_job_year_gbp"]
        lines.append(f"| {npv['factor']} | {npv['level']} | £{npv['median'] / 1e6:,.0f}m | "
                     f"£{npv['change_from_central'] / 1e6:+,.0f}m | £{cost['median']:,.0f} | "
                     f"£{cost['change_from_central']:+,.0f} | {int(npv['pairs'])} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    loaded = sweep_argument(sys.argv[1:] if argv is None else argv, "sensitivity",
                            "run `make sensitivity` (a sweep over configs/sensitivity/) first")
    if loaded is None:
        return 2
    sweep_dir, sweep = loaded
    scenarios = [name for name in dict.fromkeys(sweep["scenario"]) if name != BASELINE]
    if BASELINE not in set(sweep["scenario"]) or not scenarios or "sensitivity" not in sweep.columns:
        print(f"error: {sweep_dir}: the sweep needs scenario=baseline, one other scenario and sensitivity cases",
              file=sys.stderr)
        return 2
    pairs, _, _ = appraise(sweep, valuations(sweep_dir, sweep))
    try:
        table = tornado_table(pairs, scenarios[0])
    except ValueError as error:
        print(f"error: {sweep_dir}: {error}", file=sys.stderr)
        return 2
    write_atomic(sweep_dir / "sensitivity.csv", lambda staging: table.to_csv(staging, index=False))
    text = markdown(table)
    write_atomic(sweep_dir / "sensitivity.md", lambda staging: staging.write_text(text))
    tornado_chart(table, sweep_dir / "charts" / "sensitivity_tornado.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
