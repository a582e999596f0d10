"""The appraisal's parts on numbers worked by hand: tax and NICs, the UC taper,
discounting, job-years carried past March 2029, and the benchmark flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.appraisal import exchequer
from sim.appraisal.discounting import discount_factors, years_between
from sim.appraisal.outcomes import Valuation, appraise_pair, uc_health_award_monthly
from sim.compare import benchmark_table
from sim.config import compose, validate
from sim.core import states

RULES = exchequer.TaxRules.from_file("tax_and_nics_2024_25.csv")


def test_tax_and_nics_on_20000_a_year():
    assert exchequer.income_tax(20_000, RULES) == pytest.approx(0.20 * 7_430)
    assert exchequer.employee_nics(20_000, RULES) == pytest.approx(0.08 * 7_430)
    assert exchequer.employer_nics(20_000, RULES) == pytest.approx(0.138 * 10_900)
    assert exchequer.income_tax(10_000, RULES) == 0 and exchequer.employee_nics(10_000, RULES) == 0


def test_uc_taper_takes_55p_of_net_earnings_above_the_work_allowance_up_to_the_award():
    net_monthly = (20_000 - 0.20 * 7_430 - 0.08 * 7_430) / 12
    assert exchequer.uc_taper_monthly(20_000, 10_000.0, RULES) == pytest.approx(0.55 * (net_monthly - 404))
    assert exchequer.uc_taper_monthly(60_000, 809.64, RULES) == pytest.approx(809.64)
    assert exchequer.uc_taper_monthly(4_000, 809.64, RULES) == 0


def test_green_book_discounting_from_2024_25():
    factors = discount_factors(["2019-20", "2024-25", "2025-26", "2034-35"], "2024-25", 0.035)
    assert factors == pytest.approx([1.0, 1.0, 1 / 1.035, 1.035 ** -10])
    assert years_between("2029-30", "2031-32") == ["2029-30", "2030-31", "2031-32"]


def _difference(extra_employed_25_34: float) -> pd.DataFrame:
    months = pd.date_range("2024-04-01", "2029-03-01", freq="MS")
    frame = pd.DataFrame(0.0, index=pd.Index(months, name="month"), columns=[
        "employed", "health_benefit_spending_gbp", "left_work_for_health", "returned_to_work_from_sickness",
        "limiting_condition", "inactive_long_term_sick", "inactive_other", "health_benefit_recipients",
        *[f"employed@{band}" for band in states.AGE_BANDS],
        *[f"incapacity_benefit_recipients_in_work@{band}" for band in states.AGE_BANDS]])
    frame["employed"] = frame["employed@25-34"] = extra_employed_25_34
    return frame


def test_job_years_carry_past_march_2029_with_persistence_and_displacement():
    settings = validate(compose(["appraisal.persistence_per_year=0.5", "appraisal.horizon_end_year=2030-31",
                                 "appraisal.displacement=0.2"])).appraisal
    valuation = Valuation.from_settings(settings, uc_health_award_monthly())
    costs = pd.DataFrame({"intervention_cost_gbp": [1e6], "gp_appointments": [0.0], "intervention_participants": [100.0],
                          "additional_job_outcomes": [10.0], "early_return_relapses": [2.0]},
                         index=pd.DatetimeIndex(["2024-04-01"]))
    outcome = appraise_pair(_difference(10.0), costs, valuation)
    assert outcome["additional_job_years_to_march_2029"] == pytest.approx(50 * 0.8)
    assert outcome["additional_job_years"] == pytest.approx((50 + 5 + 2.5) * 0.8)
    assert outcome["sustained_job_outcomes"] == 8
    per_worker = valuation.per_worker.loc["25-34"]
    tax_per_year = per_worker[["income_tax_gbp", "employee_nics_gbp", "employer_nics_gbp"]].sum() * 10 * 0.8
    years = years_between("2024-25", "2030-31")
    carried = np.array([1, 1, 1, 1, 1, 0.5, 0.25])
    assert outcome["exchequer_tax_nics_gbp"] == pytest.approx(
        (tax_per_year * carried * discount_factors(years, "2024-25", 0.035)).sum())
    assert outcome["programme_cost_gbp"] == pytest.approx(1e6 * (1 + settings.optimism_bias))
    assert outcome["cost_per_additional_job_year_gbp"] == pytest.approx(1e6 * 1.2 / outcome["additional_job_years"])


def test_appraisal_config_needs_a_source_for_every_number():
    from sim.params.errors import ConfigError

    with pytest.raises(ConfigError, match="sources"):
        validate(compose(["~appraisal.sources.displacement"]))


def test_benchmarks_flag_figures_more_than_three_times_away():
    programmes = pd.DataFrame({"scenario": "s", "programme": ["ips_expansion", "workwell"],
                               "cost_per_participant_gbp": [3000.0, 4000.0], "employment_effect_pp": [40.0, 5.0],
                               "exchequer_return_per_pound": [1.0, 0.5]})
    benchmarks = pd.DataFrame({
        "programme": ["ips_expansion", "workwell"], "benchmark": ["IPS", "WorkWell"],
        "cost_per_participant_gbp": [np.nan, 1085.0], "employment_effect_pp": [10.3, np.nan],
        "effect_months": [18, np.nan], "return_per_pound": [np.nan, np.nan], "return_kind": ["", ""],
        "source": ["a", "b"]})
    table = benchmark_table(programmes, benchmarks).set_index("programme")
    assert table.loc["ips_expansion", "flag"] == "employment effect 3.9x the benchmark"
    assert table.loc["workwell", "flag"] == "cost per participant 3.7x the benchmark"
