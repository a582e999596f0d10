"""A scenario against its baseline, pair by pair: outcomes over time and the exchequer
account, each part a column (£, 2024-25 prices; people; job-years).

A pair is a scenario run and the baseline run with the same seed, calibration draw,
projection and sensitivity case: with common random numbers their difference is what the
scenario's programmes cause (deadweight, what would have happened anyway, is already in
the baseline). After March 2029 the additional employment of 2028-29 is carried to
``horizon_end_year``, keeping ``persistence_per_year`` of itself each year, with the tax and
benefit flows that go with it; programmes are assumed to stop in March 2029.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.appraisal.discounting import discount_factors, years_between
from sim.appraisal.exchequer import TaxRules, per_worker_by_band
from sim.core import states
from sim.core.calendar import financial_year
from sim.params.data_files import read_table
from sim.params.models import AppraisalConfig

BASELINE = "baseline"
PAIR_KEYS = ["seed", "draw", "projection", "sensitivity"]
LAST_YEAR = "2028-29"
MONTHS_PER_YEAR = 12.0
WEEKS_PER_MONTH = 52.0 / 12.0
TOTAL_METRICS = ("employed", "health_benefit_spending_gbp", "left_work_for_health",
                 "returned_to_work_from_sickness", "limiting_condition", "inactive_long_term_sick",
                 "inactive_other", "health_benefit_recipients")
BAND_METRICS = ("employed", "incapacity_benefit_recipients_in_work")
PROGRAMME_METRICS = ("intervention_participants", "intervention_cost_gbp", "gp_appointments",
                     "additional_job_outcomes", "early_return_relapses")

EXCHEQUER_PARTS = ("income_tax_gbp", "employee_nics_gbp", "employer_nics_gbp", "benefit_spending_saved_gbp",
                   "programme_cost_gbp", "gp_cost_gbp")
"""Columns of the exchequer account; gains positive, costs (the last two) positive too."""


@dataclass(frozen=True)
class Valuation:
    """What an appraisal needs besides the runs: the settings and £ a year per worker by band."""

    settings: AppraisalConfig
    per_worker: pd.DataFrame  # index: age band; columns from exchequer.per_worker_by_band

    @classmethod
    def from_settings(cls, settings: AppraisalConfig, uc_award_monthly: float) -> Valuation:
        earnings = read_table(settings.earnings_file, "returner_earnings").set_index("age_band")
        by_band = earnings["annual_earnings_gbp"].astype(float).reindex(list(states.AGE_BANDS)) * settings.earnings_scale
        rules = TaxRules.from_file(settings.tax_file)
        return cls(settings, per_worker_by_band(by_band, rules, uc_award_monthly))


def uc_health_award_monthly() -> float:
    """£ a month of a UC claimant with LCWRA (single, 25+): what the taper can take away."""
    rules = read_table("benefit_rules.csv", "benefit_rules")
    base = rules[(rules["effective_from"] == "2024-04") & (rules["cohort"] == "all")].set_index("parameter")["amount_gbp"]
    return float(base["uc_standard_allowance_single_25_plus"] + base["uc_lcwra_element"])


def monthly_frames(sweep: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(totals, programmes) from a consolidated sweep: ``totals`` one row per run and month with
    E&W totals and ``metric@band`` columns; ``programmes`` one row per run, programme and month."""
    keys = ["scenario", *PAIR_KEYS, "month"]
    england_wales = sweep[(sweep["area"] == "all") & (sweep["programme"] == "all")]
    total = england_wales[(england_wales["age_band"] == "all") & england_wales["metric"].isin(TOTAL_METRICS)]
    totals = total.pivot_table(index=keys, columns="metric", values="value", aggfunc="sum")
    banded = england_wales[(england_wales["age_band"] != "all") & england_wales["metric"].isin(BAND_METRICS)]
    banded = banded.assign(column=banded["metric"] + "@" + banded["age_band"])
    totals = totals.join(banded.pivot_table(index=keys, columns="column", values="value", aggfunc="sum"))
    by_programme = sweep[(sweep["area"] == "all") & (sweep["age_band"] == "all") & (sweep["programme"] != "all")
                         & sweep["metric"].isin(PROGRAMME_METRICS)]
    programmes = by_programme.pivot_table(index=["scenario", *PAIR_KEYS, "programme", "month"], columns="metric",
                                          values="value", aggfunc="sum")
    return totals.fillna(0.0), programmes.reindex(columns=list(PROGRAMME_METRICS)).fillna(0.0)


def paired_differences(totals: pd.DataFrame) -> pd.DataFrame:
    """Scenario minus its paired baseline, month by month (index: scenario, pair keys, month)."""
    frame = totals.reset_index()
    baseline = frame[frame["scenario"] == BASELINE].drop(columns="scenario").set_index([*PAIR_KEYS, "month"])
    others = frame[frame["scenario"] != BASELINE].set_index(["scenario", *PAIR_KEYS, "month"])
    if others.empty or baseline.empty:
        return pd.DataFrame()
    aligned = baseline.reindex(others.index.droplevel("scenario"))
    aligned.index = others.index
    return (others - aligned).dropna(how="all")


def _annual(difference: pd.DataFrame, valuation: Valuation) -> pd.DataFrame:
    """One pair's exchequer account and job-years by financial year, extended past March 2029."""
    settings, per_worker = valuation.settings, valuation.per_worker
    years = financial_year(difference.index.get_level_values("month")).to_numpy()
    grouped = difference.groupby(years)
    keep = 1.0 - settings.displacement
    employed_years = pd.DataFrame({band: grouped[f"employed@{band}"].sum() / MONTHS_PER_YEAR
                                   for band in states.AGE_BANDS})
    in_work_on_benefit = pd.DataFrame({band: grouped[f"incapacity_benefit_recipients_in_work@{band}"].sum()
                                       / MONTHS_PER_YEAR for band in states.AGE_BANDS})
    annual = pd.DataFrame(index=employed_years.index)
    annual["additional_job_years"] = grouped["employed"].sum() / MONTHS_PER_YEAR * keep
    for part in ("income_tax_gbp", "employee_nics_gbp", "employer_nics_gbp"):
        annual[part] = employed_years.mul(per_worker[part], axis=1).sum(axis=1) * keep
    annual["benefit_spending_saved_gbp"] = (-grouped["health_benefit_spending_gbp"].sum()
                                            + in_work_on_benefit.mul(per_worker["uc_taper_gbp"], axis=1).sum(axis=1))
    annual["limiting_condition_years_avoided"] = -grouped["limiting_condition"].sum() / MONTHS_PER_YEAR
    annual = annual.loc[[year for year in annual.index if grouped.size()[year] == MONTHS_PER_YEAR]]
    if LAST_YEAR in annual.index:
        last = annual.loc[LAST_YEAR]
        later = years_between("2029-30", settings.horizon_end_year)
        carried = pd.DataFrame([last * settings.persistence_per_year ** (k + 1) for k in range(len(later))],
                               index=later)
        annual = pd.concat([annual, carried])
    return annual


def appraise_pair(difference: pd.DataFrame, costs: pd.DataFrame, valuation: Valuation) -> dict[str, float]:
    """Outcomes and the exchequer account of one pair. ``difference``: its months
    (scenario - baseline); ``costs``: its programme metrics summed over programmes by month."""
    settings = valuation.settings
    annual = _annual(difference, valuation)
    years = financial_year(costs.index).to_numpy() if len(costs) else np.array([], dtype=object)
    cost_by_year = costs.groupby(years).sum() if len(costs) else pd.DataFrame(columns=list(PROGRAMME_METRICS))
    annual["programme_cost_gbp"] = cost_by_year.get("intervention_cost_gbp", pd.Series(dtype=float)).reindex(
        annual.index).fillna(0.0) * (1.0 + settings.optimism_bias)
    annual["gp_cost_gbp"] = cost_by_year.get("gp_appointments", pd.Series(dtype=float)).reindex(
        annual.index).fillna(0.0) * settings.gp_appointment_cost_gbp
    factors = discount_factors(annual.index, settings.discount_base_year, settings.discount_rate)
    health_factors = discount_factors(annual.index, settings.discount_base_year, settings.health_discount_rate)
    present = annual[list(EXCHEQUER_PARTS)].mul(factors, axis=0).sum()
    gains = present[["income_tax_gbp", "employee_nics_gbp", "employer_nics_gbp", "benefit_spending_saved_gbp"]].sum()
    spent = present["programme_cost_gbp"] + present["gp_cost_gbp"]
    qaly_value = (annual["limiting_condition_years_avoided"] * health_factors).sum() \
        * settings.qaly.qaly_gain_per_year_without_limiting_condition * settings.qaly.value_per_qaly_gbp
    job_years = float(annual["additional_job_years"].sum())
    to_2029 = float(annual.loc[annual.index <= LAST_YEAR, "additional_job_years"].sum())
    undiscounted_cost = float(annual["programme_cost_gbp"].sum())
    last_year = difference.loc[financial_year(difference.index.get_level_values("month")).to_numpy() == LAST_YEAR]
    outcome = {
        "additional_people_in_work_2028_29": float(last_year["employed"].mean()),
        "change_inactive_long_term_sick_2028_29": float(last_year["inactive_long_term_sick"].mean()),
        "change_inactive_2028_29": float((last_year["inactive_long_term_sick"] + last_year["inactive_other"]).mean()),
        "change_health_benefit_recipients_2028_29": float(last_year["health_benefit_recipients"].mean()),
        "additional_job_years_to_march_2029": to_2029,
        "additional_job_years": job_years,
        "sustained_job_outcomes": float(costs["additional_job_outcomes"].sum() - costs["early_return_relapses"].sum())
        if len(costs) else 0.0,
        "prevented_exits_from_work": float(-difference["left_work_for_health"].sum()),
        "additional_returns_from_sickness": float(difference["returned_to_work_from_sickness"].sum()),
        "participants": float(costs["intervention_participants"].sum()) if len(costs) else 0.0,
        **{f"pv_{part}": float(present[part]) for part in EXCHEQUER_PARTS},
        "exchequer_tax_nics_gbp": float(present[["income_tax_gbp", "employee_nics_gbp", "employer_nics_gbp"]].sum()),
        "benefit_spending_saved_gbp": float(present["benefit_spending_saved_gbp"]),
        "programme_cost_gbp": float(present["programme_cost_gbp"]),
        "net_exchequer_npv_gbp": float(gains - spent),
        "benefit_cost_ratio": float(gains / spent) if spent > 0 else np.nan,
        "cost_per_additional_job_year_gbp": undiscounted_cost / job_years if job_years > 0 else np.nan,
        "health_gain_value_gbp": float(qaly_value) if settings.qaly.enabled else 0.0,
    }
    outcome["social_npv_gbp"] = outcome["net_exchequer_npv_gbp"] + outcome["health_gain_value_gbp"]
    return outcome


def appraise(sweep: pd.DataFrame, valuations: dict[str, Valuation]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(pairs, monthly, programmes): one row of outcomes per scenario run against its baseline,
    the additional people in work by month for every pair, and the programme metrics by run,
    programme and month (for :func:`programme_table`). ``valuations`` maps a sensitivity case
    to its valuation (runs of one case share their appraisal settings)."""
    totals, programmes = monthly_frames(sweep)
    differences = paired_differences(totals)
    if differences.empty:
        return pd.DataFrame(), pd.DataFrame(), programmes
    costs_by_pair = programmes.groupby(level=["scenario", *PAIR_KEYS, "month"]).sum().reset_index()
    rows = []
    for key, difference in differences.groupby(level=["scenario", *PAIR_KEYS]):
        mask = np.ones(len(costs_by_pair), dtype=bool)
        for column, value in zip(["scenario", *PAIR_KEYS], key):
            mask &= (costs_by_pair[column] == value).to_numpy()
        costs = costs_by_pair[mask].set_index("month")[list(PROGRAMME_METRICS)]
        valuation = valuations[key[1 + PAIR_KEYS.index("sensitivity")]]
        rows.append({"scenario": key[0], **dict(zip(PAIR_KEYS, key[1:])),
                     **appraise_pair(difference, costs, valuation)})
    monthly = differences["employed"].rename("additional_people_in_work").reset_index()
    return pd.DataFrame(rows), monthly, programmes


def programme_table(programmes: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Per programme and pair: participants, cost per participant, the employment effect on
    participants (percentage points: sustained additional job outcomes per 100 participants)
    and an exchequer return per £1, apportioning the scenario's exchequer gains to its
    programmes by their sustained job outcomes. ``programmes``: from :func:`appraise`; only
    runs with a row in ``pairs`` count."""
    if programmes.empty or pairs.empty:
        return pd.DataFrame()
    summed = programmes.groupby(level=["scenario", *PAIR_KEYS, "programme"]).sum().reset_index()
    summed["sustained"] = summed["additional_job_outcomes"] - summed["early_return_relapses"]
    merged = summed.merge(pairs, on=["scenario", *PAIR_KEYS], suffixes=("", "_scenario"))
    gains = merged["exchequer_tax_nics_gbp"] + merged["benefit_spending_saved_gbp"]
    share = merged["sustained"] / merged["sustained_job_outcomes"].where(merged["sustained_job_outcomes"] > 0)
    cost = merged["intervention_cost_gbp"]
    return pd.DataFrame({
        "scenario": merged["scenario"], **{key: merged[key] for key in PAIR_KEYS}, "programme": merged["programme"],
        "participants": merged["intervention_participants"],
        "cost_per_participant_gbp": cost / merged["intervention_participants"].where(merged["intervention_participants"] > 0),
        "employment_effect_pp": 100 * merged["sustained"] / merged["intervention_participants"].where(
            merged["intervention_participants"] > 0),
        "exchequer_return_per_pound": gains * share / cost.where(cost > 0),
    })
