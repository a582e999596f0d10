"""Onsets re-derived from fitted recovery rates keep April 2019's health at its steady state."""

from __future__ import annotations

import numpy as np
import pytest

from sim import spec
from sim.config import load
from sim.engine.hazards import (AGE_GROUP_OF_AGE_MONTHS, compile_transitions, health_index, rate,
                                rate_of_probability, status_index, who_index)
from sim import health_steady_state
from sim.health_steady_state import _holders, hazard_ratios, steady_onset_bases, with_steady_onsets
from sim.model import InactivityModel
from sim.params.errors import ConfigError

RECOVERIES = {"mental_health_onset": "mental_health_recovery", "limiting_onset": "limiting_remission"}


@pytest.fixture(scope="module")
def population() -> np.ndarray:
    model = InactivityModel(load(["population.size=3000", "period.end=2019-05"]))
    return model.people[model.people["in_population"] == 1]


def _config(mental_health_recovery: float, limiting_remission: float, enabled: bool = True):
    return load(["population.size=3000", "period.end=2019-05", f"health.steady_onsets.enabled={str(enabled).lower()}",
                 f"health.transitions.mental_health_recovery.base={mental_health_recovery}",
                 f"health.transitions.limiting_remission.base={limiting_remission}"])


def test_hazard_ratios_are_the_kernels_rates_at_a_base_rate_of_one(population):
    config = _config(0.05, 0.01)
    names = spec.PROCESS["health"].transition_names
    table = compile_transitions(config.health.transitions, names, months=1).for_month(0)
    for transition in ("mental_health_onset", "limiting_remission", "musculoskeletal_recovery"):
        ratios = hazard_ratios(config.health.transitions, transition, population)
        base = rate_of_probability(config.health.transitions[transition].base)
        records = population.view(np.recarray)
        for i in range(0, population.size, population.size // 40):
            person = records[i]
            kernel = rate(table, names.index(transition), who_index(person, AGE_GROUP_OF_AGE_MONTHS[person.age_months]),
                          health_index(person), status_index(person), person.months_in_health_state)
            assert ratios[i] * base == pytest.approx(kernel)


def test_summing_a_chunk_at_a_time_gives_the_whole_populations_bases(population, monkeypatch):
    config = _config(0.06, 0.008)
    whole = steady_onset_bases(config.health, population)
    monkeypatch.setattr(health_steady_state, "PEOPLE_PER_CHUNK", 257)
    assert population.size > 10 * 257
    assert steady_onset_bases(config.health, population) == pytest.approx(whole, rel=1e-12)


def test_at_the_reference_recovery_the_configured_onsets_stay(population):
    config = _config(0.045, 0.020)
    bases = steady_onset_bases(config.health, population)
    assert bases["mental_health_onset"] == pytest.approx(config.health.transitions["mental_health_onset"].base)
    assert bases["limiting_onset"] == pytest.approx(config.health.transitions["limiting_onset"].base)


def test_a_fitted_recovery_moves_its_onset_so_april_2019s_net_flow_is_unchanged(population):
    reference, fitted = _config(0.045, 0.020), _config(0.06, 0.008)
    transitions = with_steady_onsets(fitted.health, population)
    weight = population["weight"].astype(float)

    def net_flow(hazards: dict, onset: str) -> float:
        has, lacks = _holders(onset, population)
        onsets = rate_of_probability(hazards[onset].base) * hazard_ratios(hazards, onset, population[lacks])
        recovery = RECOVERIES[onset]
        recoveries = rate_of_probability(hazards[recovery].base) * hazard_ratios(hazards, recovery, population[has])
        return float(np.sum(weight[lacks] * onsets) - np.sum(weight[has] * recoveries))

    for onset in RECOVERIES:
        assert net_flow(transitions, onset) == pytest.approx(net_flow(reference.health.transitions, onset), rel=1e-9)
    assert transitions["mental_health_onset"].base > reference.health.transitions["mental_health_onset"].base
    assert transitions["limiting_onset"].base < reference.health.transitions["limiting_onset"].base
    assert transitions["obesity_onset"] == fitted.health.transitions["obesity_onset"]
    # switched off, the configured onsets are used whatever the recovery
    assert with_steady_onsets(_config(0.06, 0.008, enabled=False).health, population) == \
        dict(fitted.health.transitions)


def test_an_unknown_onset_is_refused_before_any_work():
    with pytest.raises(ConfigError, match="steady_onsets"):
        load(["+health.steady_onsets.onsets.sleep_onset={recovery: mental_health_recovery, "
              "reference_recovery_base: 0.04}"])
