"""Incapacity benefits (ESA and UC health): claims, the wait for a Work Capability
Assessment, its outcome (fit / LCW / LCWRA), moves from LCW to LCWRA, and exits.

A competing-risks step (sim/processes/competing.py): each benefit state has up to three
outgoing transitions (rows of the hazard table), with destinations and flow counters given
by the tables below. One uniform per person per month from the ``incapacity_benefit`` stream.
"""

from __future__ import annotations

import numba as nb

from sim import metrics, states
from sim.processes.competing import out_tables, pick, rates_out
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
NO_TRANSITION = len(TRANSITIONS)
"""The hazard table's final row of zeros: 'no transition' in the tables below."""

ROWS_OUT, DESTINATION, FLOW = out_tables(
    TRANSITIONS,
    out_of={
        states.IB_NONE: ("claim",),
        states.IB_AWAITING_ASSESSMENT: ("assessed_fit", "assessed_lcw", "assessed_lcwra"),
        states.IB_LCW: ("lcw_to_lcwra", "lcw_exit"),
        states.IB_LCWRA: ("lcwra_exit",),
    },
    destination={
        "claim": states.IB_AWAITING_ASSESSMENT, "assessed_fit": states.IB_NONE,
        "assessed_lcw": states.IB_LCW, "assessed_lcwra": states.IB_LCWRA,
        "lcw_to_lcwra": states.IB_LCWRA, "lcw_exit": states.IB_NONE, "lcwra_exit": states.IB_NONE,
    },
    flow={
        "claim": metrics.INCAPACITY_BENEFIT_STARTS,
        "assessed_fit": metrics.INCAPACITY_BENEFIT_FOUND_FIT,
        "assessed_lcw": metrics.INCAPACITY_BENEFIT_AWARDS_LCW,
        "assessed_lcwra": metrics.INCAPACITY_BENEFIT_AWARDS_LCWRA,
        "lcw_exit": metrics.INCAPACITY_BENEFIT_EXITS,
        "lcwra_exit": metrics.INCAPACITY_BENEFIT_EXITS,
    },
    states=len(states.INCAPACITY_BENEFIT_STATES),
)


@nb.njit(inline="always", cache=True)
def update(person, rates, effects, who, draws, i):
    """One person's incapacity-benefit event this month; returns the flow to count or -1.

    ``rates`` is the packed hazard table with a final row of zeros (NO_TRANSITION);
    ``effects`` likewise has a final all-ones row.
    """
    state = person.incapacity_benefit
    duration = person.months_in_incapacity_state
    row0, row1, row2, rate0, rate1, rate2 = rates_out(rates, effects, ROWS_OUT, state, person, who, duration)
    row = pick(draws[0, i, 0], row0, row1, row2, rate0, rate1, rate2)
    flow = -1
    if row >= 0:
        person.incapacity_benefit = DESTINATION[row]
        person.months_in_incapacity_state = 0
        flow = FLOW[row]
    elif state != states.IB_NONE and duration < 65535:
        person.months_in_incapacity_state = duration + 1
    return flow
