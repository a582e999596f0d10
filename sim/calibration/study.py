"""The search's Optuna study, shared by processes on one machine or several.

The study lives in ``study.journal`` in the calibration output directory (Optuna's journal
file storage, which works on NFS). The main ``make calibrate`` process and any extra
``calibrate.role=worker`` processes pointed at the same directory take their trials from it.
So that the study ends with exactly ``trials`` complete trials and no trial runs twice,
a process claims its next trial under a lock file beside the journal (``study.claims.lock``):

* a claim is granted while the complete and running trials number fewer than ``trials``;
  otherwise the process waits, since a running trial may still fail and leave a trial to
  do, and stops once ``trials`` are complete;
* a running trial records its process (``host:pid``) and a heartbeat every
  ``HEARTBEAT_SECONDS``; a running trial whose process is gone (seen from its own host) or
  whose heartbeat is older than ``STALE_SECONDS`` (seen from another host) is marked failed
  at the next claim, so a killed worker's trial is run again by another process;
* the study records the main process's trial count, which every process then works to,
  and a fingerprint of what a trial computes (model config, search space, targets, seeds,
  population, fit end); a worker whose fingerprint differs stops with one line rather than
  mix trials of another calibration into the study.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import optuna
from optuna.storages.journal import JournalFileBackend, JournalFileSymlinkLock
from optuna.trial import TrialState

from sim.params.errors import ConfigError

JOURNAL = "study.journal"
CLAIMS = "study.claims"
"""The claim lock is this name plus ``.lock``, beside the journal."""
LOCK_GRACE_SECONDS = 60
"""A claim lock older than this was left by a killed process and is broken (a claim takes
well under a second)."""
HEARTBEAT_SECONDS = 30.0
STALE_SECONDS = 300.0
"""A running trial on another host without a heartbeat for this long is taken as dead:
ten missed heartbeats, with room for clocks a little apart."""
CLAIM_WAIT_SECONDS = 2.0
WORKER = "worker"
HEARTBEAT = "heartbeat"
FINGERPRINT = "fingerprint"
TRIALS = "trials"


def storage(output_dir: Path) -> optuna.storages.JournalStorage:
    output_dir.mkdir(parents=True, exist_ok=True)
    return optuna.storages.JournalStorage(JournalFileBackend(str(output_dir / JOURNAL)))


def identity() -> str:
    """This process, as recorded on the trials it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def trial_fingerprint(raw: dict[str, Any], space: dict[str, tuple[float, float]], target_entries: list[dict],
                      seeds: list[int], population_size: int, fit_end: str) -> str:
    """A hash of everything that decides a trial's loss for given parameter values."""
    text = json.dumps({"model": raw, "space": space, "targets": target_entries, "seeds": seeds,
                       "population_size": population_size, "fit_end": fit_end}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextmanager
def claims_locked(output_dir: Path) -> Iterator[None]:
    """Hold the study's claim lock (shared through the filesystem by every process)."""
    lock = JournalFileSymlinkLock(str(Path(output_dir) / CLAIMS), grace_period=LOCK_GRACE_SECONDS)
    lock.acquire()
    try:
        yield
    finally:
        lock.release()


def complete_trials(study: optuna.Study) -> int:
    return len(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)))


def open_study(study_name: str, output_dir: Path, fingerprint: str, role: str, trials: int,
               warm_starts: list[dict[str, float]]) -> tuple[optuna.Study, int]:
    """Create or load the study; a new study first gets ``warm_starts`` queued. A worker
    checks the study's fingerprint (ConfigError if it differs); the main process records
    its fingerprint and trial count unless the study is already complete, and a worker
    records its own if none is. Returns the study and how many trials were queued."""
    with claims_locked(output_dir):
        study = optuna.create_study(study_name=study_name, storage=storage(output_dir), direction="minimize",
                                    load_if_exists=True)
        recorded = study.user_attrs.get(FINGERPRINT)
        if role == "worker" and recorded is not None and recorded != fingerprint:
            raise ConfigError(mismatch_message(output_dir))
        queued = 0
        if not study.trials:
            for values in warm_starts:
                study.enqueue_trial(values, skip_if_exists=True)
            queued = len(warm_starts)
        if (role == "main" and complete_trials(study) < trials) or recorded is None:
            study.set_user_attr(FINGERPRINT, fingerprint)
            study.set_user_attr(TRIALS, trials)
    return study, queued


def mismatch_message(output_dir: Path) -> str:
    return (f"calibrate.role: 'worker' cannot join the study in {output_dir}: its trials were set up with "
            "other settings (model config, parameters, targets, seeds, population_size or fit_end); "
            "allowed: the same checkout and calibrate.* overrides as the main process")


def trial_budget(study: optuna.Study, default: int) -> int:
    """The trial count the study works to: the main process's ``calibrate.trials``."""
    return int(study.user_attrs.get(TRIALS, default))


def fingerprint_matches(study: optuna.Study, fingerprint: str) -> bool:
    return study.user_attrs.get(FINGERPRINT) in (None, fingerprint)


def claim(study: optuna.Study, output_dir: Path, trials: int, fingerprint: str | None = None,
          on_wait=None) -> optuna.Trial | None:
    """The next trial for this process to run, or None once the study's trial count (``trials``
    if it records none) is complete, or, for a worker passing its ``fingerprint``, once the
    study's fingerprint differs. Blocks while the remaining trials are running in other
    processes; ``on_wait(running)`` is called when it starts waiting."""
    waiting = False
    while True:
        with claims_locked(output_dir):
            if fingerprint is not None and not fingerprint_matches(study, fingerprint):
                return None
            fail_stale_trials(study)
            budget = trial_budget(study, trials)
            complete = complete_trials(study)
            running = len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)))
            if complete >= budget:
                return None
            if complete + running < budget:
                trial = study.ask()
                trial.set_user_attr(WORKER, identity())
                trial.set_user_attr(HEARTBEAT, time.time())
                return trial
        if not waiting and on_wait is not None:
            on_wait(running)
        waiting = True
        time.sleep(CLAIM_WAIT_SECONDS)


def is_stale(trial: optuna.trial.FrozenTrial, now: float, host: str) -> bool:
    """Whether a running trial's process is gone: checked directly on its own host, by its
    heartbeat elsewhere (a trial from before claims were recorded has only its start time)."""
    owner = str(trial.user_attrs.get(WORKER, ""))
    owner_host, _, owner_pid = owner.rpartition(":")
    if owner_host == host and owner_pid.isdigit():
        return not _process_alive(int(owner_pid))
    start = trial.datetime_start.timestamp() if trial.datetime_start else now
    return now - float(trial.user_attrs.get(HEARTBEAT, start)) > STALE_SECONDS


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fail_stale_trials(study: optuna.Study) -> list[int]:
    """Mark the running trials of dead processes failed; returns their numbers."""
    now, host = time.time(), socket.gethostname()
    failed = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if is_stale(trial, now, host):
            try:
                study.tell(trial.number, state=TrialState.FAIL)
            except (RuntimeError, ValueError):  # finished in the meantime
                continue
            failed.append(trial.number)
    return failed


@contextmanager
def heartbeat(trial: optuna.Trial) -> Iterator[None]:
    """Record a heartbeat on ``trial`` every HEARTBEAT_SECONDS while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                trial.set_user_attr(HEARTBEAT, time.time())
            except (RuntimeError, ValueError):  # the trial was failed as stale by another process
                return

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def tell(study: optuna.Study, trial: optuna.Trial, loss: float) -> optuna.trial.FrozenTrial | None:
    """Record a finished trial; None if another process had marked it failed as stale."""
    try:
        return study.tell(trial, loss)
    except (RuntimeError, ValueError):
        return None


def tell_failed(study: optuna.Study, trial: optuna.Trial) -> None:
    try:
        study.tell(trial, state=TrialState.FAIL)
    except (RuntimeError, ValueError):
        pass
