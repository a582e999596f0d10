"""Health: onset and recovery of the four conditions, and of a limiting condition.

Each condition is a two-state process (without / with) with its own uniform from the
``health`` stream; a limiting condition needs at least one condition and ends when the
last condition ends. Rates use the conditions held at the start of the month, so the order
of the conditions does not matter.
"""

from __future__ import annotations

import numba as nb

from sim import spec
from sim.core import states
from sim.core.people import MONTHS_IN_STATE_CAP
from sim.core.random_streams import stream_id
from sim.engine.contract import nothing
from sim.engine.hazards import happens, health_index, rate, status_index

SPEC = spec.PROCESS["health"]
STREAM = stream_id(SPEC.stream)
DRAWS = SPEC.draws
TRANSITIONS = SPEC.transition_names
N_CONDITIONS = len(states.CONDITIONS)
LIMITING_ONSET = spec.transition("health.limiting_onset").row
LIMITING_REMISSION = spec.transition("health.limiting_remission").row


@nb.njit(inline="always", cache=True)
def update(person, rates, effects, rules, who, draws, i, month):
    """One person's health changes this month (the contract: sim/engine/contract.py;
    ``rules`` is not used)."""
    health = health_index(person)
    status = status_index(person)
    duration = person.months_in_health_state
    programme = person.programme
    in_programme = person.months_in_programme
    before = person.conditions
    after = before
    for bit in range(N_CONDITIONS):
        row = 2 * bit + ((before >> bit) & 1)
        hazard = rate(rates, row, who, health, status, duration) * effects[programme, in_programme, row]
        if happens(draws[0, i, bit], hazard):
            after ^= 1 << bit
    limiting = person.limiting
    new_limiting = limiting
    if after == 0:
        new_limiting = 0
    else:
        row = LIMITING_REMISSION if limiting == 1 else LIMITING_ONSET
        hazard = rate(rates, row, who, health, status, duration) * effects[programme, in_programme, row]
        if happens(draws[1, i, 0], hazard):
            new_limiting = 1 - limiting
    if after != before or new_limiting != limiting:
        person.conditions = after
        person.limiting = new_limiting
        person.months_in_health_state = 0
    elif duration < MONTHS_IN_STATE_CAP:
        person.months_in_health_state = duration + 1
    return nothing()
