"""``python -m sim.reforms SWEEP_DIR``: what each benefit-rule package changes against
``pre_2025``, beside the official costings.

Each run with a package (``policy=...``, reported as scenario ``<scenario>+<package>``) is
paired with the ``pre_2025`` run of the same scenario, seed, calibration draw, projection
and sensitivity case. With no employment response (configs/policy/pre_2025.yaml) the pair
has the same people month by month, so the difference is exactly what the rules pay
differently. Writes, in ``SWEEP_DIR/reforms/``:

* ``reforms.md``: the 2028-29 table by package (spending change, of which UC and PIP;
  caseloads by claim cohort; people losing entitlement and their average loss) with the
  published costings beside it, scaled to England & Wales (sim/data/reform_costings.csv);
* ``reforms_2028_29.csv``, ``reforms_by_year.csv``, ``reforms_by_age_band.csv``,
  ``reforms_by_area.csv``: the same figures with their 5-95% intervals across pairs;
* ``reforms.png``: the spending change by year, and the people affected by age band.
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

from sim import spec  # noqa: E402
from sim.aggregate import spread  # noqa: E402
from sim.core import states  # noqa: E402
from sim.core.calendar import financial_year  # noqa: E402
from sim.params.compose import validate_section  # noqa: E402
from sim.params.data_files import read_table  # noqa: E402
from sim.params.models import PolicyConfig  # noqa: E402
from sim.params.schema import DEFAULT_POLICY  # noqa: E402
from sim.policy.benefit_rules import amounts_table  # noqa: E402
from sim.report.style import area_name  # noqa: E402
from sim.results import CONFIG, save_figure, sweep_argument, write_atomic  # noqa: E402

YEAR = "2028-29"
PAIR_KEYS = ["base_scenario", "seed", "draw", "projection", "sensitivity"]
NEW_CLAIMS = ("incapacity_benefit_lcwra_new_claims", "incapacity_benefit_lcwra_new_claims_under_22")
LEVELS = {
    "health_benefit_spending_gbp": "spending",
    "incapacity_benefit_spending_gbp": "spending",
    "disability_benefit_spending_gbp": "spending",
    "incapacity_benefit_lcwra_existing_claims": "people",
    **{name: "people" for name in NEW_CLAIMS},
    "disability_benefit_daily_living_lost": "people",
    "disability_benefit_standard_daily_living_lost": "people",
    "disability_benefit_enhanced_daily_living_lost": "people",
    "disability_benefit_daily_living_lost_at_award": "people",
    "disability_benefit_daily_living_lost_at_review": "people",
}
"""Metrics the report reads (every one a registry metric)."""
OUTCOMES = {
    "spending_change_gbp": "change in health-benefit spending (£ a year, 2024-25 prices)",
    "uc_change_gbp": "of which incapacity benefits (UC health and ESA)",
    "pip_change_gbp": "of which PIP",
    "lcwra_existing_claims": "LCWRA recipients, claims before the new-claims date (people)",
    "lcwra_new_claims": "LCWRA recipients, claims from the new-claims date (people)",
    "pip_daily_living_lost": "PIP recipients without the daily living component (people)",
    "pip_daily_living_lost_to_date": "daily living components removed since the rule began (people, cumulative)",
    "people_losing": "people losing entitlement (new-claim LCWRA at a lower rate, or daily living lost)",
    "uc_new_claim_award_change_gbp_per_year": "award change of a new LCWRA claimant (£ a year, 2024-25 prices)",
    "pip_daily_living_loss_gbp_per_year": "average loss of those losing daily living (£ a year, 2024-25 prices)",
}
PUBLISHED_MEASURES = {
    "spending_change_gbp": "spending_change_gbp", "uc_health_element_change_gbp": "uc_change_gbp",
    "pip_change_gbp": "pip_change_gbp", "lcwra_new_claims": "lcwra_new_claims",
    "lcwra_existing_claims": "lcwra_existing_claims", "pip_daily_living_lost": "pip_daily_living_lost",
    "pip_daily_living_lost_at_review": "pip_daily_living_lost_to_date",
    "uc_new_claim_award_change_gbp_per_year": "uc_new_claim_award_change_gbp_per_year",
    "pip_daily_living_loss_gbp_per_year": "pip_daily_living_loss_gbp_per_year",
    "standard_allowance_change_gbp": None,
}
"""Published measure -> the model outcome it stands beside (None: no model counterpart)."""


def annual(sweep: pd.DataFrame) -> pd.DataFrame:
    """Financial-year values per run, cut and metric (stocks: mean of the months; flows and
    money: sums), for the metrics the report reads, with each run's base scenario."""
    rows = sweep[(sweep["programme"] == "all") & sweep["metric"].isin(list(LEVELS))].copy()
    rows["year"] = financial_year(rows["month"]).to_numpy()
    rows["base_scenario"] = rows["scenario"].str.split("+").str[0]
    keys = ["scenario", "policy", *PAIR_KEYS, "run", "area", "age_band", "metric", "year"]
    grouped = rows.groupby(keys, sort=False)["value"]
    is_stock = rows.groupby(keys, sort=False)["metric"].first().map(lambda name: spec.METRICS[name].kind == "stock")
    out = grouped.mean().where(is_stock, grouped.sum()).rename("value").reset_index()
    return out


def _policy_of_run(sweep_dir: Path, run: str) -> tuple[str, PolicyConfig]:
    config = yaml.safe_load((sweep_dir / run / CONFIG).read_text())
    return config["spending"]["rates_file"], validate_section(PolicyConfig, config["policy"], "policy")


def award_changes(sweep_dir: Path, runs: pd.DataFrame) -> pd.DataFrame:
    """Per package and year, from the rules (not the people): the change in a new LCWRA
    claimant's monthly award (standard allowance + element) against ``pre_2025``, and the
    daily living component each award level loses, £ a year in 2024-25 prices."""
    start = str(pd.Timestamp(runs["first_month"].min()).strftime("%Y-%m"))
    months = int(runs["months"].max())
    tables = {}
    for policy, run in runs.groupby("policy")["run"].first().items():
        rates_file, config = _policy_of_run(sweep_dir, run)
        tables[policy] = amounts_table(rates_file, config, start, months)
    base = tables[DEFAULT_POLICY]
    rows = []
    for policy, table in tables.items():
        if policy == DEFAULT_POLICY:
            continue
        award = table["uc_standard_allowance_single_25_plus"] + table["uc_lcwra_element:new_claims"]
        before = base["uc_standard_allowance_single_25_plus"] + base["uc_lcwra_element:new_claims"]
        frame = pd.DataFrame({"uc_new_claim_award_change_gbp_per_year": 12 * (award - before),
                              "daily_living_standard": 12 * table["pip_daily_living_standard"],
                              "daily_living_enhanced": 12 * table["pip_daily_living_enhanced"]})
        frame["year"] = financial_year(frame.index).to_numpy()
        yearly = frame.groupby("year").mean().reset_index().assign(policy=policy)
        rows.append(yearly)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def paired_outcomes(values: pd.DataFrame, awards: pd.DataFrame) -> pd.DataFrame:
    """One row per package run, cut and year: each outcome of OUTCOMES against its pre_2025 pair."""
    wide = values.pivot_table(index=["scenario", "policy", *PAIR_KEYS, "area", "age_band", "year"],
                              columns="metric", values="value").reset_index()
    for name in LEVELS:
        if name not in wide:
            wide[name] = 0.0
    base = wide[wide["policy"] == DEFAULT_POLICY].drop(columns=["scenario", "policy"])
    packages = wide[wide["policy"] != DEFAULT_POLICY]
    joined = packages.merge(base, on=[*PAIR_KEYS, "area", "age_band", "year"], suffixes=("", "_pre"))
    joined = joined.merge(awards, on=["policy", "year"], how="left")
    lost_standard = joined["disability_benefit_standard_daily_living_lost"]
    lost_enhanced = joined["disability_benefit_enhanced_daily_living_lost"]
    lost = lost_standard + lost_enhanced
    out = joined[["scenario", "policy", *PAIR_KEYS, "area", "age_band", "year"]].copy()
    out["spending_change_gbp"] = joined["health_benefit_spending_gbp"] - joined["health_benefit_spending_gbp_pre"]
    out["uc_change_gbp"] = joined["incapacity_benefit_spending_gbp"] - joined["incapacity_benefit_spending_gbp_pre"]
    out["pip_change_gbp"] = joined["disability_benefit_spending_gbp"] - joined["disability_benefit_spending_gbp_pre"]
    out["lcwra_existing_claims"] = joined["incapacity_benefit_lcwra_existing_claims"]
    out["lcwra_new_claims"] = joined[list(NEW_CLAIMS)].sum(axis=1)
    out["pip_daily_living_lost"] = lost
    out["people_losing"] = lost + np.where(joined["uc_new_claim_award_change_gbp_per_year"] < 0,
                                           out["lcwra_new_claims"], 0.0)
    out["uc_new_claim_award_change_gbp_per_year"] = joined["uc_new_claim_award_change_gbp_per_year"]
    average_loss = -(lost_standard * joined["daily_living_standard"]
                     + lost_enhanced * joined["daily_living_enhanced"]) / lost.where(lost > 0)
    out["pip_daily_living_loss_gbp_per_year"] = average_loss
    flows = (joined["disability_benefit_daily_living_lost_at_award"]
             + joined["disability_benefit_daily_living_lost_at_review"])
    out["_lost_in_year"] = flows
    out = out.sort_values("year")
    out["pip_daily_living_lost_to_date"] = out.groupby(["scenario", *PAIR_KEYS, "area", "age_band"])[
        "_lost_in_year"].cumsum()
    return out.drop(columns="_lost_in_year")


def intervals(outcomes: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Median and 5-95% (min-max under 20 pairs) of every outcome across pairs."""
    long = outcomes.melt(id_vars=[c for c in outcomes.columns if c not in OUTCOMES], value_vars=list(OUTCOMES),
                         var_name="outcome", value_name="value").dropna(subset=["value"])
    return spread(long, [*keys, "outcome"])


def published_beside(costings: pd.DataFrame, scaling: pd.DataFrame) -> pd.DataFrame:
    """Official costings on England & Wales terms (per-person figures are not scaled)."""
    factors = dict(zip(scaling["geography"], scaling["factor_to_england_and_wales"].astype(float)))
    frame = costings.copy()
    per_person = frame["unit"].str.contains("per person")
    frame["factor"] = np.where(per_person, 1.0, frame["geography"].map(factors))
    frame["england_and_wales"] = frame["value"].astype(float) * frame["factor"]
    frame["outcome"] = frame["measure"].map(PUBLISHED_MEASURES)
    return frame


def _shown(value: float, outcome: str) -> str:
    if pd.isna(value):
        return "–"
    if outcome.endswith("_gbp"):
        return f"£{value / 1e9:+.2f}bn"
    if outcome.endswith("per_year"):
        return f"£{value:+,.0f}"
    return f"{value / 1e3:,.0f}k"


def markdown(table: pd.DataFrame, published: pd.DataFrame, pairs: int) -> str:
    lines = [f"# Benefit-rule packages against pre_2025, {YEAR}, England & Wales", "",
             f"Median and 5-95% interval (min-max under 20 pairs) over {pairs} paired runs (same scenario, seed, "
             "calibration draw and projection). Money in 2024-25 prices; negative spending changes are savings. "
             "People: mean of the year's months. No employment response is modelled "
             "(configs/policy/pre_2025.yaml), so each pair has the same people and the difference is what the "
             "rules pay. Published figures are scaled to England & Wales by population "
             "(sim/data/geography_scaling.csv); they are often for 2029-30, a year after the model's last.", ""]
    for package, part in table.groupby("package", sort=False):
        lines += [f"## {package}", "", "| outcome | model | interval | published (E&W) | source |", "|---|---:|---:|---|---|"]
        cited = published[published["package"] == package]
        for _, row in part.iterrows():
            outcome = row["outcome"]
            matched = cited[cited["outcome"] == outcome]
            published_text = "; ".join(f"{_shown(value, outcome)} ({period})" for value, period in
                                       zip(matched["england_and_wales"], matched["period"]))
            sources = "; ".join(matched["source"])
            lines.append(f"| {OUTCOMES[outcome]} | {_shown(row['median'], outcome)} | "
                         f"{_shown(row['low'], outcome)} to {_shown(row['high'], outcome)} | {published_text or '–'} "
                         f"| {sources or '–'} |")
        unmatched = cited[cited["outcome"].isna()]
        for _, row in unmatched.iterrows():
            lines.append(f"| published only: {row['measure'].replace('_', ' ')} | – | – | "
                         f"{_shown(row['england_and_wales'], row['measure'])} ({row['period']}) | "
                         f"{row['source']}; {row['note']} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def chart(by_year: pd.DataFrame, by_band: pd.DataFrame, path: Path) -> None:
    """Spending change by financial year, and people losing entitlement by age band in YEAR."""
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.8)
    figure, (left, right) = plt.subplots(1, 2, figsize=(15, 6.5), dpi=130)
    spending = by_year[(by_year["outcome"] == "spending_change_gbp") & (by_year["year"] >= "2025-26")]
    packages = list(dict.fromkeys(by_year["package"]))
    colours = dict(zip(packages, sns.color_palette("colorblind", len(packages))))
    for package, part in spending.groupby("package", sort=False):
        left.plot(part["year"], part["median"] / 1e9, marker="o", linewidth=2.5, color=colours[package],
                  label=package)
        left.fill_between(part["year"], part["low"] / 1e9, part["high"] / 1e9, color=colours[package], alpha=0.2)
    left.axhline(0, color="black", linewidth=0.8)
    left.set_title("Change in health-benefit spending", fontweight="bold")
    left.set_ylabel("£ billion a year, 2024-25 prices")
    left.set_xlabel("financial year")
    left.legend(frameon=False, fontsize=10)
    losing = by_band[by_band["outcome"] == "people_losing"]
    sns.barplot(data=losing.assign(thousand=losing["median"] / 1e3), x="age_band", y="thousand", hue="package",
                palette=colours, order=list(states.AGE_BANDS), ax=right)
    right.set_title(f"People losing entitlement, {YEAR}", fontweight="bold")
    right.set_ylabel("thousand people (mean of the year)")
    right.set_xlabel("age band")
    right.legend(frameon=False, fontsize=10)
    figure.suptitle("What the 2025 benefit reforms change against the pre-2025 rules, England & Wales",
                    fontsize=15, fontweight="bold")
    figure.text(0.01, 0.01, "Median of package - pre_2025 across paired runs; band: 5-95% (min-max under 20 pairs). "
                "Losing entitlement: new LCWRA claimants paid the lower element, or PIP without daily living. "
                "Source: sim model output; rules in configs/policy/, sim/data/benefit_rules.csv.", fontsize=9)
    figure.tight_layout(rect=(0, 0.04, 1, 0.94))
    save_figure(figure, path)


def _csv(frame: pd.DataFrame, path: Path) -> None:
    write_atomic(path, lambda staging: frame.to_csv(staging, index=False))


def report(sweep_dir: Path, sweep: pd.DataFrame) -> str:
    """Write SWEEP_DIR/reforms/ and return the markdown."""
    runs = sweep.groupby(["run", "policy"], as_index=False).agg(first_month=("month", "min"),
                                                                 months=("month", "nunique"))
    values = annual(sweep)
    outcomes = paired_outcomes(values, award_changes(sweep_dir, runs))
    outcomes["package"] = outcomes["scenario"]
    totals = outcomes[(outcomes["area"] == "all") & (outcomes["age_band"] == "all")]
    by_year = intervals(totals, ["package", "year"])
    headline = by_year[by_year["year"] == YEAR].drop(columns="year")
    headline["outcome"] = pd.Categorical(headline["outcome"], list(OUTCOMES))
    headline = headline.sort_values(["package", "outcome"]).assign(outcome=lambda f: f["outcome"].astype(str))
    cut = outcomes[outcomes["year"] == YEAR]
    by_band = intervals(cut[(cut["area"] == "all") & (cut["age_band"] != "all")], ["package", "age_band"])
    by_area = intervals(cut[(cut["area"] != "all") & (cut["age_band"] == "all")], ["package", "area"])
    by_area["area_name"] = by_area["area"].map(area_name)
    costings = read_table("reform_costings.csv", "reform_costings")
    published = published_beside(costings, read_table("geography_scaling.csv", "geography_scaling"))
    published = published.assign(package=published["package"].map(
        lambda name: next((package for package in headline["package"].unique() if package.endswith(f"+{name}")), name)))
    out = sweep_dir / "reforms"
    out.mkdir(parents=True, exist_ok=True)
    _csv(headline, out / "reforms_2028_29.csv")
    _csv(by_year, out / "reforms_by_year.csv")
    _csv(by_band, out / "reforms_by_age_band.csv")
    _csv(by_area, out / "reforms_by_area.csv")
    _csv(published, out / "published_costings.csv")
    pairs = int(totals[totals["year"] == YEAR].groupby("package").size().min())
    text = markdown(headline, published, pairs)
    write_atomic(out / "reforms.md", lambda path: path.write_text(text))
    chart(by_year, by_band, out / "reforms.png")
    return text


def main(argv: list[str] | None = None) -> int:
    loaded = sweep_argument(sys.argv[1:] if argv is None else argv, "reforms",
                            "run a sweep with policy=pre_2025,<packages> first")
    if loaded is None:
        return 2
    sweep_dir, sweep = loaded
    policies = set(sweep["policy"]) if "policy" in sweep.columns else set()
    if DEFAULT_POLICY not in policies or len(policies) < 2:
        print(f"error: {sweep_dir}: policy {sorted(policies)}; the sweep needs policy={DEFAULT_POLICY} and at least "
              "one package (configs/policy/)", file=sys.stderr)
        return 2
    print(report(sweep_dir, sweep))
    return 0


if __name__ == "__main__":
    sys.exit(main())
