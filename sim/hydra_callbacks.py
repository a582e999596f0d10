"""Hydra callbacks for sweeps: compile kernels before workers start; consolidate at the end.

Registered in configs/config.yaml under ``hydra.callbacks``. (Configs are validated by
``sim.cli.entry`` before Hydra starts, so nothing here needs to.)
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

log = logging.getLogger("sim")


class WarmUpKernels(Callback):
    """Compile (or load from cache) the numba kernels once before parallel jobs start,
    so the workers of a fresh checkout do not all compile them at the same time.

    The tiny model is built from the sweep's own composed config: composing again here
    would initialise Hydra a second time inside Hydra ('GlobalHydra is already initialized')."""

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        from omegaconf import OmegaConf

        from sim.config import validate
        from sim.model import InactivityModel

        raw = OmegaConf.to_container(config, resolve=False)
        raw.pop("hydra", None)
        tiny = OmegaConf.merge(OmegaConf.create(raw), {"population": {"size": 1000}, "panel": {"size": 0},
                                                       "period": {"start": "2019-04", "end": "2019-05"}})
        InactivityModel(validate(tiny)).run()


class ConsolidateSweep(Callback):
    """When a sweep ends, write ``sweep.parquet`` (every complete run's metrics in one table)
    and bring its results store up to date (every complete run once, see sim/store.py)."""

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        from sim import store
        from sim.results import consolidate_sweep

        sweep_dir = Path(config.hydra.sweep.dir)
        written = consolidate_sweep(sweep_dir)
        if written:
            log.info("sweep table: %s", written)
        stored = store.synchronise(sweep_dir)
        if stored:
            log.info("results store: %s (%d runs)", store.store_dir(sweep_dir), len(stored))
