"""``python -m sim.compare SWEEP_DIR``: what each scenario changes against the baseline.

Each scenario run is paired with the baseline run of the same seed, calibration draw and
projection: with common random numbers the difference is the programmes' effect, not
noise. For each scenario the table gives the median and the range across pairs of:

* additional people in work in 2028-29 (employed, scenario - baseline, April-March mean)
  and the direct additional job outcomes credited to programmes (sum to March 2029);
* the change in inactivity (long-term sick and all inactive) and in health-benefit
  recipients in 2028-29;
* benefit spending saved (baseline - scenario, summed over the run), programme cost, cost
  per additional person in work in 2028-29, GP appointments and early-return relapses;
* the net exchequer effect: spending saved + tax and National Insurance from the additional
  employment (sim/data/exchequer_assumptions.csv) - programme cost.

Writes ``comparison.csv``, ``comparison.md`` and ``charts/scenario_comparison.png`` into
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

from sim.aggregate import spread  # noqa: E402
from sim.core.calendar import financial_year  # noqa: E402
from sim.params.data_files import read_table  # noqa: E402
from sim.results import save_figure, sweep_argument, write_atomic  # noqa: E402

BASELINE = "baseline"
LAST_YEAR = "2028-29"
PAIR_KEYS = ["seed", "draw", "projection"]
OUTCOMES = {
    "additional_people_in_work_2028_29": "additional people in work, 2028-29",
    "direct_additional_job_outcomes": "direct additional job outcomes (to Mar 2029)",
    "change_inactive_long_term_sick_2028_29": "change in inactive long-term sick, 2028-29",
    "change_inactive_2028_29": "change in all inactive, 2028-29",
    "change_health_benefit_recipients_2028_29": "change in health-benefit recipients, 2028-29",
    "benefit_spending_saved_gbp": "benefit spending saved (£, to Mar 2029)",
    "programme_cost_gbp": "programme cost (£, to Mar 2029)",
    "cost_per_additional_person_in_work_gbp": "cost per additional person in work in 2028-29 (£)",
    "gp_appointments": "GP appointments (to Mar 2029)",
    "early_return_relapses": "early-return relapses (to Mar 2029)",
    "net_exchequer_gbp": "net exchequer effect (£, to Mar 2029)",
}


def tax_per_worker_year() -> float:
    table = read_table("exchequer_assumptions.csv", "exchequer_assumptions").set_index("assumption")
    return float(table.loc["tax_and_national_insurance_per_additional_worker", "value"])


def run_summaries(sweep: pd.DataFrame) -> pd.DataFrame:
    """One row per run: the quantities the comparison differences."""
    total = sweep[(sweep["area"] == "all") & (sweep["age_band"] == "all") & (sweep["programme"] == "all")]
    pivot = total.pivot_table(index=["scenario", *PAIR_KEYS, "month"], columns="metric", values="value")
    pivot = pivot.reset_index()
    last = pivot[financial_year(pivot["month"]).to_numpy() == LAST_YEAR]
    keys = ["scenario", *PAIR_KEYS]
    year = last.groupby(keys).mean(numeric_only=True)
    summed = pivot.groupby(keys).sum(numeric_only=True)
    summary = pd.DataFrame({
        "employed_2028_29": year["employed"],
        "inactive_long_term_sick_2028_29": year["inactive_long_term_sick"],
        "inactive_2028_29": year["inactive_long_term_sick"] + year["inactive_other"],
        "health_benefit_recipients_2028_29": year["health_benefit_recipients"],
        "spending_gbp": summed["health_benefit_spending_gbp"],
        "employed_months": summed["employed"],
        "programme_cost_gbp": summed.get("intervention_cost_gbp", 0.0),
        "direct_additional_job_outcomes": summed.get("additional_job_outcomes", 0.0),
        "gp_appointments": summed.get("gp_appointments", 0.0),
        "early_return_relapses": summed.get("early_return_relapses", 0.0),
    })
    return summary.reset_index()


def differences(summaries: pd.DataFrame, tax_per_year: float) -> pd.DataFrame:
    """Scenario minus its paired baseline run, one row per scenario run."""
    baseline = summaries[summaries["scenario"] == BASELINE].drop(columns="scenario")
    others = summaries[summaries["scenario"] != BASELINE]
    paired = others.merge(baseline, on=PAIR_KEYS, suffixes=("", "_baseline"))
    if paired.empty:
        return pd.DataFrame()
    additional_work = paired["employed_2028_29"] - paired["employed_2028_29_baseline"]
    additional_worker_years = (paired["employed_months"] - paired["employed_months_baseline"]) / 12
    saved = paired["spending_gbp_baseline"] - paired["spending_gbp"]
    cost = paired["programme_cost_gbp"]
    result = pd.DataFrame({
        "scenario": paired["scenario"],
        **{key: paired[key] for key in PAIR_KEYS},
        "additional_people_in_work_2028_29": additional_work,
        "direct_additional_job_outcomes": paired["direct_additional_job_outcomes"],
        "change_inactive_long_term_sick_2028_29":
            paired["inactive_long_term_sick_2028_29"] - paired["inactive_long_term_sick_2028_29_baseline"],
        "change_inactive_2028_29": paired["inactive_2028_29"] - paired["inactive_2028_29_baseline"],
        "change_health_benefit_recipients_2028_29":
            paired["health_benefit_recipients_2028_29"] - paired["health_benefit_recipients_2028_29_baseline"],
        "benefit_spending_saved_gbp": saved,
        "programme_cost_gbp": cost,
        "cost_per_additional_person_in_work_gbp": np.where(additional_work > 0, cost / additional_work.where(additional_work > 0), np.nan),
        "gp_appointments": paired["gp_appointments"],
        "early_return_relapses": paired["early_return_relapses"],
        "net_exchequer_gbp": saved + additional_worker_years * tax_per_year - cost,
    })
    return result


def interval_table(diffs: pd.DataFrame) -> pd.DataFrame:
    """Median and range (sim/aggregate.py ``spread``) for each scenario and outcome."""
    long = diffs.melt(id_vars=["scenario"], value_vars=list(OUTCOMES), var_name="outcome")
    table = spread(long, ["scenario", "outcome"]).rename(columns={"runs": "pairs"})
    table["label"] = table["outcome"].map(OUTCOMES)
    order = {outcome: index for index, outcome in enumerate(OUTCOMES)}
    scenarios = {scenario: index for index, scenario in enumerate(dict.fromkeys(diffs["scenario"]))}
    table = table.sort_values(["scenario", "outcome"], key=lambda column: column.map(
        scenarios if column.name == "scenario" else order), ignore_index=True)
    return table[["scenario", "outcome", "label", "median", "low", "high", "pairs"]]


def _format(value: float, outcome: str) -> str:
    if not np.isfinite(value):
        return "n/a"
    if outcome.endswith("_gbp"):
        return f"£{value / 1e9:,.2f}bn" if abs(value) >= 1e8 else f"£{value:,.0f}"
    return f"{value:,.0f}"


def markdown(table: pd.DataFrame, tax_per_year: float) -> str:
    lines = ["# Scenarios against the baseline", "",
             "Differences from the baseline run with the same seed, calibration draw and projection "
             "(common random numbers); median [range] across pairs. Net exchequer = spending saved + "
             f"£{tax_per_year:,.0f} tax and NI a year per additional worker (an assumption) - programme cost.", ""]
    scenarios = list(dict.fromkeys(table["scenario"]))
    lines.append("| outcome | " + " | ".join(scenarios) + " |")
    lines.append("|---|" + "---|" * len(scenarios))
    for outcome, label in OUTCOMES.items():
        cells = []
        for scenario in scenarios:
            row = table[(table["scenario"] == scenario) & (table["outcome"] == outcome)].iloc[0]
            cells.append(f"{_format(row['median'], outcome)} [{_format(row['low'], outcome)} to {_format(row['high'], outcome)}]")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    pairs = table.groupby("scenario")["pairs"].max().to_dict()
    lines += ["", "Pairs per scenario: " + ", ".join(f"{s} {n}" for s, n in pairs.items()), ""]
    return "\n".join(lines)


def chart(table: pd.DataFrame, path: Path) -> None:
    shown = ["additional_people_in_work_2028_29", "change_health_benefit_recipients_2028_29",
             "benefit_spending_saved_gbp", "programme_cost_gbp"]
    units = {"additional_people_in_work_2028_29": (1e3, "thousand people"),
             "change_health_benefit_recipients_2028_29": (1e3, "thousand people"),
             "benefit_spending_saved_gbp": (1e9, "£ billion"), "programme_cost_gbp": (1e9, "£ billion")}
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.75)
    figure, axes = plt.subplots(2, 2, figsize=(14, 9), dpi=130)
    for axis, outcome in zip(axes.flat, shown):
        part = table[table["outcome"] == outcome]
        scale, unit = units[outcome]
        middle = part["median"] / scale
        axis.barh(part["scenario"], middle, color="#1f77b4")
        axis.errorbar(middle, part["scenario"], xerr=[(part["median"] - part["low"]) / scale,
                                                       (part["high"] - part["median"]) / scale],
                      fmt="none", color="black", capsize=4)
        axis.axvline(0, color="black", linewidth=0.8)
        axis.set_title(OUTCOMES[outcome])
        axis.set_xlabel(unit)
    figure.suptitle("What the programmes change against the baseline, England & Wales",
                    fontsize=15, fontweight="bold")
    figure.text(0.01, 0.005, "Bars: median of scenario - baseline across paired runs (same seed and "
                "calibration draw); whiskers: range. Spending and cost summed April 2019 to March 2029, "
                "2024-25 prices.", fontsize=9)
    figure.tight_layout(rect=(0, 0.03, 1, 0.95))
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
    tax = tax_per_worker_year()
    diffs = differences(run_summaries(sweep), tax)
    table = interval_table(diffs)
    write_atomic(sweep_dir / "comparison.csv", lambda path: table.to_csv(path, index=False))
    text = markdown(table, tax)
    write_atomic(sweep_dir / "comparison.md", lambda path: path.write_text(text))
    chart(table, sweep_dir / "charts" / "scenario_comparison.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
