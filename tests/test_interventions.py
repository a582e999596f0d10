"""Intervention programmes: neutrality, capacity, eligibility, cost, monotonicity, scenarios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import spec
from sim.core import states
from sim.policy import programmes
from sim.config import ConfigError, compose, load, validate
from sim.model import InactivityModel
from tests.conftest import totals

SMALL = ["population.size=4000", "panel.size=0", "period.end=2021-03"]
PROGRAMME = {
    "name": "test_programme", "start": "2019-06", "end": "2020-12", "areas": ["wales", "london"],
    "eligibility": {"work_states": ["inactive_long_term_sick", "unemployed"], "age_years": [25, 59]},
    "referral_probability": 0.3, "take_up": 0.8, "capacity_per_month": 4000.0,
    "cost_per_participant_gbp": 1000.0, "gp_appointments_per_referral": 0.5, "ramp_up_months": 0,
    "effect_months": 6, "decay_months": 3,
    "effects": [{"transition": "work.long_term_sick_to_employed", "hazard_ratio": 3.0, "source": "test"}],
    "source": "test",
}


def with_programme(overrides: list[str], **changes) -> InactivityModel:
    raw = _raw(overrides)
    programme = {**PROGRAMME, **changes}
    raw["interventions"] = {programme["name"]: programme}
    return InactivityModel(validate(raw))


def _raw(overrides: list[str]) -> dict:
    from omegaconf import OmegaConf

    config = OmegaConf.to_container(compose(overrides), resolve=True)
    config.pop("hydra", None)
    return config


def model_metrics(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics[~metrics["metric"].isin(spec.PROGRAMME_METRICS)].reset_index(drop=True)


def programme_totals(metrics: pd.DataFrame, name: str) -> pd.DataFrame:
    rows = metrics[(metrics["programme"] == name) & (metrics["area"] == "all") & (metrics["age_band"] == "all")]
    return rows.pivot(index="month", columns="metric", values="value")


def test_programme_with_no_effect_changes_nothing():
    baseline = InactivityModel(load(SMALL))
    baseline.run()
    neutral = with_programme(SMALL, effects=[{"transition": "work.long_term_sick_to_employed",
                                              "hazard_ratio": 1.0, "source": "test"}])
    neutral.run()
    reached = programme_totals(neutral.metrics_table(), "test_programme")["intervention_participants"].sum()
    assert reached > 0, "the programme took people on"
    pd.testing.assert_frame_equal(model_metrics(baseline.metrics_table()), model_metrics(neutral.metrics_table()))


def test_capacity_eligibility_areas_months_and_cost(monkeypatch):
    model = with_programme(SMALL, capacity_per_month=2000.0)
    joined = []
    original = programmes.allocate

    def recording(people, scheme, month, key, weight, flows):
        original(people, scheme, month, key, weight, flows)
        new = people[(people["programme"] == 1) & (people["months_in_programme"] == 0) & (people["in_population"] == 1)]
        joined.append((month, new.copy()))

    monkeypatch.setattr(programmes, "allocate", recording)
    model.run()
    capacity_agents = 2000.0 / model.weight
    allowed_areas = {states.AREAS.index("wales"), states.AREAS.index("london")}
    for month, people in joined:
        assert people.size <= np.ceil(capacity_agents), f"capacity exceeded in month {month}"
        if people.size:
            assert 2 <= month <= 20, "only in the programme's months (June 2019 to December 2020)"
            assert set(people["area"]) <= allowed_areas
            assert set(people["work_state"]) <= {states.INACTIVE_LONG_TERM_SICK, states.UNEMPLOYED}
            assert people["age_months"].min() >= 25 * 12 and people["age_months"].max() <= 59 * 12 + 11
    assert sum(people.size for _, people in joined) > 0
    table = programme_totals(model.metrics_table(), "test_programme")
    assert table["intervention_cost_gbp"].sum() == pytest.approx(1000.0 * table["intervention_participants"].sum())
    assert table["gp_appointments"].sum() == pytest.approx(0.5 * table["intervention_referrals"].sum())
    assert table["intervention_participants"].sum() <= table["intervention_referrals"].sum()


def test_budget_is_never_exceeded():
    budget = 500_000_000.0
    model = with_programme(SMALL, capacity_per_month=None, budget_gbp=budget, cost_per_participant_gbp=5000.0)
    model.run()
    spent = programme_totals(model.metrics_table(), "test_programme")["intervention_cost_gbp"].sum()
    one_agent = 5000.0 * model.weight
    assert budget - one_agent < spent <= budget, "spends the budget, never more"


def _additional_jobs(ratio: float) -> float:
    """Additional job outcomes (agents) of the test programme with unlimited places."""
    model = with_programme(["population.size=8000", "panel.size=0", "period.end=2020-09"], capacity_per_month=1e9,
                           effects=[{"transition": "work.long_term_sick_to_employed", "hazard_ratio": ratio,
                                     "source": "test"}])
    model.run()
    return programme_totals(model.metrics_table(), "test_programme")["additional_job_outcomes"].sum() / model.weight


def test_additional_jobs_grow_with_the_effect_and_vanish_without_one():
    none, some, more = (_additional_jobs(ratio) for ratio in (1.0, 2.5, 8.0))
    assert none == 0.0
    assert 0 < some < more


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(low=st.floats(0.5, 3.0), extra=st.floats(0.5, 4.0))
def test_stronger_effect_never_gives_fewer_additional_jobs(low, extra):
    assert _additional_jobs(low + extra) >= _additional_jobs(low)


def test_scenario_shares_every_draw_with_baseline_before_programmes_start():
    # 20,000 people: at 4,000 the expanded Talking Therapies reach about two dozen agents by
    # mid-2025, and whether any of them recovers sooner is down to the draw.
    overrides = ["population.size=20000", "panel.size=0", "period.end=2025-06"]
    baseline = totals(_run(overrides))
    announced = totals(_run(overrides + ["scenario=announced_2025"]))
    before = baseline.index < pd.Timestamp("2024-04-01")
    for metric in ("employed", "health_benefit_recipients", "mental_health_condition", "deaths"):
        assert np.array_equal(baseline.loc[before, metric], announced.loc[before, metric]), metric
    assert not np.array_equal(baseline["mental_health_condition"], announced["mental_health_condition"])


def _run(overrides: list[str]) -> pd.DataFrame:
    model = InactivityModel(load(overrides))
    model.run()
    return model.metrics_table()


@pytest.mark.parametrize("scenario", ["baseline", "announced_2025", "national_rollout_2026", "obesity_at_scale",
                                      "combined"])
def test_every_scenario_composes_and_runs(scenario):
    model = InactivityModel(load([f"scenario={scenario}", "population.size=2000", "panel.size=0",
                                  "period.start=2026-01", "period.end=2026-06"]))
    model.run()
    table = model.metrics_table()
    assert set(table["scenario"]) == {scenario}
    programmes = set(table["programme"]) - {"all"}
    assert programmes == set(model.config.interventions)


@pytest.mark.parametrize("override, expected", [
    ("interventions.workwell.areas=[narnia]", "'narnia' is not an area"),
    ("interventions.workwell.capacity_per_month=-5", "interventions.workwell.capacity_per_month: -5"),
    ("interventions.workwell.cost_per_participant_gbp=-1", "interventions.workwell.cost_per_participant_gbp: -1"),
    ("+interventions.workwell.budget_gbp=-100", "interventions.workwell.budget_gbp: -100"),
    ("interventions.workwell.effects.0.hazard_ratio=0", "hazard ratio above 0"),
    ("interventions.workwell.effects.0.hazard_ratio=-2", "hazard ratio above 0"),
    ("interventions.workwell.take_up=1.5", "interventions.workwell.take_up: 1.5"),
    ("interventions.workwell.start=2030-01", "is after end"),
    ("interventions.workwell.effects.0.transition=work.flying_to_employed", "'work.flying_to_employed' is not a transition"),
])
def test_bad_programme_settings_give_one_line(override, expected):
    with pytest.raises(ConfigError) as error:
        validate(compose(["scenario=announced_2025", override]))
    assert "\n" not in str(error.value) and expected in str(error.value)
