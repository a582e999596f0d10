"""Disability benefits (PIP; working-age DLA mapped onto it): claims, decisions, award
levels and lengths, changes of circumstances, and planned reviews at the award's end.

A competing-risks step (sim/processes/competing.py; each state has up to three outgoing
transitions given by the tables below), plus planned reviews at the award's end. One
Philox call per person per month from the ``disability_benefit`` stream gives four
uniforms: the event, the length of a new award, the review outcome and the length of a
renewed award.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim import metrics, states
from sim.processes.competing import out_tables, pick, rates_out
from sim.random_streams import stream_id

STREAM = stream_id("disability_benefit")
DRAWS = 1

TRANSITIONS: tuple[str, ...] = (
    "claim",
    "awarded_standard",
    "awarded_enhanced",
    "disallowed",
    "standard_to_enhanced",
)
NO_TRANSITION = len(TRANSITIONS)
"""The hazard table's final row of zeros: 'no transition' in the tables below."""

ROWS_OUT, DESTINATION, FLOW = out_tables(
    TRANSITIONS,
    out_of={
        states.DB_NONE: ("claim",),
        states.DB_AWAITING_DECISION: ("awarded_standard", "awarded_enhanced", "disallowed"),
        states.DB_STANDARD: ("standard_to_enhanced",),
        states.DB_ENHANCED: (),
    },
    destination={
        "claim": states.DB_AWAITING_DECISION, "awarded_standard": states.DB_STANDARD,
        "awarded_enhanced": states.DB_ENHANCED, "disallowed": states.DB_NONE,
        "standard_to_enhanced": states.DB_ENHANCED,
    },
    flow={
        "claim": metrics.DISABILITY_BENEFIT_CLAIMS,
        "awarded_standard": metrics.DISABILITY_BENEFIT_STARTS,
        "awarded_enhanced": metrics.DISABILITY_BENEFIT_STARTS,
        "disallowed": metrics.DISABILITY_BENEFIT_DISALLOWED,
    },
    states=len(states.DISABILITY_BENEFIT_STATES),
)
NEW_AWARD = np.array([name.startswith("awarded_") for name in TRANSITIONS] + [False])

def award_rules(length_months, length_share, review) -> np.ndarray:
    """Award lengths and review outcomes packed in one array for the kernel:

    ``[k, length_0 .. length_k-1, cumulative share_0 .. share_k-1, cumulative review x 4]``
    with review outcomes in the order same, higher, lower, disallowed; length 0 = ongoing.
    """
    share = np.asarray(length_share, dtype=float)
    review_shares = np.array([review.same_award, review.higher_award, review.lower_award, review.disallowed])
    return np.concatenate([
        [len(share)],
        np.asarray(length_months, dtype=float),
        np.cumsum(share / share.sum()),
        np.cumsum(review_shares / review_shares.sum()),
    ])


@nb.njit(inline="always", cache=True)
def _award_end(rules, month, u):
    """Model month a new award ends (NO_AWARD_END for an ongoing award)."""
    count = int(rules[0])
    pick = count - 1
    for index in range(count - 2, -1, -1):
        if u < rules[1 + count + index]:
            pick = index
    length = int(rules[1 + pick])
    end = month + length
    if length == 0:
        end = states.NO_AWARD_END
    return end


@nb.njit(inline="always", cache=True)
def review_due(person, month):
    """Whether a finite award reaches its end month now (a planned review)."""
    return person.disability_benefit >= states.DB_STANDARD and person.award_end_month == month


@nb.njit(inline="always", cache=True)
def review(person, rules, month, band_of_age, draws, i, flows):
    """The planned review of an award that ends this month.

    Outcomes (same, higher or lower award, or disallowed) come from the DWP review shares;
    a continued award gets a new length.
    """
    flows[metrics.DISABILITY_BENEFIT_REVIEWS, person.area, band_of_age] += person.weight
    first = 1 + 2 * int(rules[0])
    u = draws[0, i, 2]
    if u >= rules[first + 2]:
        person.disability_benefit = states.DB_NONE
        person.award_end_month = states.NO_AWARD_END
        flows[metrics.DISABILITY_BENEFIT_REVIEW_DISALLOWED, person.area, band_of_age] += person.weight
    else:
        if rules[first] <= u < rules[first + 1]:
            person.disability_benefit = states.DB_ENHANCED
        elif u >= rules[first + 1]:
            person.disability_benefit = states.DB_STANDARD
        person.award_end_month = _award_end(rules, month, draws[0, i, 3])
    person.months_in_disability_state = 0


@nb.njit(inline="always", cache=True)
def update(person, rates, effects, who, draws, i):
    """One person's claim, decision or change of award this month.

    Returns (row taken, flow to count or -1); the row is NO_TRANSITION when nothing
    happens. A new award's length is set by
    :func:`start_award`, which the month kernel calls only when ``NEW_AWARD[row]``.
    ``rates`` is the packed hazard table with a final row of zeros (NO_TRANSITION);
    ``effects`` likewise has a final all-ones row.
    """
    state = person.disability_benefit
    duration = person.months_in_disability_state
    row0, row1, row2, rate0, rate1, rate2 = rates_out(rates, effects, ROWS_OUT, state, person, who, duration)
    taken = pick(draws[0, i, 0], row0, row1, row2, rate0, rate1, rate2)
    if taken >= 0:
        destination = DESTINATION[taken]
        person.disability_benefit = destination
        person.months_in_disability_state = 0
        if destination == states.DB_NONE:
            person.award_end_month = states.NO_AWARD_END
    else:
        taken = NO_TRANSITION
        if state != states.DB_NONE and duration < 65535:
            person.months_in_disability_state = duration + 1
    return taken, FLOW[taken]


@nb.njit(inline="always", cache=True)
def start_award(person, rules, month, draws, i):
    """Set the end month of an award made this month (length from the published mix)."""
    person.award_end_month = _award_end(rules, month, draws[0, i, 1])
