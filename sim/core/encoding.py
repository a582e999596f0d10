"""Every packed index of the model, defined once: its shape and its encoder.

Tables and histograms are flat arrays indexed by a few small codes packed row-major
(``numpy.ravel_multi_index`` order) into one integer. Each index has a ``*_SHAPE`` (what its
codes range over, outermost first) and one numba encoder that the kernels call; Python code
decodes with ``numpy.unravel_index(code, SHAPE)``. ``tests/test_code_health.py`` checks each
encoder against ``numpy.ravel_multi_index``.
"""

from __future__ import annotations

import math

import numba as nb

from sim.core.states import (
    CONDITION_SETS,
    N_AGE_BANDS,
    N_AGE_GROUPS,
    N_AREAS,
    N_CLAIM_GROUPS,
    N_DISABILITY_STATES,
    N_INCAPACITY_STATES,
    N_LIMITING,
    N_QUINTILES,
    N_SEXES,
    N_WORK_STATES,
)

WHO_SHAPE = (N_AGE_GROUPS, N_SEXES, N_QUINTILES, N_AREAS)
"""Who a person is, for the hazard tables' who-block: age group, sex, deprivation, area."""
HEALTH_SHAPE = (CONDITION_SETS, N_LIMITING)
"""A person's health, for the hazard tables' health-block: conditions bit field, limiting."""
STATUS_SHAPE = (N_WORK_STATES, N_INCAPACITY_STATES, N_DISABILITY_STATES)
"""Work and benefit states, for the hazard tables' status-block."""
MORTALITY_SHAPE = (N_AGE_GROUPS, N_SEXES, N_QUINTILES, CONDITION_SETS, N_LIMITING)
"""Cells of the monthly death-rate table."""
STATUS_COUNT_SHAPE = (N_WORK_STATES, N_INCAPACITY_STATES, N_DISABILITY_STATES, N_LIMITING)
"""Codes of the status histogram the recorder counts stocks from."""
HEALTH_COUNT_SHAPE = (CONDITION_SETS, 2, 2)
"""Codes of the health histogram: conditions, inactive long-term sick (0/1), on a health benefit (0/1)."""
ENTITLEMENT_COUNT_SHAPE = (N_INCAPACITY_STATES, N_DISABILITY_STATES, N_CLAIM_GROUPS, 2)
"""Codes of the entitlement histogram, for dated benefit rules: incapacity state, disability
state, claim group (states.CLAIM_GROUPS) and whether the PIP daily living component was lost
under a points rule (0/1)."""
CELL_SHAPE = (N_AREAS, N_AGE_BANDS)
"""Where a person is counted: area and broad age band."""

N_WHO = math.prod(WHO_SHAPE)
N_HEALTH = math.prod(HEALTH_SHAPE)
N_STATUS = math.prod(STATUS_SHAPE)
N_MORTALITY_CELLS = math.prod(MORTALITY_SHAPE)
N_STATUS_CODES = math.prod(STATUS_COUNT_SHAPE)
N_HEALTH_CODES = math.prod(HEALTH_COUNT_SHAPE)
N_ENTITLEMENT_CODES = math.prod(ENTITLEMENT_COUNT_SHAPE)
N_CELLS = math.prod(CELL_SHAPE)


@nb.njit(inline="always", cache=True)
def who_code(age_group, sex, deprivation, area):
    return ((age_group * N_SEXES + sex) * N_QUINTILES + deprivation) * N_AREAS + area


@nb.njit(inline="always", cache=True)
def health_code(conditions, limiting):
    return conditions * N_LIMITING + limiting


@nb.njit(inline="always", cache=True)
def status_code(work_state, incapacity_benefit, disability_benefit):
    return (work_state * N_INCAPACITY_STATES + incapacity_benefit) * N_DISABILITY_STATES + disability_benefit


@nb.njit(inline="always", cache=True)
def mortality_code(age_group, sex, deprivation, conditions, limiting):
    return (((age_group * N_SEXES + sex) * N_QUINTILES + deprivation) * CONDITION_SETS + conditions) \
        * N_LIMITING + limiting


@nb.njit(inline="always", cache=True)
def status_count_code(work_state, incapacity_benefit, disability_benefit, limiting):
    return status_code(work_state, incapacity_benefit, disability_benefit) * N_LIMITING + limiting


@nb.njit(inline="always", cache=True)
def health_count_code(conditions, long_term_sick, on_benefit):
    return (conditions * 2 + long_term_sick) * 2 + on_benefit


@nb.njit(inline="always", cache=True)
def entitlement_count_code(incapacity_benefit, disability_benefit, claim_group, daily_living_lost):
    return ((incapacity_benefit * N_DISABILITY_STATES + disability_benefit) * N_CLAIM_GROUPS + claim_group) * 2 \
        + daily_living_lost


@nb.njit(inline="always", cache=True)
def cell_code(area, age_band):
    return area * N_AGE_BANDS + age_band
