"""Sweeps through other launchers than the default joblib one (submitit, as on a SLURM
cluster), and a sweep killed part-way then rerun."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numba
import pandas as pd
import yaml

from sim import cli, query, results, store
from sim.config import load
from tests.conftest import REPO, run_cli

TINY = ["population.size=2000", "panel.size=0", "run.write_panel=false", "period.end=2020-03"]
KILLED_SWEEP_SEEDS = (0, 1, 2, 3)
SWEEP_TIMEOUT_SECONDS = 300


def _manifests(sweep_dir: Path) -> dict[str, dict]:
    """Complete runs' manifests by run directory name."""
    return {run.name: results.read_manifest(run) for run in results.complete_runs(sweep_dir)}


def assert_every_run_once(sweep_dir: Path, seeds: tuple[int, ...]) -> None:
    """sweep.parquet and the results store each hold every run's metrics exactly once."""
    runs = results.complete_runs(sweep_dir)
    assert sorted(results.read_manifest(run)["seed"] for run in runs) == sorted(seeds)
    rows = {run.name: len(pd.read_parquet(run / results.METRICS)) for run in runs}
    swept = duckdb.sql(f"SELECT run, seed, count(*) AS n FROM '{sweep_dir / results.SWEEP}' GROUP BY ALL").df()
    assert sorted(swept["seed"]) == sorted(seeds), "sweep.parquet: one run per seed"
    assert dict(zip(swept["run"], swept["n"])) == rows, "sweep.parquet: each run's rows once"
    files = store.files(sweep_dir)
    assert len(files) == len(seeds), "the store: one file per run"
    stored = duckdb.sql(f"""SELECT run, count(*) AS n, count(DISTINCT config_hash) AS hashes
                            FROM read_parquet('{store.store_dir(sweep_dir)}/{store.FILE_PATTERN}',
                                              hive_partitioning = true) GROUP BY run""").df()
    assert dict(zip(stored["run"], stored["n"])) == rows, "the store: each run's rows once"
    assert (stored["hashes"] == 1).all()
    assert not list(store.store_dir(sweep_dir).rglob(".*partial*")), "no temporary store files left"


def test_a_submitit_sweep_runs_every_job_in_its_own_process_and_consolidates(tmp_path):
    """hydra/launcher=local (configs/hydra/launcher/local.yaml, submitit's local executor):
    what hydra/launcher=slurm does on a cluster, short of sbatch."""
    sweep = tmp_path / "sweep"
    result = run_cli("-m", "seed=0,1", "hydra/launcher=local", *TINY, f"hydra.sweep.dir={sweep}",
                     warnings="default")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "raised" not in result.stdout + result.stderr, "no Hydra callback failed"
    manifests = _manifests(sweep)
    assert sorted(manifest["seed"] for manifest in manifests.values()) == [0, 1]
    assert all(manifest["status"] == results.COMPLETE for manifest in manifests.values())
    assert all(manifest["threads"] == 1 for manifest in manifests.values()), "one numba thread per job"
    submitted = sorted((sweep / ".submitit").glob("*/*_result.pkl"))
    assert len(submitted) == 2, "each run went through submitit as its own job"
    assert_every_run_once(sweep, (0, 1))


def test_the_slurm_launcher_config_composes():
    result = run_cli("--cfg", "hydra", "hydra/launcher=slurm")
    assert result.returncode == 0, result.stderr[-3000:]
    launcher = yaml.safe_load(result.stdout)["hydra"]["launcher"]
    assert launcher["_target_"].endswith("submitit_launcher.SlurmLauncher")
    assert launcher["cpus_per_task"] == 1 and launcher["mem_gb"] > 0 and launcher["timeout_min"] > 0
    assert launcher["array_parallelism"] > 1 and launcher["partition"] is None
    assert launcher["max_num_timeout"] == 0, "a timed-out job is not requeued; rerunning the sweep resumes"
    assert launcher["submitit_folder"].startswith("${hydra.sweep.dir}/"), "job logs live in the sweep"
    assert any("OMP_NUM_THREADS=1" in line for line in launcher["setup"])


def test_an_unknown_launcher_stops_with_one_line_and_writes_nothing(tmp_path):
    sweep = tmp_path / "sweep"
    result = run_cli("-m", "seed=0,1", "hydra/launcher=slrum", *TINY, f"hydra.sweep.dir={sweep}")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "'slrum'" in lines[0] and "slurm" in lines[0] and "joblib" in lines[0], lines
    assert not sweep.exists()


def test_a_sweep_job_uses_the_cpus_slurm_gave_it(monkeypatch):
    run_config = load(["population.size=2000"])
    monkeypatch.setattr(cli, "_in_sweep", lambda: True)
    monkeypatch.delenv("SUBMITIT_EXECUTOR", raising=False)
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "2")
    assert cli._threads(run_config) == 1, "under joblib a job is one of a job per core"
    monkeypatch.setenv("SUBMITIT_EXECUTOR", "slurm")
    assert cli._threads(run_config) == min(2, numba.config.NUMBA_NUM_THREADS)
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "")
    assert cli._threads(run_config) == 1
    explicit = load(["population.size=2000", "run.threads=1"])
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "2")
    assert cli._threads(explicit) == 1, "run.threads wins"
    monkeypatch.setattr(cli, "_in_sweep", lambda: False)
    assert cli._threads(run_config) == numba.config.NUMBA_NUM_THREADS, "a single run uses every core"


def _sweep_command(sweep_dir: Path) -> list[str]:
    seeds = ",".join(str(seed) for seed in KILLED_SWEEP_SEEDS)
    return [sys.executable, "-m", "sim", "-m", f"seed={seeds}", "hydra.launcher.n_jobs=2", *TINY,
            f"hydra.sweep.dir={sweep_dir}"]


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the sweep and its workers (its process group); return once they are all gone."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError("the killed sweep's workers are still running")


def test_a_sweep_killed_part_way_and_rerun_ends_with_every_run_once(tmp_path):
    sweep = tmp_path / "sweep"
    log = (tmp_path / "killed_sweep.log").open("w")
    process = subprocess.Popen(_sweep_command(sweep), cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + SWEEP_TIMEOUT_SECONDS
        while not _manifests(sweep) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, "the sweep ended before it could be killed: " + \
            (tmp_path / "killed_sweep.log").read_text()[-2000:]
        assert _manifests(sweep), "no run finished in time"
    finally:
        _kill_group(process)
        log.close()
    before = _manifests(sweep)
    assert 1 <= len(before) < len(KILLED_SWEEP_SEEDS), "killed part-way"
    assert not (sweep / results.SWEEP).exists(), "the killed sweep never reached its end"

    rerun = subprocess.run(_sweep_command(sweep), cwd=REPO, capture_output=True, text=True,
                           timeout=SWEEP_TIMEOUT_SECONDS)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    after = _manifests(sweep)
    for name, manifest in before.items():
        assert after[name] == manifest, f"{name} finished before the kill and was redone"
    assert_every_run_once(sweep, KILLED_SWEEP_SEEDS)
    assert query.main([str(sweep), "runs", "--financial-year", "2019-20", "--csv", str(tmp_path / "runs.csv")]) == 0
    runs = pd.read_csv(tmp_path / "runs.csv")
    assert sorted(runs["seed"]) == list(KILLED_SWEEP_SEEDS)
    assert runs["config_hash"].tolist() == [after[run]["config_hash"] for run in runs["run"]]



def test_complete_runs_are_found_while_other_runs_are_being_written(tmp_path, monkeypatch):
    """A run directory can be renamed away between listing the sweep and reading it (a run
    finishing, as in the killed sweep above); the search passes over it."""
    sweep = tmp_path / "sweep"
    for name in ("seed=0", ".seed=1.partial-1", "seed=2"):
        (sweep / name).mkdir(parents=True)
        (sweep / name / results.MANIFEST).write_text(json.dumps({"status": results.COMPLETE}))
        (sweep / name / results.METRICS).write_bytes(b"")
    real_scandir = os.scandir

    def vanished(path=None):
        if path is not None and Path(path).name == "seed=2":
            raise FileNotFoundError(path)
        return real_scandir(path) if path is not None else real_scandir()

    monkeypatch.setattr(os, "scandir", vanished)
    assert results.complete_runs(sweep) == [sweep / "seed=0"], "staging directories are never runs"
