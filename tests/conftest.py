"""Shared fixtures: small models run once per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.config import load
from sim.model import InactivityModel

REPO = Path(__file__).resolve().parent.parent
SMALL = ["population.size=20000", "panel.size=300", "period.end=2021-03"]


def run_model(overrides: list[str]) -> InactivityModel:
    model = InactivityModel(load(overrides))
    model.run()
    return model


@pytest.fixture(scope="session")
def small_model() -> InactivityModel:
    """24 months, 20,000 people, seed 0."""
    return run_model(SMALL)


@pytest.fixture(scope="session")
def small_metrics(small_model: InactivityModel) -> pd.DataFrame:
    return small_model.metrics_table()


def totals(metrics: pd.DataFrame) -> pd.DataFrame:
    """England & Wales totals: one row per month, one column per metric."""
    total = metrics[(metrics["area"] == "all") & (metrics["age_band"] == "all") & (metrics["programme"] == "all")]
    return total.pivot(index="month", columns="metric", values="value")


def run_sweep(sweep_dir: Path, jobs: list[list[str]]) -> Path:
    """A sweep directory as ``python -m sim -m ...`` writes it, built in this process (each job
    through the command line's own ``run``, then the end-of-sweep callback): run directories,
    the results store and ``sweep.parquet``."""
    from omegaconf import OmegaConf

    from sim import cli
    from sim.config import compose, validate
    from sim.hydra_callbacks import ConsolidateSweep

    for job in jobs:
        config = compose(job)
        container = OmegaConf.to_container(config, resolve=True)
        container.pop("hydra", None)
        cli.run(validate(config), container, Path(sweep_dir) / ",".join(job), Path(sweep_dir))
    ConsolidateSweep().on_multirun_end(OmegaConf.create({"hydra": {"sweep": {"dir": str(sweep_dir)}}}))
    return Path(sweep_dir)


def run_cli(*arguments: str, cwd: Path | None = None, warnings: str = "ignore") -> subprocess.CompletedProcess:
    """``python -m sim ARGS`` in a subprocess (as a user would run it); ``warnings`` is the
    PYTHONWARNINGS filter (Hydra reports a failing callback only as a warning)."""
    environment = dict(os.environ, PYTHONWARNINGS=warnings)
    return subprocess.run([sys.executable, "-m", "sim", *arguments], capture_output=True, text=True,
                          cwd=cwd or REPO, env=environment, timeout=600)
