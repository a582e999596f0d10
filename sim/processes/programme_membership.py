"""Programme membership: a month in an intervention programme, and leaving it once its
effects are over. People join at the start of a month (sim/policy/programmes.py); this is
the last process of their month, so every other process sees the month they are in.
"""

from __future__ import annotations

import numba as nb

from sim import spec
from sim.core.people import MONTHS_IN_PROGRAMME_CAP, NO_PROGRAMME
from sim.engine.contract import nothing

SPEC = spec.PROCESS["programme_membership"]
DRAWS = SPEC.draws


@nb.njit(inline="always", cache=True)
def update(person, rates, effects, rules, who, draws, i, month):
    """Count a month in the programme; leave it after ``rules[programme]`` months (the
    programme's length; the contract: sim/engine/contract.py; ``rates`` and ``effects`` are
    not used)."""
    programme = person.programme
    months = min(person.months_in_programme + 1, MONTHS_IN_PROGRAMME_CAP)
    over = months >= rules[programme]
    person.programme = NO_PROGRAMME if over else programme
    person.months_in_programme = 0 if over else months
    return nothing()
