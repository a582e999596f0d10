"""``python -m sim.query SWEEP_DIR ...``: financial-year figures from a sweep's results store.

Answers come from DuckDB reading the store (sim/store.py) in place, so a sweep of any
size is summarised without loading it into memory::

    python -m sim.query outputs/scenarios metric health_benefit_recipients
    python -m sim.query outputs/scenarios difference employed --baseline baseline --csv diff.csv
    python -m sim.query outputs/scenarios runs --metric employed --scenario announced_2025 --financial-year 2025-26

``metric``: a metric by financial year (April-March; stocks are the mean of the year's
months, flows, money and programme counts the sum, as sim/spec.py says) for each scenario,
sensitivity case and projection, with the median and the 5th-95th percentile across runs
(seeds and calibration draws). Only complete financial years (12 months) count.
``difference``: each scenario minus the baseline run with the same seed, draw, projection
and sensitivity case, by financial year, with the median and 5th-95th percentile across
pairs. ``runs``: the runs behind a figure, with their run directory and the config hash
from its ``manifest.json``. Values are in the metric's annual unit (people, people per
year, GBP per year). A bad argument stops with one line and exit code 2.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import pandas as pd

from sim import results, spec, store
from sim.params.errors import EXIT_BAD_INPUT

MONTHS_IN_YEAR = 12
QUANTILES = (("median", 0.5), ("p05", 0.05), ("p95", 0.95))
RUN_KEYS = ("scenario", "sensitivity", "projection", "draw", "seed", "run")
PAIR_KEYS = ("seed", "draw", "projection", "sensitivity")
"""A scenario run and its baseline share these, so their difference nets out chance."""
_FINANCIAL_YEAR = re.compile(r"^\d{4}-\d{2}$")


class QueryError(Exception):
    """A bad argument, reported as one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise QueryError(message)


def parser() -> argparse.ArgumentParser:
    filters = _Parser(add_help=False)
    filters.add_argument("--scenario", action="append", help="only this scenario (repeatable)")
    filters.add_argument("--sensitivity", action="append", help="only this sensitivity case (repeatable)")
    filters.add_argument("--projection", action="append", help="only this projection assumption (repeatable)")
    filters.add_argument("--area", default="all", help="an area, or all (England & Wales; the default)")
    filters.add_argument("--age-band", default="all", help="an age band such as 16-24, or all (the default)")
    filters.add_argument("--programme", default="all",
                         help="a programme (programme metrics are recorded only by programme), or all")
    filters.add_argument("--csv", type=Path, help="also write the table to this CSV file")

    top = _Parser(prog="python -m sim.query", description=__doc__.splitlines()[0],
                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("sweep_dir", type=Path, help="a sweep directory (holding store/)")
    commands = top.add_subparsers(dest="command", required=True, metavar="{metric,difference,runs}")
    metric = commands.add_parser("metric", parents=[filters], help="a metric by financial year and scenario")
    metric.add_argument("metric", help="a metric of sim/spec.py, e.g. employed")
    difference = commands.add_parser("difference", parents=[filters],
                                     help="scenario minus baseline, paired on seed, draw, projection, sensitivity")
    difference.add_argument("metric", help="a metric of sim/spec.py, e.g. employed")
    difference.add_argument("--baseline", default="baseline", help="the scenario subtracted (default: baseline)")
    runs = commands.add_parser("runs", parents=[filters], help="the runs behind a figure")
    runs.add_argument("--metric", help="only runs that recorded this metric")
    runs.add_argument("--financial-year", help="only runs covering all of this financial year, e.g. 2025-26")
    return top


def main(arguments: list[str] | None = None) -> int:
    try:
        options = parser().parse_args(arguments)
        table, title = answer(options)
        if options.csv is not None:
            _write_csv(table, options.csv)
    except QueryError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(title)
    print(_readable(table))
    return 0


def answer(options: argparse.Namespace) -> tuple[pd.DataFrame, str]:
    """The table a command asks for and a line saying what it holds."""
    sweep_dir = options.sweep_dir
    if not store.files(sweep_dir):
        raise QueryError(f"{sweep_dir}: no results store ({store.STORE}/ with run files); a sweep writes it "
                         f"(python -m sim -m ... hydra.sweep.dir={sweep_dir}; rerun the sweep to fill it)")
    metric = getattr(options, "metric", None)
    if metric is not None and metric not in spec.METRICS:
        raise QueryError(f"metric {metric!r} is not known; allowed: {', '.join(spec.METRICS)}")
    scenarios = _checked_scenarios(sweep_dir, options)
    if getattr(options, "financial_year", None) and not _FINANCIAL_YEAR.match(options.financial_year):
        raise QueryError(f"--financial-year {options.financial_year!r} is not allowed; allowed: a financial "
                         "year written YYYY-YY, e.g. 2025-26")
    connection = duckdb.connect()
    try:
        if options.command == "metric":
            table = _metric(connection, sweep_dir, options, scenarios)
        elif options.command == "difference":
            table = _difference(connection, sweep_dir, options, scenarios)
        else:
            table = _runs(connection, sweep_dir, options, scenarios)
    finally:
        connection.close()
    if table.empty:
        raise QueryError(f"nothing in {store.store_dir(sweep_dir)} matches{_described(options)}"
                         + ("; programme metrics need --programme NAME" if metric and options.programme == "all"
                            and spec.METRICS[metric].kind == "programme" else ""))
    return table, _title(options)


def _metric(connection: duckdb.DuckDBPyConnection, sweep_dir: Path, options: argparse.Namespace,
            scenarios: list[str] | None) -> pd.DataFrame:
    annual, parameters = _annual(sweep_dir, options, scenarios)
    return connection.execute(
        f"""WITH annual AS ({annual})
            SELECT scenario, sensitivity, projection, financial_year, {_quantiles('value')}, count(*) AS runs
            FROM annual GROUP BY ALL
            ORDER BY scenario, sensitivity, projection, financial_year""", parameters).fetch_df()


def _difference(connection: duckdb.DuckDBPyConnection, sweep_dir: Path, options: argparse.Namespace,
                scenarios: list[str] | None) -> pd.DataFrame:
    if options.baseline not in _stored_scenarios(sweep_dir):
        raise QueryError(f"--baseline {options.baseline!r} is not in the store; found: "
                         f"{', '.join(_stored_scenarios(sweep_dir))}")
    wanted = None if scenarios is None else sorted({*scenarios, options.baseline})
    annual, parameters = _annual(sweep_dir, options, wanted)
    keys = ", ".join(("scenario", *PAIR_KEYS, "financial_year"))
    ambiguous = connection.execute(
        f"WITH annual AS ({annual}) SELECT {keys} FROM annual GROUP BY ALL HAVING count(*) > 1 LIMIT 1",
        parameters).fetchone()
    if ambiguous:
        raise QueryError("runs are not unique on scenario, " + ", ".join(PAIR_KEYS) + f" ({ambiguous}), so "
                         "pairing with the baseline is ambiguous; narrow the query with --sensitivity or "
                         "--projection, or query a sweep whose runs differ only in those")
    pairs = " AND ".join(f"compared.{key} = base.{key}" for key in (*PAIR_KEYS, "financial_year"))
    return connection.execute(
        f"""WITH annual AS ({annual})
            SELECT compared.scenario, compared.sensitivity, compared.projection, compared.financial_year,
                   {_quantiles('compared.value - base.value')}, count(*) AS pairs
            FROM annual AS compared JOIN annual AS base ON base.scenario = ? AND {pairs}
            WHERE compared.scenario <> ?
            GROUP BY ALL
            ORDER BY compared.scenario, compared.sensitivity, compared.projection, compared.financial_year""",
        [*parameters, options.baseline, options.baseline]).fetch_df()


def _runs(connection: duckdb.DuckDBPyConnection, sweep_dir: Path, options: argparse.Namespace,
          scenarios: list[str] | None) -> pd.DataFrame:
    conditions, parameters = _conditions(options, scenarios)
    year = ""
    if options.financial_year:
        year = f"WHERE financial_year = ? AND months = {MONTHS_IN_YEAR}"
        parameters.append(options.financial_year)
    keys = ", ".join(RUN_KEYS)
    table = connection.execute(
        f"""WITH years AS (
                SELECT {keys}, metric, financial_year, count(DISTINCT month) AS months FROM {_source()}
                WHERE {conditions} GROUP BY ALL)
            SELECT DISTINCT scenario, seed, draw, projection, sensitivity, run FROM years {year}
            ORDER BY scenario, sensitivity, projection, draw, seed, run""",
        [_pattern(sweep_dir), *parameters]).fetch_df()
    table["config_hash"] = [(results.read_manifest(sweep_dir / run) or {}).get("config_hash", "(no manifest)")
                            for run in table["run"]]
    return table


def _annual(sweep_dir: Path, options: argparse.Namespace, scenarios: list[str] | None) -> tuple[str, list[Any]]:
    """SQL for one row per run and complete financial year: the metric added up as the
    registry says, and its parameters."""
    how = "avg" if spec.aggregation(options.metric) == "mean" else "sum"
    conditions, parameters = _conditions(options, scenarios)
    keys = ", ".join(RUN_KEYS)
    sql = f"""SELECT {keys}, financial_year, {how}(value) AS value FROM {_source()}
              WHERE {conditions}
              GROUP BY {keys}, financial_year HAVING count(DISTINCT month) = {MONTHS_IN_YEAR}"""
    return sql, [_pattern(sweep_dir), *parameters]


def _conditions(options: argparse.Namespace, scenarios: list[str] | None) -> tuple[str, list[Any]]:
    clauses = ["area = ?", "age_band = ?", "programme = ?"]
    parameters: list[Any] = [options.area, options.age_band, options.programme]
    if getattr(options, "metric", None):
        clauses.append("metric = ?")
        parameters.append(options.metric)
    for column, values in (("scenario", scenarios), ("sensitivity", options.sensitivity),
                           ("projection", options.projection)):
        if values:
            clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
            parameters.extend(values)
    return " AND ".join(clauses), parameters


def _source() -> str:
    types = ", ".join(f"'{key}': VARCHAR" for key in store.PARTITIONS)
    return f"read_parquet(?, hive_partitioning = true, hive_types = {{{types}}})"


def _pattern(sweep_dir: Path) -> str:
    return str(store.store_dir(sweep_dir) / store.FILE_PATTERN)


def _quantiles(expression: str) -> str:
    return ", ".join(f"quantile_cont({expression}, {level}) AS {name}" for name, level in QUANTILES)


def _stored_scenarios(sweep_dir: Path) -> list[str]:
    return sorted({path.parent.parent.name.removeprefix("scenario=") for path in store.files(sweep_dir)})


def _checked_scenarios(sweep_dir: Path, options: argparse.Namespace) -> list[str] | None:
    if not options.scenario:
        return None
    stored = _stored_scenarios(sweep_dir)
    for scenario in options.scenario:
        if scenario not in stored:
            raise QueryError(f"--scenario {scenario!r} is not in the store; found: {', '.join(stored)}")
    return options.scenario


def _described(options: argparse.Namespace) -> str:
    parts = [f"{key}={value}" for key, value in (
        ("metric", getattr(options, "metric", None)), ("area", options.area), ("age_band", options.age_band),
        ("programme", options.programme), ("financial_year", getattr(options, "financial_year", None)),
        ("sensitivity", ",".join(options.sensitivity or [])),
        ("projection", ",".join(options.projection or []))) if value]
    return f" ({', '.join(parts)}) with a complete financial year"


def _title(options: argparse.Namespace) -> str:
    if options.command == "runs":
        return "runs" + (f" with {options.metric}" if options.metric else "") + \
            (f" in {options.financial_year}" if options.financial_year else "")
    metric = spec.METRICS[options.metric]
    place = f"area={options.area}, age_band={options.age_band}, programme={options.programme}"
    what = "minus " + options.baseline + " (paired), " if options.command == "difference" else ""
    return (f"{options.metric} {what}by financial year ({metric.annual_unit}; {place}): "
            "median and 5th-95th percentile across " + ("pairs" if what else "runs"))


def _readable(table: pd.DataFrame) -> str:
    shown = table.copy()
    for column in ("median", "p05", "p95"):
        if column in shown:
            shown[column] = shown[column].map(_number)
    return shown.to_string(index=False)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3f}"


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        results.write_atomic(path, lambda staging: table.to_csv(staging, index=False))
    except OSError as error:
        raise QueryError(f"--csv: {str(path)!r} cannot be written ({error.strerror or error})") from None


if __name__ == "__main__":
    sys.exit(main())
