"""The results store: every run of a sweep as one file of a Hive-partitioned Parquet dataset.

``SWEEP_DIR/store/scenario=NAME/sensitivity=CASE/run=ID.parquet`` holds one run's monthly
metrics (``month``, ``financial_year``, ``area``, ``age_band``, ``programme``, ``metric``,
``value``) with the run's ``seed``, calibration ``draw``, ``projection``, run directory
(``run``, relative to the sweep) and ``config_hash``. ID is a hash of the run directory's
place in the sweep, so a run has one file.

A file is added when its run finishes (``sim.cli.run``), written under a hidden name and
renamed, so it is whole or absent; a run already stored with the same config hash is not
written again, and no other file is touched, so the store grows run by run however large
the sweep. When a sweep ends, :func:`synchronise` adds the complete runs the store lacks
(those finished just before a crash), drops files whose run directory is gone or was redone
with another config and deletes temporary files a killed writer left, so the store holds
every complete run exactly once, as ``sweep.parquet`` does. Single runs (``hydra.run.dir``)
have no store: their ``metrics.parquet`` is the table.

Query it with ``python -m sim.query`` or DuckDB::

    SELECT * FROM read_parquet('SWEEP_DIR/store/*/*/*.parquet', hive_partitioning = true)
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim import results
from sim.core.calendar import financial_year

STORE = "store"
FILE_PATTERN = "scenario=*/sensitivity=*/run=*.parquet"
PARTITIONS = ("scenario", "sensitivity")
CONFIG_HASH_KEY = b"sim.config_hash"
"""Parquet footer key holding the config hash, read without reading the data."""
_PARTITION_VALUE = re.compile(r"^[A-Za-z0-9_.+-]+$")


def store_dir(sweep_dir: Path) -> Path:
    return Path(sweep_dir) / STORE


def files(sweep_dir: Path) -> list[Path]:
    """The store's run files (temporary files excluded), sorted."""
    return sorted(store_dir(sweep_dir).glob(FILE_PATTERN))


def run_id(sweep_dir: Path, run_dir: Path) -> str:
    """16 hex digits naming a run directory by its path within the sweep."""
    return hashlib.sha256(_relative(sweep_dir, run_dir).encode("utf-8")).hexdigest()[:16]


def stored_hash(path: Path) -> str | None:
    """The config hash a store file was written for (None if unreadable)."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except (OSError, pa.ArrowException):
        return None
    value = metadata.get(CONFIG_HASH_KEY)
    return value.decode("utf-8") if value else None


def add_run(sweep_dir: Path, run_dir: Path) -> Path | None:
    """Put a complete run into the sweep's store, unless it is there already for the same
    config; returns its file (None if the run is not complete)."""
    sweep_dir, run_dir = Path(sweep_dir), Path(run_dir)
    manifest = results.read_manifest(run_dir)
    if not (manifest and manifest.get("status") == results.COMPLETE and (run_dir / results.METRICS).is_file()):
        return None
    identifier = run_id(sweep_dir, run_dir)
    config_hash = str(manifest["config_hash"])
    existing = sorted(store_dir(sweep_dir).glob(f"scenario=*/sensitivity=*/run={identifier}.parquet"))
    current = [path for path in existing if stored_hash(path) == config_hash]
    kept = current[0] if current else _write(sweep_dir, run_dir, identifier, manifest)
    for path in existing:
        if path != kept:
            path.unlink(missing_ok=True)
    return kept


def synchronise(sweep_dir: Path) -> list[Path]:
    """Make the store hold every complete run of the sweep once: add the missing, drop the
    rest and the temporary files of killed writers. Returns the store's files."""
    kept = {path for run_dir in results.complete_runs(sweep_dir)
            if (path := add_run(sweep_dir, run_dir)) is not None}
    for path in files(sweep_dir):
        if path not in kept:
            path.unlink(missing_ok=True)
    for leftover in store_dir(sweep_dir).glob("scenario=*/sensitivity=*/.run=*.parquet.partial-*"):
        leftover.unlink(missing_ok=True)
    return sorted(kept)


def _write(sweep_dir: Path, run_dir: Path, identifier: str, manifest: dict) -> Path:
    settings = results.run_settings(run_dir)
    partition = {"scenario": str(manifest["scenario"]), "sensitivity": settings["sensitivity"]}
    for key, value in partition.items():
        if not _PARTITION_VALUE.match(value):
            raise ValueError(f"{key}: {value!r} cannot name a store partition; allowed: letters, digits, _ . + -")
    target = store_dir(sweep_dir) / f"scenario={partition['scenario']}" / \
        f"sensitivity={partition['sensitivity']}" / f"run={identifier}.parquet"
    table = _run_table(pd.read_parquet(run_dir / results.METRICS), manifest, settings, _relative(sweep_dir, run_dir))
    table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                           CONFIG_HASH_KEY: str(manifest["config_hash"]).encode("utf-8")})
    target.parent.mkdir(parents=True, exist_ok=True)
    return results.write_atomic(target, lambda staging: pq.write_table(table, staging))


def _run_table(metrics: pd.DataFrame, manifest: dict, settings: dict, run: str) -> pa.Table:
    months = pd.to_datetime(metrics["month"])
    frame = pd.DataFrame({
        "month": months,
        "financial_year": financial_year(months).to_numpy(),
        "area": metrics["area"].astype(str),
        "age_band": metrics["age_band"].astype(str),
        "programme": (metrics["programme"] if "programme" in metrics else pd.Series("all", index=metrics.index)
                      ).astype(str),
        "metric": metrics["metric"].astype(str),
        "value": metrics["value"].astype("float64"),
        "seed": pd.Series(int(manifest["seed"]), index=metrics.index, dtype="int64"),
        "draw": pd.Series(settings["draw"], index=metrics.index, dtype="int64"),
        "projection": settings["projection"],
        "run": run,
        "config_hash": str(manifest["config_hash"]),
    })
    return pa.Table.from_pandas(frame, preserve_index=False)


def _relative(sweep_dir: Path, run_dir: Path) -> str:
    sweep_dir, run_dir = Path(sweep_dir).resolve(), Path(run_dir).resolve()
    try:
        return run_dir.relative_to(sweep_dir).as_posix()
    except ValueError:
        return run_dir.as_posix()
