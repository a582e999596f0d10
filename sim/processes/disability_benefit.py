"""Disability benefits (PIP; working-age DLA mapped onto it): claims, decisions, award
levels and lengths, changes of circumstances, and planned reviews at the award's end.

A competing-risks step (sim/engine/competing.py) over the ladder of states the registry
declares (sim/spec.py), plus planned reviews at the award's end. One Philox call per person
per month from the ``disability_benefit`` stream gives four uniforms: the event, the length
of a new award, the review outcome and the length of a renewed award.

A daily living rule on points in one activity (the 2025 PIP proposal: at least 4 points in
one activity) is tested where the policy applies it: at a new award (with the review
uniform, unused that month) and at the first planned review under the rule (with the
new-award-length uniform, unused at a review). Whoever fails keeps the award and its
mobility component but loses the daily living component (states.DL_LOST), with the
published share of recipients at each award level who score below the threshold in every
activity (sim/policy/benefit_rules.py). Without a rule the extra uniforms are not used, so a
run's people are the same with and without one.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim import spec
from sim.core import states
from sim.core.people import MONTHS_IN_STATE_CAP
from sim.core.random_streams import stream_id
from sim.engine.competing import out_tables, pick, rates_out
from sim.engine.contract import NO_FLOW, flows_only
from sim.engine.hazards import event_probability, health_index, rate, status_index

SPEC = spec.PROCESS["disability_benefit"]
STREAM = stream_id(SPEC.stream)
DRAWS = SPEC.draws
TRANSITIONS = SPEC.transition_names
NO_TRANSITION = len(TRANSITIONS)
"""The hazard table's final row of zeros: 'no transition'."""
ROWS_OUT, DESTINATION, FLOW = out_tables(SPEC, len(states.DISABILITY_BENEFIT_STATES))
NEW_AWARD = np.array([name.startswith("awarded_") for name in TRANSITIONS] + [False])
REVIEWS = spec.FLOW["disability_benefit_reviews"]
REVIEW_DISALLOWED = spec.FLOW["disability_benefit_review_disallowed"]
REVIEW_DISALLOWED_ROW = spec.TRANSITIONS["disability_benefit.review_disallowed"].row
REVIEWS_DEFERRED = spec.FLOW["disability_benefit_reviews_deferred"]
REVIEW_DEFERRED_ROW = spec.TRANSITIONS["disability_benefit.review_deferred"].row
LOST_AT_AWARD = spec.FLOW["disability_benefit_daily_living_lost_at_award"]
LOST_AT_REVIEW = spec.FLOW["disability_benefit_daily_living_lost_at_review"]
NO_RULE_MONTH = 1.0e9
"""Rule start month of a policy without a daily living rule (never reached)."""


def award_rules(length_months, length_share, review, daily_living_rule=None) -> np.ndarray:
    """Award lengths, the outcomes of reviews that continue an award and the daily living
    rule, packed in one array for the kernel:

    ``[k, length_0 .. length_k-1, cumulative share_0 .. share_k-1, cumulative review x 3,
    rule month, at new awards (0/1), at reviews (0/1), share failing at standard, at enhanced,
    deferral months]``
    with continued-award outcomes in the order same, higher, lower; length 0 = ongoing.
    (Whether a review is deferred or ends the award are the ``review_deferred`` and
    ``review_disallowed`` hazard rows; a deferred review extends the award by the deferral
    months.)
    ``daily_living_rule``: (first model month, at new awards, at reviews, share failing at
    the standard level, at the enhanced level), or None for no rule.
    """
    share = np.asarray(length_share, dtype=float)
    review_shares = np.array([review.same_award, review.higher_award, review.lower_award])
    return np.concatenate([
        [len(share)],
        np.asarray(length_months, dtype=float),
        np.cumsum(share / share.sum()),
        np.cumsum(review_shares / review_shares.sum()),
        daily_living_rule if daily_living_rule is not None else (NO_RULE_MONTH, 0.0, 0.0, 0.0, 0.0),
        [review.deferral_months],
    ])


@nb.njit(inline="always", cache=True)
def _rule_start(rules):
    """Index in ``rules`` of the daily living rule's month."""
    return 1 + 2 * int(rules[0]) + 3


@nb.njit(inline="always", cache=True)
def _deferral_months(rules):
    """Months a deferred review extends an award (the last entry of ``rules``)."""
    return int(rules[_rule_start(rules) + 5])


@nb.njit(inline="always", cache=True)
def _test_daily_living(person, rules, u):
    """Apply the daily living rule to an award at its current level; True if it is lost."""
    first = _rule_start(rules)
    failing = rules[first + 3] if person.disability_benefit == states.DB_STANDARD else rules[first + 4]
    lost = u < failing
    person.daily_living_rule = states.DL_LOST if lost else states.DL_PASSED
    return lost


@nb.njit(inline="always", cache=True)
def _award_end(rules, month, u):
    """Model month a new award ends (NO_AWARD_END for an ongoing award)."""
    count = int(rules[0])
    chosen = count - 1
    for index in range(count - 2, -1, -1):
        if u < rules[1 + count + index]:
            chosen = index
    length = int(rules[1 + chosen])
    end = month + length
    if length == 0:
        end = states.NO_AWARD_END
    return end


@nb.njit(inline="always", cache=True)
def review_due(person, month):
    """Whether a finite award reaches its end month now (a planned review)."""
    return person.disability_benefit >= states.DB_STANDARD and person.award_end_month == month


@nb.njit(inline="always", cache=True)
def _scheduled_probability(person, rates, effects, row, who):
    """Probability of a scheduled row (read at a review, not each month) for this person."""
    value = rate(rates, row, who, health_index(person), status_index(person), person.months_in_disability_state)
    value *= effects[person.programme, person.months_in_programme, row]
    return event_probability(value)


@nb.njit(inline="always", cache=True)
def _review(person, rates, effects, rules, who, month, u_defer, u_review, u_length, u_rule):
    """The planned review of an award that ends this month.

    First, with probability 1 - exp(-rate) of the ``review_deferred`` row (``u_defer``, the
    event uniform, unused in a review month), the review does not happen and the award is
    extended by the deferral months (the row's calendar multipliers carry the ``pip_reviews``
    driver). Otherwise the award ends with probability 1 - exp(-rate) of the
    ``review_disallowed`` row; otherwise the same
    uniform, rescaled, picks the same, a higher or a lower award from the DWP review shares,
    and the continued award gets a new length. A continued award not yet assessed under a
    daily living rule that applies at reviews is assessed now (``u_rule``).
    """
    if u_defer < _scheduled_probability(person, rates, effects, REVIEW_DEFERRED_ROW, who):
        person.award_end_month = month + _deferral_months(rules)
        if person.months_in_disability_state < MONTHS_IN_STATE_CAP:
            person.months_in_disability_state += 1
        return flows_only(REVIEWS_DEFERRED, NO_FLOW)
    first = 1 + 2 * int(rules[0])
    second_flow = NO_FLOW
    p_disallowed = _scheduled_probability(person, rates, effects, REVIEW_DISALLOWED_ROW, who)
    if u_review < p_disallowed:
        person.disability_benefit = states.DB_NONE
        person.award_end_month = states.NO_AWARD_END
        person.daily_living_rule = states.DL_NOT_TESTED
        second_flow = REVIEW_DISALLOWED
    else:
        u_continued = (u_review - p_disallowed) / (1.0 - p_disallowed)
        if rules[first] <= u_continued < rules[first + 1]:
            person.disability_benefit = states.DB_ENHANCED
        elif u_continued >= rules[first + 1]:
            person.disability_benefit = states.DB_STANDARD
        person.award_end_month = _award_end(rules, month, u_length)
        rule = _rule_start(rules)
        if (person.daily_living_rule == states.DL_NOT_TESTED and rules[rule + 2] == 1.0 and month >= rules[rule]
                and _test_daily_living(person, rules, u_rule)):
            second_flow = LOST_AT_REVIEW
    person.months_in_disability_state = 0
    return flows_only(REVIEWS, second_flow)


@nb.njit(inline="always", cache=True)
def update(person, rates, effects, rules, who, draws, i, month):
    """One person's review, claim, decision or change of award this month (the contract:
    sim/engine/contract.py). ``rules``: award lengths and review outcomes (:func:`award_rules`);
    a new award's length comes from the published mix."""
    u_event = draws[0, i, 0]
    u_new_length = draws[0, i, 1]
    u_review = draws[0, i, 2]
    u_renewed_length = draws[0, i, 3]
    if review_due(person, month):
        return _review(person, rates, effects, rules, who, month, u_event, u_review, u_renewed_length,
                       u_new_length)
    state = person.disability_benefit
    duration = person.months_in_disability_state
    row0, row1, row2, rate0, rate1, rate2 = rates_out(rates, effects, ROWS_OUT, state, person, who, duration)
    taken = pick(u_event, row0, row1, row2, rate0, rate1, rate2)
    if taken >= 0:
        destination = DESTINATION[taken]
        person.disability_benefit = destination
        person.months_in_disability_state = 0
        if destination == states.DB_NONE:
            person.award_end_month = states.NO_AWARD_END
            person.daily_living_rule = states.DL_NOT_TESTED
    else:
        taken = NO_TRANSITION
        if state != states.DB_NONE and duration < MONTHS_IN_STATE_CAP:
            person.months_in_disability_state = duration + 1
    second_flow = NO_FLOW
    if NEW_AWARD[taken]:
        person.award_end_month = _award_end(rules, month, u_new_length)
        person.daily_living_rule = states.DL_NOT_TESTED
        rule = _rule_start(rules)
        if rules[rule + 1] == 1.0 and month >= rules[rule] and _test_daily_living(person, rules, u_review):
            second_flow = LOST_AT_AWARD
    return flows_only(FLOW[taken], second_flow)
