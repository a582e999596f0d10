"""Health: onset and recovery of the four conditions, and of a limiting condition.

Each condition is a two-state process (without / with) with its own uniform from the
``health`` stream; a limiting condition needs at least one condition and ends when the
last condition ends. Rates use the conditions held at the start of the month, so the order
of the conditions does not matter.
"""

from __future__ import annotations

import numba as nb

from sim import states
from sim.hazards import happens, health_index, rate, status_index
from sim.random_streams import stream_id

STREAM = stream_id("health")
DRAWS = 2
"""Philox calls per person per month: four condition uniforms, then the limiting one."""

TRANSITIONS: tuple[str, ...] = tuple(
    f"{condition}_{change}" for condition in states.CONDITIONS for change in ("onset", "recovery")
) + ("limiting_onset", "limiting_remission")
"""Row 2b is onset of condition bit b, row 2b+1 its recovery; then limiting onset, remission."""

LIMITING_ONSET = 2 * len(states.CONDITIONS)
LIMITING_REMISSION = LIMITING_ONSET + 1


@nb.njit(inline="always", cache=True)
def update(person, rates, effects, who, draws, i):
    """One person's health changes this month (``person`` is a record of the people array)."""
    health = health_index(person)
    status = status_index(person)
    duration = person.months_in_health_state
    programme = person.programme
    in_programme = person.months_in_programme
    before = person.conditions
    after = before
    for bit in range(4):
        row = 2 * bit + ((before >> bit) & 1)
        hazard = rate(rates, row, who, health, status, duration) * effects[programme, row, in_programme]
        if happens(draws[0, i, bit], hazard):
            after ^= 1 << bit
    limiting = person.limiting
    new_limiting = limiting
    if after == 0:
        new_limiting = 0
    else:
        row = LIMITING_REMISSION if limiting == 1 else LIMITING_ONSET
        hazard = rate(rates, row, who, health, status, duration) * effects[programme, row, in_programme]
        if happens(draws[1, i, 0], hazard):
            new_limiting = 1 - limiting
    if after != before or new_limiting != limiting:
        person.conditions = after
        person.limiting = new_limiting
        person.months_in_health_state = 0
    elif duration < 65535:
        person.months_in_health_state = duration + 1
