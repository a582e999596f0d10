"""Benefit rules as dated parameters: each amount's path by month, in 2024-25 prices.

The base rules (sim/data/benefit_rules.csv) state every amount for April 2024 and uprate it
by September CPI each April (sim/data/cpi_uprating.csv). A policy package
(configs/policy/) adds dated rows: a stated cash amount from a month, or a new uprating
rule (frozen in cash, the CPI path plus a percentage, or the Universal Credit Act 2025's
protected LCWRA amount). Amounts are followed in real terms (2024-25 prices), so an amount
uprated by CPI keeps its 2024-25 value exactly and ``pre_2025`` reproduces the rates the
model has always used; months before April 2024 are paid at 2024-25 values, the model's
convention for the fitting period.

The LCWRA element is paid by claim cohort (states.CLAIM_GROUPS): a row for ``new_claims``
also applies to new claimants under 22, and a row for ``all`` to every cohort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.core import states
from sim.core.calendar import month_index, parse_month
from sim.params.data_files import pip_daily_living_shares, read_table
from sim.params.models import RATE_PARAMETERS, DailyLivingRule, DatedRate, PolicyConfig

WEEKS_PER_MONTH = 52.0 / 12.0
PRICE_BASE_MONTH = "2024-04"
"""Amounts are in the prices of the financial year that starts here (2024-25)."""
STANDARD_ALLOWANCE = "uc_standard_allowance_single_25_plus"
LCWRA = "uc_lcwra_element"
COHORTS_COVERED: dict[str, tuple[str, ...]] = {
    "existing_claims": ("all", "existing_claims"),
    "new_claims": ("all", "new_claims"),
    "new_claims_under_22": ("all", "new_claims", "new_claims_under_22"),
}
"""Which rows' cohorts reach each claim group, in increasing precedence."""


def base_rows(rules_file: str) -> list[DatedRate]:
    """The base rules file as dated rows (validated like a package's rows)."""
    table = read_table(rules_file, "benefit_rules")
    rows = []
    for record in table.to_dict("records"):
        rows.append(DatedRate(
            parameter=record["parameter"], cohort=record["cohort"], effective_from=str(record["effective_from"]),
            amount_gbp=None if pd.isna(record["amount_gbp"]) else float(record["amount_gbp"]), per=record["per"],
            uprating=record["uprating"], above_cpi_percent=float(record["above_cpi_percent"]),
            source=record["source"]))
    return rows


def cpi_by_year(cpi_file: str) -> dict[int, float]:
    """September CPI (as a fraction) used for the uprating each April of ``year``."""
    table = read_table(cpi_file, "cpi_uprating")
    return {int(year): float(percent) / 100.0 for year, percent in zip(table["uprating_year"], table["cpi_percent"])}


def _price_level(month: str, cpi: dict[int, float]) -> float:
    """Prices in ``month`` relative to 2024-25 (CPI uprating steps each April)."""
    year, calendar_month = parse_month(month)
    last_uprating = year if calendar_month >= 4 else year - 1
    level = 1.0
    for uprating_year in range(2025, last_uprating + 1):
        level *= 1.0 + cpi[uprating_year]
    return level


def _monthly_cash(row: DatedRate) -> float:
    assert row.amount_gbp is not None
    return row.amount_gbp * (WEEKS_PER_MONTH if row.per == "week" else 1.0)


def _calendar(start: str, months: int) -> list[str]:
    """YYYY-MM of each month from the earlier of April 2024 and ``start`` to the run's end."""
    first = min(start, PRICE_BASE_MONTH)
    count = month_index(start, first) + months
    return [str(period) for period in pd.period_range(first, periods=count, freq="M")]


def amount_path(rows: list[DatedRate], calendar: list[str], cpi: dict[int, float],
                standard_allowance: np.ndarray | None = None) -> np.ndarray:
    """£ per month in 2024-25 prices, for each month of ``calendar``, of one amount given its
    dated rows (in precedence order; the first must state an amount no later than April
    2024). ``standard_allowance``: the standard allowance's path, for the protected rule."""
    by_month: dict[str, list[DatedRate]] = {}
    for row in rows:
        by_month.setdefault(row.effective_from, []).append(row)
    stated = [row for row in rows if row.amount_gbp is not None and row.effective_from <= PRICE_BASE_MONTH]
    if not stated:
        raise ValueError(f"{rows[0].parameter}: no amount stated for {PRICE_BASE_MONTH} or earlier")
    real = _monthly_cash(stated[-1]) / _price_level(stated[-1].effective_from, cpi)
    path_real = real
    uprating, above = "cpi", 0.0
    values = np.empty(len(calendar))
    for index, month in enumerate(calendar):
        year, calendar_month = parse_month(month)
        changes = by_month.get(month, []) if month > PRICE_BASE_MONTH else []
        for row in changes:
            if row.amount_gbp is None:
                uprating, above = row.uprating, row.above_cpi_percent
        if calendar_month == 4 and month > PRICE_BASE_MONTH:
            inflation = cpi[year]
            previous = real
            if uprating == "frozen":
                real /= 1.0 + inflation
            elif uprating == "cpi_path_plus":
                real = path_real * (1.0 + above / 100.0)
            elif uprating == "protected":
                assert standard_allowance is not None
                combined = standard_allowance[index - 1] + previous
                real = max(previous / (1.0 + inflation), combined - standard_allowance[index])
        for row in changes:
            if row.amount_gbp is not None:
                real = path_real = _monthly_cash(row) / _price_level(month, cpi)
                uprating, above = row.uprating, row.above_cpi_percent
        values[index] = real
    return values


@dataclass(frozen=True)
class BenefitAmounts:
    """Each paid amount by model month, £ per month in 2024-25 prices (arrays of the run's
    length). ``lcwra_element`` is keyed by claim group."""

    standard_allowance: np.ndarray
    lcw_element_pre_2017: np.ndarray
    lcwra_element: dict[str, np.ndarray]
    daily_living_standard: np.ndarray
    daily_living_enhanced: np.ndarray
    mobility_standard: np.ndarray
    mobility_enhanced: np.ndarray


def benefit_amounts(rules_file: str, policy: PolicyConfig, start: str, months: int) -> BenefitAmounts:
    """Every amount's path over the run under ``policy``."""
    rows = base_rows(rules_file) + list(policy.rates.values())
    cpi = cpi_by_year(policy.cpi_file)
    calendar = _calendar(start, months)
    offset = len(calendar) - months

    def path(parameter: str, cohort: str = "existing_claims", standard_allowance=None) -> np.ndarray:
        covered = COHORTS_COVERED[cohort]
        chosen = [row for row in rows if row.parameter == parameter and row.cohort in covered]
        chosen.sort(key=lambda row: (row.effective_from, covered.index(row.cohort)))
        return amount_path(chosen, calendar, cpi, standard_allowance)

    standard_allowance = path(STANDARD_ALLOWANCE)
    lcwra = {group: path(LCWRA, group, standard_allowance)[offset:] for group in states.CLAIM_GROUPS}
    return BenefitAmounts(
        standard_allowance=standard_allowance[offset:],
        lcw_element_pre_2017=path("uc_lcw_element_pre_2017")[offset:],
        lcwra_element=lcwra,
        daily_living_standard=path("pip_daily_living_standard")[offset:],
        daily_living_enhanced=path("pip_daily_living_enhanced")[offset:],
        mobility_standard=path("pip_mobility_standard")[offset:],
        mobility_enhanced=path("pip_mobility_enhanced")[offset:],
    )


def amounts_table(rules_file: str, policy: PolicyConfig, start: str, months: int, cash: bool = False) -> pd.DataFrame:
    """One row per month and amount (£ per month, 2024-25 prices; with ``cash``, in each
    month's own prices, to set beside published rates): what a run pays, for the reforms
    report and for readers checking a package."""
    amounts = benefit_amounts(rules_file, policy, start, months)
    columns = {
        STANDARD_ALLOWANCE: amounts.standard_allowance,
        "uc_lcw_element_pre_2017": amounts.lcw_element_pre_2017,
        **{f"{LCWRA}:{group}": path for group, path in amounts.lcwra_element.items()},
        "pip_daily_living_standard": amounts.daily_living_standard,
        "pip_daily_living_enhanced": amounts.daily_living_enhanced,
        "pip_mobility_standard": amounts.mobility_standard,
        "pip_mobility_enhanced": amounts.mobility_enhanced,
    }
    assert set(name.split(":")[0] for name in columns) == set(RATE_PARAMETERS)
    periods = pd.period_range(start, periods=months, freq="M")
    table = pd.DataFrame(columns, index=periods.to_timestamp()).rename_axis("month")
    if cash:
        cpi = cpi_by_year(policy.cpi_file)
        table = table.mul([_price_level(str(period), cpi) for period in periods], axis=0)
    return table


def daily_living_kernel_rule(rule: DailyLivingRule | None, start: str) -> tuple[float, ...] | None:
    """(first model month, at new awards, at reviews, share failing at standard, at enhanced)
    for the disability-benefit kernel, or None for no rule."""
    if rule is None:
        return None
    standard, enhanced = pip_daily_living_shares(rule.scores_file, rule.minimum_points_in_one_activity)
    return (float(month_index(rule.effective_from, start)), float("new_claims" in rule.applies_to),
            float("award_reviews" in rule.applies_to), standard, enhanced)
