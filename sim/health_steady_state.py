"""Onset rates that keep April 2019's health at its steady state when a recovery rate is
fitted.

configs/health derives each onset rate from the 2019 prevalence and a reference recovery
rate, so that with no calendar driver April 2019 is close to a steady state. A calibration
that fits the recovery rate moves that steady state, and with every driver off health then
drifts (docs/model.md, known limitations). With ``health.steady_onsets.enabled`` each listed
onset is re-derived from the fitted recovery: in April 2019 the population's expected
onsets minus recoveries (per month) stay what they were at the reference recovery,

    onset_rate = reference_onset_rate + (recovery_rate - reference_recovery_rate) x V / W

where V is the sum over people with the condition of their recovery hazard ratios and W the
sum over people without it (who could get it) of their onset hazard ratios (rates are
``-ln(1 - base)`` per month, people weighted by the people each agent represents).
"""

from __future__ import annotations

import numpy as np

from sim import spec
from sim.core import states
from sim.core.encoding import status_code
from sim.engine.hazards import (
    DURATION_BAND_OF_MONTHS,
    DURATION_OFFSET,
    STATUS_OFFSET,
    compile_transitions,
    health_columns,
    rate_of_probability,
    who_columns,
)
from sim.params.models import Hazard, HealthConfig

UNIT_RATE_PROBABILITY = 1.0 - np.exp(-1.0)
"""A base probability whose rate is 1 a month: a transition's table then holds its ratios."""


def unit_rate_table(transitions: dict[str, Hazard], transition: str) -> tuple[np.ndarray, int]:
    """(April 2019's compiled health table with ``transition``'s base rate set to 1 a month,
    its column): the table then holds that transition's hazard ratios."""
    names = spec.PROCESS["health"].transition_names
    unit = {**transitions, transition: transitions[transition].model_copy(update={"base": UNIT_RATE_PROBABILITY})}
    return compile_transitions(unit, names, months=1).for_month(0), names.index(transition)


def ratios_from_table(table: np.ndarray, column: int, people: np.ndarray) -> np.ndarray:
    """Each person's product of the hazard ratios in ``table``'s ``column``."""
    who, health = who_columns(people), health_columns(people)
    status = STATUS_OFFSET + status_code(people["work_state"].astype(np.int64),
                                         people["incapacity_benefit"].astype(np.int64),
                                         people["disability_benefit"].astype(np.int64))
    months = np.minimum(people["months_in_health_state"].astype(np.int64), DURATION_BAND_OF_MONTHS.size - 1)
    duration = DURATION_OFFSET + DURATION_BAND_OF_MONTHS[months]
    return table[who, column] * table[health, column] * table[status, column] * table[duration, column]


def hazard_ratios(transitions: dict[str, Hazard], transition: str, people: np.ndarray) -> np.ndarray:
    """Each person's product of hazard ratios for ``transition`` in April 2019 (the rate for a
    base rate of 1 a month, no calendar multiplier)."""
    return ratios_from_table(*unit_rate_table(transitions, transition), people)


def _holders(onset: str, people: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(who has the condition, who lacks it and could get it) for an onset transition."""
    conditions = people["conditions"].astype(np.int64)
    if onset == "limiting_onset":
        any_condition = conditions > 0
        return any_condition & (people["limiting"] == 1), any_condition & (people["limiting"] == 0)
    bit = states.CONDITIONS.index(onset.removesuffix("_onset"))
    has = ((conditions >> bit) & 1) == 1
    return has, ~has


PEOPLE_PER_CHUNK = 250_000
"""Rows summed at a time: the exposures are sums over people, and whole-population
temporaries (copies of the records and int64 index columns) would more than double the
model's peak memory at 10m people (make bench)."""


def _exposures(health: HealthConfig, onset: str, recovery: str, people: np.ndarray) -> tuple[float, float]:
    """(people with the condition weighted by their recovery hazard ratios, people without
    it weighted by their onset hazard ratios), summed over ``people`` a chunk at a time."""
    recovering_table, onset_table = (unit_rate_table(health.transitions, name) for name in (recovery, onset))
    exposure_recovering = exposure_onset = 0.0
    for start in range(0, people.size, PEOPLE_PER_CHUNK):
        chunk = people[start:start + PEOPLE_PER_CHUNK]
        occupied = chunk[chunk["in_population"] == 1]
        weight = occupied["weight"].astype(float)
        has, lacks = _holders(onset, occupied)
        exposure_recovering += float(np.sum(weight[has] * ratios_from_table(*recovering_table, occupied[has])))
        exposure_onset += float(np.sum(weight[lacks] * ratios_from_table(*onset_table, occupied[lacks])))
    return exposure_recovering, exposure_onset


def steady_onset_bases(health: HealthConfig, people: np.ndarray) -> dict[str, float]:
    """The base (per-month probability, reference person) of each onset listed in
    ``health.steady_onsets``, re-derived for the configured recovery base over ``people``
    (the April 2019 population)."""
    steady = health.steady_onsets
    if steady is None:
        return {}
    bases = {}
    for onset, rule in steady.onsets.items():
        exposure_recovering, exposure_onset = _exposures(health, onset, rule.recovery, people)
        onset_rate = rate_of_probability(health.transitions[onset].base)
        shift = (rate_of_probability(health.transitions[rule.recovery].base)
                 - rate_of_probability(rule.reference_recovery_base)) * exposure_recovering / exposure_onset
        bases[onset] = float(1.0 - np.exp(-max(0.0, onset_rate + shift)))
    return bases


def with_steady_onsets(health: HealthConfig, people: np.ndarray) -> dict[str, Hazard]:
    """The health transitions, with the listed onsets re-derived when ``steady_onsets`` is
    enabled (otherwise as configured)."""
    if health.steady_onsets is None or not health.steady_onsets.enabled:
        return dict(health.transitions)
    bases = steady_onset_bases(health, people)
    return {name: hazard.model_copy(update={"base": bases[name]}) if name in bases else hazard
            for name, hazard in health.transitions.items()}
