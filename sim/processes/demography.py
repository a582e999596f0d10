"""Demography: ageing, exit at 65, deaths, entry at 16 and net migration.

In the month kernel :func:`update` ages each person, removes them at 65, and draws death
from the ONS life table by age group and sex, times hazard ratios for health and
deprivation (renormalised in April 2019 so each age-sex group dies at the life-table rate
on average). At the end of the month the model adds the month's 16-year-olds and, as the
residual that keeps the 16-64 total on the published path, immigrants (or removes emigrants
with :func:`emigrate` when the residual is negative).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim import spec
from sim.core import states
from sim.core.calendar import month_index
from sim.core.encoding import MORTALITY_SHAPE, N_MORTALITY_CELLS, mortality_code
from sim.core.random_streams import BLOCK, LANES, fill_block, stream_id
from sim.engine.chunks import N_CHUNKS, chunk_size
from sim.engine.contract import NO_FLOW, flows_only
from sim.engine.counting import count_person
from sim.engine.hazards import AGE_GROUP_OF_AGE_MONTHS, age_band, age_group, happens, ratio_row
from sim.params.data_files import read_table
from sim.params.models import MortalityRatios

SPEC = spec.PROCESS["demography"]
STREAM = stream_id(SPEC.stream)
DRAWS = SPEC.draws
NORMALISING_CHUNK = 250_000
DEATHS = spec.FLOW["deaths"]
EXITS_AT_65 = spec.FLOW["exits_at_65"]
EMIGRANTS = spec.FLOW["emigrants"]
PIP_ENDS_AT_DEATH = spec.FLOW["disability_benefit_ends_at_death"]
PIP_REACHING_65 = spec.FLOW["disability_benefit_reaching_65"]
AGE_SEX_CELLS = states.N_AGE_GROUPS * states.N_SEXES


def mortality_rates(mortality_file: str) -> np.ndarray:
    """Monthly death rates by age group and sex from annual life-table probabilities."""
    table = read_table(mortality_file, "mortality").set_index("age_group")
    table = table.loc[list(states.AGE_GROUPS)]
    annual = table[["annual_death_probability_female", "annual_death_probability_male"]]
    return -np.log1p(-annual.to_numpy(float)) / 12.0


def mortality(mortality_file: str, ratios: MortalityRatios, people: np.ndarray) -> np.ndarray:
    """Monthly death rates over MORTALITY_SHAPE (age group, sex, deprivation, conditions,
    limiting), flattened.

    Each age-sex group's health ratios are renormalised over the April 2019 population so
    the group dies at the life-table rate on average.
    """
    row = ratio_row(ratios)
    sums = np.zeros(AGE_SEX_CELLS)
    counts = np.zeros(AGE_SEX_CELLS)
    for start in range(0, people.size, NORMALISING_CHUNK):
        chunk = people[start:start + NORMALISING_CHUNK]
        occupied = chunk[chunk["in_population"] == 1]
        cell = AGE_GROUP_OF_AGE_MONTHS[occupied["age_months"]] * states.N_SEXES + occupied["sex"]
        sums += np.bincount(cell, weights=_person_ratios(occupied, row), minlength=AGE_SEX_CELLS)
        counts += np.bincount(cell, minlength=AGE_SEX_CELLS)
    mean = np.where(counts > 0, sums / np.maximum(counts, 1), 1.0).reshape(states.N_AGE_GROUPS, states.N_SEXES)
    base = mortality_rates(mortality_file) / mean  # [age group, sex]
    deprivation = row[states.COL_DEPRIVATION:states.COL_DEPRIVATION + states.N_QUINTILES]
    health = np.ones((states.CONDITION_SETS, states.N_LIMITING))
    for conditions in range(states.CONDITION_SETS):
        for bit in range(len(states.CONDITIONS)):
            if conditions >> bit & 1:
                health[conditions] *= row[states.COL_CONDITIONS + bit]
    health *= row[states.COL_LIMITING:states.COL_LIMITING + states.N_LIMITING][None, :]
    table = base[:, :, None, None, None] * deprivation[None, None, :, None, None] * health[None, None, None]
    assert table.shape == MORTALITY_SHAPE
    return table.reshape(N_MORTALITY_CELLS)


def _person_ratios(people: np.ndarray, row: np.ndarray) -> np.ndarray:
    ratio = np.ones(people.size)
    for bit in range(len(states.CONDITIONS)):
        ratio *= np.where((people["conditions"] >> bit) & 1, row[states.COL_CONDITIONS + bit], 1.0)
    ratio *= row[states.COL_LIMITING + people["limiting"]]
    ratio *= row[states.COL_DEPRIVATION + people["deprivation"]]
    return ratio


@nb.njit(inline="always", cache=True)
def update(person, rates, effects, rules, who, draws, i, month):
    """Age one person a month; they leave (``in_population`` 0, their slot freed) when they
    reach 65 or die (the contract: sim/engine/contract.py). ``rates``: monthly death rates
    over MORTALITY_SHAPE; ``effects``, ``rules`` and ``who`` are not used."""
    age = person.age_months + 1
    flow = NO_FLOW
    pip_flow = NO_FLOW
    on_pip = person.disability_benefit >= states.DB_STANDARD
    if age >= states.EXIT_AGE_MONTHS:
        flow = EXITS_AT_65
        if on_pip:
            pip_flow = PIP_REACHING_65
    else:
        person.age_months = age
        cell = mortality_code(age_group(age), person.sex, person.deprivation, person.conditions, person.limiting)
        if happens(draws[0, i, 0], rates[cell]):
            flow = DEATHS
            if on_pip:
                pip_flow = PIP_ENDS_AT_DEATH
    if flow != NO_FLOW:
        person.in_population = 0
    return flows_only(flow, pip_flow)


@nb.njit(parallel=True, cache=True)
def emigrate(people, probability, month, key, flows, status_counts, health_counts, entitlement_counts):
    """Remove each person with the same small probability (months of net emigration).

    Uses the second uniform of the demography stream (the first decides deaths), and takes
    the emigrants out of the month's stock histograms.
    """
    chunk = chunk_size(people.size)
    for c in nb.prange(N_CHUNKS):
        emigrate_slots(people, probability, month, key, flows[c], status_counts[c],
                       health_counts[c], entitlement_counts[c], c * chunk, (c + 1) * chunk)


@nb.njit(cache=True)
def emigrate_slots(people, probability, month, key, flows, status_counts, health_counts, entitlement_counts,
                   first, stop):
    stop = min(stop, people.size)
    draws = np.empty((DRAWS, BLOCK, LANES))
    for block in range(first, stop, BLOCK):
        size = min(stop, block + BLOCK) - block
        fill_block(key, STREAM, month, 0, block, draws[0])
        for i in range(size):
            person = people[block + i]
            if person.in_population == 1 and draws[0, i, 1] < probability:
                band = age_band(age_group(person.age_months))
                count_person(person, band, status_counts, health_counts, entitlement_counts, -1.0)
                person.in_population = 0
                flows[EMIGRANTS, person.area, band] += person.weight


def population_path(path_file: str, start: str, months: int) -> np.ndarray:
    """People aged 16-64 in E&W at the end of each simulated month (linear between anchors).

    Index m is the target after month m has been simulated, i.e. at the start of month m+1.
    """
    table = read_table(path_file, "population_path")
    anchor_month = np.array([month_index(m, start) for m in table["month"]], dtype=float)
    anchor_people = table["people_16_64"].to_numpy(float)
    return np.interp(np.arange(1, months + 1), anchor_month, anchor_people)
