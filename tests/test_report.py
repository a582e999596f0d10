"""sim.report: summary arithmetic, charts written, CLI errors, published-figure handling."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import aggregate, published
from sim.report import cli, data, drawing, published_points, style
from sim.report.charts import CHARTS

MONTHS = pd.date_range("2019-04-01", "2021-03-01", freq="MS")  # two financial years
AREAS = ("all", "north_east_north_cumbria", "south_yorkshire", "west_yorkshire", "london", "wales")
AGE_BANDS = ("16-24", "25-34", "35-49", "50-64")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def metric_values(seed: int) -> dict[str, float]:
    """Constant monthly value of each metric for a seed (people, or £ a month)."""
    return {
        "population": 10_000.0,
        "employed": 7_000.0 + 100 * seed,
        "inactive_long_term_sick": 400.0,
        "incapacity_benefit_recipients": 600.0,
        "disability_benefit_recipients": 500.0,
        "health_benefit_recipients": 1_000.0 * (seed + 1),
        "health_benefit_spending_gbp": 10.0,
        "incapacity_benefit_starts": 3.0,
    }


def synthetic_metrics(seeds=(0, 1), scenario: str = "baseline") -> pd.DataFrame:
    """Tidy metrics with every metric by area, by age band and in total, constant over time."""
    rows = []
    for seed in seeds:
        for metric, value in metric_values(seed).items():
            cells = [(area, "all") for area in AREAS] + [("all", band) for band in AGE_BANDS]
            for area, band in cells:
                for month in MONTHS:
                    rows.append((month, scenario, seed, area, band, metric, value))
    frame = pd.DataFrame(rows, columns=["month", "scenario", "seed", "area", "age_band", "metric", "value"])
    return frame


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """A two-seed sweep directory after ``report.report`` ran on it, and the paths written."""
    directory = tmp_path_factory.mktemp("sweep")
    frame = synthetic_metrics()
    frame["run"] = "seed=" + frame["seed"].astype(str)
    frame.to_parquet(directory / "sweep.parquet", index=False)
    return directory, cli.report(directory)


def summary_row(table: pd.DataFrame, metric: str, year: str) -> pd.Series:
    rows = table[(table["metric"] == metric) & (table["financial_year"] == year)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_report_writes_every_chart_and_the_summary(reported: tuple[Path, list[Path]]) -> None:
    sweep_dir, written = reported

    charts = sorted(path.name for path in (sweep_dir / "charts").iterdir())
    recorded = set(synthetic_metrics()["metric"])
    drawable = sorted(name for name, module in CHARTS.items() if set(module.NEEDS) <= recorded)
    assert charts == drawable and len(drawable) >= len(CHARTS) - 1  # the synthetic data have no conditions
    for name in charts:
        content = (sweep_dir / "charts" / name).read_bytes()
        assert content.startswith(PNG_MAGIC) and len(content) > 10_000
    assert set(written) == {sweep_dir / "summary.csv", *((sweep_dir / "charts").iterdir())}
    assert not [path for path in sweep_dir.rglob(".*") if "partial" in path.name]


def test_summary_medians_ranges_and_annual_sums(reported: tuple[Path, list[Path]]) -> None:
    sweep_dir, _ = reported
    table = pd.read_csv(sweep_dir / "summary.csv", dtype={"financial_year": str})

    assert sorted(table["financial_year"].unique()) == ["2019-20", "2020-21"]
    assert list(table.columns) == ["scenario", "metric", "financial_year", "median", "low", "high", "runs", "unit"]
    recipients = summary_row(table, "health_benefit_recipients", "2019-20")
    assert (recipients["median"], recipients["low"], recipients["high"]) == (1_500, 1_000, 2_000)
    assert recipients["runs"] == 2
    spending = summary_row(table, "health_benefit_spending_gbp", "2020-21")
    assert (spending["median"], spending["low"], spending["high"]) == (120, 120, 120)
    assert spending["unit"].startswith("GBP per year")
    assert summary_row(table, "incapacity_benefit_starts", "2019-20")["median"] == 36
    assert summary_row(table, "population", "2020-21")["median"] == 10_000


def test_incomplete_financial_years_are_left_out() -> None:
    frame = data.tidy(synthetic_metrics())
    frame = frame[frame["month"] < "2021-02-01"]
    years = data.summary_table(frame)["financial_year"].unique()
    assert list(years) == ["2019-20"]


def test_band_is_5_to_95_percentile_from_20_runs() -> None:
    few = pd.DataFrame({"key": "x", "value": [1.0, 2.0, 10.0]})
    many = pd.DataFrame({"key": "x", "value": [float(v) for v in range(21)]})
    assert aggregate.spread(few, ["key"]).iloc[0][["median", "low", "high"]].tolist() == [2.0, 1.0, 10.0]
    assert aggregate.spread(many, ["key"]).iloc[0][["low", "high"]].tolist() == pytest.approx([1.0, 19.0])


def test_programme_rows_other_than_all_are_dropped() -> None:
    frame = synthetic_metrics(seeds=(0,))
    other = frame.assign(programme="trailblazer", value=frame["value"] * 100)
    combined = pd.concat([frame.assign(programme="all"), other], ignore_index=True)
    tidied = data.tidy(combined)
    assert "programme" not in tidied.columns
    assert len(tidied) == len(frame)
    assert tidied["value"].max() == frame["value"].max()


def test_single_run_directory(tmp_path: Path) -> None:
    synthetic_metrics(seeds=(4,)).to_parquet(tmp_path / "metrics.parquet", index=False)
    assert cli.main([str(tmp_path)]) == 0
    table = pd.read_csv(tmp_path / "summary.csv", dtype={"financial_year": str})
    assert set(table["runs"]) == {1}
    assert summary_row(table, "health_benefit_recipients", "2019-20")["median"] == 5_000
    assert (tmp_path / "charts" / "health_benefit_spending.png").stat().st_size > 0


def test_cli_missing_directory_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    done = subprocess.run([sys.executable, "-m", "sim.report", str(missing)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0]


def test_directory_without_parquet_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([str(tmp_path)]) == 2
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "sweep.parquet" in error[0] and "metrics.parquet" in error[0]
    assert not (tmp_path / "charts").exists()


def test_projections_grouped_with_their_range_and_scaled() -> None:
    figures = published.figures_for("health_benefit_recipients")
    projections = [figure for figure in figures if published_points.is_projection(figure)]
    assert projections, "the published figures include IFS projections"
    points = published_points.published_points(figures, style.PEOPLE)
    drawn = [point for point in points if point.projection]
    assert len(drawn) == 1
    values = sorted(figure.england_and_wales for figure in projections)
    assert (drawn[0].low, drawn[0].high) == (values[0], values[-1])
    assert drawn[0].value == values[1]
    assert "projection" in drawn[0].label
    data = [point for point in points if not point.projection]
    assert len(data) == len(figures) - len(projections)
    assert all(not published_points.is_projection(figure) for point in data for figure in point.figures)


def test_caption_names_sources_scaling_and_seeds() -> None:
    figures = published.figures_for("inactive_long_term_sick")
    text = published_points.sources_text(figures)
    assert all(figure.source in text for figure in figures)
    assert "UK figure x 0.888" in text
    runs = data.describe_runs(data.tidy(synthetic_metrics()), (50_000,))
    assert drawing.model_text(runs).startswith("Model: scenario baseline (2 runs), 50,000 simulated people")
