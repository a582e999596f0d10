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

from sim.core import states
from sim.params.errors import DataFileError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class TableSchema:
    """Columns a data file must have; ``numeric`` ones must be numbers on every row."""

    columns: tuple[str, ...]
    numeric: tuple[str, ...] = ()
    keep_default_na: bool = True
    """False for tables whose empty cells are text (notes), read as ''."""
    rows: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(column, values) pairs: the table must have a row for each value (e.g. every area)."""


SCHEMAS: dict[str, TableSchema] = {
    "population_by_area": TableSchema(("area", "people_16_64", "source"), ("people_16_64",),
                                      rows=(("area", states.AREAS),)),
    "population_by_age_group": TableSchema(("age_group", "people_16_64", "source"), ("people_16_64",),
                                           rows=(("age_group", states.AGE_GROUPS),)),
    "population_by_area_age_band": TableSchema(("area", "age_band", "people", "source"), ("people",),
                                               rows=(("area", ("england_and_wales",)), ("age_band", states.AGE_BANDS))),
    "condition_prevalence": TableSchema(
        ("condition", "age_band", "sex", "prevalence", "source"), ("prevalence",),
        rows=(("condition", states.CONDITIONS), ("age_band", states.AGE_BANDS), ("sex", states.SEXES))),
    "deprivation_by_area": TableSchema(("area", *states.DEPRIVATION_QUINTILES, "source"), states.DEPRIVATION_QUINTILES,
                                       rows=(("area", states.AREAS),)),
    "inactivity_by_area": TableSchema(("area", "inactivity_rate_16_64", "source"), ("inactivity_rate_16_64",),
                                      rows=(("area", states.AREAS),)),
    "published_figures": TableSchema(
        ("figure_id", "measure", "value", "unit", "geography", "period", "date", "source", "note"), ("value",),
        keep_default_na=False),
    "geography_scaling": TableSchema(("geography", "factor_to_england_and_wales", "source"),
                                     ("factor_to_england_and_wales",), rows=(("geography", ("england_and_wales",)),)),
    "mortality": TableSchema(
        ("age_group", "annual_death_probability_female", "annual_death_probability_male", "source"),
        ("annual_death_probability_female", "annual_death_probability_male"),
        rows=(("age_group", states.AGE_GROUPS),)),
    "population_path": TableSchema(("month", "people_16_64", "source"), ("people_16_64",)),
    "award_lengths": TableSchema(("months", "share", "source"), ("months", "share")),
    "benefit_rules": TableSchema(
        ("parameter", "cohort", "effective_from", "amount_gbp", "per", "uprating", "above_cpi_percent", "source"),
        ("amount_gbp", "above_cpi_percent"),
        rows=(("parameter", ("uc_standard_allowance_single_25_plus", "uc_lcw_element_pre_2017", "uc_lcwra_element",
                             "pip_daily_living_standard", "pip_daily_living_enhanced", "pip_mobility_standard",
                             "pip_mobility_enhanced")),)),
    "cpi_uprating": TableSchema(("uprating_year", "cpi_percent", "source"), ("uprating_year", "cpi_percent")),
    "pip_daily_living_points": TableSchema(
        ("minimum_points_in_one_activity", "award_level", "share_below_in_every_activity", "source"),
        ("minimum_points_in_one_activity", "share_below_in_every_activity")),
    "reform_costings": TableSchema(
        ("costing_id", "package", "measure", "value", "unit", "geography", "period", "source", "note"), ("value",),
        keep_default_na=False),
    "tax_rules": TableSchema(("parameter", "value", "unit", "source"), ("value",), rows=(("parameter", (
        "personal_allowance", "basic_rate", "basic_rate_limit", "employee_nics_rate",
        "employee_nics_primary_threshold", "employee_nics_upper_earnings_limit", "employee_nics_upper_rate",
        "employer_nics_rate", "employer_nics_secondary_threshold", "uc_taper_rate", "uc_work_allowance_monthly")),)),
    "returner_earnings": TableSchema(("age_band", "annual_earnings_gbp", "source"), ("annual_earnings_gbp",),
                                     rows=(("age_band", states.AGE_BANDS),)),
    "programme_benchmarks": TableSchema(
        ("programme", "benchmark", "cost_per_participant_gbp", "employment_effect_pp", "effect_months",
         "return_per_pound", "return_kind", "source")),
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
    "spending.rates_file": "benefit_rules",
    "policy.cpi_file": "cpi_uprating",
    "appraisal.earnings_file": "returner_earnings",
    "appraisal.tax_file": "tax_rules",
    "appraisal.benchmarks_file": "programme_benchmarks",
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
            value = table[column].iloc[row]
            shown_value = "empty" if pd.isna(value) else repr(str(value))
            raise DataFileError(f"{shown}: column {column} row {row + 2} is {shown_value}; "
                                "allowed: a number on every row")
    for column, values in expected.rows:
        present = set(table[column].astype(str))
        absent = [value for value in values if value not in present]
        if absent:
            raise DataFileError(f"{shown}: no row with {column} {', '.join(absent)}; the model needs a row for each of "
                                f"{', '.join(values)}")
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


def pip_daily_living_shares(scores_file: str | Path, minimum_points: int) -> tuple[float, float]:
    """Shares of standard- and enhanced-rate PIP daily living recipients who score below
    ``minimum_points`` in every activity (ValueError naming the thresholds with data)."""
    table = read_table(scores_file, "pip_daily_living_points")
    rows = table[table["minimum_points_in_one_activity"] == minimum_points]
    shares = dict(zip(rows["award_level"], rows["share_below_in_every_activity"].astype(float)))
    if set(shares) != {"standard", "enhanced"}:
        known = sorted(set(int(points) for points in table["minimum_points_in_one_activity"]))
        raise ValueError(f"{minimum_points} has no published share for both award levels in {scores_file}; "
                         f"allowed: {', '.join(map(str, known))}")
    return shares["standard"], shares["enhanced"]
