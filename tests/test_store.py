"""The results store (one Parquet file per run, Hive-partitioned) and ``python -m sim.query``."""

from __future__ import annotations

import shutil
import subprocess
import sys

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim import query, results, spec, store
from sim.core.calendar import financial_year
from tests.conftest import REPO, run_sweep

TINY = ["population.size=2000", "panel.size=0", "period.end=2021-05", "run.progress=false"]
NO_PANDEMIC = ["scenario.name=no_pandemic", "drivers.pandemic.enabled=false"]
JOBS = [[*TINY, f"seed={seed}"] for seed in (0, 1)] + [[*NO_PANDEMIC, *TINY, f"seed={seed}"] for seed in (0, 1)]
"""Two scenarios x two seeds, April 2019 to May 2021: two complete financial years and two
months of a third, which no answer may count."""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return run_sweep(tmp_path_factory.mktemp("store") / "sweep", JOBS)


@pytest.fixture(scope="module")
def sweep_table(sweep) -> pd.DataFrame:
    return pd.read_parquet(sweep / results.SWEEP)


def annual_by_run(sweep_table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The metric's England & Wales total for each run and complete financial year, computed
    directly from sweep.parquet."""
    rows = sweep_table[(sweep_table["metric"] == metric) & (sweep_table["area"] == "all")
                       & (sweep_table["age_band"] == "all") & (sweep_table["programme"] == "all")]
    rows = rows.assign(financial_year=financial_year(rows["month"]).to_numpy())
    grouped = rows.groupby(["scenario", "seed", "draw", "projection", "sensitivity", "run", "financial_year"])
    annual = grouped["value"].agg(spec.aggregation(metric)).to_frame("value")
    annual["months"] = grouped["month"].nunique()
    return annual[annual["months"] == 12].drop(columns="months").reset_index()


def spread(values: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = values.groupby(keys)["value"]
    return pd.DataFrame({"median": grouped.median(), "p05": grouped.quantile(0.05),
                         "p95": grouped.quantile(0.95)}).reset_index()


def ask(sweep, tmp_path, *arguments: str) -> pd.DataFrame:
    """``python -m sim.query SWEEP ARGS --csv`` run in this process, read back from its CSV."""
    output = tmp_path / "answer.csv"
    assert query.main([str(sweep), *arguments, "--csv", str(output)]) == 0
    return pd.read_csv(output, dtype={"financial_year": str})


def test_the_store_holds_one_file_per_run_in_its_partitions(sweep, sweep_table):
    files = store.files(sweep)
    partitions = sorted(path.parent.relative_to(store.store_dir(sweep)).as_posix() for path in files)
    assert partitions == (["scenario=baseline/sensitivity=central"] * 2
                          + ["scenario=no_pandemic/sensitivity=central"] * 2)
    table = duckdb.sql(f"""SELECT scenario, sensitivity, seed, draw, projection, run, config_hash, count(*) AS rows
                           FROM read_parquet('{store.store_dir(sweep)}/*/*/*.parquet', hive_partitioning = true)
                           GROUP BY ALL ORDER BY run""").df()
    assert len(table) == 4 and table["run"].is_unique
    for row in table.itertuples():
        manifest = results.read_manifest(sweep / row.run)
        assert (row.scenario, row.seed, row.config_hash) == (manifest["scenario"], manifest["seed"],
                                                             manifest["config_hash"])
        assert (row.draw, row.projection, row.sensitivity) == (0, "aligned", "central")
        assert row.rows == len(pd.read_parquet(sweep / row.run / results.METRICS))
    assert sorted(table["run"]) == sorted(sweep_table["run"].unique()), "the same runs as sweep.parquet"


@pytest.mark.parametrize("metric", ["employed", "left_work_for_health"])
def test_metric_matches_pandas_on_the_sweep_table(sweep, sweep_table, tmp_path, metric):
    answer = ask(sweep, tmp_path, "metric", metric)
    expected = spread(annual_by_run(sweep_table, metric), ["scenario", "financial_year"])
    assert answer["financial_year"].unique().tolist() == ["2019-20", "2020-21"], "complete years only"
    keys = ["scenario", "financial_year"]
    assert answer[keys].values.tolist() == expected[keys].values.tolist()
    assert answer["runs"].eq(2).all()
    for column in ("median", "p05", "p95"):
        assert answer[column].to_numpy() == pytest.approx(expected[column].to_numpy(), rel=1e-12)
    assert (answer["p05"] <= answer["p95"]).all()
    # two seeds of a small sweep can tie on a flow in one year, but not in every year
    assert (answer["p05"] < answer["p95"]).any(), "two seeds differ, so the interval has width"


def test_difference_is_paired_on_seed_and_draw(sweep, sweep_table, tmp_path):
    annual = annual_by_run(sweep_table, "inactive_long_term_sick")
    keys = ["seed", "draw", "projection", "sensitivity", "financial_year"]
    pairs = annual[annual["scenario"] == "no_pandemic"].merge(
        annual[annual["scenario"] == "baseline"], on=keys, suffixes=("", "_baseline"))
    pairs["value"] = pairs["value"] - pairs["value_baseline"]
    expected = spread(pairs, ["scenario", "financial_year"])
    answer = ask(sweep, tmp_path, "difference", "inactive_long_term_sick")
    assert answer["scenario"].unique().tolist() == ["no_pandemic"] and answer["pairs"].eq(2).all()
    for column in ("median", "p05", "p95"):
        assert answer[column].to_numpy() == pytest.approx(expected[column].to_numpy(), rel=1e-12)
    unpaired = annual[annual["scenario"] == "no_pandemic"].merge(
        annual[annual["scenario"] == "baseline"], on=["financial_year"], suffixes=("", "_baseline"))
    unpaired_low = (unpaired["value"] - unpaired["value_baseline"]).groupby(unpaired["financial_year"]).quantile(0.05)
    assert (answer["p05"].to_numpy() - unpaired_low.to_numpy() > 1).all(), \
        "pairing narrows the interval here, so the test tells paired from unpaired"


def test_runs_lists_the_runs_behind_a_figure(sweep, sweep_table, tmp_path, capsys):
    answer = ask(sweep, tmp_path, "runs", "--metric", "employed", "--scenario", "no_pandemic",
                 "--financial-year", "2020-21")
    expected = sorted(sweep_table.loc[sweep_table["scenario"] == "no_pandemic", "run"].unique())
    assert sorted(answer["run"]) == expected and answer["seed"].tolist() == [0, 1]
    assert answer["config_hash"].tolist() == [results.read_manifest(sweep / run)["config_hash"]
                                              for run in answer["run"]]
    assert "no_pandemic" in capsys.readouterr().out
    assert query.main([str(sweep), "runs", "--metric", "employed", "--financial-year", "2021-22"]) == 2, \
        "no run covers all of 2021-22"


def test_bad_arguments_stop_with_one_line_and_exit_code_2(sweep, tmp_path, capsys):
    for arguments in (["metric", "no_such_metric"], ["difference", "employed", "--baseline", "nope"],
                      ["metric", "employed", "--scenario", "nope"], ["bogus"]):
        assert query.main([str(sweep), *arguments]) == 2, arguments
        error = capsys.readouterr().err
        assert error.startswith("error: ") and error.count("\n") == 1, error
    missing = subprocess.run([sys.executable, "-m", "sim.query", str(tmp_path), "metric", "employed"],
                             capture_output=True, text=True, cwd=REPO, timeout=120)
    assert missing.returncode == 2 and missing.stderr.startswith("error: ") and "no results store" in missing.stderr


def test_a_write_that_fails_half_way_leaves_no_file_under_its_name(sweep, tmp_path, monkeypatch):
    copy = tmp_path / "sweep"
    run_dir = sweep / ",".join(JOBS[0])
    shutil.copytree(run_dir, copy / run_dir.name)

    def killed_half_way(table, path, **kwargs):
        path.write_bytes(b"PAR1 half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(store.pq, "write_table", killed_half_way)
    with pytest.raises(KeyboardInterrupt):
        store.add_run(copy, copy / run_dir.name)
    assert store.files(copy) == [] and not any(path.is_file() for path in store.store_dir(copy).rglob("*"))


def test_an_interrupted_sweep_rerun_ends_with_every_run_once(sweep, tmp_path):
    """The state a crash leaves: the first run in the store, the second's run directory
    written but its store file only begun (a killed writer's temporary file), the third never
    run. Rerunning the sweep adds each missing run once and leaves the stored one alone."""
    crashed = tmp_path / "sweep"
    first, second = (sweep / ",".join(job) for job in JOBS[:2])
    for run_dir in (first, second):
        shutil.copytree(run_dir, crashed / run_dir.name)
    stored = store.add_run(crashed, crashed / first.name)
    before = stored.stat().st_mtime_ns
    half = store.store_dir(crashed) / "scenario=baseline" / "sensitivity=central" / \
        f".run={store.run_id(crashed, crashed / second.name)}.parquet.partial-424242"
    half.write_bytes(b"PAR1 half a file")
    assert store.files(crashed) == [stored], "a temporary file is not part of the store"

    run_sweep(crashed, JOBS[:3])
    files = store.files(crashed)
    assert len(files) == 3 and stored in files and stored.stat().st_mtime_ns == before
    assert not half.exists()
    runs = duckdb.sql(f"""SELECT run, count(*) AS rows FROM read_parquet('{store.store_dir(crashed)}/*/*/*.parquet')
                          GROUP BY run""").df()
    assert sorted(runs["run"]) == sorted(",".join(job) for job in JOBS[:3])
    for row in runs.itertuples():
        assert row.rows == pq.read_metadata(crashed / row.run / results.METRICS).num_rows, "each run exactly once"
