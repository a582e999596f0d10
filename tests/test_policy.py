"""Benefit rules as dated parameters and the 2025 reform packages (configs/policy/)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import spec
from sim.config import ConfigError, compose, validate
from sim.core import states
from sim.policy.benefit_rules import amounts_table
from sim.spending import SpendingRates
from tests.conftest import run_cli, run_model, run_sweep, totals

PACKAGES = ["pre_2025", "uc_act_2025", "concessions_june_2025", "spring_statement_2025", "green_paper_under_22"]
REFORM_YEARS = ["period.start=2026-01", "period.end=2028-06"]


def amounts(policy: str, cash: bool = False) -> pd.DataFrame:
    config = validate(compose([f"policy={policy}"]))
    return amounts_table(config.spending.rates_file, config.policy, config.period.start, config.period.months, cash)


def test_pre_2025_holds_every_2024_25_amount_in_real_terms():
    table = amounts("pre_2025")
    assert (table.nunique() == 1).all()
    assert table.loc["2028-04-01", "uc_lcwra_element:new_claims"] == pytest.approx(416.19)
    assert table.loc["2019-04-01", "pip_daily_living_standard"] == pytest.approx(72.65 * 52 / 12)


def test_the_act_reproduces_the_published_2026_27_cash_rates():
    """Derived from the 2024-25 rates, September CPI and the Act's rules, not typed in:
    DWP, Proposed benefit and pension rates 2026 to 2027 gives £424.90 (standard allowance,
    25+) and £429.80 (protected LCWRA element); the Act sets £217.26 for new claims."""
    cash = amounts("uc_act_2025", cash=True).loc["2026-04-01"]
    assert cash["uc_standard_allowance_single_25_plus"] == pytest.approx(424.90, abs=0.01)
    assert cash["uc_lcwra_element:existing_claims"] == pytest.approx(429.80, abs=0.01)
    assert cash["uc_lcwra_element:new_claims"] == pytest.approx(217.26, abs=0.005)
    assert cash["pip_daily_living_standard"] / (52 / 12) == pytest.approx(76.70, abs=0.01)
    before = amounts("uc_act_2025", cash=True).loc["2025-04-01"]
    assert before["uc_lcwra_element:existing_claims"] == pytest.approx(423.27, abs=0.01)


def test_protection_keeps_existing_claimants_whole_and_the_freeze_does_not():
    act, announced = amounts("uc_act_2025"), amounts("spring_statement_2025")
    whole = 393.45 + 416.19
    later = act.index >= "2026-04-01"
    combined = act["uc_standard_allowance_single_25_plus"] + act["uc_lcwra_element:existing_claims"]
    assert (combined[later] >= whole - 1e-9).all()
    frozen = announced["uc_standard_allowance_single_25_plus"] + announced["uc_lcwra_element:existing_claims"]
    assert frozen.loc["2028-04-01"] < whole
    assert (act["uc_lcwra_element:new_claims"][later] < 0.52 * 416.19).all()
    under_22 = amounts("green_paper_under_22")["uc_lcwra_element:new_claims_under_22"]
    assert under_22.loc["2028-04-01"] == 0.0 and under_22.loc["2027-04-01"] > 0


@pytest.fixture(scope="module")
def paired_runs():
    """The same seed under pre_2025 and the package as announced, from January 2026."""
    base = ["population.size=20000", "panel.size=0", *REFORM_YEARS]
    return {policy: run_model([*base, f"policy={policy}"]) for policy in ("pre_2025", "spring_statement_2025")}


def test_packages_change_what_is_paid_not_who_is_where(paired_runs):
    before, after = (totals(paired_runs[policy].metrics_table()) for policy in ("pre_2025", "spring_statement_2025"))
    for metric in ("population", "employed", "inactive_long_term_sick", "incapacity_benefit_lcwra",
                   "disability_benefit_recipients", "incapacity_benefit_lcwra_new_claims"):
        assert np.array_equal(before[metric].to_numpy(), after[metric].to_numpy()), metric
    assert (after["health_benefit_spending_gbp"].iloc[-6:] < before["health_benefit_spending_gbp"].iloc[-6:]).all()
    cohorts = [f"incapacity_benefit_lcwra_{group}" for group in states.CLAIM_GROUPS]
    assert after[cohorts].sum(axis=1).to_numpy() == pytest.approx(after["incapacity_benefit_lcwra"].to_numpy())
    new = after["incapacity_benefit_lcwra_new_claims"] + after["incapacity_benefit_lcwra_new_claims_under_22"]
    assert (new.loc[:"2026-03-01"] == 0).all() and new.iloc[-1] > 0


def test_spending_difference_is_the_stocks_times_the_rule_changes(paired_runs):
    """Each month's difference is exactly each paid state's stock times its change in rate."""
    model = paired_runs["spring_statement_2025"]
    config = model.config
    base = validate(compose(["population.size=20000", "panel.size=0", *REFORM_YEARS, "policy=pre_2025"]))
    rates = {name: SpendingRates.from_config(c.spending, c.policy, c.period.start, model.months,
                                             c.calibration.spending_scale)
             for name, c in (("package", config), ("pre", base))}
    stocks = totals(model.metrics_table())
    before = totals(paired_runs["pre_2025"].metrics_table())
    delta = lambda field, key=None: (getattr(rates["package"], field)[key] - getattr(rates["pre"], field)[key]
                                     if key else getattr(rates["package"], field) - getattr(rates["pre"], field))
    expected = (stocks["incapacity_benefit_awaiting_assessment"] * delta("incapacity_awaiting_assessment")
                + stocks["incapacity_benefit_lcw"] * delta("incapacity_lcw")
                + sum(stocks[f"incapacity_benefit_lcwra_{group}"] * delta("incapacity_lcwra", group)
                      for group in states.CLAIM_GROUPS)
                - stocks["disability_benefit_standard_daily_living_lost"] * rates["package"].daily_living_standard
                - stocks["disability_benefit_enhanced_daily_living_lost"] * rates["package"].daily_living_enhanced)
    observed = stocks["health_benefit_spending_gbp"] - before["health_benefit_spending_gbp"]
    assert observed.to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-9, abs=1.0)


def test_the_points_rule_removes_daily_living_at_the_published_shares(paired_runs):
    table = totals(paired_runs["spring_statement_2025"].metrics_table())
    at_award = table["disability_benefit_daily_living_lost_at_award"]
    at_review = table["disability_benefit_daily_living_lost_at_review"]
    assert (at_award.loc[:"2026-10-01"] == 0).all() and (at_review.loc[:"2026-10-01"] == 0).all()
    assert at_award.loc["2026-11-01":].sum() > 0 and at_review.loc["2026-11-01":].sum() > 0
    # New awards in the rule's months: 87% of standard and 13% of enhanced fail (DWP, 2025);
    # the model's mix of levels puts the failing share of all new awards between the two.
    starts = table["disability_benefit_starts"].loc["2026-11-01":].sum()
    share = at_award.loc["2026-11-01":].sum() / starts
    assert 0.13 < share < 0.87
    lost = table["disability_benefit_daily_living_lost"]
    assert (lost <= table["disability_benefit_recipients"]).all() and lost.iloc[-1] > 0
    assert table[["disability_benefit_standard_daily_living_lost", "disability_benefit_enhanced_daily_living_lost"]
                 ].sum(axis=1).to_numpy() == pytest.approx(lost.to_numpy())


def test_every_package_composes_validates_and_names_its_sources():
    for package in PACKAGES:
        config = validate(compose([f"policy={package}"]))
        assert config.policy.name == package
        assert all(len(rate.source) > 20 for rate in config.policy.rates.values())
    announced = validate(compose(["policy=spring_statement_2025"])).policy
    assert announced.daily_living_rule.applies_to == ["new_claims", "award_reviews"]
    assert validate(compose(["policy=concessions_june_2025"])).policy.daily_living_rule.applies_to == ["new_claims"]
    assert validate(compose(["policy=uc_act_2025"])).policy.daily_living_rule is None


BAD_POLICY = [
    (["policy=concessions_june_2025", "policy.daily_living_rule.effective_from=2031-01"],
     "policy.daily_living_rule.effective_from: '2031-01' is outside the run", "no later than 2029-03"),
    (["policy=uc_act_2025", "policy.rates.lcwra_new_claims.effective_from=2023-04"],
     "policy.rates.lcwra_new_claims.effective_from: '2023-04' is outside the run", "after 2024-04"),
    (["policy=uc_act_2025", "policy.rates.lcwra_new_claims.amount_gbp=-5"],
     "policy.rates.lcwra_new_claims.amount_gbp: -5", "at least 0"),
    (["policy=spring_statement_2025", "policy.daily_living_rule.minimum_points_in_one_activity=13"],
     "policy.daily_living_rule.minimum_points_in_one_activity: 13", "1 to 12"),
    (["policy=spring_statement_2025", "policy.daily_living_rule.minimum_points_in_one_activity=3"],
     "policy.daily_living_rule.minimum_points_in_one_activity: 3 has no published share", "allowed: 4"),
    (["policy=uc_act_2025", "policy.rates.lcwra_new_claims.effective_from=2026-13"],
     "policy.rates.lcwra_new_claims.effective_from: '2026-13'", "YYYY-MM"),
]


@pytest.mark.parametrize("overrides, names, allowed", BAD_POLICY)
def test_a_bad_policy_value_is_named(overrides, names, allowed):
    with pytest.raises(ConfigError) as error:
        validate(compose(overrides))
    message = str(error.value)
    assert "\n" not in message and names in message and allowed in message, message


def test_an_unknown_package_stops_the_sweep_with_one_line(tmp_path):
    out = tmp_path / "out"
    result = run_cli("-m", "policy=pre_2025,pathways_2099", "seed=0", f"hydra.sweep.dir={out}")
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "policy: 'pathways_2099'" in lines[0] and "uc_act_2025" in lines[0], lines[0]
    assert not out.exists()


def test_a_package_sweep_reports_each_package_against_pre_2025(tmp_path):
    from sim import reforms

    small = ["population.size=3000", "panel.size=0", "run.write_panel=false", "run.progress=false"]
    jobs = [[*small, f"policy={policy}", "seed=0"] for policy in ("pre_2025", "uc_act_2025", "spring_statement_2025")]
    sweep_dir = run_sweep(tmp_path / "sweep", jobs)
    sweep = pd.read_parquet(sweep_dir / "sweep.parquet")
    assert set(sweep["scenario"]) == {"baseline", "baseline+uc_act_2025", "baseline+spring_statement_2025"}
    assert reforms.main([str(sweep_dir)]) == 0
    table = pd.read_csv(sweep_dir / "reforms" / "reforms_2028_29.csv").set_index(["package", "outcome"])
    act = table.loc["baseline+uc_act_2025"]
    announced = table.loc["baseline+spring_statement_2025"]
    assert act.loc["lcwra_new_claims", "median"] > 0
    assert act.loc["pip_change_gbp", "median"] == 0 and announced.loc["pip_change_gbp", "median"] < 0
    assert announced.loc["spending_change_gbp", "median"] < act.loc["spending_change_gbp", "median"]
    # the daily living component a year in 2024-25 prices: £72.65 (standard) to £108.55 (enhanced) a week x 52
    assert -108.55 * 52 <= announced.loc["pip_daily_living_loss_gbp_per_year", "median"] <= -72.65 * 52
    assert act.loc["uc_new_claim_award_change_gbp_per_year", "median"] < 0
    parts = ["uc_new_claims_element_change_gbp", "uc_existing_claims_element_change_gbp",
             "standard_allowance_change_gbp"]
    for package in (act, announced):  # one pair each, so the medians are the pair's own values
        assert package.loc[parts, "median"].sum() == pytest.approx(package.loc["uc_change_gbp", "median"], rel=1e-6)
    assert act.loc["standard_allowance_change_gbp", "median"] > 0
    text = (sweep_dir / "reforms" / "reforms.md").read_text()
    assert "IFS" in text and "DWP" in text and "baseline+spring_statement_2025" in text
    by_band = pd.read_csv(sweep_dir / "reforms" / "reforms_by_age_band.csv")
    assert set(by_band["age_band"]) == set(states.AGE_BANDS)
    assert (sweep_dir / "reforms" / "reforms.png").stat().st_size > 20_000
    assert spec.METRICS["disability_benefit_daily_living_lost"].kind == "stock"
    assert reforms.main([str(tmp_path / "nowhere")]) == 2
