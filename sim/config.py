"""Load a run's configuration: the short entry point for notebooks, scripts and tests.

    from sim.config import load
    config = load(["scenario=announced_2025", "population.size=100000"])

The parts live in sim/params/ (models, schema, data files, composing with Hydra); this
module only gathers what a user calls.
"""

from __future__ import annotations

from sim.params.compose import CONFIG_DIR, compose, load, validate
from sim.params.data_files import DATA_DIR, data_path
from sim.params.errors import ConfigError, DataFileError
from sim.params.schema import RunConfig

__all__ = ["CONFIG_DIR", "DATA_DIR", "ConfigError", "DataFileError", "RunConfig", "compose", "data_path", "load",
           "validate"]
