"""Green Book discounting: a value in financial year t (2024-25 prices) counts
1 / (1 + r) ^ (t - base year); years before the base year count in full."""

from __future__ import annotations

import numpy as np
import pandas as pd


def year_number(financial_year) -> np.ndarray:
    """2024 for '2024-25' (the year the financial year starts)."""
    return np.asarray(pd.Series(financial_year).str.slice(0, 4).astype(int))


def discount_factors(financial_years, base_year: str, rate: float) -> np.ndarray:
    """One factor per financial year (years before ``base_year`` get 1)."""
    elapsed = np.clip(year_number(financial_years) - int(base_year[:4]), 0, None)
    return (1.0 + rate) ** -elapsed.astype(float)


def years_between(first: str, last: str) -> list[str]:
    """Financial years from ``first`` to ``last`` inclusive ('2029-30', ...)."""
    return [f"{year}-{(year + 1) % 100:02d}" for year in range(int(first[:4]), int(last[:4]) + 1)]
