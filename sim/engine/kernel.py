"""The person-level processes of a month, fused into one pass over the people.

For each occupied slot the kernel draws every process's uniforms for a block of slots (a
vectorised loop), then calls the processes' ``update`` in the registry's order
(sim/spec.py ``PROCESSES``: demography, health, work, incapacity benefit, disability
benefit, programme membership), adds their outcomes (sim/engine/contract.py) to the
month's flows, and counts the person into the month's stock histograms; a slot freed by an
exit or death is noted for the month's entrants and immigrants. A person's fields are
loaded once and their table indices computed once a month. (tests/test_code_health.py
checks that the update calls below follow the registry's order.)

Inputs travel as two named tuples of arrays: ``MonthInputs`` (read-only tables: for every
process of the registry its ``<process>_rates``, ``<process>_effects`` and
``<process>_rules``, an empty array where a process has none) and ``MonthOutputs``
(per-chunk arrays the kernel fills). :func:`run_slots` takes the arrays out of the tuple
once, before the per-person loop, and hands each process plain arrays; numba loses writes
made through a tuple inside a parallel loop, so :func:`run` takes the outputs out of
theirs before its loop. Slots are split into ``N_CHUNKS`` fixed chunks run in parallel;
per-chunk arrays are summed in chunk order, so results do not depend on the thread count.
"""

from __future__ import annotations

from collections import namedtuple

import numba as nb
import numpy as np

from sim import spec
from sim.core.random_streams import BLOCK, LANES, fill_block
from sim.engine.chunks import N_CHUNKS, chunk_size
from sim.core.people import NO_PROGRAMME
from sim.engine.contract import ADDITIONAL_JOBS, NO_FLOW, RELAPSES
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

INPUT_KINDS = ("rates", "effects", "rules")
MonthInputs = namedtuple("MonthInputs", [f"{process.name}_{kind}" for process in spec.PROCESSES for kind in INPUT_KINDS])
"""Per process: ``rates`` (its packed hazard table for the month, sim/engine/hazards.py; the
death rates for demography), ``effects`` (programme hazard ratios [programme, month in
the programme, transition]) and ``rules`` (anything else: PIP award rules, the relapse table,
programme lengths)."""
NO_TABLE = np.zeros(0)
"""The input of a process that has none of that kind."""
MonthOutputs = namedtuple("MonthOutputs", [
    "flows",  # [chunk, flow, area, band]: people
    "programme_flows",  # [chunk, programme, programme metric, area, band]
    "status_counts",  # [chunk, cell, status count code]: people
    "health_counts",  # [chunk, cell, health count code]: people
    "entitlement_counts",  # [chunk, cell, entitlement count code]: people
    "freed",  # int64[chunk, buffer]: slots freed in the chunk, in slot order
    "freed_count",  # int64[chunk]: how many, or FREED_OVERFLOW
])
FREED_OVERFLOW = -1
"""``freed_count`` of a chunk whose freed slots did not fit its buffer (rescan needed)."""
NO_WHO = -1
NOTHING = (np.int64(NO_FLOW), np.int64(NO_FLOW), np.int64(NO_PROGRAMME), np.int64(0), np.int64(NO_PROGRAMME))
"""The outcome of a process that did not run (the person left this month)."""


@nb.njit(parallel=True, cache=True)
def run(people, inputs, month, key, outputs):
    """Run the month's person-level processes for every slot, in place."""
    chunk = chunk_size(people.size)
    flows, programme_flows = outputs.flows, outputs.programme_flows
    status_counts, health_counts = outputs.status_counts, outputs.health_counts
    entitlement_counts = outputs.entitlement_counts
    freed, freed_count = outputs.freed, outputs.freed_count
    for c in nb.prange(N_CHUNKS):
        status_counts[c] = 0.0
        health_counts[c] = 0.0
        entitlement_counts[c] = 0.0
        programme_flows[c] = 0.0
        freed_count[c] = run_slots(people, inputs, month, key, flows[c], programme_flows[c], status_counts[c],
                                   health_counts[c], entitlement_counts[c], freed[c], c * chunk, (c + 1) * chunk)


@nb.njit(inline="always", cache=True)
def fill_draws(key, stream, month, block, size, draws):
    """``draws[draw, i, lane]`` = the process's uniforms for slot ``block + i``, i < size."""
    for draw in range(draws.shape[0]):
        fill_block(key, stream, month, draw, block, draws[draw, :size])


@nb.njit(cache=True)
def run_slots(people, inputs, month, key, flows, programme_flows, status_counts, health_counts, entitlement_counts,
              freed, first, stop):
    stop = min(stop, people.size)
    freed_count = 0
    demography_rates, demography_effects, demography_rules = (
        inputs.demography_rates, inputs.demography_effects, inputs.demography_rules)
    health_rates, health_effects, health_rules = inputs.health_rates, inputs.health_effects, inputs.health_rules
    work_rates, work_effects, work_rules = inputs.work_rates, inputs.work_effects, inputs.work_rules
    incapacity_rates, incapacity_effects, incapacity_rules = (
        inputs.incapacity_benefit_rates, inputs.incapacity_benefit_effects, inputs.incapacity_benefit_rules)
    disability_rates, disability_effects, disability_rules = (
        inputs.disability_benefit_rates, inputs.disability_benefit_effects, inputs.disability_benefit_rules)
    membership_rates, membership_effects, membership_rules = (
        inputs.programme_membership_rates, inputs.programme_membership_effects, inputs.programme_membership_rules)
    demography_draws = np.empty((demography.DRAWS, BLOCK, LANES))
    health_draws = np.empty((health.DRAWS, BLOCK, LANES))
    work_draws = np.empty((work.DRAWS, BLOCK, LANES))
    incapacity_draws = np.empty((incapacity_benefit.DRAWS, BLOCK, LANES))
    disability_draws = np.empty((disability_benefit.DRAWS, BLOCK, LANES))
    no_draws = np.empty((programme_membership.DRAWS, BLOCK, LANES))
    for block in range(first, stop, BLOCK):
        size = min(stop, block + BLOCK) - block
        fill_draws(key, demography.STREAM, month, block, size, demography_draws)
        fill_draws(key, health.STREAM, month, block, size, health_draws)
        fill_draws(key, work.STREAM, month, block, size, work_draws)
        fill_draws(key, incapacity_benefit.STREAM, month, block, size, incapacity_draws)
        fill_draws(key, disability_benefit.STREAM, month, block, size, disability_draws)
        for i in range(size):
            person = people[block + i]
            if person.in_population == 0:
                continue
            left = demography.update(person, demography_rates, demography_effects, demography_rules, NO_WHO,
                                     demography_draws, i, month)
            age_index = age_group(person.age_months)
            band_of_age = age_band(age_index)
            if person.in_population == 0:
                if freed_count < freed.size:
                    freed[freed_count] = block + i
                    freed_count += 1
                else:
                    freed_count = freed.size + 1
                outcomes = (left, NOTHING, NOTHING, NOTHING, NOTHING, NOTHING)
            else:
                who = who_index(person, age_index)
                outcomes = (
                    left,
                    health.update(person, health_rates, health_effects, health_rules, who, health_draws, i, month),
                    work.update(person, work_rates, work_effects, work_rules, who, work_draws, i, month),
                    incapacity_benefit.update(person, incapacity_rates, incapacity_effects, incapacity_rules, who,
                                              incapacity_draws, i, month),
                    disability_benefit.update(person, disability_rates, disability_effects, disability_rules, who,
                                              disability_draws, i, month),
                    programme_membership.update(person, membership_rates, membership_effects, membership_rules, who,
                                                no_draws, i, month),
                )
                count_person(person, band_of_age, status_counts, health_counts, entitlement_counts, 1.0)
            area = person.area
            weight = person.weight
            for flow, second_flow, credited, additional, relapsed in outcomes:
                if flow >= 0:
                    flows[flow, area, band_of_age] += weight
                if second_flow >= 0:
                    flows[second_flow, area, band_of_age] += weight
                if credited != NO_PROGRAMME:
                    programme_flows[credited, ADDITIONAL_JOBS, area, band_of_age] += additional * weight
                if relapsed != NO_PROGRAMME:
                    programme_flows[relapsed, RELAPSES, area, band_of_age] += weight
    if freed_count > freed.size:
        freed_count = FREED_OVERFLOW
    return freed_count
