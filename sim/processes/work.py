"""Work transitions: job loss, leaving work for health, return to work, other inactivity.

From each of the four work states three competing transitions lead to the other three;
their hazards are data (configs/work). One uniform per person per month from the ``work``
stream decides whether and where the person moves.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim import metrics, states
from sim.hazards import health_index, rate, status_index
from sim.processes.competing import pick
from sim.random_streams import stream_id

STREAM = stream_id("work")
RELAPSE_WINDOW = 6
"""Months after a programme job start in which leaving work again counts as a relapse."""
DRAWS = 1
"""Philox calls (of four uniforms) this process uses per person per month."""

TRANSITIONS: tuple[str, ...] = (
    "employed_to_unemployed",
    "employed_to_long_term_sick",
    "employed_to_inactive_other",
    "unemployed_to_employed",
    "unemployed_to_long_term_sick",
    "unemployed_to_inactive_other",
    "long_term_sick_to_employed",
    "long_term_sick_to_unemployed",
    "long_term_sick_to_inactive_other",
    "inactive_other_to_employed",
    "inactive_other_to_unemployed",
    "inactive_other_to_long_term_sick",
)
"""Rows 3s, 3s+1, 3s+2 leave work state s (states.WORK_STATES order)."""

_STATE_CODE = {
    "employed": states.EMPLOYED,
    "unemployed": states.UNEMPLOYED,
    "long_term_sick": states.INACTIVE_LONG_TERM_SICK,
    "inactive_other": states.INACTIVE_OTHER,
}
DESTINATION = np.array([_STATE_CODE[name.split("_to_")[1]] for name in TRANSITIONS], dtype=np.uint8)
assert all(_STATE_CODE[name.split("_to_")[0]] == row // 3 for row, name in enumerate(TRANSITIONS))


@nb.njit(inline="always", cache=True)
def update(person, rates, effects, relapse, who, draws, i):
    """One person's work transition this month.

    ``person`` is a record of the people array; ``rates`` the process's packed hazard table;
    ``effects[programme, transition, months_in_programme]`` multiplies the rates of people
    in an intervention programme (programme 0, no programme, is all ones);
    ``relapse[job_programme, months since that job]`` multiplies leaving work in the six
    months after a job start credited to a programme; ``draws[draw, i]`` holds this
    process's uniforms for the person.

    Returns (flow to count or -1, programme credited, additional job outcome -1/0/+1,
    programme of a relapse or 0); the counterfactual uses the same draw without the
    programme's hazard ratios. (The caller counts the flows: writing them here would make
    numba reference-count the flows array for every person.)
    """
    state = person.work_state
    health = health_index(person)
    status = status_index(person)
    duration = person.months_in_work_state
    programme = person.programme
    in_programme = person.months_in_programme
    job_programme = person.job_programme
    since_job = person.months_since_programme_job
    row = 3 * state
    base0 = rate(rates, row, who, health, status, duration)
    base1 = rate(rates, row + 1, who, health, status, duration)
    base2 = rate(rates, row + 2, who, health, status, duration)
    harm = relapse[job_programme, min(since_job, RELAPSE_WINDOW)] if state == states.EMPLOYED else 1.0
    rate0 = base0 * effects[programme, row, in_programme]
    rate1 = base1 * effects[programme, row + 1, in_programme] * harm
    rate2 = base2 * effects[programme, row + 2, in_programme] * harm
    u = draws[0, i, 0]
    taken = pick(u, row, row + 1, row + 2, rate0, rate1, rate2)
    destination = state if taken < 0 else DESTINATION[taken]
    flow = -1
    if taken >= 0:
        person.work_state = destination
        person.months_in_work_state = 0
        if destination == states.INACTIVE_LONG_TERM_SICK and state == states.EMPLOYED:
            flow = metrics.LEFT_WORK_FOR_HEALTH
        elif destination == states.EMPLOYED and state == states.INACTIVE_LONG_TERM_SICK:
            flow = metrics.RETURNED_TO_WORK_FROM_SICKNESS
    elif duration < 65535:
        person.months_in_work_state = duration + 1
    credited = 0
    additional = 0
    if programme != 0 or harm != 1.0:
        counterfactual_row = pick(u, row, row + 1, row + 2, base0, base1, base2)
        counterfactual = state if counterfactual_row < 0 else DESTINATION[counterfactual_row]
        # +1 for a job started or kept that the same draw would not have given without the
        # programme, -1 for the reverse.
        additional = int(destination == states.EMPLOYED) - int(counterfactual == states.EMPLOYED)
        credited = programme if programme != 0 else job_programme
    relapsed = 0
    if state == states.EMPLOYED and destination != states.EMPLOYED and destination != states.UNEMPLOYED \
            and job_programme != 0 and since_job < RELAPSE_WINDOW:
        relapsed = job_programme
        person.months_since_programme_job = 255
    if programme != 0 and state != states.EMPLOYED and destination == states.EMPLOYED:
        person.months_since_programme_job = 0
        person.job_programme = programme
    return flow, credited, additional, relapsed
