"""Run directories and sweep tables: written atomically, resumable, queryable with DuckDB.

A run directory holds ``metrics.parquet``, ``panel.parquet``, ``config.yaml`` (the resolved
config) and ``manifest.json``. It is written in a hidden sibling directory and renamed into
place, so it is either complete or absent. A sweep directory additionally holds
``sweep.parquet``: every complete run's metrics in one table (and ``store/``, the same runs
one file each: sim/store.py). A sweep that is run again with the same ``hydra.sweep.dir``
skips the runs whose manifest says ``complete`` with the same config hash, so an
interrupted sweep resumes without redoing or duplicating work.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from sim.params.schema import DEFAULT_POLICY, scenario_label

MANIFEST = "manifest.json"
METRICS = "metrics.parquet"
PANEL = "panel.parquet"
CONFIG = "config.yaml"
SWEEP = "sweep.parquet"
COMPLETE = "complete"
FAILED = "failed.json"
"""Written into a run directory when its run raised; a rerun replaces the directory."""
PACKAGES = ("sim", "mesa", "numpy", "numba", "pandas", "pyarrow", "duckdb", "hydra-core", "seaborn")
CONSOLIDATE_MEMORY = "2GB"
"""DuckDB's memory cap while writing sweep.parquet: the copy streams run files into one table
without sorting (sorting 1,000 runs' metrics took 23 GB), spilling to disk above the cap."""
RUN_SETTINGS = ("run",)
"""Config keys that change how a run executes but not its results (excluded from the hash)."""


def config_hash(config: dict[str, Any]) -> str:
    """SHA-256 of the resolved config, without execution-only settings."""
    relevant = {key: value for key, value in config.items() if key not in RUN_SETTINGS and key != "hydra"}
    text = json.dumps(relevant, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((run_dir / MANIFEST).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def is_complete(run_dir: Path, expected_hash: str) -> bool:
    """Whether ``run_dir`` already holds a finished run of this exact config."""
    manifest = read_manifest(run_dir)
    return bool(manifest and manifest.get("status") == COMPLETE
                and manifest.get("config_hash") == expected_hash
                and (run_dir / METRICS).is_file())


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def git_commit() -> str:
    """The repository's commit (with ``-dirty`` if the tree has changes), or ``unknown``."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("-dirty" if dirty else "")


def peak_memory_bytes() -> int:
    """Peak resident memory of this process so far (Linux reports kilobytes, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def manifest(config: dict[str, Any], started: float, months: int, people: int, **extra: Any) -> dict[str, Any]:
    finished = time.time()
    return {
        "status": COMPLETE,
        "scenario": scenario_label(config["scenario"]["name"], (config.get("policy") or {}).get("name", DEFAULT_POLICY)),
        "policy": (config.get("policy") or {}).get("name", DEFAULT_POLICY),
        "seed": config["seed"],
        "config_hash": config_hash(config),
        "population_size": people,
        "months": months,
        "wall_time_seconds": round(finished - started, 3),
        "peak_memory_bytes": peak_memory_bytes(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(finished)),
        "git_commit": git_commit(),
        "packages": package_versions(),
        **extra,
    }


def write_run(run_dir: Path, metrics: pd.DataFrame, panel: pd.DataFrame, config: dict[str, Any],
              run_manifest: dict[str, Any]) -> None:
    """Write a run directory atomically: build it beside ``run_dir``, then rename it in."""
    run_dir = Path(run_dir)
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = run_dir.parent / f".{run_dir.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        metrics.to_parquet(staging / METRICS, index=False)
        if not panel.empty:
            panel.to_parquet(staging / PANEL, index=False)
        (staging / CONFIG).write_text(yaml.safe_dump(config, sort_keys=False))
        (staging / MANIFEST).write_text(json.dumps(run_manifest, indent=2))
        _replace_directory(staging, run_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _replace_directory(new: Path, target: Path) -> None:
    if target.exists() and any(target.iterdir()):
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        if target.exists():
            target.rmdir()
        os.replace(new, target)


def write_atomic(path: Path, write) -> Path:
    """Call ``write(temporary_path)`` on a hidden name beside ``path``, then rename it to
    ``path``: readers see the old file or the new one, never half of one."""
    path = Path(path)
    staging = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        write(staging)
        os.replace(staging, path)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return path


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV (no index) atomically."""
    return write_atomic(path, lambda staging: frame.to_csv(staging, index=False))


def save_figure(figure, path: Path) -> Path:
    """Save a matplotlib figure as PNG atomically and close it."""
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, lambda staging: figure.savefig(staging, format="png"))
    plt.close(figure)
    return path


def sweep_argument(arguments: list[str], program: str, missing_hint: str) -> tuple[Path, pd.DataFrame] | None:
    """The one SWEEP_DIR argument of a ``python -m sim.<program>`` command and its sweep table,
    or None after printing one line saying what is wrong (the caller exits with 2)."""
    if len(arguments) != 1:
        print(f"error: usage: python -m sim.{program} SWEEP_DIR", file=sys.stderr)
        return None
    sweep_dir = Path(arguments[0])
    if not (sweep_dir / SWEEP).is_file():
        print(f"error: {sweep_dir}: no {SWEEP}; {missing_hint}", file=sys.stderr)
        return None
    return sweep_dir, pd.read_parquet(sweep_dir / SWEEP)


def complete_runs(sweep_dir: Path) -> list[Path]:
    """Run directories under ``sweep_dir`` whose manifest says complete, sorted.

    Hidden directories (runs being written, submitit's job files) are not searched, and a
    directory renamed away during the search (a run finishing meanwhile) is passed over, so
    this can be called while a sweep's runs are still being written."""
    runs = []
    for directory, subdirectories, names in os.walk(sweep_dir):
        subdirectories[:] = [name for name in subdirectories if not name.startswith(".")]
        if MANIFEST not in names:
            continue
        run_dir = Path(directory)
        found = read_manifest(run_dir)
        if found and found.get("status") == COMPLETE and (run_dir / METRICS).is_file():
            runs.append(run_dir)
    return sorted(runs, key=lambda run: run / MANIFEST)


def run_settings(run_dir: Path) -> dict[str, Any]:
    """What distinguishes a run beyond scenario and seed: its calibration draw, projection,
    sensitivity case and policy package."""
    config = yaml.safe_load((run_dir / CONFIG).read_text()) or {}
    return {"draw": int((config.get("calibration") or {}).get("draw", 0)),
            "projection": str((config.get("projection") or {}).get("name", "")),
            "sensitivity": str((config.get("sensitivity") or {}).get("name", "central")),
            "policy": str((config.get("policy") or {}).get("name", DEFAULT_POLICY))}


def run_appraisal(run_dir: Path) -> dict[str, Any]:
    """The appraisal settings a run was made with (its resolved config's ``appraisal``)."""
    config = yaml.safe_load((run_dir / CONFIG).read_text()) or {}
    return config.get("appraisal") or {}


def consolidate_sweep(sweep_dir: Path) -> Path | None:
    """Write ``sweep.parquet``: every complete run's metrics, with its run directory, its
    calibration draw and its projection assumption.

    Built with DuckDB straight from the runs' Parquet files in a stream (no sort, memory
    capped), written to a temporary file and renamed, so readers never see a half-written
    table. Large sweeps are better read through the results store (sim/query.py).
    """
    sweep_dir = Path(sweep_dir)
    runs = complete_runs(sweep_dir)
    if not runs:
        return None
    target = sweep_dir / SWEEP
    staging = sweep_dir / f".{SWEEP}.partial-{os.getpid()}"
    settings = pd.DataFrame([{"run": str(run.relative_to(sweep_dir)), **run_settings(run)} for run in runs])
    files = [str(run / METRICS) for run in runs]
    connection = duckdb.connect(config={"memory_limit": CONSOLIDATE_MEMORY, "preserve_insertion_order": False})
    try:
        connection.register("run_settings", settings)
        connection.execute(
            f"""COPY (
                  SELECT metrics.*, run_settings.draw, run_settings.projection, run_settings.sensitivity,
                         run_settings.policy
                  FROM (SELECT * EXCLUDE (filename) REPLACE (CAST(month AS TIMESTAMP_NS) AS month),
                               regexp_replace(parse_dirpath(filename), '^{_sql_literal(str(sweep_dir))}/?', '') AS run
                        FROM read_parquet(?, filename = true, union_by_name = true)) AS metrics
                  JOIN run_settings USING (run)
                ) TO '{_sql_literal(str(staging))}' (FORMAT PARQUET)""",
            [files],
        )
    finally:
        connection.close()
    os.replace(staging, target)
    return target


def _sql_literal(text: str) -> str:
    return text.replace("'", "''")


def query(sql: str, **tables: Path) -> pd.DataFrame:
    """Run DuckDB SQL over Parquet files given as named tables, e.g.
    ``query("SELECT ... FROM sweep", sweep=Path('outputs/sweep/sweep.parquet'))``."""
    connection = duckdb.connect()
    try:
        for name, path in tables.items():
            connection.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{_sql_literal(str(path))}')")
        return connection.execute(sql).fetch_df()
    finally:
        connection.close()
