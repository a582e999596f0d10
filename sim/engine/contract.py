"""The contract every person-level process keeps, written down once.

A process module (sim/processes/<name>.py) declares nothing of its own about itself: its
stream, draws, transitions and fields come from its registry entry (sim/spec.py). It
provides one numba function::

    update(person, rates, effects, rules, who, draws, i, month) -> Outcome

* ``person``: the person's record in the people array; the process writes only the fields
  the registry says it owns;
* ``rates``, ``effects``, ``rules``: the process's read-only tables for the month, from
  :class:`sim.engine.kernel.MonthInputs` (``<process>_rates`` etc.): its packed hazard
  table, its programme hazard ratios and any other table it needs (an empty array where it
  has none);
* ``who``: the person's column of the hazard tables' who-block (sim/core/encoding.py);
* ``draws[draw, i, lane]``: the process's uniforms for this person and month;
* ``month``: the model month.

It returns an ``Outcome``, five integers: ``(flow, second_flow, credited_programme,
additional_jobs, relapse_programme)``. Flows are indices into ``sim.spec.FLOWS`` (``NO_FLOW``
for none); ``credited_programme`` is the programme credited with ``additional_jobs`` (-1, 0
or +1 against the same draw without the programme); ``relapse_programme`` the programme
whose job start ended within the relapse window (0: none). The kernel adds the outcomes to
the month's flows in its own loop body; no process writes a shared array. (Counting in an
inlined function that takes the flow arrays made numba reference-count them for every
person: 8% of the month, measured.)
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim import spec
from sim.core.people import NO_PROGRAMME

NO_FLOW = -1
ADDITIONAL_JOBS = spec.PROGRAMME_METRIC["additional_job_outcomes"]
RELAPSES = spec.PROGRAMME_METRIC["early_return_relapses"]


@nb.njit(inline="always", cache=True)
def outcome(flow, second_flow, credited_programme, additional_jobs, relapse_programme):
    return (np.int64(flow), np.int64(second_flow), np.int64(credited_programme), np.int64(additional_jobs),
            np.int64(relapse_programme))


@nb.njit(inline="always", cache=True)
def flows_only(flow, second_flow):
    """An outcome with flows and no programme result."""
    return outcome(flow, second_flow, NO_PROGRAMME, 0, NO_PROGRAMME)


@nb.njit(inline="always", cache=True)
def nothing():
    """The outcome of a month in which the process counts nothing."""
    return outcome(NO_FLOW, NO_FLOW, NO_PROGRAMME, 0, NO_PROGRAMME)
