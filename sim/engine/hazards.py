"""Compile hazard configs into lookup tables, and evaluate a person's monthly rate.

A transition's monthly rate for a person is

    base_rate x ratio[age_group] x ratio[sex] x ratio[deprivation] x ratio[area]
              x prod(ratio[condition] for each condition held) x ratio[limiting]
              x ratio[work_state] x ratio[incapacity_benefit] x ratio[disability_benefit]
              x ratio[duration_band] x period[month, age_group]

with ``base_rate = -ln(1 - base)``. For speed the product is pre-multiplied into four small
tables per transition, indexed by what a person is:

    who     [age group, sex, deprivation, area]   (1,200 cells; times base and period,
                                                    rebuilt each month by :func:`for_month`)
    health  [conditions bit field, limiting]       (32 cells)
    status  [work state, incapacity, disability]   (64 cells)
    duration[duration band]                        (6 cells)

so a rate is four table reads and three multiplications. The four tables of all a process's
transitions are packed into one array (``HazardTable.packed``) with a row per column of the
four tables and a column per transition, so a kernel receives a single array and the
rates of one person's competing transitions are read from adjacent memory (one cache
line for each of the four tables, where a row per transition took one line per
transition: 8% of the month, measured). Competing transitions out of a state share one uniform: the
chance of leaving is ``1 - exp(-total)`` and the destination is chosen in proportion to
the rates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from sim.core import states
from sim.core.encoding import (
    HEALTH_SHAPE,
    N_HEALTH,
    N_STATUS,
    N_WHO,
    health_code,
    status_code,
    who_code,
)
from sim.params.models import Hazard

N_AGE_GROUPS = states.N_AGE_GROUPS
N_DURATION = len(states.DURATION_BANDS)


WHO_OFFSET = 0
HEALTH_OFFSET = WHO_OFFSET + N_WHO
STATUS_OFFSET = HEALTH_OFFSET + N_HEALTH
DURATION_OFFSET = STATUS_OFFSET + N_STATUS
PACKED_COLUMNS = DURATION_OFFSET + N_DURATION


@dataclass
class HazardTable:
    """A process's transitions, rows in the order of the process's TRANSITIONS."""

    base_rate: np.ndarray  # float64[transitions]: -ln(1 - base), per month
    ratios: np.ndarray  # float64[transitions, HAZARD_COLUMNS]
    period: np.ndarray  # float64[transitions, months, age groups]: calendar multipliers
    packed: np.ndarray  # float64[PACKED_COLUMNS, transitions]: who | health | status | duration
    _packed_period: np.ndarray | None = None

    def for_month(self, month: int) -> np.ndarray:
        """The packed table with this month's base x period x who-ratios (updated in place,
        and only when the calendar multipliers differ from the month last packed)."""
        period = self.period[:, month]
        if self._packed_period is not None and np.array_equal(period, self._packed_period):
            return self.packed
        for row in range(self.base_rate.size):
            who = _who_ratios(self.ratios[row]) * self.base_rate[row]
            who *= period[row][:, None, None, None]
            self.packed[WHO_OFFSET:HEALTH_OFFSET, row] = who.reshape(-1)
        self._packed_period = period.copy()
        return self.packed


def rate_of_probability(probability: float) -> float:
    """The constant monthly hazard rate whose one-month probability is ``probability``."""
    if probability >= 1.0:
        return 50.0
    return -np.log1p(-probability)


def ratio_row(hazard: object) -> np.ndarray:
    """One transition's hazard ratios laid out over the columns of :mod:`sim.core.states`."""
    row = np.ones(states.HAZARD_COLUMNS)
    for field in states.DIMENSION_LEVELS:
        ratios = getattr(hazard, field, None) or {}
        levels = states.DIMENSION_LEVELS[field]
        offset = states.DIMENSION_OFFSET[field]
        for level, ratio in ratios.items():
            row[offset + levels.index(level)] = ratio
    return row


def _block(row: np.ndarray, dimension: str) -> np.ndarray:
    offset = states.DIMENSION_OFFSET[dimension]
    return row[offset:offset + len(states.DIMENSION_LEVELS[dimension])]


def _who_ratios(row: np.ndarray) -> np.ndarray:
    """Product of ratios over WHO_SHAPE (age group, sex, deprivation, area)."""
    return np.einsum(
        "a,s,d,r->asdr",
        _block(row, "age_group"), _block(row, "sex"), _block(row, "deprivation"), _block(row, "area"),
    )


def _health_ratios(row: np.ndarray) -> np.ndarray:
    condition_ratio = _block(row, "conditions")
    limiting_ratio = _block(row, "limiting")
    table = np.ones(HEALTH_SHAPE)
    for conditions in range(states.CONDITION_SETS):
        for bit in range(len(states.CONDITIONS)):
            if conditions >> bit & 1:
                table[conditions] *= condition_ratio[bit]
    return (table * limiting_ratio[None, :]).reshape(-1)


def _status_ratios(row: np.ndarray) -> np.ndarray:
    return np.einsum(
        "w,i,d->wid",
        _block(row, "work_state"), _block(row, "incapacity_benefit"), _block(row, "disability_benefit"),
    ).reshape(-1)


def compile_transitions(transitions: dict[str, Hazard], names: tuple[str, ...], months: int) -> HazardTable:
    """A process's hazard table, rows in the order of ``names`` (its registry transitions;
    the config schema has checked that every one has a hazard).

    One extra final row has rate zero: processes use it for 'no transition' so that every
    state has the same number of competing transitions and the kernel has no branches.
    """
    base_rate = np.array([rate_of_probability(transitions[name].base) for name in names] + [0.0])
    ratios = np.stack([ratio_row(transitions[name]) for name in names] + [np.ones(states.HAZARD_COLUMNS)])
    packed = np.zeros((PACKED_COLUMNS, len(names) + 1))
    for row, ratio in enumerate(ratios):
        packed[HEALTH_OFFSET:STATUS_OFFSET, row] = _health_ratios(ratio)
        packed[STATUS_OFFSET:DURATION_OFFSET, row] = _status_ratios(ratio)
        packed[DURATION_OFFSET:, row] = _block(ratio, "duration")
    return HazardTable(base_rate, ratios, np.ones((len(names) + 1, months, N_AGE_GROUPS)), packed)


# Lookup tables: integer division is slow inside numba kernels (Python floor semantics).
AGE_GROUP_OF_AGE_MONTHS = np.array(
    [min(N_AGE_GROUPS - 1, max(0, (months // 12 - 15) // 5)) for months in range(states.EXIT_AGE_MONTHS + 1)],
    dtype=np.int64,
)
AGE_BAND_OF_AGE_GROUP = np.array(states.AGE_BAND_OF_GROUP, dtype=np.int64)
LONGEST_DURATION_BAND_START = states.DURATION_BAND_LOWER_MONTHS[-1]
DURATION_BAND_OF_MONTHS = np.array(
    [sum(months >= lower for lower in states.DURATION_BAND_LOWER_MONTHS) - 1
     for months in range(LONGEST_DURATION_BAND_START + 1)],
    dtype=np.int64,
)


@nb.njit(inline="always", cache=True)
def duration_band(months_in_state):
    """Index into states.DURATION_BANDS of a number of months in a state."""
    return DURATION_BAND_OF_MONTHS[min(months_in_state, LONGEST_DURATION_BAND_START)]


@nb.njit(inline="always", cache=True)
def age_group(age_months):
    """Index into states.AGE_GROUPS of an age in months (16y0m to 65y0m)."""
    return AGE_GROUP_OF_AGE_MONTHS[age_months]


@nb.njit(inline="always", cache=True)
def age_band(age_index):
    """Broad reporting band (states.AGE_BANDS) of a five-year age group index."""
    return AGE_BAND_OF_AGE_GROUP[age_index]


def who_columns(people: np.ndarray) -> np.ndarray:
    """Columns of the who-block for an array of person records (vectorised who_index)."""
    return who_code(AGE_GROUP_OF_AGE_MONTHS[people["age_months"].astype(np.int64)], people["sex"].astype(np.int64),
                    people["deprivation"].astype(np.int64), people["area"].astype(np.int64))


def health_columns(people: np.ndarray) -> np.ndarray:
    """Columns of the health-block for an array of person records (vectorised health_index)."""
    return HEALTH_OFFSET + health_code(people["conditions"].astype(np.int64), people["limiting"].astype(np.int64))


@nb.njit(inline="always", cache=True)
def who_index(person, age_index):
    """Column of the who-block for a person (record) in a five-year age group."""
    return who_code(age_index, person.sex, person.deprivation, person.area)


@nb.njit(inline="always", cache=True)
def health_index(person):
    """Column of the health-block for a person's conditions and limiting flag."""
    return HEALTH_OFFSET + health_code(person.conditions, person.limiting)


@nb.njit(inline="always", cache=True)
def status_index(person):
    """Column of the status-block for a person's work and benefit states."""
    return STATUS_OFFSET + status_code(person.work_state, person.incapacity_benefit, person.disability_benefit)


@nb.njit(inline="always", cache=True)
def rate(packed, transition, who, health, status, months_in_state):
    """Monthly hazard rate of one transition from a person's table columns."""
    return (packed[who, transition] * packed[health, transition] * packed[status, transition]
            * packed[DURATION_OFFSET + duration_band(months_in_state), transition])


@nb.njit(inline="always", cache=True)
def happens(u, total_rate):
    """Whether an event with this monthly rate happens, given a uniform draw ``u``.

    Exact: 1 - exp(-r) <= r, so ``u >= r`` rules the event out without computing exp.
    """
    if u >= total_rate:
        return False
    return u < 1.0 - np.exp(-total_rate)


@nb.njit(inline="always", cache=True)
def event_probability(total_rate):
    return 1.0 - np.exp(-total_rate)
