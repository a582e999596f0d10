"""The person-level processes of a month, fused into one pass over the people.

For each occupied slot the kernel draws every process's uniforms for a block of slots (a
vectorised loop), then calls the processes' ``update`` in the registry's order
(sim/spec.py ``PROCESSES``: demography, health, work, incapacity benefit, disability
benefit, programme membership), counts each outcome (sim/engine/contract.py), and counts
the person into the month's stock histograms; a slot freed by an exit or death is noted
for the month's entrants and immigrants. A person's fields are loaded once and their table
indices computed once a month. (tests/test_code_health.py checks that the update calls
below follow the registry's order.)

Inputs travel as two named tuples of arrays: ``MonthInputs`` (read-only tables, with a
``<process>_rates`` and a ``<process>_effects`` field for every process with a hazard table
in the registry) and ``MonthOutputs`` (per-chunk arrays the kernel fills). (numba passes
flat named tuples of arrays into parallel loops, but loses writes made through them there,
so :func:`run` takes the output arrays out of their tuple before its loop.) Slots are split into ``N_CHUNKS`` fixed chunks run in parallel;
per-chunk arrays are summed in chunk order, so results do not depend on the thread count.
"""

from __future__ import annotations

from collections import namedtuple

import numba as nb
import numpy as np

from sim import spec
from sim.core.random_streams import BLOCK, LANES, fill_block
from sim.engine.chunks import N_CHUNKS, chunk_size
from sim.engine.contract import count_outcome
from sim.engine.counting import count_person
from sim.engine.hazards import age_band, age_group, who_index
from sim.processes import (
    demography,
    disability_benefit,
    health,
    incapacity_benefit,
    programme_membership,
    work,
)

MonthInputs = namedtuple("MonthInputs", [
    "mortality",  # float64[N_MORTALITY_CELLS]: monthly death rates (demography)
    *(f"{name}_rates" for name in spec.HAZARD_PROCESSES),  # packed hazard table for the month (engine/hazards.py)
    *(f"{name}_effects" for name in spec.HAZARD_PROCESSES),  # programme hazard ratios [programme, row, month in it]
    "award_rules",  # PIP award lengths and review outcomes (disability_benefit.award_rules)
    "programme_length",  # int64[programmes + 1]: months a programme's effects last
    "relapse",  # float64[programmes + 1, RELAPSE_WINDOW + 1]: hazard ratio of leaving a programme job
])
MonthOutputs = namedtuple("MonthOutputs", [
    "flows",  # [chunk, flow, area, band]: people
    "programme_flows",  # [chunk, programme, programme metric, area, band]
    "status_counts",  # [chunk, cell, status count code]: people
    "health_counts",  # [chunk, cell, health count code]: people
    "freed",  # int64[chunk, buffer]: slots freed in the chunk, in slot order
    "freed_count",  # int64[chunk]: how many, or FREED_OVERFLOW
])
FREED_OVERFLOW = -1
"""``freed_count`` of a chunk whose freed slots did not fit its buffer (rescan needed)."""
NO_WHO = -1


@nb.njit(parallel=True, cache=True)
def run(people, inputs, month, key, outputs):
    """Run the month's person-level processes for every slot, in place."""
    chunk = chunk_size(people.size)
    flows, programme_flows = outputs.flows, outputs.programme_flows
    status_counts, health_counts = outputs.status_counts, outputs.health_counts
    freed, freed_count = outputs.freed, outputs.freed_count
    for c in nb.prange(N_CHUNKS):
        status_counts[c] = 0.0
        health_counts[c] = 0.0
        programme_flows[c] = 0.0
        freed_count[c] = run_slots(people, inputs, month, key, flows[c], programme_flows[c], status_counts[c],
                                   health_counts[c], freed[c], c * chunk, (c + 1) * chunk)


@nb.njit(inline="always", cache=True)
def fill_draws(key, stream, month, block, draws):
    """``draws[draw, lane, i]`` = the process's uniforms for slot ``block + i`` (a whole block,
    contiguous, even where fewer slots are left: the extra numbers are never read)."""
    for draw in range(draws.shape[0]):
        fill_block(key, stream, month, draw, block, draws[draw])


@nb.njit(cache=True)
def run_slots(people, inputs, month, key, flows, programme_flows, status_counts, health_counts, freed, first, stop):
    stop = min(stop, people.size)
    freed_count = 0
    demography_draws = np.empty((demography.DRAWS, LANES, BLOCK))
    health_draws = np.empty((health.DRAWS, LANES, BLOCK))
    work_draws = np.empty((work.DRAWS, LANES, BLOCK))
    incapacity_draws = np.empty((incapacity_benefit.DRAWS, LANES, BLOCK))
    disability_draws = np.empty((disability_benefit.DRAWS, LANES, BLOCK))
    no_draws = np.empty((programme_membership.DRAWS, LANES, BLOCK))
    for block in range(first, stop, BLOCK):
        size = min(stop, block + BLOCK) - block
        fill_draws(key, demography.STREAM, month, block, demography_draws)
        fill_draws(key, health.STREAM, month, block, health_draws)
        fill_draws(key, work.STREAM, month, block, work_draws)
        fill_draws(key, incapacity_benefit.STREAM, month, block, incapacity_draws)
        fill_draws(key, disability_benefit.STREAM, month, block, disability_draws)
        for i in range(size):
            person = people[block + i]
            if person.in_population == 0:
                continue
            result = demography.update(person, inputs, NO_WHO, demography_draws, i, month)
            band_of_age = age_band(age_group(person.age_months))
            count_outcome(result, person, band_of_age, flows, programme_flows)
            if person.in_population == 0:
                if freed_count < freed.size:
                    freed[freed_count] = block + i
                    freed_count += 1
                else:
                    freed_count = freed.size + 1
                continue
            who = who_index(person, age_group(person.age_months))
            count_outcome(health.update(person, inputs, who, health_draws, i, month),
                          person, band_of_age, flows, programme_flows)
            count_outcome(work.update(person, inputs, who, work_draws, i, month),
                          person, band_of_age, flows, programme_flows)
            count_outcome(incapacity_benefit.update(person, inputs, who, incapacity_draws, i, month),
                          person, band_of_age, flows, programme_flows)
            count_outcome(disability_benefit.update(person, inputs, who, disability_draws, i, month),
                          person, band_of_age, flows, programme_flows)
            count_outcome(programme_membership.update(person, inputs, who, no_draws, i, month),
                          person, band_of_age, flows, programme_flows)
            count_person(person, band_of_age, status_counts, health_counts, 1.0)
    if freed_count > freed.size:
        freed_count = FREED_OVERFLOW
    return freed_count
