"""The calendar: months written YYYY-MM, model month indices and UK financial years.

A run's month ``m`` is ``m`` months after ``period.start``. A financial year runs April to
March and is written ``2019-20``; this module is the one place that knows it.
"""

from __future__ import annotations

import re

import pandas as pd

_MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_MONTH_OF_FINANCIAL_YEAR = 4


def parse_month(text: str) -> tuple[int, int]:
    """'2019-04' -> (2019, 4); raises ValueError for anything else."""
    match = _MONTH_PATTERN.match(str(text))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError("allowed: a month written YYYY-MM, e.g. 2019-04")
    return int(match.group(1)), int(match.group(2))


def month_index(text: str, start: str) -> int:
    """Months from ``start`` to ``text`` (both YYYY-MM)."""
    year, month = parse_month(text)
    start_year, start_month = parse_month(start)
    return (year - start_year) * 12 + (month - start_month)


def month_starts(start: str, months: int) -> pd.DatetimeIndex:
    """The first day of each of ``months`` months from ``start`` (YYYY-MM)."""
    return pd.period_range(start=start, periods=months, freq="M").to_timestamp()


def financial_year(months: pd.Series | pd.DatetimeIndex) -> pd.Series:
    """April-March financial year of each month, as ``2019-20``."""
    months = pd.Series(pd.to_datetime(months))
    start = months.dt.year - (months.dt.month < FIRST_MONTH_OF_FINANCIAL_YEAR).astype(int)
    return start.astype(str) + "-" + ((start + 1) % 100).astype(str).str.zfill(2)


def financial_year_label(first_year: int) -> str:
    """2019 -> '2019-20'."""
    return f"{first_year}-{(first_year + 1) % 100:02d}"


def financial_year_months(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month of a financial year: '2019-20' -> (2019-04-01, 2020-03-01)."""
    first = pd.Timestamp(f"{int(label[:4])}-{FIRST_MONTH_OF_FINANCIAL_YEAR:02d}-01")
    return first, first + pd.DateOffset(months=11)


def financial_year_middle(labels: pd.Series) -> pd.Series:
    """1 October of each financial year (where it is drawn on a time axis)."""
    return pd.to_datetime(labels.str[:4] + "-10-01")
