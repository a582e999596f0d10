"""``python -m sim.report DIR``: charts and a summary table for a run or a sweep.

DIR is a sweep directory (holding ``sweep.parquet``) or a single run directory (holding
``metrics.parquet``). The report writes PNG charts into ``DIR/charts/`` and a table of
financial-year results into ``DIR/summary.csv``, each to a temporary name and then renamed
into place, and prints the paths it wrote. A missing directory, or one without either
Parquet table, gives one line on stderr and exit code 2.

Model lines are the median across runs (calibration draws x seeds) and the shaded band is the runs' spread:
minimum to maximum, or the 5th to 95th percentile when there are at least 20 runs. Published
figures come from :mod:`sim.published`, which scales Great Britain and UK counts to England &
Wales; figures whose note calls them a projection or forecast are drawn as open squares with
their low-high range and labelled as projections.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.params.errors import EXIT_BAD_INPUT
from sim.report.charts import CHARTS
from sim.report.data import (
    NothingToDraw,
    ReportError,
    Runs,
    describe_runs,
    load_metrics,
    population_sizes,
    summary_table,
)
from sim.report.style import DPI
from sim.results import write_atomic


def write_charts(frame: pd.DataFrame, directory: Path, runs: Runs) -> list[Path]:
    """Every chart whose metrics are in ``frame``, as PNGs in ``directory/charts``."""
    charts_dir = Path(directory) / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    present = set(frame["metric"].unique())
    written = []
    for name, module in CHARTS.items():
        missing = [metric for metric in module.NEEDS if metric not in present]
        if missing:
            print(f"skipped {name}: no {', '.join(missing)} in the data", file=sys.stderr)
            continue
        try:
            chart = module.draw(frame, runs)
        except NothingToDraw as reason:
            print(f"skipped {name}: {reason}", file=sys.stderr)
            continue
        written.append(write_atomic(charts_dir / name, lambda path, c=chart: c.savefig(path, format="png", dpi=DPI)))
    return written


def write_summary(frame: pd.DataFrame, directory: Path) -> Path:
    """``directory/summary.csv`` from :func:`summary_table`."""
    table = summary_table(frame).round({"median": 2, "low": 2, "high": 2})
    return write_atomic(Path(directory) / "summary.csv", lambda path: table.to_csv(path, index=False))


def report(directory: Path) -> list[Path]:
    """Charts and summary for the run or sweep in ``directory``; returns the paths written."""
    directory = Path(directory)
    frame = load_metrics(directory)
    runs = describe_runs(frame, population_sizes(directory, frame))
    return [*write_charts(frame, directory, runs), write_summary(frame, directory)]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.report DIR``: exit 0 after printing the paths written, 2 on bad input."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(args) != 1:
        print("error: usage: python -m sim.report DIR (a sweep or run directory)", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        written = report(Path(args[0]))
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for path in written:
        print(path)
    return 0
