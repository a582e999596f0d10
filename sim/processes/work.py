"""Work transitions: job loss, leaving work for health, return to work, other inactivity.

From each of the four work states three competing transitions lead to the other three
(sim/spec.py declares them, with the flows they count); their hazards are data
(configs/work). One uniform per person per month from the ``work`` stream decides whether
and where the person moves. Programme participants' rates carry their programme's hazard
ratios; the same uniform without them gives the counterfactual that credits additional
job outcomes.
"""

from __future__ import annotations

import numba as nb

from sim import spec
from sim.core import states
from sim.core.people import MONTHS_IN_STATE_CAP, NO_PROGRAMME, NO_PROGRAMME_JOB
from sim.core.random_streams import stream_id
from sim.engine.competing import out_tables, pick
from sim.engine.contract import outcome
from sim.engine.hazards import health_index, rate, status_index

SPEC = spec.PROCESS["work"]
STREAM = stream_id(SPEC.stream)
DRAWS = SPEC.draws
TRANSITIONS = SPEC.transition_names
ROWS_OUT, DESTINATION, FLOW = out_tables(SPEC, len(states.WORK_STATES))
RELAPSE_WINDOW = 6
"""Months after a programme job start in which leaving work again counts as a relapse."""
INTO_WORK = spec.FLOW["incapacity_benefit_recipients_into_work"]


@nb.njit(inline="always", cache=True)
def update(person, rates, effects, rules, who, draws, i, month):
    """One person's work transition this month (the contract: sim/engine/contract.py).

    ``effects[programme, months_in_programme, transition]`` multiplies the rates of people
    in a programme (programme 0, none, is all ones); ``rules[job_programme, months since
    that job]`` (the relapse table) multiplies leaving work in the
    six months after a job start credited to a programme. The outcome's flows are the move
    (left work for health, returned from sickness) and an incapacity-benefit recipient
    starting work; its programme result compares the move with what the same draw gives
    without the programme's hazard ratios.
    """
    state = person.work_state
    health = health_index(person)
    status = status_index(person)
    duration = person.months_in_work_state
    programme = person.programme
    in_programme = person.months_in_programme
    job_programme = person.job_programme
    since_job = person.months_since_programme_job
    row0 = ROWS_OUT[state, 0]
    row1 = ROWS_OUT[state, 1]
    row2 = ROWS_OUT[state, 2]
    base0 = rate(rates, row0, who, health, status, duration)
    base1 = rate(rates, row1, who, health, status, duration)
    base2 = rate(rates, row2, who, health, status, duration)
    harm = rules[job_programme, min(since_job, RELAPSE_WINDOW)] if state == states.EMPLOYED else 1.0
    rate0 = base0 * effects[programme, in_programme, row0]
    rate1 = base1 * effects[programme, in_programme, row1] * harm
    rate2 = base2 * effects[programme, in_programme, row2] * harm
    u = draws[0, i, 0]
    taken = pick(u, row0, row1, row2, rate0, rate1, rate2)
    destination = state if taken < 0 else DESTINATION[taken]
    flow = -1
    into_work = -1
    if taken >= 0:
        person.work_state = destination
        person.months_in_work_state = 0
        flow = FLOW[taken]
        if destination == states.EMPLOYED and person.incapacity_benefit >= states.IB_LCW:
            into_work = INTO_WORK
    elif duration < MONTHS_IN_STATE_CAP:
        person.months_in_work_state = duration + 1
    credited = NO_PROGRAMME
    additional = 0
    if programme != NO_PROGRAMME or harm != 1.0:
        counterfactual_row = pick(u, row0, row1, row2, base0, base1, base2)
        counterfactual = state if counterfactual_row < 0 else DESTINATION[counterfactual_row]
        # +1 for a job started or kept that the same draw would not have given without the
        # programme, -1 for the reverse.
        additional = int(destination == states.EMPLOYED) - int(counterfactual == states.EMPLOYED)
        credited = programme if programme != NO_PROGRAMME else job_programme
    relapsed = NO_PROGRAMME
    if state == states.EMPLOYED and destination != states.EMPLOYED and destination != states.UNEMPLOYED \
            and job_programme != NO_PROGRAMME and since_job < RELAPSE_WINDOW:
        relapsed = job_programme
        person.months_since_programme_job = NO_PROGRAMME_JOB
    if programme != NO_PROGRAMME and state != states.EMPLOYED and destination == states.EMPLOYED:
        person.months_since_programme_job = 0
        person.job_programme = programme
    since = person.months_since_programme_job
    person.months_since_programme_job = since + 1 if since < NO_PROGRAMME_JOB else NO_PROGRAMME_JOB
    return outcome(flow, into_work, credited, additional, relapsed)
