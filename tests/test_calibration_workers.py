"""Calibration search trials shared by several processes through one journal file, as
machines sharing a filesystem would (calibrate.role=worker, sim/calibration/study.py)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from sim.calibration import study as shared_study
from tests.conftest import REPO
from tests.test_calibration import STUDY, _tiny_settings

TRIALS = 8
PROCESS_TIMEOUT_SECONDS = 600


def _calibration(out: Path, role: str) -> list[str]:
    _, overrides = _tiny_settings(out)
    overrides = [override for override in overrides if not override.startswith("calibrate.trials=")]
    return [sys.executable, "-m", "sim.calibration", f"calibrate.role={role}", "calibrate.workers=1",
            f"calibrate.trials={TRIALS}", *overrides]


def _load(out: Path) -> optuna.Study:
    return optuna.load_study(study_name=STUDY, storage=shared_study.storage(out))


def _kill_group(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)


def test_a_main_process_and_two_workers_share_the_study_and_run_each_trial_once(tmp_path):
    """The test holds the claim lock until all three processes are up, so all three take
    trials (otherwise the first to start could take them all)."""
    logs = {role: tmp_path / f"{role}.log" for role in ("main", "worker_1", "worker_2")}
    processes: dict[str, subprocess.Popen] = {}
    try:
        with shared_study.claims_locked(tmp_path):
            for name, log in logs.items():
                with log.open("w") as output:
                    processes[name] = subprocess.Popen(
                        _calibration(tmp_path, "main" if name == "main" else "worker"), cwd=REPO,
                        stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
            deadline = time.monotonic() + 120
            while not all("calibrating" in log.read_text() for log in logs.values()):
                assert all(process.poll() is None for process in processes.values()), \
                    {name: log.read_text()[-2000:] for name, log in logs.items()}
                assert time.monotonic() < deadline, "the processes did not start in time"
                time.sleep(0.1)
        for name, process in processes.items():
            assert process.wait(timeout=PROCESS_TIMEOUT_SECONDS) == 0, logs[name].read_text()[-3000:]
    finally:
        for process in processes.values():
            _kill_group(process)

    study = _load(tmp_path)
    complete = study.get_trials(states=(TrialState.COMPLETE,))
    assert len(complete) == TRIALS, "exactly the trials asked for, however many processes share them"
    assert not study.get_trials(states=(TrialState.RUNNING, TrialState.FAIL))
    numbers = [trial.number for trial in complete]
    assert len(set(numbers)) == len(numbers)
    assert len({tuple(sorted(trial.params.items())) for trial in complete}) == TRIALS, "no parameter set twice"
    owners = {int(trial.user_attrs[shared_study.WORKER].rpartition(":")[2]) for trial in complete}
    assert {processes["worker_1"].pid, processes["worker_2"].pid} <= owners, "both workers took trials"
    assert processes["main"].pid in owners
    journal = [json.loads(line) for line in (tmp_path / shared_study.JOURNAL).read_text().splitlines()]
    running = [entry for entry in journal if entry.get("state") == TrialState.RUNNING.value]
    started = [entry["trial_id"] for entry in running if "trial_id" in entry]  # queued trials taken
    created = [entry for entry in running if "trial_id" not in entry]  # trials made running by ask()
    assert len(started) == len(set(started)), "no queued trial was taken by two processes"
    assert len(started) + len(created) == TRIALS, "each trial was started once"

    main_log = logs["main"].read_text()
    assert (tmp_path / "fit_report.md").stat().st_size > 0, "the main process went on to the waves and the report"
    assert len(list((tmp_path / "waves" / "wave_1").glob("point_*.json"))) == 4
    for worker in ("worker_1", "worker_2"):
        assert "the main process (calibrate.role=main) runs the waves" in logs[worker].read_text()
    assert "fit_report" not in logs["worker_1"].read_text() + logs["worker_2"].read_text()
    assert "posterior:" in main_log


def test_a_worker_with_other_settings_stops_with_one_line_and_adds_no_trial(tmp_path):
    study, _ = shared_study.open_study(STUDY, tmp_path, "another calibration", "main", TRIALS, [])
    result = subprocess.run(_calibration(tmp_path, "worker"), cwd=REPO, capture_output=True, text=True,
                            timeout=PROCESS_TIMEOUT_SECONDS)
    assert result.returncode == 2, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: calibrate.role: 'worker' cannot join"), lines
    assert _load(tmp_path).trials == []


def test_a_bad_role_stops_with_one_line(tmp_path):
    command = _calibration(tmp_path, "boss")
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_SECONDS)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: calibrate.role: 'boss' is not allowed; allowed: 'main' or 'worker'"
    assert not (tmp_path / shared_study.JOURNAL).exists()


def _new_study(out: Path) -> optuna.Study:
    study, _ = shared_study.open_study(STUDY, out, "fingerprint", "main", 1, [])
    return study


def _running_trial(study: optuna.Study, owner: str, heartbeat: float) -> optuna.Trial:
    trial = study.ask()
    trial.suggest_float("x", 0.0, 1.0)
    trial.set_user_attr(shared_study.WORKER, owner)
    trial.set_user_attr(shared_study.HEARTBEAT, heartbeat)
    return trial


def _dead_pid() -> int:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


def test_a_dead_process_s_trial_is_failed_and_claimed_again(tmp_path):
    study = _new_study(tmp_path)
    dead = _running_trial(study, f"{socket.gethostname()}:{_dead_pid()}", time.time())
    claimed = shared_study.claim(study, tmp_path, trials=1)
    assert claimed is not None and claimed.number == dead.number + 1
    assert study.trials[dead.number].state == TrialState.FAIL


def test_a_trial_elsewhere_counts_until_its_heartbeat_is_stale(tmp_path):
    study = _new_study(tmp_path)
    now = time.time()
    alive = _running_trial(study, "another-host:1", now)
    silent = _running_trial(study, "another-host:2", now - shared_study.STALE_SECONDS - 1)
    assert shared_study.fail_stale_trials(study) == [silent.number]
    assert study.trials[alive.number].state == TrialState.RUNNING


@pytest.mark.parametrize("outcome", [TrialState.COMPLETE, TrialState.FAIL])
def test_a_claim_waits_for_the_last_trial_running_elsewhere(tmp_path, monkeypatch, outcome):
    """While the last trial runs in another process a claim waits; if that trial completes
    there is nothing left to do, if it fails the claim gets a trial to run instead."""
    monkeypatch.setattr(shared_study, "CLAIM_WAIT_SECONDS", 0.05)
    study = _new_study(tmp_path)
    elsewhere = _running_trial(study, "another-host:1", time.time())
    waited = []

    def finish() -> None:
        time.sleep(0.5)
        study.tell(elsewhere, 1.0) if outcome == TrialState.COMPLETE else study.tell(elsewhere, state=outcome)

    finisher = threading.Thread(target=finish)
    finisher.start()
    started = time.monotonic()
    claimed = shared_study.claim(study, tmp_path, trials=1, on_wait=waited.append)
    finisher.join()
    assert time.monotonic() - started >= 0.5 and waited == [1]
    if outcome == TrialState.COMPLETE:
        assert claimed is None
    else:
        assert claimed is not None and claimed.number == elsewhere.number + 1


def test_every_process_works_to_the_main_process_s_trial_count(tmp_path):
    study, _ = shared_study.open_study(STUDY, tmp_path, "fingerprint", "main", 3, [])
    shared_study.open_study(STUDY, tmp_path, "fingerprint", "worker", 10, [])
    claimed = []
    while (trial := shared_study.claim(study, tmp_path, trials=10, fingerprint="fingerprint")) is not None:
        claimed.append(trial.number)
        study.tell(trial, 1.0)
    assert claimed == [0, 1, 2], "a worker started with calibrate.trials=10 stops at the main's 3"
