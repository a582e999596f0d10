"""Person agents: Mesa views on the sampled panel of person slots.

The monthly step never touches these objects (it works on the people arrays); they exist
so that Mesa's DataCollector can record the monthly states of a panel of people and a
researcher can follow individual pathways and durations in ``panel.parquet``.
"""

from __future__ import annotations

import mesa

PANEL_FIELDS: tuple[str, ...] = (
    "age_months",
    "sex",
    "area",
    "deprivation",
    "conditions",
    "limiting",
    "work_state",
    "months_in_work_state",
    "incapacity_benefit",
    "months_in_incapacity_state",
    "disability_benefit",
    "award_end_month",
    "programme",
)


class Person(mesa.Agent):
    """One person in the panel; attributes read the model's arrays at ``slot``."""

    def __init__(self, model: mesa.Model, slot: int):
        super().__init__(model)
        self.slot = slot


def _reader(field: str) -> property:
    def read(person: Person) -> int:
        return int(person.model.people[field][person.slot])

    read.__doc__ = f"The person's current {field.replace('_', ' ')} (integer code, see sim.core.states)."
    return property(read)


for _field in PANEL_FIELDS:
    setattr(Person, _field, _reader(_field))

REPORTERS: dict[str, str] = {"slot": "slot", **{field: field for field in PANEL_FIELDS}}
