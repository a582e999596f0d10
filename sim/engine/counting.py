"""Counting people into the month's stock histograms.

Each chunk of the month kernel adds every person's weight to three histograms per cell
(area x broad age band): the status histogram (work, incapacity, disability state and
limiting flag), the health histogram (conditions, long-term sick, on a benefit) and the
entitlement histogram (benefit states by claim group and daily living rule, which dated
benefit rules pay differently). The recorder turns them into every stock the registry
declares (sim/spec.py).
"""

from __future__ import annotations

import numba as nb

from sim.core import states
from sim.core.encoding import cell_code, entitlement_count_code, health_count_code, status_count_code
from sim.engine.hazards import age_band, age_group


@nb.njit(inline="always", cache=True)
def claim_group(person):
    """Index into states.CLAIM_GROUPS: which dated incapacity rule pays the person."""
    group = states.CLAIM_EXISTING
    if person.incapacity_new_claim == 1:
        group = states.CLAIM_NEW_UNDER_22 if person.age_months < states.UNDER_22_AGE_MONTHS else states.CLAIM_NEW
    return group


@nb.njit(inline="always", cache=True)
def count_person(person, band_of_age, status_counts, health_counts, entitlement_counts, sign):
    """Add (sign 1) or remove (sign -1) one person's weight in their cell's histograms."""
    cell = cell_code(person.area, band_of_age)
    weight = sign * person.weight
    work = person.work_state
    incapacity = person.incapacity_benefit
    disability = person.disability_benefit
    status_counts[cell, status_count_code(work, incapacity, disability, person.limiting)] += weight
    sick = 1 if work == states.INACTIVE_LONG_TERM_SICK else 0
    on_benefit = 1 if (incapacity != states.IB_NONE or disability >= states.DB_STANDARD) else 0
    health_counts[cell, health_count_code(person.conditions, sick, on_benefit)] += weight
    daily_living_lost = 1 if person.daily_living_rule == states.DL_LOST else 0
    entitlement_counts[cell, entitlement_count_code(incapacity, disability, claim_group(person),
                                                    daily_living_lost)] += weight


@nb.njit(cache=True)
def count_slots(people, slots, status_counts, health_counts, entitlement_counts):
    """Add the people in ``slots`` (new entrants, immigrants) to one chunk's histograms."""
    for slot in slots:
        person = people[slot]
        count_person(person, age_band(age_group(person.age_months)), status_counts, health_counts,
                     entitlement_counts, 1.0)
