"""Demography: ageing, exit at 65, deaths, entry at 16 and net migration.

At the start of each person's month (in the month kernel) :func:`age_and_survive` ages
them, removes them at 65, and draws death from the ONS life table by age group and sex,
times hazard ratios for health and deprivation (renormalised in April 2019 so each
age-sex group dies at the life-table rate on average). At the end of the month the model
adds the month's 16-year-olds and, as the residual that keeps the 16-64 total on the
published path, immigrants (or removes emigrants when the residual is negative).
"""

from __future__ import annotations

import numba as nb
import numpy as np
import pandas as pd

from sim import metrics, states
from sim.config import MortalityRatios, data_path, month_index
from sim.hazards import AGE_GROUP_OF_AGE_MONTHS, age_band, age_group, happens, ratio_row
from sim.processes import N_CHUNKS
from sim.random_streams import BLOCK, fill_block, stream_id
from sim.recorder import count_person

STREAM = stream_id("demography")
NORMALISING_CHUNK = 250_000
DRAWS = 1


def mortality_rates(mortality_file: str) -> np.ndarray:
    """Monthly death rates by age group and sex from annual life-table probabilities."""
    table = pd.read_csv(data_path(mortality_file)).set_index("age_group")
    table = table.loc[list(states.AGE_GROUPS)]
    annual = table[["annual_death_probability_female", "annual_death_probability_male"]]
    return -np.log1p(-annual.to_numpy(float)) / 12.0


def mortality(mortality_file: str, ratios: MortalityRatios, people: np.ndarray) -> np.ndarray:
    """Monthly death rates by [age group, sex, deprivation, conditions, limiting], flattened.

    Each age-sex group's health ratios are renormalised over the April 2019 population so
    the group dies at the life-table rate on average.
    """
    row = ratio_row(ratios)
    sums = np.zeros(20)
    counts = np.zeros(20)
    for start in range(0, people.size, NORMALISING_CHUNK):
        chunk = people[start:start + NORMALISING_CHUNK]
        occupied = chunk[chunk["in_population"] == 1]
        cell = AGE_GROUP_OF_AGE_MONTHS[occupied["age_months"]] * 2 + occupied["sex"]
        sums += np.bincount(cell, weights=_person_ratios(occupied, row), minlength=20)
        counts += np.bincount(cell, minlength=20)
    mean = np.where(counts > 0, sums / np.maximum(counts, 1), 1.0).reshape(10, 2)
    base = mortality_rates(mortality_file) / mean  # [age group, sex]
    deprivation = row[states.COL_DEPRIVATION:states.COL_DEPRIVATION + 5]
    health = np.ones((16, 2))
    for conditions in range(16):
        for bit in range(len(states.CONDITIONS)):
            if conditions >> bit & 1:
                health[conditions] *= row[states.COL_CONDITIONS + bit]
    health *= row[states.COL_LIMITING:states.COL_LIMITING + 2][None, :]
    table = base[:, :, None, None, None] * deprivation[None, None, :, None, None] * health[None, None, None]
    return table.reshape(-1)


def _person_ratios(people: np.ndarray, row: np.ndarray) -> np.ndarray:
    ratio = np.ones(people.size)
    for bit in range(len(states.CONDITIONS)):
        ratio *= np.where((people["conditions"] >> bit) & 1, row[states.COL_CONDITIONS + bit], 1.0)
    ratio *= row[states.COL_LIMITING + people["limiting"]]
    ratio *= row[states.COL_DEPRIVATION + people["deprivation"]]
    return ratio


@nb.njit(inline="always", cache=True)
def age_and_survive(person, mortality, draws, i, flows):
    """Age one person a month; False if they reach 65 or die (the slot is then freed)."""
    age = person.age_months + 1
    alive = True
    if age >= states.EXIT_AGE_MONTHS:
        alive = False
        flows[metrics.EXITS_AT_65, person.area, 3] += person.weight
    else:
        person.age_months = age
        age_index = age_group(age)
        cell = (((age_index * 2 + person.sex) * 5 + person.deprivation) * 16
                + person.conditions) * 2 + person.limiting
        if happens(draws[0, i, 0], mortality[cell]):
            alive = False
            flows[metrics.DEATHS, person.area, age_band(age_index)] += person.weight
    if not alive:
        person.in_population = 0
    return alive


@nb.njit(parallel=True, cache=True)
def emigrate(people, probability, month, key, flows, status_counts, health_counts):
    """Remove each person with the same small probability (months of net emigration).

    Uses the second uniform of the demography stream (the first decides deaths), and takes
    the emigrants out of the month's stock histograms.
    """
    chunk = (people.size + N_CHUNKS - 1) // N_CHUNKS
    for c in nb.prange(N_CHUNKS):
        emigrate_slots(people, probability, month, key, flows[c], status_counts[c],
                       health_counts[c], c * chunk, (c + 1) * chunk)


@nb.njit(cache=True)
def emigrate_slots(people, probability, month, key, flows, status_counts, health_counts, first, stop):
    stop = min(stop, people.size)
    draws = np.empty((BLOCK, 4))
    for block in range(first, stop, BLOCK):
        size = min(stop, block + BLOCK) - block
        fill_block(key, STREAM, month, 0, block, draws[:size])
        for i in range(size):
            person = people[block + i]
            if person.in_population == 1 and draws[i, 1] < probability:
                band = age_band(age_group(person.age_months))
                count_person(person, band, status_counts, health_counts, -1.0)
                person.in_population = 0
                flows[metrics.EMIGRANTS, person.area, band] += person.weight


def population_path(path_file: str, start: str, months: int) -> np.ndarray:
    """People aged 16-64 in E&W at the end of each simulated month (linear between anchors).

    Index m is the target after month m has been simulated, i.e. at the start of month m+1.
    """
    table = pd.read_csv(data_path(path_file))
    anchor_month = np.array([month_index(m, start) for m in table["month"]], dtype=float)
    anchor_people = table["people_16_64"].to_numpy(float)
    return np.interp(np.arange(1, months + 1), anchor_month, anchor_people)


def stochastic_round(value: float, u: float) -> int:
    """floor(value) + 1 with probability frac(value): unbiased integer counts of agents."""
    whole = int(np.floor(value))
    return whole + (1 if u < value - whole else 0)
