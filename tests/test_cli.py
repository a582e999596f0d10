"""The command line: run directories, sweeps, resuming, atomic writes."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest
import yaml

from sim import results, store
from tests.conftest import run_cli

TINY = ["population.size=2000", "panel.size=50", "period.end=2019-12"]


def test_single_run_writes_a_complete_run_directory(tmp_path):
    run_dir = tmp_path / "run"
    result = run_cli(*TINY, "seed=4", f"hydra.run.dir={run_dir}")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(
        [results.METRICS, results.PANEL, results.CONFIG, results.MANIFEST])
    manifest = json.loads((run_dir / results.MANIFEST).read_text())
    assert manifest["status"] == "complete" and manifest["seed"] == 4
    assert manifest["months"] == 9 and manifest["population_size"] == 2000
    assert manifest["peak_memory_bytes"] > 0 and manifest["wall_time_seconds"] > 0
    assert {"mesa", "numpy", "hydra-core"} <= set(manifest["packages"])
    config = yaml.safe_load((run_dir / results.CONFIG).read_text())
    assert config["seed"] == 4 and config["population"]["size"] == 2000
    assert manifest["config_hash"] == results.config_hash(config)
    metrics = pd.read_parquet(run_dir / results.METRICS)
    assert set(metrics["seed"]) == {4} and metrics["month"].nunique() == 9
    panel = pd.read_parquet(run_dir / results.PANEL)
    assert panel["person_id"].nunique() >= 50


def test_sweep_runs_in_parallel_consolidates_and_resumes(tmp_path):
    """Also: no Hydra callback fails (Hydra reports that only as a warning, so warnings are on),
    and the results store gets one file per run, the finished ones left alone on resuming."""
    sweep = tmp_path / "sweep"
    first = run_cli("-m", "seed=0,1", *TINY, f"hydra.sweep.dir={sweep}", warnings="default")
    assert first.returncode == 0, first.stderr
    assert "raised" not in first.stdout + first.stderr, first.stderr
    stored = {path: path.stat().st_mtime_ns for path in store.files(sweep)}
    assert [path.parent.relative_to(store.store_dir(sweep)).as_posix() for path in stored] == [
        "scenario=baseline/sensitivity=central"] * 2
    table = duckdb.sql(f"SELECT seed, count(*) AS n FROM '{sweep / results.SWEEP}' GROUP BY seed ORDER BY seed").df()
    assert table["seed"].tolist() == [0, 1]
    rows_per_run = table["n"].iloc[0]
    before = {run: (run / results.MANIFEST).stat().st_mtime_ns for run in results.complete_runs(sweep)}

    again = run_cli("-m", "seed=0,1,2", *TINY, f"hydra.sweep.dir={sweep}", warnings="default")
    assert again.returncode == 0, again.stderr
    assert "raised" not in again.stdout + again.stderr, again.stderr
    assert len(store.files(sweep)) == 3
    for path, modified in stored.items():
        assert path.stat().st_mtime_ns == modified, "runs already in the store are not written again"
    assert "sweep: 3 runs, 2 already complete" in again.stderr
    for run, modified in before.items():
        assert (run / results.MANIFEST).stat().st_mtime_ns == modified, "finished runs are not redone"
    table = duckdb.sql(f"SELECT seed, count(*) AS n FROM '{sweep / results.SWEEP}' GROUP BY seed ORDER BY seed").df()
    assert table["seed"].tolist() == [0, 1, 2] and (table["n"] == rows_per_run).all(), "no duplicates"


def test_a_failed_write_leaves_no_run_directory(tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    metrics = pd.DataFrame({"month": pd.to_datetime(["2019-04-01"]), "value": [1.0]})

    def broken_config(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(results.yaml, "safe_dump", broken_config)
    with pytest.raises(OSError):
        results.write_run(run_dir, metrics, pd.DataFrame(), {"seed": 0}, {"status": "complete"})
    assert not run_dir.exists()
    assert list(tmp_path.iterdir()) == [], "no partial files left behind"


def test_incomplete_run_is_not_in_the_sweep_table(tmp_path):
    good = tmp_path / "seed=0"
    metrics = pd.DataFrame({"month": pd.to_datetime(["2019-04-01"]), "scenario": ["baseline"], "seed": [0],
                            "area": ["all"], "age_band": ["all"], "metric": ["population"], "value": [1.0]})
    results.write_run(good, metrics, pd.DataFrame(), {"seed": 0, "scenario": {"name": "baseline"}},
                      {"status": results.COMPLETE, "config_hash": "x"})
    broken = tmp_path / "seed=1"
    broken.mkdir()
    (broken / results.MANIFEST).write_text(json.dumps({"status": "running"}))
    metrics.assign(seed=1).to_parquet(broken / results.METRICS)
    results.consolidate_sweep(tmp_path)
    assert pd.read_parquet(tmp_path / results.SWEEP)["seed"].tolist() == [0]
