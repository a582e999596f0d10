"""Competing risks out of a state: the tables and the draw shared by the processes.

A process that is a ladder of states (each transition has a source and a destination in
the registry, sim/spec.py) gets three small tables from :func:`out_tables`: the
hazard-table rows out of each state (missing ones point at the table's final row of zeros,
so the kernel never branches on them), each row's destination state and each row's flow
(``NO_FLOW`` for none).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim import spec
from sim.engine.contract import NO_FLOW
from sim.engine.hazards import event_probability, happens, health_index, rate, status_index

MAX_COMPETING = 3
"""Transitions out of any one state (the kernel evaluates exactly this many rates)."""


def out_tables(process: spec.Process, states: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows out of each state, destination of each row, flow of each row), in the order the
    registry declares the process's transitions. The extra last row (index
    ``len(transitions)``) is 'no transition'."""
    transitions = process.transitions
    empty = len(transitions)
    rows_out = np.full((states, MAX_COMPETING), empty, dtype=np.int64)
    filled = np.zeros(states, dtype=np.int64)
    for transition in transitions:
        if not transition.competing:
            continue
        if filled[transition.source] == MAX_COMPETING:
            raise ValueError(f"{transition.key}: state {transition.source} already has {MAX_COMPETING} "
                             "competing transitions; allowed: at most that many out of a state")
        rows_out[transition.source, filled[transition.source]] = transition.row
        filled[transition.source] += 1
    destinations = np.array([t.destination for t in transitions] + [0], dtype=np.uint8)
    flows = np.array([spec.FLOW[t.flow] if t.flow else NO_FLOW for t in transitions] + [NO_FLOW], dtype=np.int64)
    return rows_out, destinations, flows


@nb.njit(inline="always", cache=True)
def pick(u, row0, row1, row2, rate0, rate1, rate2):
    """The row a uniform ``u`` picks among three competing monthly rates, or -1 for none."""
    total = rate0 + rate1 + rate2
    if not happens(u, total):
        return -1
    x = u / event_probability(total) * total
    if x < rate0:
        return row0
    return row1 if x < rate0 + rate1 else row2


@nb.njit(inline="always", cache=True)
def rates_out(rates, effects, rows_out, state, person, who, months_in_state):
    """The rows out of ``state`` and their monthly rates for ``person`` (with any programme's
    hazard ratios): ``(row0, row1, row2, rate0, rate1, rate2)``."""
    health = health_index(person)
    status = status_index(person)
    programme = person.programme
    in_programme = person.months_in_programme
    row0 = rows_out[state, 0]
    row1 = rows_out[state, 1]
    row2 = rows_out[state, 2]
    rate0 = rate(rates, row0, who, health, status, months_in_state) * effects[programme, in_programme, row0]
    rate1 = rate(rates, row1, who, health, status, months_in_state) * effects[programme, in_programme, row1]
    rate2 = rate(rates, row2, who, health, status, months_in_state) * effects[programme, in_programme, row2]
    return row0, row1, row2, rate0, rate1, rate2
