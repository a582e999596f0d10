"""With homogeneous hazards the month kernel reproduces the analytic Markov chain.

A population of identical people (no deaths, no one near 65) is run through the real month
kernel with constant work and mental-health hazards; after 24 months the share in each work
state and the mental-health prevalence must match the exact chain within sampling error.
"""

from __future__ import annotations

import numpy as np

from sim import spec
from sim.core import states
from sim.core.encoding import N_CELLS, N_ENTITLEMENT_CODES, N_HEALTH_CODES, N_MORTALITY_CELLS, N_STATUS_CODES
from sim.core.people import allocate
from sim.core.random_streams import run_key
from sim.engine import kernel
from sim.engine.chunks import N_CHUNKS
from sim.engine.hazards import compile_transitions, rate_of_probability
from sim.params.models import Hazard
from sim.policy.programmes import MAX_MONTHS
from sim.processes.disability_benefit import award_rules
from sim.processes.work import RELAPSE_WINDOW

PEOPLE = 100_000
MONTHS = 24
WORK_PROBABILITIES = {
    "employed_to_unemployed": 0.02, "employed_to_long_term_sick": 0.01,
    "employed_to_inactive_other": 0.015, "unemployed_to_employed": 0.20,
    "unemployed_to_long_term_sick": 0.02, "unemployed_to_inactive_other": 0.05,
    "long_term_sick_to_employed": 0.03, "long_term_sick_to_unemployed": 0.01,
    "long_term_sick_to_inactive_other": 0.02, "inactive_other_to_employed": 0.05,
    "inactive_other_to_unemployed": 0.03, "inactive_other_to_long_term_sick": 0.01,
}
MENTAL_HEALTH_ONSET, MENTAL_HEALTH_RECOVERY = 0.03, 0.10


def _table(names, probabilities, months):
    hazards = {name: Hazard(base=probabilities.get(name, 0.0), source="test") for name in names}
    return compile_transitions(hazards, names, months)


def _monthly_matrix() -> np.ndarray:
    """Exact one-month transition matrix of the competing-risks work process."""
    matrix = np.zeros((4, 4))
    for state in range(4):
        out = [transition for transition in spec.PROCESS["work"].transitions if transition.source == state]
        rates = np.array([rate_of_probability(WORK_PROBABILITIES[transition.name]) for transition in out])
        total = rates.sum()
        leave = 1 - np.exp(-total)
        matrix[state, state] = 1 - leave
        for transition, rate in zip(out, rates):
            matrix[state, transition.destination] += leave * rate / total
    return matrix


def _simulate() -> np.ndarray:
    people = allocate(PEOPLE)
    people["in_population"] = 1
    people["age_months"] = 30 * 12
    people["deprivation"] = 2
    people["weight"] = 1.0
    people["work_state"] = states.EMPLOYED
    probabilities = {"health": {"mental_health_onset": MENTAL_HEALTH_ONSET,
                                "mental_health_recovery": MENTAL_HEALTH_RECOVERY},
                     "work": WORK_PROBABILITIES}
    tables_by_process = {name: _table(spec.PROCESS[name].transition_names, probabilities.get(name, {}), MONTHS)
                         for name in spec.HAZARD_PROCESSES}
    review = type("Review", (), dict(same_award=1, higher_award=0, lower_award=0, disallowed=0,
                                       deferral_months=12))
    outputs = kernel.MonthOutputs(
        flows=np.zeros((N_CHUNKS, len(spec.FLOWS), len(states.AREAS), len(states.AGE_BANDS))),
        programme_flows=np.zeros((N_CHUNKS, 1, len(spec.PROGRAMME_METRICS), len(states.AREAS),
                                  len(states.AGE_BANDS))),
        status_counts=np.zeros((N_CHUNKS, N_CELLS, N_STATUS_CODES)),
        health_counts=np.zeros((N_CHUNKS, N_CELLS, N_HEALTH_CODES)),
        entitlement_counts=np.zeros((N_CHUNKS, N_CELLS, N_ENTITLEMENT_CODES)),
        freed=np.zeros((N_CHUNKS, 64), dtype=np.int64),
        freed_count=np.zeros(N_CHUNKS, dtype=np.int64),
    )
    key = run_key(np.random.default_rng(2024))
    for m in range(MONTHS):
        tables = {f"{name}_{kind}": kernel.NO_TABLE for name in spec.PROCESS for kind in kernel.INPUT_KINDS}
        for name, table in tables_by_process.items():
            tables[f"{name}_rates"] = table.for_month(m)
            tables[f"{name}_effects"] = np.ones((1, MAX_MONTHS, len(table.base_rate)))
        tables["demography_rates"] = np.zeros(N_MORTALITY_CELLS)
        tables["work_rules"] = np.ones((1, RELAPSE_WINDOW + 1))
        tables["disability_benefit_rules"] = award_rules([12], [1.0], review)
        tables["programme_membership_rules"] = np.zeros(1, dtype=np.int64)
        inputs = kernel.MonthInputs(**tables)
        kernel.run(people, inputs, m, key, outputs)
    assert people["in_population"].all(), "nobody dies or ages out in this test"
    return people


def test_work_and_health_match_the_markov_chain():
    people = _simulate()
    expected = np.linalg.matrix_power(_monthly_matrix(), MONTHS)[states.EMPLOYED]
    observed = np.bincount(people["work_state"], minlength=4) / PEOPLE
    standard_error = np.sqrt(expected * (1 - expected) / PEOPLE)
    assert np.all(np.abs(observed - expected) < 4 * standard_error), (observed, expected)

    onset, recovery = MENTAL_HEALTH_ONSET, MENTAL_HEALTH_RECOVERY
    steady = onset / (onset + recovery)
    prevalence = steady * (1 - (1 - onset - recovery) ** MONTHS)
    observed_prevalence = np.mean(people["conditions"] & 1)
    assert abs(observed_prevalence - prevalence) < 4 * np.sqrt(prevalence * (1 - prevalence) / PEOPLE)
    assert not np.any(people["conditions"] & 0b1110), "conditions with zero hazards never start"
