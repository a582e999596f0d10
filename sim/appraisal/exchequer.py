"""Income tax, National Insurance and the Universal Credit taper on a worker's earnings:
pure functions of annual earnings (£ a year, 2024-25 prices) and the 2024-25 rules in
sim/data/tax_and_nics_2024_25.csv."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.params.data_files import read_table

MONTHS_PER_YEAR = 12.0


@dataclass(frozen=True)
class TaxRules:
    """2024-25 income tax, Class 1 NICs and UC earnings rules (£ a year unless named monthly)."""

    personal_allowance: float
    basic_rate: float
    basic_rate_limit: float
    employee_nics_rate: float
    employee_nics_primary_threshold: float
    employee_nics_upper_earnings_limit: float
    employee_nics_upper_rate: float
    employer_nics_rate: float
    employer_nics_secondary_threshold: float
    uc_taper_rate: float
    uc_work_allowance_monthly: float

    @classmethod
    def from_file(cls, name: str) -> TaxRules:
        table = read_table(name, "tax_rules").set_index("parameter")["value"].astype(float)
        return cls(**{field: float(table[field]) for field in cls.__dataclass_fields__})


def _band(earnings: np.ndarray, lower: float, upper: float) -> np.ndarray:
    return np.clip(earnings - lower, 0.0, upper - lower)


def income_tax(earnings, rules: TaxRules) -> np.ndarray:
    """Income tax a year at the basic rate (returners' earnings sit below the higher rate;
    above it the basic rate is applied too, an understatement)."""
    earnings = np.asarray(earnings, dtype=float)
    return rules.basic_rate * np.clip(earnings - rules.personal_allowance, 0.0, None)


def employee_nics(earnings, rules: TaxRules) -> np.ndarray:
    """Employee Class 1 NICs a year."""
    earnings = np.asarray(earnings, dtype=float)
    main = _band(earnings, rules.employee_nics_primary_threshold, rules.employee_nics_upper_earnings_limit)
    upper = np.clip(earnings - rules.employee_nics_upper_earnings_limit, 0.0, None)
    return rules.employee_nics_rate * main + rules.employee_nics_upper_rate * upper


def employer_nics(earnings, rules: TaxRules) -> np.ndarray:
    """Employer Class 1 NICs a year."""
    earnings = np.asarray(earnings, dtype=float)
    return rules.employer_nics_rate * np.clip(earnings - rules.employer_nics_secondary_threshold, 0.0, None)


def uc_taper_monthly(earnings, award_monthly: float, rules: TaxRules) -> np.ndarray:
    """£ a month by which Universal Credit falls for a claimant with these annual earnings:
    55p in the £ of monthly earnings above the work allowance, never more than the award.
    (Earnings net of tax and NICs are what UC tapers; using gross earnings less both.)"""
    earnings = np.asarray(earnings, dtype=float)
    net = earnings - income_tax(earnings, rules) - employee_nics(earnings, rules)
    tapered = rules.uc_taper_rate * np.clip(net / MONTHS_PER_YEAR - rules.uc_work_allowance_monthly, 0.0, None)
    return np.minimum(tapered, award_monthly)


def per_worker_by_band(earnings_by_band: pd.Series, rules: TaxRules, uc_award_monthly: float) -> pd.DataFrame:
    """£ a year per worker in each age band: income tax, employee and employer NICs, and the
    UC taper (for one on an incapacity benefit in work), from annual earnings by band."""
    earnings = earnings_by_band.to_numpy(dtype=float)
    return pd.DataFrame({
        "earnings_gbp": earnings,
        "income_tax_gbp": income_tax(earnings, rules),
        "employee_nics_gbp": employee_nics(earnings, rules),
        "employer_nics_gbp": employer_nics(earnings, rules),
        "uc_taper_gbp": uc_taper_monthly(earnings, uc_award_monthly, rules) * MONTHS_PER_YEAR,
    }, index=earnings_by_band.index)
