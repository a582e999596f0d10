"""The data files in sim/data/: what columns each must have, and the one reader of them.

Every CSV the model reads goes through :func:`read_table`, which stops with one line
(:class:`~sim.params.errors.DataFileError`) naming the file and what is wrong when the file
is missing, empty, not CSV, lacks a column its reader needs or holds text where a number is
needed. ``validate`` reads every file the config names this way before any work starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sim.params.errors import DataFileError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class TableSchema:
    """Columns a data file must have; ``numeric`` ones must be numbers on every row."""

    columns: tuple[str, ...]
    numeric: tuple[str, ...] = ()
    keep_default_na: bool = True
    """False for tables whose empty cells are text (notes), read as ''."""


SCHEMAS: dict[str, TableSchema] = {
    "population_by_area": TableSchema(("area", "people_16_64", "source"), ("people_16_64",)),
    "population_by_age_group": TableSchema(("age_group", "people_16_64", "source"), ("people_16_64",)),
    "population_by_area_age_band": TableSchema(("area", "age_band", "people", "source"), ("people",)),
    "condition_prevalence": TableSchema(("condition", "age_band", "sex", "prevalence", "source"), ("prevalence",)),
    "deprivation_by_area": TableSchema(("area", "q1", "q2", "q3", "q4", "q5", "source"),
                                       ("q1", "q2", "q3", "q4", "q5")),
    "inactivity_by_area": TableSchema(("area", "inactivity_rate_16_64", "source"), ("inactivity_rate_16_64",)),
    "published_figures": TableSchema(
        ("figure_id", "measure", "value", "unit", "geography", "period", "date", "source", "note"), ("value",),
        keep_default_na=False),
    "geography_scaling": TableSchema(("geography", "factor_to_england_and_wales", "source"),
                                     ("factor_to_england_and_wales",)),
    "mortality": TableSchema(
        ("age_group", "annual_death_probability_female", "annual_death_probability_male", "source"),
        ("annual_death_probability_female", "annual_death_probability_male")),
    "population_path": TableSchema(("month", "people_16_64", "source"), ("people_16_64",)),
    "award_lengths": TableSchema(("months", "share", "source"), ("months", "share")),
    "benefit_rates": TableSchema(("component", "amount_gbp", "per", "source"), ("amount_gbp",)),
    "exchequer_assumptions": TableSchema(("assumption", "value", "unit", "source"), ("value",)),
}
"""Schema name -> the columns its readers use."""

CONFIG_FILES: dict[str, str] = {
    "population.data.population_by_area": "population_by_area",
    "population.data.population_by_age_group": "population_by_age_group",
    "population.data.population_by_area_age_band": "population_by_area_age_band",
    "population.data.condition_prevalence": "condition_prevalence",
    "population.data.deprivation_by_area": "deprivation_by_area",
    "population.data.inactivity_by_area": "inactivity_by_area",
    "population.data.published_figures": "published_figures",
    "population.data.geography_scaling": "geography_scaling",
    "demography.mortality_file": "mortality",
    "demography.population_path_file": "population_path",
    "disability_benefit.award_lengths_file": "award_lengths",
    "spending.rates_file": "benefit_rates",
}
"""Config key naming a data file -> its schema."""


def data_path(name: str | Path) -> Path:
    """A data file named in the config: relative names live in ``sim/data/``."""
    path = Path(name)
    return path if path.is_absolute() else DATA_DIR / path


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(DATA_DIR.parent.parent))
    except ValueError:
        return str(path)


def read_table(name: str | Path, schema: str) -> pd.DataFrame:
    """The table in data file ``name`` (relative to sim/data/), checked against ``SCHEMAS[schema]``."""
    expected = SCHEMAS[schema]
    path = data_path(name)
    shown = _shown(path)
    if not path.is_file():
        raise DataFileError(f"{shown}: not an existing file; allowed: a file name in {DATA_DIR} or an absolute path")
    try:
        table = pd.read_csv(path, keep_default_na=expected.keep_default_na)
    except pd.errors.EmptyDataError:
        raise DataFileError(f"{shown}: the file is empty; expected a CSV with columns "
                            f"{', '.join(expected.columns)}") from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise DataFileError(f"{shown}: cannot be read as CSV ({first})") from None
    missing = [column for column in expected.columns if column not in table.columns]
    if missing:
        raise DataFileError(f"{shown}: missing column(s) {', '.join(missing)}; expected columns "
                            f"{', '.join(expected.columns)} (found {', '.join(map(str, table.columns))})")
    if table.empty:
        raise DataFileError(f"{shown}: no rows; expected at least one row of {', '.join(expected.columns)}")
    for column in expected.numeric:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = values.isna()
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise DataFileError(f"{shown}: column {column} row {row + 2} is {table[column].iloc[row]!r}; "
                                "allowed: a number on every row")
    return table


def check_table(name: str | Path, schema: str) -> None:
    """Raise DataFileError unless ``name`` reads as ``schema`` (cached while the file is unchanged)."""
    path = data_path(name)
    try:
        stat = path.stat()
    except OSError:
        stat = None
    _check(str(path), schema, stat.st_mtime_ns if stat else -1, stat.st_size if stat else -1)


@lru_cache(maxsize=256)
def _check(path: str, schema: str, modified: int, size: int) -> None:
    read_table(path, schema)
