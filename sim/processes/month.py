"""The person-level processes of a month, fused into one pass over the people.

For each person slot, in order: ageing, exit at 65 and death (demography), health, work,
incapacity benefit, disability benefit; then the person is counted into the month's stock
histograms, and a freed slot is noted for the month's entrants and immigrants. Each process lives in its own
module as a one-person ``update``; this kernel only draws each process's uniforms for a
block of slots (a vectorised loop) and calls the updates in order, so a person's fields are
loaded once and their table indices computed once a month.

Slots are split into ``N_CHUNKS`` fixed chunks run in parallel; flows and counts go to
per-chunk arrays summed in chunk order, so results do not depend on the thread count.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim import metrics, states
from sim.hazards import age_band, age_group, who_index
from sim.interventions import ADDITIONAL_JOBS, RELAPSES, age_membership
from sim.processes import N_CHUNKS, demography, disability_benefit, health, incapacity_benefit, work
from sim.random_streams import BLOCK, fill_block
from sim.recorder import count_person

DEMOGRAPHY_STREAM = demography.STREAM
HEALTH_STREAM = health.STREAM
WORK_STREAM = work.STREAM
INCAPACITY_STREAM = incapacity_benefit.STREAM
DISABILITY_STREAM = disability_benefit.STREAM


FREED_OVERFLOW = -1
"""``freed_count`` of a chunk whose freed slots did not fit its buffer (rescan needed)."""


@nb.njit(parallel=True, cache=True)
def run(people, mortality, health_rates, work_rates, incapacity_rates, disability_rates,
        health_effects, work_effects, incapacity_effects, disability_effects, award_rules,
        programme_length, relapse, month, key, flows, programme_flows, status_counts, health_counts,
        freed, freed_count):
    """Run the month's person-level processes for every slot, in place.

    ``programme_flows[chunk, programme, metric, area, band]`` receives additional job
    outcomes and early-return relapses by programme (sim/interventions.py);
    ``freed[c, :freed_count[c]]`` receives the slots freed in chunk ``c`` (in slot order),
    or ``freed_count[c]`` is FREED_OVERFLOW if they did not fit.
    """
    chunk = (people.size + N_CHUNKS - 1) // N_CHUNKS
    for c in nb.prange(N_CHUNKS):
        status_counts[c] = 0.0
        health_counts[c] = 0.0
        programme_flows[c] = 0.0
        freed_count[c] = run_slots(
            people, mortality, health_rates, work_rates, incapacity_rates, disability_rates,
            health_effects, work_effects, incapacity_effects, disability_effects, award_rules,
            programme_length, relapse, month, key, flows[c], programme_flows[c], status_counts[c],
            health_counts[c], freed[c], c * chunk, (c + 1) * chunk)


@nb.njit(cache=True)
def run_slots(people, mortality, health_rates, work_rates, incapacity_rates, disability_rates,
              health_effects, work_effects, incapacity_effects, disability_effects, award_rules,
              programme_length, relapse, month, key, flows, programme_flows, status_counts,
              health_counts, freed, first, stop):
    stop = min(stop, people.size)
    freed_count = 0
    demography_draws = np.empty((demography.DRAWS, BLOCK, 4))
    health_draws = np.empty((health.DRAWS, BLOCK, 4))
    work_draws = np.empty((work.DRAWS, BLOCK, 4))
    incapacity_draws = np.empty((incapacity_benefit.DRAWS, BLOCK, 4))
    disability_draws = np.empty((disability_benefit.DRAWS, BLOCK, 4))
    for block in range(first, stop, BLOCK):
        size = min(stop, block + BLOCK) - block
        fill_block(key, DEMOGRAPHY_STREAM, month, 0, block, demography_draws[0, :size])
        for draw in range(health.DRAWS):
            fill_block(key, HEALTH_STREAM, month, draw, block, health_draws[draw, :size])
        fill_block(key, WORK_STREAM, month, 0, block, work_draws[0, :size])
        fill_block(key, INCAPACITY_STREAM, month, 0, block, incapacity_draws[0, :size])
        fill_block(key, DISABILITY_STREAM, month, 0, block, disability_draws[0, :size])
        for i in range(size):
            person = people[block + i]
            if person.in_population == 0:
                continue
            if not demography.age_and_survive(person, mortality, demography_draws, i, flows):
                if freed_count < freed.size:
                    freed[freed_count] = block + i
                    freed_count += 1
                else:
                    freed_count = freed.size + 1
                continue
            age_index = age_group(person.age_months)
            band_of_age = age_band(age_index)
            who = who_index(person, age_index)
            health.update(person, health_rates, health_effects, who, health_draws, i)
            was_in_work = person.work_state == states.EMPLOYED
            flow, credited, additional, relapsed = work.update(person, work_rates, work_effects, relapse,
                                                               who, work_draws, i)
            if flow >= 0:
                flows[flow, person.area, band_of_age] += person.weight
            if not was_in_work and person.work_state == states.EMPLOYED and person.incapacity_benefit >= states.IB_LCW:
                flows[metrics.INCAPACITY_BENEFIT_RECIPIENTS_INTO_WORK, person.area, band_of_age] += person.weight
            if credited != 0:
                programme_flows[credited, ADDITIONAL_JOBS, person.area, band_of_age] += additional * person.weight
            if relapsed != 0:
                programme_flows[relapsed, RELAPSES, person.area, band_of_age] += person.weight
            flow = incapacity_benefit.update(person, incapacity_rates, incapacity_effects, who,
                                             incapacity_draws, i)
            if flow >= 0:
                flows[flow, person.area, band_of_age] += person.weight
            if disability_benefit.review_due(person, month):
                disability_benefit.review(person, award_rules, month, band_of_age, disability_draws, i, flows)
            else:
                taken, flow = disability_benefit.update(person, disability_rates, disability_effects, who,
                                                        disability_draws, i)
                if flow >= 0:
                    flows[flow, person.area, band_of_age] += person.weight
                if disability_benefit.NEW_AWARD[taken]:
                    disability_benefit.start_award(person, award_rules, month, disability_draws, i)
            age_membership(person, programme_length)
            count_person(person, band_of_age, status_counts, health_counts, 1.0)
    if freed_count > freed.size:
        freed_count = FREED_OVERFLOW
    return freed_count
