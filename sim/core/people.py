"""The people: one packed record per person slot (a numpy structured array).

A slot holds one person at a time; when a person leaves (death, 65th birthday, emigration)
the slot is free until an entrant or immigrant takes it. ``in_population`` marks occupied
slots. Numba kernels read and write a person as ``people[slot].field``; Python code uses
``people["field"]`` for whole columns.

Why records rather than one array per field: the monthly kernel hands a person to each
process's update function, and numba reference-counts every array passed across such a
call; one array of records costs one count where 19 field arrays cost 19 (measured 20x
slower per person). A person's fields also share a cache line.
"""

from __future__ import annotations

import numpy as np

from sim.core.states import NO_AWARD_END

PERSON = np.dtype(
    [
        ("in_population", np.uint8),  # 1 if the slot holds a person
        ("age_months", np.uint16),  # age in completed months
        ("sex", np.uint8),  # index into states.SEXES
        ("area", np.uint8),  # index into states.AREAS
        ("deprivation", np.uint8),  # quintile index, 0 = most deprived
        ("conditions", np.uint8),  # bit field over states.CONDITIONS
        ("limiting", np.uint8),  # 1 if a condition limits day-to-day activities
        ("months_in_health_state", np.uint16),  # capped at MONTHS_IN_STATE_CAP
        ("work_state", np.uint8),  # index into states.WORK_STATES
        ("months_in_work_state", np.uint16),
        ("incapacity_benefit", np.uint8),  # index into states.INCAPACITY_BENEFIT_STATES
        ("months_in_incapacity_state", np.uint16),
        ("incapacity_new_claim", np.uint8),  # 1 if the current claim began on or after the policy's new-claims date
        ("disability_benefit", np.uint8),  # index into states.DISABILITY_BENEFIT_STATES
        ("months_in_disability_state", np.uint16),
        ("award_end_month", np.int16),  # model month a PIP award ends; -1 if none or ongoing
        ("daily_living_rule", np.uint8),  # index into states.DAILY_LIVING_RULE_STATES
        ("weight", np.float32),  # people represented by the slot
        ("programme", np.uint8),  # intervention programme taken part in; 0 = none
        ("months_in_programme", np.uint8),  # months since joining, capped at 255
        ("months_since_programme_job", np.uint8),  # since a programme job start; 255 = none
        ("job_programme", np.uint8),  # programme credited with that job start; 0 = none
    ],
    align=False,
)
FIELDS: tuple[str, ...] = PERSON.names
BYTES_PER_SLOT = PERSON.itemsize
MONTHS_IN_STATE_CAP = int(np.iinfo(PERSON["months_in_work_state"]).max)
"""Months-in-state counters (uint16) stop here: 5,461 years, far beyond any run."""
MONTHS_IN_PROGRAMME_CAP = int(np.iinfo(PERSON["months_in_programme"]).max)
"""Programme month counters (uint8) stop here."""
NO_PROGRAMME = 0
"""``programme`` and ``job_programme`` of someone in no programme (codes are 1-based)."""
NO_PROGRAMME_JOB = int(np.iinfo(PERSON["months_since_programme_job"]).max)
"""``months_since_programme_job`` of someone with no programme job start to count from."""


def allocate(capacity: int) -> np.ndarray:
    """Empty slots (nobody in the population) for ``capacity`` people."""
    people = np.zeros(capacity, dtype=PERSON)
    people["award_end_month"] = NO_AWARD_END
    people["months_since_programme_job"] = NO_PROGRAMME_JOB
    return people
