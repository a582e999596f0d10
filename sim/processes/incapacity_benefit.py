"""Incapacity benefits (ESA and UC health): claims, the wait for a Work Capability
Assessment, its outcome (fit / LCW / LCWRA), moves from LCW to LCWRA, and exits.

A competing-risks step like the work process: each benefit state has up to three outgoing
transitions (rows of the hazard table), with destinations and flow counters given by
the tables below. One uniform per person per month from the ``incapacity_benefit`` stream.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim import metrics, states
from sim.hazards import event_probability, happens, health_index, rate, status_index
from sim.random_streams import stream_id

STREAM = stream_id("incapacity_benefit")
DRAWS = 1

TRANSITIONS: tuple[str, ...] = (
    "claim",
    "assessed_fit",
    "assessed_lcw",
    "assessed_lcwra",
    "lcw_to_lcwra",
    "lcw_exit",
    "lcwra_exit",
)
_ROW = {name: row for row, name in enumerate(TRANSITIONS)}
NO_TRANSITION = len(TRANSITIONS)
"""A row of zeros appended to the hazard table: 'no transition' in the tables below."""

_OUT_OF = {
    states.IB_NONE: ("claim",),
    states.IB_AWAITING_ASSESSMENT: ("assessed_fit", "assessed_lcw", "assessed_lcwra"),
    states.IB_LCW: ("lcw_to_lcwra", "lcw_exit"),
    states.IB_LCWRA: ("lcwra_exit",),
}
_DESTINATION = {
    "claim": states.IB_AWAITING_ASSESSMENT,
    "assessed_fit": states.IB_NONE,
    "assessed_lcw": states.IB_LCW,
    "assessed_lcwra": states.IB_LCWRA,
    "lcw_to_lcwra": states.IB_LCWRA,
    "lcw_exit": states.IB_NONE,
    "lcwra_exit": states.IB_NONE,
}
_FLOW = {
    "claim": metrics.INCAPACITY_BENEFIT_STARTS,
    "assessed_fit": metrics.INCAPACITY_BENEFIT_FOUND_FIT,
    "assessed_lcw": metrics.INCAPACITY_BENEFIT_AWARDS_LCW,
    "assessed_lcwra": metrics.INCAPACITY_BENEFIT_AWARDS_LCWRA,
    "lcw_exit": metrics.INCAPACITY_BENEFIT_EXITS,
    "lcwra_exit": metrics.INCAPACITY_BENEFIT_EXITS,
}
ROWS_OUT = np.full((len(states.INCAPACITY_BENEFIT_STATES), 3), NO_TRANSITION, dtype=np.int64)
for _state, _names in _OUT_OF.items():
    ROWS_OUT[_state, : len(_names)] = [_ROW[name] for name in _names]
DESTINATION = np.array([_DESTINATION[name] for name in TRANSITIONS] + [0], dtype=np.uint8)
FLOW = np.array([_FLOW.get(name, -1) for name in TRANSITIONS] + [-1], dtype=np.int64)


@nb.njit(inline="always", cache=True)
def update(person, rates, effects, who, draws, i):
    """One person's incapacity-benefit event this month; returns the flow to count or -1.

    ``rates`` is the packed hazard table with a final row of zeros (NO_TRANSITION);
    ``effects`` likewise has a final all-ones row.
    """
    state = person.incapacity_benefit
    health = health_index(person)
    status = status_index(person)
    duration = person.months_in_incapacity_state
    programme = person.programme
    in_programme = person.months_in_programme
    row0 = ROWS_OUT[state, 0]
    row1 = ROWS_OUT[state, 1]
    row2 = ROWS_OUT[state, 2]
    rate0 = rate(rates, row0, who, health, status, duration) * effects[programme, row0, in_programme]
    rate1 = rate(rates, row1, who, health, status, duration) * effects[programme, row1, in_programme]
    rate2 = rate(rates, row2, who, health, status, duration) * effects[programme, row2, in_programme]
    total = rate0 + rate1 + rate2
    u = draws[0, i, 0]
    flow = -1
    if happens(u, total):
        x = u / event_probability(total) * total
        row = row0 if x < rate0 else (row1 if x < rate0 + rate1 else row2)
        person.incapacity_benefit = DESTINATION[row]
        person.months_in_incapacity_state = 0
        flow = FLOW[row]
    elif state != states.IB_NONE and duration < 65535:
        person.months_in_incapacity_state = duration + 1
    return flow
