"""The data behind every report: loading a run or sweep, selecting metrics, the
financial-year summary table and the bands the charts draw.

Financial-year aggregation and the spread across runs come from sim/aggregate.py (through
the registry, sim/spec.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim import results, spec
from sim.aggregate import by_financial_year, spread

ALL = "all"

KEYS = ("month", "scenario", "seed", "area", "age_band", "metric", "value")


SUMMARY_METRICS: tuple[str, ...] = (
    "population",
    "employed",
    "inactive_long_term_sick",
    "incapacity_benefit_recipients",
    "disability_benefit_recipients",
    "health_benefit_recipients",
    "health_benefit_spending_gbp",
    "incapacity_benefit_spending_gbp",
    "disability_benefit_spending_gbp",
    "left_work_for_health",
    "returned_to_work_from_sickness",
    "incapacity_benefit_starts",
    "disability_benefit_starts",
)


AREA_YEARS = ("2019-20", "2023-24", "2028-29")


class ReportError(Exception):
    """Input the report cannot use; the message is one line naming the problem."""


class NothingToDraw(Exception):
    """The data hold too little for a chart (e.g. no complete financial year); it is skipped."""


@dataclass(frozen=True)
class Runs:
    """What the model lines summarise: runs per scenario, and people simulated per run."""

    per_scenario: dict[str, int]
    population_sizes: tuple[int, ...] = ()

    @property
    def scenarios(self) -> list[str]:
        return list(self.per_scenario)


def find_table(directory: Path) -> Path:
    """The sweep table, or failing that the single run's metrics table, in ``directory``."""
    directory = Path(directory)
    if not directory.exists():
        raise ReportError(f"{directory} does not exist")
    if not directory.is_dir():
        raise ReportError(f"{directory} is not a directory")
    for name in (results.SWEEP, results.METRICS):
        if (directory / name).is_file():
            return directory / name
    raise ReportError(f"{directory} has no {results.SWEEP} (sweep) or {results.METRICS} (single run)")


def tidy(frame: pd.DataFrame, source: str = "metrics") -> pd.DataFrame:
    """The metrics in a standard shape: month, scenario, seed, run, area, age_band, metric,
    value (people represented, or £ a month for ``_gbp`` metrics), one programme ("all")."""
    missing = [column for column in KEYS if column not in frame.columns]
    if missing:
        raise ReportError(f"{source} lacks column(s) {', '.join(missing)}")
    if "programme" in frame.columns:
        frame = frame[frame["programme"].astype(str) == ALL]
    if frame.empty:
        raise ReportError(f"{source} has no rows")
    seed = frame["seed"].astype("int64")
    run = frame["run"] if "run" in frame.columns else pd.Series(pd.NA, index=frame.index)
    run = run.astype("object").where(run.notna(), "seed=" + seed.astype(str))
    return pd.DataFrame({
        "month": pd.to_datetime(frame["month"]).dt.to_period("M").dt.to_timestamp(),
        "scenario": frame["scenario"].astype(str),
        "seed": seed,
        "run": run.astype(str),
        "area": frame["area"].astype(str),
        "age_band": frame["age_band"].astype(str),
        "metric": frame["metric"].astype(str),
        "value": frame["value"].astype("float64"),
    }).reset_index(drop=True)


def load_metrics(directory: Path) -> pd.DataFrame:
    """Every run's metrics in ``directory`` as a :func:`tidy` frame."""
    path = find_table(directory)
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several unrelated types for a bad file
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ReportError(f"{path} cannot be read: {first_line}") from error
    return tidy(frame, source=str(path))


def population_sizes(directory: Path, frame: pd.DataFrame) -> tuple[int, ...]:
    """Distinct simulated population sizes recorded in the runs' manifests (may be empty)."""
    directory = Path(directory)
    if (directory / results.SWEEP).is_file():
        run_dirs = [directory / run for run in frame["run"].unique()]
    else:
        run_dirs = [directory]
    sizes = set()
    for run_dir in run_dirs:
        manifest = results.read_manifest(run_dir)
        if manifest and isinstance(manifest.get("population_size"), int):
            sizes.add(manifest["population_size"])
    return tuple(sorted(sizes))


def describe_runs(frame: pd.DataFrame, sizes: tuple[int, ...] = ()) -> Runs:
    """Runs per scenario, baseline first then in order of appearance."""
    counts = frame.groupby("scenario", sort=False)["run"].nunique()
    order = sorted(counts.index, key=lambda name: (name != "baseline", list(counts.index).index(name)))
    return Runs({name: int(counts[name]) for name in order}, sizes)


def select(frame: pd.DataFrame, metric: str, area: str | None = ALL,
           age_band: str | None = ALL) -> pd.DataFrame:
    """One metric per run and month; ``area=None`` keeps every area (with age_band ``all``),
    ``age_band=None`` every age band (with area ``all``). Columns: scenario, run, month, area,
    age_band, value."""
    rows = frame["metric"] == metric
    if area is not None:
        rows &= frame["area"] == area
    if age_band is not None:
        rows &= frame["age_band"] == age_band
    if area is None:
        rows &= frame["age_band"] == ALL
    if age_band is None:
        rows &= frame["area"] == ALL
    return frame.loc[rows, ["scenario", "run", "month", "area", "age_band", "value"]].reset_index(drop=True)


def ratio(numerator: pd.DataFrame, denominator: pd.DataFrame) -> pd.DataFrame:
    """``numerator / denominator`` row by row (matched on every column but value)."""
    keys = [column for column in numerator.columns if column != "value"]
    merged = numerator.merge(denominator, on=keys, suffixes=("", "_denominator"))
    merged["value"] = merged["value"] / merged.pop("value_denominator")
    return merged


def unit_of(metric: str) -> str:
    """Unit of a metric in summary.csv (sim/spec.py)."""
    return spec.METRICS[metric].annual_unit


def summary_table(frame: pd.DataFrame, metrics: Sequence[str] = SUMMARY_METRICS) -> pd.DataFrame:
    """England & Wales results by scenario, metric and complete financial year: median, low
    and high across runs, number of runs and unit. Stocks are averaged over the year's months;
    flows and spending are summed (so spending is £ per year)."""
    present = set(frame["metric"].unique())
    parts = []
    for metric in (name for name in metrics if name in present):
        annual = by_financial_year(select(frame, metric), metric)
        table = spread(annual, ["scenario", "financial_year"])
        parts.append(table.assign(metric=metric, unit=unit_of(metric)))
    columns = ["scenario", "metric", "financial_year", "median", "low", "high", "runs", "unit"]
    if not parts:
        return pd.DataFrame(columns=columns)
    table = pd.concat(parts, ignore_index=True)[columns]
    order = {name: index for index, name in enumerate(metrics)}
    return table.sort_values(["scenario", "metric", "financial_year"],
                             key=lambda column: column.map(order) if column.name == "metric" else column,
                             ignore_index=True)


FAN_RUNS = 8
"""From this many runs a fan chart also shades the middle half (25th-75th percentile)."""


def fan_bands(values: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """:func:`spread` of ``values`` by ``keys``, with the interquartile range (``inner_low``,
    ``inner_high``) where a group has ``FAN_RUNS`` runs (NaN below that)."""
    keys = list(keys)
    bands = spread(values, keys)
    quartiles = values.groupby(keys)["value"].quantile([0.25, 0.75]).unstack()
    quartiles.columns = ["inner_low", "inner_high"]
    bands = bands.merge(quartiles.reset_index(), on=keys)
    bands.loc[bands["runs"] < FAN_RUNS, ["inner_low", "inner_high"]] = float("nan")
    return bands


def monthly_bands(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    """E&W median, band and middle half across runs of ``metric`` for each scenario and month."""
    return fan_bands(select(frame, metric), ["scenario", "month"])


def share_bands(frame: pd.DataFrame, metric: str, keys: Sequence[str] = (), area: str | None = ALL,
                age_band: str | None = ALL) -> pd.DataFrame:
    """Median, band and middle half across runs of ``metric`` as a share of population, per
    scenario, month and ``keys``."""
    values = ratio(select(frame, metric, area, age_band), select(frame, "population", area, age_band))
    return fan_bands(values, ["scenario", *keys, "month"])
