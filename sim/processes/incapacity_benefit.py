"""Incapacity benefits (ESA and UC health): claims, the wait for a Work Capability
Assessment, its outcome (fit / LCW / LCWRA), moves from LCW to LCWRA, and exits.

A competing-risks step (sim/engine/competing.py) over the ladder of states the registry
declares (sim/spec.py), with the flows it counts. One uniform per person per month from the
``incapacity_benefit`` stream. A claim made on or after the policy's new-claims date (the
process's ``rules``: ``[model month]``) is marked as a new claim, which dated rules can pay
at another rate (sim/policy/benefit_rules.py); the mark lasts until the claim ends.
"""

from __future__ import annotations

import numba as nb

from sim import spec
from sim.core import states
from sim.core.people import MONTHS_IN_STATE_CAP
from sim.core.random_streams import stream_id
from sim.engine.competing import out_tables, pick, rates_out
from sim.engine.contract import NO_FLOW, flows_only

SPEC = spec.PROCESS["incapacity_benefit"]
STREAM = stream_id(SPEC.stream)
DRAWS = SPEC.draws
TRANSITIONS = SPEC.transition_names
ROWS_OUT, DESTINATION, FLOW = out_tables(SPEC, len(states.INCAPACITY_BENEFIT_STATES))


@nb.njit(inline="always", cache=True)
def update(person, rates, effects, rules, who, draws, i, month):
    """One person's incapacity-benefit event this month (the contract: sim/engine/contract.py;
    ``rules``: ``[first model month of new claims]``)."""
    state = person.incapacity_benefit
    duration = person.months_in_incapacity_state
    row0, row1, row2, rate0, rate1, rate2 = rates_out(rates, effects, ROWS_OUT, state, person, who, duration)
    row = pick(draws[0, i, 0], row0, row1, row2, rate0, rate1, rate2)
    flow = NO_FLOW
    if row >= 0:
        destination = DESTINATION[row]
        if state == states.IB_NONE:
            person.incapacity_new_claim = 1 if rules.size > 0 and month >= rules[0] else 0
        elif destination == states.IB_NONE:
            person.incapacity_new_claim = 0
        person.incapacity_benefit = destination
        person.months_in_incapacity_state = 0
        flow = FLOW[row]
    elif state != states.IB_NONE and duration < MONTHS_IN_STATE_CAP:
        person.months_in_incapacity_state = duration + 1
    return flows_only(flow, NO_FLOW)
