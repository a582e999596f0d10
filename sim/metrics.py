"""Names of the metrics a run records, and their indices in the monthly arrays.

Stocks are counted at the end of each month; flows are counted as they happen during the
month. Both are sums of person weights (people represented) over a grid of area x broad
age band, from which the recorder builds the tidy ``metrics.parquet``. Spending metrics
(£ per month, 2024-25 prices) are computed from the benefit stocks.
"""

from __future__ import annotations

STOCKS: tuple[str, ...] = (
    "population",
    "employed",
    "unemployed",
    "inactive_long_term_sick",
    "inactive_other",
    "incapacity_benefit_recipients",
    "incapacity_benefit_awaiting_assessment",
    "incapacity_benefit_lcw",
    "incapacity_benefit_lcwra",
    "disability_benefit_recipients",
    "disability_benefit_standard",
    "disability_benefit_enhanced",
    "disability_benefit_awaiting_decision",
    "health_benefit_recipients",
    "health_benefit_recipients_both",
    "limiting_condition",
    "mental_health_condition",
    "musculoskeletal_condition",
    "cardiometabolic_condition",
    "obesity",
    "inactive_long_term_sick_with_mental_health",
    "inactive_long_term_sick_with_musculoskeletal",
    "inactive_long_term_sick_with_cardiometabolic",
    "inactive_long_term_sick_with_obesity",
    "health_benefit_recipients_with_mental_health",
    "health_benefit_recipients_with_musculoskeletal",
    "health_benefit_recipients_with_cardiometabolic",
    "health_benefit_recipients_with_obesity",
)
STOCK = {name: index for index, name in enumerate(STOCKS)}

FLOWS: tuple[str, ...] = (
    "deaths",
    "exits_at_65",
    "entrants_at_16",
    "immigrants",
    "emigrants",
    "left_work_for_health",
    "returned_to_work_from_sickness",
    "incapacity_benefit_starts",
    "incapacity_benefit_awards_lcw",
    "incapacity_benefit_awards_lcwra",
    "incapacity_benefit_found_fit",
    "incapacity_benefit_exits",
    "disability_benefit_claims",
    "disability_benefit_starts",
    "disability_benefit_disallowed",
    "disability_benefit_reviews",
    "disability_benefit_review_disallowed",
    "incapacity_benefit_recipients_into_work",
)
FLOW = {name: index for index, name in enumerate(FLOWS)}

SPENDING: tuple[str, ...] = (
    "incapacity_benefit_spending_gbp",
    "disability_benefit_spending_gbp",
    "health_benefit_spending_gbp",
)

# Flow indices used inside numba kernels (module-level ints are compile-time constants).
DEATHS = FLOW["deaths"]
EXITS_AT_65 = FLOW["exits_at_65"]
ENTRANTS_AT_16 = FLOW["entrants_at_16"]
IMMIGRANTS = FLOW["immigrants"]
EMIGRANTS = FLOW["emigrants"]
LEFT_WORK_FOR_HEALTH = FLOW["left_work_for_health"]
RETURNED_TO_WORK_FROM_SICKNESS = FLOW["returned_to_work_from_sickness"]
INCAPACITY_BENEFIT_STARTS = FLOW["incapacity_benefit_starts"]
INCAPACITY_BENEFIT_AWARDS_LCW = FLOW["incapacity_benefit_awards_lcw"]
INCAPACITY_BENEFIT_AWARDS_LCWRA = FLOW["incapacity_benefit_awards_lcwra"]
INCAPACITY_BENEFIT_FOUND_FIT = FLOW["incapacity_benefit_found_fit"]
INCAPACITY_BENEFIT_EXITS = FLOW["incapacity_benefit_exits"]
DISABILITY_BENEFIT_CLAIMS = FLOW["disability_benefit_claims"]
DISABILITY_BENEFIT_STARTS = FLOW["disability_benefit_starts"]
DISABILITY_BENEFIT_DISALLOWED = FLOW["disability_benefit_disallowed"]
DISABILITY_BENEFIT_REVIEWS = FLOW["disability_benefit_reviews"]
DISABILITY_BENEFIT_REVIEW_DISALLOWED = FLOW["disability_benefit_review_disallowed"]
INCAPACITY_BENEFIT_RECIPIENTS_INTO_WORK = FLOW["incapacity_benefit_recipients_into_work"]

DERIVED: dict[str, tuple[str, ...]] = {
    "incapacity_benefit_awards": ("incapacity_benefit_awards_lcw", "incapacity_benefit_awards_lcwra"),
}
"""Flows that are sums of other flows, added to the tidy table."""

ALL_METRICS: tuple[str, ...] = STOCKS + FLOWS + SPENDING + tuple(DERIVED)
