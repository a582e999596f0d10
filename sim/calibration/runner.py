"""Running the model for one set of fitted values: what the search, the fit check and the
decomposition share.

Starting populations are cached per (size, seed): a trial changes hazards, not the April
2019 population, so it is synthesised once per process.
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from sim.model import InactivityModel, seed_key, starting_population
from sim.params.compose import validate
from sim.population import StartingTables


def average_totals(runs: list[pd.DataFrame]) -> pd.DataFrame:
    """Mean of several runs' monthly totals (seeds averaged, as the targets are compared)."""
    return sum(runs) / len(runs) if runs else pd.DataFrame()


def with_values(raw: dict[str, Any], values: dict[str, float], **overrides: Any) -> dict[str, Any]:
    """A copy of the raw model config with ``values`` as its only calibration draw."""
    config = copy.deepcopy(raw)
    config["calibration"] = {**config.get("calibration", {}), "draws": [dict(values)], "draw": 0}
    for dotted, value in overrides.items():
        node = config
        parts = dotted.split("__")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    return config


_CACHE: dict[tuple, Any] = {}


def run_totals(raw: dict[str, Any], values: dict[str, float], seeds: list[int], size: int,
               end: str | None = None) -> pd.DataFrame:
    """Seed-averaged monthly E&W totals for one set of values (starting populations cached)."""
    overrides = {"population__size": size, "panel__size": 0}
    if end is not None:
        overrides["period__end"] = end
    config = validate(with_values(raw, values, **overrides))
    totals = []
    for seed in seeds:
        seeded = config.model_copy(update={"seed": seed})
        key = ("tables", size)
        if key not in _CACHE:
            _CACHE[key] = StartingTables(seeded)
        tables = _CACHE[key]
        people_key = ("people", size, seed)
        if people_key not in _CACHE:
            _CACHE[people_key] = starting_population(seeded, tables, seed_key(seed))
        model = InactivityModel(seeded, initial_people=_CACHE[people_key], tables=tables)
        model.run()
        totals.append(model.recorder.totals(config.period.start))
    return average_totals(totals)
