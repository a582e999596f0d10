"""The April 2019 population: published marginals and a real joint structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.core import states
from sim.config import load
from sim.population import StartingTables, initial_population
from tests.conftest import run_model, totals


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    tables = StartingTables(load(["population.size=200000"]))
    array = initial_population(tables, np.random.default_rng(11), 210_000)
    frame = pd.DataFrame({name: array[name] for name in array.dtype.names})
    return frame[frame["in_population"] == 1]


def share(mask) -> float:
    return float(np.mean(mask))


def test_marginals_match_published_figures(people):
    assert len(people) == 200_000
    assert people["weight"].iloc[0] == pytest.approx(37_043_234 / 200_000, rel=1e-6)
    areas = pd.read_csv("sim/data/population_by_area_2019.csv").set_index("area")["people_16_64"]
    observed = people["area"].map(dict(enumerate(states.AREAS))).value_counts(normalize=True)
    assert np.allclose(observed.loc[areas.index], areas / areas.sum(), atol=0.004)
    work = people["work_state"]
    assert share(work == states.EMPLOYED) == pytest.approx(0.760, abs=0.006)
    assert share(work == states.INACTIVE_LONG_TERM_SICK) == pytest.approx(0.049, abs=0.003)
    assert share(work >= states.INACTIVE_LONG_TERM_SICK) == pytest.approx(0.208, abs=0.006)
    weight = 37_043_234 / 200_000
    on_incapacity = people["incapacity_benefit"] != states.IB_NONE
    on_disability = people["disability_benefit"] >= states.DB_STANDARD
    assert on_incapacity.sum() * weight == pytest.approx(2.5e6 * 0.913672, rel=0.04)
    assert on_disability.sum() * weight == pytest.approx(2.2e6 * 0.913672, rel=0.04)
    assert (on_incapacity | on_disability).sum() * weight == pytest.approx(2.8e6, rel=0.04)
    assert share(people["limiting"] == 1) == pytest.approx(0.19, abs=0.01)
    assert share(people["sex"] == 0) == pytest.approx(0.5004, abs=0.005)


def test_joint_structure_is_real(people):
    limiting = people["limiting"] == 1
    sick = people["work_state"] == states.INACTIVE_LONG_TERM_SICK
    inactive = people["work_state"] >= states.INACTIVE_LONG_TERM_SICK
    assert share(inactive[limiting]) > 2.0 * share(inactive[~limiting]), "conditions raise inactivity"
    assert not (sick & ~limiting).any(), "long-term sickness needs a limiting condition"
    on_benefit = (people["incapacity_benefit"] != states.IB_NONE) | (people["disability_benefit"] >= states.DB_STANDARD)
    assert not (on_benefit & ~limiting).any(), "health benefits need a limiting condition"
    older = people["age_months"] >= 50 * 12
    younger = people["age_months"] < 25 * 12
    musculoskeletal = (people["conditions"] & 2) > 0
    assert share(musculoskeletal[older]) > 3 * share(musculoskeletal[younger]), "age raises prevalence"
    most_deprived, least_deprived = people["deprivation"] == 0, people["deprivation"] == 4
    mental_health = (people["conditions"] & 1) > 0
    assert share(mental_health[most_deprived]) > 1.5 * share(mental_health[least_deprived]), \
        "deprivation raises prevalence"
    north_east = people["area"] == states.AREAS.index("north_east_north_cumbria")
    south_east = people["area"] == states.AREAS.index("south_east")
    assert share(most_deprived[north_east]) > 2.5 * share(most_deprived[south_east])
    assert share(sick[north_east]) > share(sick[south_east])


def test_ages_are_working_ages(people):
    assert people["age_months"].min() >= states.ENTRY_AGE_MONTHS
    assert people["age_months"].max() < states.EXIT_AGE_MONTHS


def test_april_2019_pip_pipelines_start_at_their_steady_state():
    """Claims in progress and the reviews falling due are placed at the April 2019 hazards'
    steady state, so with no driver the first year's new awards and reviews run at the
    rate of the years after it (with a fixed 5% awaiting share they ran a quarter lower).
    With no driver the incapacity caseload falls (docs/model.md, known limitations) and
    PIP claims, most of them from LCWRA recipients, fall with it by a few per cent a year,
    so new awards are compared with the later years' log-linear trend carried back a year;
    reviews have no such trend and are compared with the later years' mean."""
    from sim.aggregate import annual_totals

    overrides = ["population.size=150000", "panel.size=0", "period.end=2023-03",
                 *(f"drivers.{name}.enabled=false" for name in load([]).drivers)]
    annual = annual_totals(totals(run_model(overrides).metrics_table()))
    later_years = ["2020-21", "2021-22", "2022-23"]
    starts = np.log(annual.loc[later_years, "disability_benefit_starts"].to_numpy())
    _, intercept = np.polyfit(np.arange(1, 4), starts, 1)
    expected = {"disability_benefit_starts": float(np.exp(intercept)),
                "disability_benefit_reviews": annual.loc[later_years, "disability_benefit_reviews"].mean()}
    for flow, later in expected.items():
        first = annual.loc["2019-20", flow]
        assert first == pytest.approx(later, rel=0.08), flow
