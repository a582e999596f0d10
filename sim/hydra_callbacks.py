"""Hydra callbacks for sweeps: compile kernels before workers start; consolidate at the end.

Registered in configs/config.yaml under ``hydra.callbacks``. (Configs are validated by
``sim.cli.entry`` before Hydra starts, so nothing here needs to.)
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
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


SWEEP_JOBS_VARIABLE = "SIM_SWEEP_JOBS"
"""Set by ``sim.cli.entry`` to the number of jobs it validated, for the progress display."""


def count_finished(sweep_dir: Path, complete: set[str] | None = None) -> tuple[int, int]:
    """(complete, failed) run directories directly under ``sweep_dir``: a run is complete when
    its manifest says so, failed when it holds the marker sim.cli writes on an error.
    ``complete``, kept between calls, holds the names already found complete, whose
    manifests are not read again (a watcher polls a 1,000-run sweep every second)."""
    from sim.results import COMPLETE, FAILED, read_manifest

    complete = set() if complete is None else complete
    failed = 0
    try:
        entries = list(os.scandir(sweep_dir))
    except FileNotFoundError:
        return len(complete), 0
    for entry in entries:
        if entry.name in complete or not entry.is_dir() or entry.name.startswith("."):
            continue
        manifest = read_manifest(Path(entry.path))
        if manifest and manifest.get("status") == COMPLETE:
            complete.add(entry.name)
        elif os.path.exists(os.path.join(entry.path, FAILED)):
            failed += 1
    return len(complete), failed


class SweepProgress(Callback):
    """One progress display for a whole sweep (runs done, failed, time left), drawn by the
    launching process from the run directories as they appear, whatever launcher runs them.
    Off a terminal it prints a line at most every ``QUIET_SECONDS``."""

    POLL_SECONDS = 1.0
    QUIET_SECONDS = 30.0

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __getstate__(self) -> dict:
        """Launchers pickle the callbacks into every job; the watcher stays in the launching process."""
        return {}

    def __setstate__(self, state: dict) -> None:
        self.__init__()

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        total = int(os.environ.get(SWEEP_JOBS_VARIABLE, "0") or 0)
        if total <= 0:
            return
        sweep_dir = Path(config.hydra.sweep.dir)
        self._thread = threading.Thread(target=self._watch, args=(sweep_dir, total), daemon=True)
        self._thread.start()

    def _watch(self, sweep_dir: Path, total: int) -> None:
        terminal = sys.stderr.isatty()
        self._complete: set[str] = set()
        complete, failed = count_finished(sweep_dir, self._complete)
        print(f"sweep: {total} runs, {complete} already complete", file=sys.stderr, flush=True)
        if terminal:
            self._watch_bar(sweep_dir, total, complete, failed)
            return
        started, first, last_line = time.monotonic(), complete, 0.0
        while True:
            stopping = self._stop.wait(self.POLL_SECONDS)
            complete, failed = count_finished(sweep_dir, self._complete)
            now = time.monotonic()
            if stopping or now - last_line >= self.QUIET_SECONDS:
                rate = (complete - first) / max(now - started, 1e-9)
                left = f", about {(total - complete - failed) / rate:,.0f} s left" if rate > 0 and complete < total else ""
                print(f"sweep: {complete} of {total} runs done, {failed} failed{left}", file=sys.stderr, flush=True)
                last_line = now
            if stopping:
                return

    def _watch_bar(self, sweep_dir: Path, total: int, complete: int, failed: int) -> None:
        from tqdm import tqdm

        with tqdm(total=total, initial=complete, unit="run", desc="sweep", dynamic_ncols=True,
                  file=sys.stderr) as bar:
            bar.set_postfix(failed=failed, refresh=False)
            while True:
                stopping = self._stop.wait(self.POLL_SECONDS)
                now_complete, now_failed = count_finished(sweep_dir, self._complete)
                if now_complete != complete or now_failed != failed:
                    bar.set_postfix(failed=now_failed, refresh=False)
                    bar.update(now_complete - complete)
                    complete, failed = now_complete, now_failed
                if stopping:
                    return

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=30)
            self._thread = None
