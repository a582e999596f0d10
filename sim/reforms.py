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
* ``reforms.png`` (and ``.svg``): the spending change by year, and the people affected by age band.
"""

from __future__ import annotations

import sys
import textwrap
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
from sim.results import CONFIG, save_figure, sweep_argument, write_atomic, write_csv  # noqa: E402

YEAR = "2028-29"
PAIR_KEYS = ["base_scenario", "seed", "draw", "projection", "sensitivity"]
NEW_CLAIMS = ("incapacity_benefit_lcwra_new_claims", "incapacity_benefit_lcwra_new_claims_under_22")
LEVELS = {
    "incapacity_benefit_awaiting_assessment": "people",
    "incapacity_benefit_lcw": "people",
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
    "uc_new_claims_element_change_gbp": "of which the LCWRA element of new claims",
    "uc_existing_claims_element_change_gbp": "of which the LCWRA and LCW elements of existing claims",
    "standard_allowance_change_gbp": "of which the standard allowance of incapacity-benefit recipients",
    "pip_change_gbp": "of which PIP",
    "lcwra_existing_claims": "LCWRA recipients, claims before the new-claims date (people)",
    "lcwra_new_claims": "LCWRA recipients, claims from the new-claims date (people)",
    "pip_daily_living_lost": "PIP recipients without the daily living component (people)",
    "pip_standard_daily_living_lost": "of which awarded at the standard level (people)",
    "pip_enhanced_daily_living_lost": "of which awarded at the enhanced level (people)",
    "pip_daily_living_lost_to_date": "daily living components removed since the rule began (people, cumulative)",
    "pip_daily_living_lost_at_review_to_date": "of which at award reviews (people, cumulative)",
    "people_losing": "people losing entitlement (new-claim LCWRA at a lower rate, or daily living lost)",
    "uc_new_claim_award_change_gbp_per_year": "award change of a new LCWRA claimant (£ a year, 2024-25 prices)",
    "uc_new_claim_element_change_gbp_per_year": "of which the LCWRA element (£ a year, 2024-25 prices)",
    "pip_daily_living_loss_gbp_per_year": "average loss of those losing daily living (£ a year, 2024-25 prices)",
}
PUBLISHED_MEASURES = {
    "spending_change_gbp": "spending_change_gbp", "uc_health_element_change_gbp": "uc_new_claims_element_change_gbp",
    "pip_change_gbp": "pip_change_gbp", "lcwra_new_claims": "lcwra_new_claims",
    "lcwra_existing_claims": "lcwra_existing_claims", "pip_daily_living_lost": "pip_daily_living_lost",
    "pip_daily_living_lost_at_review": "pip_daily_living_lost_at_review_to_date",
    "uc_new_claim_award_change_gbp_per_year": "uc_new_claim_element_change_gbp_per_year",
    "pip_daily_living_loss_gbp_per_year": "pip_daily_living_loss_gbp_per_year",
    "standard_allowance_change_gbp": "standard_allowance_change_gbp",
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


def _run_config(sweep_dir: Path, run: str) -> dict:
    return yaml.safe_load((sweep_dir / run / CONFIG).read_text())


def incapacity_scales(sweep_dir: Path, runs: pd.Series) -> pd.DataFrame:
    """Per run: the factor its incapacity-benefit amounts are paid at (scale to published x
    the calibration's spending scale) and the share of LCW recipients with the legacy element."""
    rows = []
    for run in runs.unique():
        config = _run_config(sweep_dir, run)
        spending = config["spending"]
        scale = float(spending["scale_to_published"]["incapacity_benefit"]) * float(
            (config.get("calibration") or {}).get("spending_scale", 1.0))
        rows.append({"run": run, "incapacity_scale": scale, "lcw_share": float(spending["lcw_legacy_element_share"])})
    return pd.DataFrame(rows)


def award_changes(sweep_dir: Path, runs: pd.DataFrame) -> pd.DataFrame:
    """Per package and financial year, from the rules (not the people), £ a month in 2024-25
    prices before any scale factor: each amount's change against ``pre_2025`` and the daily
    living component each award level loses. Amounts change only in April, so a year's mean
    is its value in every month of the year."""
    start = str(pd.Timestamp(runs["first_month"].min()).strftime("%Y-%m"))
    months = int(runs["months"].max())
    tables = {}
    for policy, run in runs.groupby("policy")["run"].first().items():
        config = _run_config(sweep_dir, run)
        rules = validate_section(PolicyConfig, config["policy"], "policy")
        tables[policy] = amounts_table(config["spending"]["rates_file"], rules, start, months)
    base = tables[DEFAULT_POLICY]
    rows = []
    for policy, table in tables.items():
        if policy == DEFAULT_POLICY:
            continue
        change = table - base
        frame = pd.DataFrame({
            "d_standard_allowance": change["uc_standard_allowance_single_25_plus"],
            "d_lcw_element": change["uc_lcw_element_pre_2017"],
            **{f"d_lcwra_{group}": change[f"uc_lcwra_element:{group}"] for group in states.CLAIM_GROUPS},
            "daily_living_standard": table["pip_daily_living_standard"],
            "daily_living_enhanced": table["pip_daily_living_enhanced"],
        })
        frame["year"] = financial_year(frame.index).to_numpy()
        rows.append(frame.groupby("year").mean().reset_index().assign(policy=policy))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def paired_outcomes(values: pd.DataFrame, awards: pd.DataFrame, scales: pd.DataFrame) -> pd.DataFrame:
    """One row per package run, cut and year: each outcome of OUTCOMES against its pre_2025 pair.

    The change in incapacity-benefit spending is split by amount (stocks x each amount's
    change x the run's scale); with the same people in both runs the parts add up to it."""
    wide = values.pivot_table(index=["scenario", "policy", *PAIR_KEYS, "run", "area", "age_band", "year"],
                              columns="metric", values="value").reset_index()
    for name in LEVELS:
        if name not in wide:
            wide[name] = 0.0
    base = wide[wide["policy"] == DEFAULT_POLICY].drop(columns=["scenario", "policy", "run"])
    packages = wide[wide["policy"] != DEFAULT_POLICY]
    joined = packages.merge(base, on=[*PAIR_KEYS, "area", "age_band", "year"], suffixes=("", "_pre"))
    joined = joined.merge(awards, on=["policy", "year"], how="left").merge(scales, on="run", how="left")
    per_year = 12 * joined["incapacity_scale"]
    lcwra_by_group = {group: joined[f"incapacity_benefit_lcwra_{group}"] for group in states.CLAIM_GROUPS}
    on_incapacity = (joined["incapacity_benefit_awaiting_assessment"] + joined["incapacity_benefit_lcw"]
                     + sum(lcwra_by_group.values()))
    lost_standard = joined["disability_benefit_standard_daily_living_lost"]
    lost_enhanced = joined["disability_benefit_enhanced_daily_living_lost"]
    lost = lost_standard + lost_enhanced
    out = joined[["scenario", "policy", *PAIR_KEYS, "area", "age_band", "year"]].copy()
    out["spending_change_gbp"] = joined["health_benefit_spending_gbp"] - joined["health_benefit_spending_gbp_pre"]
    out["uc_change_gbp"] = joined["incapacity_benefit_spending_gbp"] - joined["incapacity_benefit_spending_gbp_pre"]
    out["pip_change_gbp"] = joined["disability_benefit_spending_gbp"] - joined["disability_benefit_spending_gbp_pre"]
    out["uc_new_claims_element_change_gbp"] = per_year * sum(
        lcwra_by_group[group] * joined[f"d_lcwra_{group}"] for group in ("new_claims", "new_claims_under_22"))
    out["uc_existing_claims_element_change_gbp"] = per_year * (
        lcwra_by_group["existing_claims"] * joined["d_lcwra_existing_claims"]
        + joined["incapacity_benefit_lcw"] * joined["lcw_share"] * joined["d_lcw_element"])
    out["standard_allowance_change_gbp"] = per_year * on_incapacity * joined["d_standard_allowance"]
    out["lcwra_existing_claims"] = joined["incapacity_benefit_lcwra_existing_claims"]
    out["lcwra_new_claims"] = joined[list(NEW_CLAIMS)].sum(axis=1)
    out["pip_daily_living_lost"] = lost
    out["pip_standard_daily_living_lost"] = lost_standard
    out["pip_enhanced_daily_living_lost"] = lost_enhanced
    new_claim_element = 12 * joined["d_lcwra_new_claims"]
    new_claim_award = new_claim_element + 12 * joined["d_standard_allowance"]
    out["people_losing"] = lost + np.where(new_claim_award < 0, out["lcwra_new_claims"], 0.0)
    out["uc_new_claim_award_change_gbp_per_year"] = new_claim_award
    out["uc_new_claim_element_change_gbp_per_year"] = new_claim_element
    average_loss = -12 * (lost_standard * joined["daily_living_standard"]
                          + lost_enhanced * joined["daily_living_enhanced"]) / lost.where(lost > 0)
    out["pip_daily_living_loss_gbp_per_year"] = average_loss
    flows = (joined["disability_benefit_daily_living_lost_at_award"]
             + joined["disability_benefit_daily_living_lost_at_review"])
    out["_lost_in_year"] = flows
    out["_lost_at_review_in_year"] = joined["disability_benefit_daily_living_lost_at_review"]
    out = out.sort_values("year")
    cumulative = out.groupby(["scenario", *PAIR_KEYS, "area", "age_band"])
    out["pip_daily_living_lost_to_date"] = cumulative["_lost_in_year"].cumsum()
    out["pip_daily_living_lost_at_review_to_date"] = cumulative["_lost_at_review_in_year"].cumsum()
    return out.drop(columns=["_lost_in_year", "_lost_at_review_in_year"])


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


PACKAGE_ORDER = ("spring_statement_2025", "concessions_june_2025", "uc_act_2025", "green_paper_under_22")
"""Packages in the order they were announced, so each keeps its colour."""


def package_name(label: str) -> str:
    """'baseline+uc_act_2025' -> 'uc_act_2025'; another base scenario is kept in the name."""
    base, _, package = label.partition("+")
    return package if base == "baseline" else label


def chart(by_year: pd.DataFrame, by_band: pd.DataFrame, published: pd.DataFrame, path: Path) -> None:
    """Spending change by financial year with published costings for the same year, and
    people losing entitlement by age band in YEAR."""
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.8)
    figure, (left, right) = plt.subplots(1, 2, figsize=(15, 7), dpi=130)
    packages = sorted(dict.fromkeys(by_year["package"]), key=lambda label: (
        PACKAGE_ORDER.index(package_name(label)) if package_name(label) in PACKAGE_ORDER else len(PACKAGE_ORDER), label))
    colours = dict(zip(packages, sns.color_palette("colorblind", len(packages))))
    spending = by_year[(by_year["outcome"] == "spending_change_gbp") & (by_year["year"] >= "2025-26")]
    for package in packages:
        part = spending[spending["package"] == package]
        left.plot(part["year"], part["median"] / 1e9, marker="o", linewidth=2.5, color=colours[package],
                  label=package_name(package))
        left.fill_between(part["year"], part["low"] / 1e9, part["high"] / 1e9, color=colours[package], alpha=0.2)
    years = set(spending["year"])
    shown = published[(published["outcome"] == "spending_change_gbp") & published["period"].isin(years)]
    for _, row in shown.iterrows():
        left.scatter(row["period"], row["england_and_wales"] / 1e9, marker="X", s=140, color=colours.get(row["package"], "0.3"),
                     edgecolor="black", zorder=5, label=f"published: {row['source'].split(' (')[0][:40]} (E&W-scaled)")
    left.axhline(0, color="black", linewidth=0.8)
    left.set_title("Change in health-benefit spending", fontweight="bold")
    left.set_ylabel("£ billion a year, 2024-25 prices")
    left.set_xlabel("financial year")
    left.legend(frameon=False, fontsize=10, loc="lower left")
    losing = by_band[by_band["outcome"] == "people_losing"]
    losing = losing.assign(thousand=losing["median"] / 1e3, name=losing["package"].map(package_name))
    sns.barplot(data=losing, x="age_band", y="thousand", hue="name", order=list(states.AGE_BANDS),
                hue_order=[package_name(p) for p in packages],
                palette={package_name(p): colours[p] for p in packages}, ax=right)
    right.set_title(f"People losing entitlement, {YEAR}", fontweight="bold")
    right.set_ylabel("thousand people (mean of the year)")
    right.set_xlabel("age band")
    right.legend(frameon=False, fontsize=10, title=None)
    final = spending[spending["year"] == spending["year"].max()]["median"] / 1e9
    figure.suptitle(textwrap.fill(
        f"By {spending['year'].max()} the 2025 packages cut health-benefit spending by £{-final.max():.1f}bn to "
        f"£{-final.min():.1f}bn a year against the pre-2025 rules, England & Wales", 90),
        fontsize=15, fontweight="bold")
    figure.text(0.01, 0.01, textwrap.fill(
        "Median of package - pre_2025 across paired runs (same seed and calibration draw); band: 5-95% (min-max under "
        "20 pairs). Losing entitlement: new LCWRA claimants paid the lower element, or PIP without the daily living "
        "component. Published: OBR profile of the Spring 2025 package (DWP Written Answer PQ 41343), UK scaled to E&W "
        "by population; it includes measures the model does not have. Source: sim model output; rules in "
        "configs/policy/ and sim/data/benefit_rules.csv.", 190), fontsize=9, va="bottom")
    figure.tight_layout(rect=(0, 0.07, 1, 0.92))
    write_atomic(path.with_suffix(".svg"), lambda staging: figure.savefig(staging, format="svg"))
    save_figure(figure, path)


def report(sweep_dir: Path, sweep: pd.DataFrame) -> str:
    """Write SWEEP_DIR/reforms/ and return the markdown."""
    runs = sweep.groupby(["run", "policy"], as_index=False).agg(first_month=("month", "min"),
                                                                 months=("month", "nunique"))
    values = annual(sweep)
    outcomes = paired_outcomes(values, award_changes(sweep_dir, runs), incapacity_scales(sweep_dir, runs["run"]))
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
    write_csv(headline, out / "reforms_2028_29.csv")
    write_csv(by_year, out / "reforms_by_year.csv")
    write_csv(by_band, out / "reforms_by_age_band.csv")
    write_csv(by_area, out / "reforms_by_area.csv")
    write_csv(published, out / "published_costings.csv")
    pairs = int(totals[totals["year"] == YEAR].groupby("package").size().min())
    text = markdown(headline, published, pairs)
    write_atomic(out / "reforms.md", lambda path: path.write_text(text))
    chart(by_year, by_band, published, out / "reforms.png")
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
