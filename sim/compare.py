"""``python -m sim.compare SWEEP_DIR``: what each scenario changes against the baseline,
appraised as HM Treasury's Green Book and DWP ask (sim/appraisal/).

Each scenario run is paired with the baseline run of the same seed, calibration draw,
projection and sensitivity case: with common random numbers the difference is the
programmes' effect, not noise, and deadweight is already netted off. For each scenario the
tables give the median and the 5-95% interval across pairs (the range with fewer than the
runs a percentile needs) of the outcomes in ``OUTCOMES``; per programme, cost per
participant, employment effect and exchequer return beside the nearest published
evaluation (``BENCHMARK_FLAG`` times away is flagged).

Writes into SWEEP_DIR (atomically): ``comparison.csv`` (central case), ``comparison_pairs.csv``
(every pair and sensitivity case), ``additional_employment_by_month.csv``,
``programmes.csv``, ``benchmarks.csv``, ``comparison.md`` and
``charts/scenario_comparison.png`` and ``charts/additional_employment.png``.
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

from sim.aggregate import spread  # noqa: E402
from sim.appraisal.outcomes import BASELINE, PAIR_KEYS, Valuation, appraise, programme_table, uc_health_award_monthly  # noqa: E402
from sim.params.data_files import read_table  # noqa: E402
from sim.params.models import AppraisalConfig  # noqa: E402
from sim.results import run_appraisal, save_figure, sweep_argument, write_atomic, write_csv  # noqa: E402

CENTRAL = "central"
PROGRAMME_YEARS_FROM = pd.Timestamp("2024-01-01")
"""The employment chart starts here: no programme starts before April 2024."""
BENCHMARK_FLAG = 3.0
"""A modelled figure this many times above or below its benchmark is flagged."""

OUTCOMES: dict[str, tuple[str, str]] = {
    "additional_people_in_work_2028_29": (
        "additional people in work, 2028-29", "Employed people in the scenario less its baseline, April-March mean."),
    "additional_job_years_to_march_2029": (
        "additional job-years to March 2029", "Additional people in work summed over every month to March 2029, in years (before displacement)."),
    "additional_job_years": (
        "additional job-years to the horizon", "The same carried past March 2029 with the persistence assumption to the horizon year, net of displacement."),
    "sustained_job_outcomes": (
        "sustained job outcomes", "Moves into (or kept in) work credited to a programme by the same draw without it, less those that ended within six months."),
    "prevented_exits_from_work": (
        "exits from work into sickness prevented", "Fewer moves from work into long-term-sick inactivity than in the baseline (people kept in work)."),
    "additional_returns_from_sickness": (
        "additional returns to work from sickness", "More moves from long-term-sick inactivity into work than in the baseline (people moved into work)."),
    "change_inactive_long_term_sick_2028_29": (
        "change in inactive long-term sick, 2028-29", "Scenario less baseline, April-March mean."),
    "change_inactive_2028_29": ("change in all inactive, 2028-29", "Scenario less baseline, April-March mean."),
    "change_health_benefit_recipients_2028_29": (
        "change in health-benefit recipients, 2028-29", "Scenario less baseline, April-March mean."),
    "exchequer_tax_nics_gbp": (
        "income tax and NICs (£, present value)", "Income tax and employee and employer NICs on the additional job-years' earnings (2024-25 rules), discounted."),
    "benefit_spending_saved_gbp": (
        "benefit spending saved (£, present value)", "Health-benefit spending of the baseline less the scenario's, plus the Universal Credit taper on additional recipients in work, discounted."),
    "programme_cost_gbp": (
        "programme cost (£, present value)", "What the programmes' starts cost, with the optimism-bias uplift, discounted."),
    "pv_gp_cost_gbp": ("GP time (£, present value)", "GP appointments used by referrals at the unit cost, discounted."),
    "net_exchequer_npv_gbp": (
        "net exchequer NPV (£)", "Tax, NICs and benefit savings less programme and GP costs, in present value at the Green Book rate."),
    "benefit_cost_ratio": (
        "exchequer benefit-cost ratio", "Present value of the exchequer gains per £1 of programme and GP cost."),
    "cost_per_additional_job_year_gbp": (
        "cost per additional job-year (£)", "Programme cost (with optimism bias, undiscounted) per additional job-year to the horizon."),
    "health_gain_value_gbp": (
        "value of health gains (£, present value; separate line)", "Person-years no longer limited by a condition x QALY gain x £ per QALY, discounted at the health rate; not in the exchequer figures."),
    "social_npv_gbp": ("net exchequer NPV plus health gains (£)", "The net exchequer NPV with the value of health gains added."),
}


def valuations(sweep_dir: Path, sweep: pd.DataFrame) -> dict[str, Valuation]:
    """Each sensitivity case's valuation, from the appraisal settings its runs were made with."""
    award = uc_health_award_monthly()
    found = {}
    for case, runs in sweep.groupby("sensitivity")["run"]:
        settings = AppraisalConfig.model_validate(run_appraisal(sweep_dir / runs.iloc[0]))
        found[case] = Valuation.from_settings(settings, award)
    return found


def interval_table(pairs: pd.DataFrame, keys: tuple[str, ...] = ("scenario",)) -> pd.DataFrame:
    """Median and 5-95% interval (sim/aggregate.py ``spread``) of each outcome by ``keys``."""
    long = pairs.melt(id_vars=list(keys), value_vars=list(OUTCOMES), var_name="outcome").dropna(subset=["value"])
    table = spread(long, [*keys, "outcome"]).rename(columns={"runs": "pairs"})
    table["label"] = table["outcome"].map(lambda outcome: OUTCOMES[outcome][0])
    order = {outcome: index for index, outcome in enumerate(OUTCOMES)}
    scenarios = {scenario: index for index, scenario in enumerate(dict.fromkeys(pairs["scenario"]))}
    table = table.sort_values([*keys, "outcome"], key=lambda column: column.map(
        scenarios if column.name == "scenario" else order) if column.name in ("scenario", "outcome") else column,
        ignore_index=True)
    return table[[*keys, "outcome", "label", "median", "low", "high", "pairs"]]


def benchmark_table(programmes: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Each programme's modelled medians beside its published benchmarks, flagged when more
    than ``BENCHMARK_FLAG`` times away (the flag names which figure and why)."""
    if programmes.empty:
        return pd.DataFrame()
    modelled = programmes.groupby(["scenario", "programme"])[
        ["cost_per_participant_gbp", "employment_effect_pp", "exchequer_return_per_pound"]].median().reset_index()
    rows = []
    for _, row in modelled.iterrows():
        for _, mark in benchmarks[benchmarks["programme"] == row["programme"]].iterrows():
            flags = []
            for modelled_column, published_column, what in (
                    ("cost_per_participant_gbp", "cost_per_participant_gbp", "cost per participant"),
                    ("employment_effect_pp", "employment_effect_pp", "employment effect"),
                    ("exchequer_return_per_pound", "return_per_pound", "return per £1")):
                published = pd.to_numeric(mark[published_column], errors="coerce")
                value = row[modelled_column]
                if np.isfinite(published) and published > 0 and np.isfinite(value):
                    ratio = value / published
                    if ratio > BENCHMARK_FLAG or ratio < 1 / BENCHMARK_FLAG:
                        flags.append(f"{what} {ratio:.1f}x the benchmark")
            rows.append({
                "scenario": row["scenario"], "programme": row["programme"], "benchmark": mark["benchmark"],
                "modelled_cost_per_participant_gbp": row["cost_per_participant_gbp"],
                "published_cost_per_participant_gbp": pd.to_numeric(mark["cost_per_participant_gbp"], errors="coerce"),
                "modelled_employment_effect_pp": row["employment_effect_pp"],
                "published_employment_effect_pp": pd.to_numeric(mark["employment_effect_pp"], errors="coerce"),
                "published_effect_months": pd.to_numeric(mark["effect_months"], errors="coerce"),
                "modelled_exchequer_return_per_pound": row["exchequer_return_per_pound"],
                "published_return_per_pound": pd.to_numeric(mark["return_per_pound"], errors="coerce"),
                "published_return_kind": mark["return_kind"] if isinstance(mark["return_kind"], str) else "",
                "flag": "; ".join(flags), "source": mark["source"],
            })
    return pd.DataFrame(rows)


def _format(value: float, outcome: str) -> str:
    if not np.isfinite(value):
        return "n/a"
    if outcome.endswith("_gbp"):
        return f"£{value / 1e9:,.2f}bn" if abs(value) >= 1e8 else f"£{value:,.0f}"
    if outcome == "benefit_cost_ratio":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def _number(value, digits: int = 0, prefix: str = "") -> str:
    return f"{prefix}{value:,.{digits}f}" if isinstance(value, (int, float)) and np.isfinite(value) else "n/a"


def markdown(table: pd.DataFrame, benchmarks: pd.DataFrame, settings: AppraisalConfig) -> str:
    lines = ["# Scenarios against the baseline", "",
             "Differences from the baseline run with the same seed, calibration draw and projection "
             "(common random numbers, so deadweight is netted off); median [5-95% interval, or range "
             f"with few pairs] across pairs. Money in {settings.price_base} prices, discounted at "
             f"{settings.discount_rate:.1%} a year from {settings.discount_base_year} (health gains at "
             f"{settings.health_discount_rate:.1%}); employment carried to {settings.horizon_end_year} keeping "
             f"{settings.persistence_per_year:.0%} a year after March 2029; displacement {settings.displacement:.0%}; "
             f"optimism bias {settings.optimism_bias:.0%} on programme costs. Sources: configs/appraisal/default.yaml.", ""]
    scenarios = list(dict.fromkeys(table["scenario"]))
    lines.append("| outcome | " + " | ".join(scenarios) + " |")
    lines.append("|---|" + "---|" * len(scenarios))
    for outcome, (label, _) in OUTCOMES.items():
        cells = []
        for scenario in scenarios:
            found = table[(table["scenario"] == scenario) & (table["outcome"] == outcome)]
            if found.empty:
                cells.append("n/a")
                continue
            row = found.iloc[0]
            cells.append(f"{_format(row['median'], outcome)} [{_format(row['low'], outcome)} to "
                         f"{_format(row['high'], outcome)}]")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    pairs = table.groupby("scenario")["pairs"].max().to_dict()
    lines += ["", "Pairs per scenario: " + ", ".join(f"{s} {n}" for s, n in pairs.items()), "",
              "## What each outcome means", ""]
    lines += [f"- **{label}**: {meaning}" for label, meaning in OUTCOMES.values()]
    if not benchmarks.empty:
        lines += ["", "## Against published evaluations", "",
                  "Modelled medians per programme: cost per participant, employment effect (sustained additional "
                  "job outcomes per 100 participants) and exchequer return per £1 (the scenario's gains apportioned "
                  f"by sustained outcomes), beside the nearest published figure. Flagged: more than {BENCHMARK_FLAG:g}x "
                  "away. Published returns are social (DWP's) where stated, not exchequer, and evaluations follow "
                  "people for the months shown.", "",
                  "| scenario | programme | benchmark | cost per participant (model / published) | effect, pp "
                  "(model / published, months) | return per £1 (model / published) | flag |",
                  "|---|---|---|---|---|---|---|"]
        for _, row in benchmarks.iterrows():
            lines.append(
                f"| {row['scenario']} | {row['programme']} | {row['benchmark']} | "
                f"{_number(row['modelled_cost_per_participant_gbp'], prefix='£')} / "
                f"{_number(row['published_cost_per_participant_gbp'], prefix='£')} | "
                f"{_number(row['modelled_employment_effect_pp'], 1)} / {_number(row['published_employment_effect_pp'], 1)}"
                f" ({_number(row['published_effect_months'])}) | {_number(row['modelled_exchequer_return_per_pound'], 2)}"
                f" / {_number(row['published_return_per_pound'], 2)} | {row['flag'] or '-'} |")
        lines += ["", "Why a flag can stand: the model's effect counts every participant the programme reaches "
                  "(many would have moved anyway; only the extra moves count) and its cost is the configured cost "
                  "per participant; a flagged figure is a prompt to check the programme's effect sizes, eligibility "
                  "and cost against the evidence in its source.", "",
                  "Benchmark sources: " + "; ".join(dict.fromkeys(benchmarks["source"])) + "."]
    return "\n".join(lines) + "\n"


def chart(table: pd.DataFrame, path: Path) -> None:
    shown = {"additional_job_years": (1e3, "thousand job-years"),
             "net_exchequer_npv_gbp": (1e9, "£ billion, present value"),
             "benefit_spending_saved_gbp": (1e9, "£ billion, present value"),
             "cost_per_additional_job_year_gbp": (1e3, "£ thousand per job-year")}
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.75)
    figure, axes = plt.subplots(2, 2, figsize=(14, 9), dpi=130)
    for axis, (outcome, (scale, unit)) in zip(axes.flat, shown.items()):
        part = table[table["outcome"] == outcome]
        middle = part["median"] / scale
        axis.barh(part["scenario"], middle, color="#1f77b4")
        axis.errorbar(middle, part["scenario"], xerr=[(part["median"] - part["low"]) / scale,
                                                       (part["high"] - part["median"]) / scale],
                      fmt="none", color="black", capsize=4)
        axis.axvline(0, color="black", linewidth=0.8)
        axis.set_title(OUTCOMES[outcome][0])
        axis.set_xlabel(unit)
    figure.suptitle("What the programmes change against the baseline, England & Wales",
                    fontsize=15, fontweight="bold")
    figure.text(0.01, 0.005, "Bars: median of scenario - baseline across paired runs (same seed and calibration "
                "draw); whiskers: 5-95% interval. 2024-25 prices, discounted at 3.5% (HM Treasury Green Book). "
                "Source: sim model output; assumptions in configs/appraisal/default.yaml.", fontsize=9)
    figure.tight_layout(rect=(0, 0.03, 1, 0.95))
    save_figure(figure, path)


def employment_chart(monthly: pd.DataFrame, path: Path) -> None:
    """Additional people in work by month: median and 5-95% band across pairs, per scenario."""
    shown = monthly[pd.to_datetime(monthly["month"]) >= PROGRAMME_YEARS_FROM]
    grouped = shown.groupby(["scenario", "month"])["additional_people_in_work"]
    summary = grouped.median().rename("median").to_frame()
    summary["low"] = grouped.quantile(0.05)
    summary["high"] = grouped.quantile(0.95)
    summary = summary.reset_index()
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.8)
    figure, axis = plt.subplots(figsize=(12, 6.5), dpi=130)
    for scenario, part in summary.groupby("scenario", sort=False):
        line, = axis.plot(part["month"], part["median"] / 1e3, label=scenario, linewidth=2)
        axis.fill_between(part["month"], part["low"] / 1e3, part["high"] / 1e3, color=line.get_color(), alpha=0.2)
    axis.axhline(0, color="black", linewidth=0.8)
    axis.set_title("Additional people in work against the baseline, England & Wales", fontweight="bold")
    axis.set_ylabel("thousand people")
    axis.set_xlabel("month")
    axis.legend(frameon=False)
    figure.text(0.01, 0.005, "Median of scenario - baseline across paired runs (same seed and calibration draw); "
                "band: 5-95%. Source: sim model output.", fontsize=9)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    save_figure(figure, path)


def main(argv: list[str] | None = None) -> int:
    loaded = sweep_argument(sys.argv[1:] if argv is None else argv, "compare",
                            "run a sweep with scenario=baseline,... first")
    if loaded is None:
        return 2
    sweep_dir, sweep = loaded
    if BASELINE not in set(sweep["scenario"]) or sweep["scenario"].nunique() < 2:
        print(f"error: {sweep_dir}: the sweep needs scenario=baseline and at least one other scenario",
              file=sys.stderr)
        return 2
    if "sensitivity" not in sweep.columns:
        sweep = sweep.assign(sensitivity=CENTRAL)
    found = valuations(sweep_dir, sweep)
    pairs, monthly, programme_months = appraise(sweep, found)
    if pairs.empty:
        print(f"error: {sweep_dir}: no scenario run has a baseline run with the same seed, draw and projection",
              file=sys.stderr)
        return 2
    case = CENTRAL if CENTRAL in set(pairs["sensitivity"]) else pairs["sensitivity"].iloc[0]
    central = pairs[pairs["sensitivity"] == case]
    table = interval_table(central)
    programmes = programme_table(programme_months, central)
    reached = programmes.groupby("programme")["participants"].transform("median") > 0 if len(programmes) else []
    settings = found[case].settings
    benchmarks = benchmark_table(programmes[reached] if len(programmes) else programmes,
                                 read_table(settings.benchmarks_file, "programme_benchmarks"))
    write_csv(table, sweep_dir / "comparison.csv")
    write_csv(pairs, sweep_dir / "comparison_pairs.csv")
    write_csv(monthly, sweep_dir / "additional_employment_by_month.csv")
    write_csv(programmes, sweep_dir / "programmes.csv")
    write_csv(benchmarks, sweep_dir / "benchmarks.csv")
    text = markdown(table, benchmarks, settings)
    write_atomic(sweep_dir / "comparison.md", lambda path: path.write_text(text))
    chart(table, sweep_dir / "charts" / "scenario_comparison.png")
    employment_chart(monthly[monthly["sensitivity"] == case], sweep_dir / "charts" / "additional_employment.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
