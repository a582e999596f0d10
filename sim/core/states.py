"""Names and integer codes of every state a person can be in.

The people arrays store small integer codes; this module is the one place that says what
each code means, so configs, outputs and charts can use names while the monthly step uses
integers.
"""

from __future__ import annotations

AREAS: tuple[str, ...] = (
    "north_east_north_cumbria",
    "south_yorkshire",
    "west_yorkshire",
    "yorkshire_humber_rest",
    "north_west_rest",
    "east_midlands",
    "west_midlands",
    "east_of_england",
    "london",
    "south_east",
    "south_west",
    "wales",
)
TRAILBLAZER_AREAS: tuple[str, ...] = AREAS[:3]

SEXES: tuple[str, ...] = ("female", "male")
FEMALE, MALE = range(2)

DEPRIVATION_QUINTILES: tuple[str, ...] = ("q1", "q2", "q3", "q4", "q5")
"""Index of Multiple Deprivation quintiles: q1 is the most deprived fifth of neighbourhoods,
q5 the least deprived."""

# Five-year age groups drive the hazards; the four broad bands are what outputs report.
AGE_GROUPS: tuple[str, ...] = (
    "16-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64",
)
AGE_GROUP_LOWER_YEARS: tuple[int, ...] = (16, 20, 25, 30, 35, 40, 45, 50, 55, 60)
AGE_BANDS: tuple[str, ...] = ("16-24", "25-34", "35-49", "50-64")
AGE_BAND_OF_GROUP: tuple[int, ...] = (0, 0, 1, 1, 2, 2, 2, 3, 3, 3)
OLDEST_AGE_BAND = len(AGE_BANDS) - 1
"""The band of everyone who reaches 65 (exits are counted in the band they leave)."""
ENTRY_AGE_MONTHS = 16 * 12
EXIT_AGE_MONTHS = 65 * 12

CONDITIONS: tuple[str, ...] = ("mental_health", "musculoskeletal", "cardiometabolic", "obesity")
"""Bit i of a person's ``conditions`` byte is set when they have CONDITIONS[i]."""

LIMITING: tuple[str, ...] = ("not_limiting", "limiting")
CONDITION_SETS = 2 ** len(CONDITIONS)
"""Distinct values of the conditions bit field (0 = no condition)."""

WORK_STATES: tuple[str, ...] = (
    "employed", "unemployed", "inactive_long_term_sick", "inactive_other",
)
EMPLOYED, UNEMPLOYED, INACTIVE_LONG_TERM_SICK, INACTIVE_OTHER = range(4)

INCAPACITY_BENEFIT_STATES: tuple[str, ...] = ("none", "awaiting_assessment", "lcw", "lcwra")
"""ESA and Universal Credit health: LCW = limited capability for work; LCWRA = limited
capability for work and work-related activity (ESA support group)."""
IB_NONE, IB_AWAITING_ASSESSMENT, IB_LCW, IB_LCWRA = range(4)

DISABILITY_BENEFIT_STATES: tuple[str, ...] = ("none", "awaiting_decision", "standard", "enhanced")
"""PIP (and working-age DLA mapped onto it): award at the standard or enhanced rate of the
daily living component."""
DB_NONE, DB_AWAITING_DECISION, DB_STANDARD, DB_ENHANCED = range(4)

CLAIM_GROUPS: tuple[str, ...] = ("existing_claims", "new_claims", "new_claims_under_22")
"""Who a dated incapacity-benefit rule pays: claims begun before the policy's new-claims date,
claims begun on or after it (aged 22 or more), and those new claimants still under 22."""
CLAIM_EXISTING, CLAIM_NEW, CLAIM_NEW_UNDER_22 = range(3)
UNDER_22_AGE_MONTHS = 22 * 12

DAILY_LIVING_RULE_STATES: tuple[str, ...] = ("not_tested", "passed", "lost")
"""A PIP recipient against a points-in-one-activity rule: not yet assessed under it, met it,
or failed it and lost the daily living component (the mobility component is kept)."""
DL_NOT_TESTED, DL_PASSED, DL_LOST = range(3)

NO_AWARD_END = -1
"""``award_end_month`` of an ongoing PIP award or of someone with no award."""

N_AREAS = len(AREAS)
N_SEXES = len(SEXES)
N_QUINTILES = len(DEPRIVATION_QUINTILES)
N_AGE_GROUPS = len(AGE_GROUPS)
N_AGE_BANDS = len(AGE_BANDS)
N_LIMITING = len(LIMITING)
N_WORK_STATES = len(WORK_STATES)
N_INCAPACITY_STATES = len(INCAPACITY_BENEFIT_STATES)
N_DISABILITY_STATES = len(DISABILITY_BENEFIT_STATES)
N_CLAIM_GROUPS = len(CLAIM_GROUPS)

# Months-in-state bands for duration dependence: [0,3), [3,6), [6,12), [12,24), [24,60), 60+.
DURATION_BAND_LOWER_MONTHS: tuple[int, ...] = (0, 3, 6, 12, 24, 60)
DURATION_BANDS: tuple[str, ...] = ("0-2", "3-5", "6-11", "12-23", "24-59", "60+")

# Column layout of a compiled hazard-ratio row (one row per transition): each dimension
# occupies a block of columns, one per level, so a rate is base x the product of the
# columns a person selects.
_DIMENSIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("age_group", AGE_GROUPS),
    ("sex", SEXES),
    ("deprivation", DEPRIVATION_QUINTILES),
    ("area", AREAS),
    ("conditions", CONDITIONS),
    ("limiting", LIMITING),
    ("work_state", WORK_STATES),
    ("incapacity_benefit", INCAPACITY_BENEFIT_STATES),
    ("disability_benefit", DISABILITY_BENEFIT_STATES),
    ("duration", DURATION_BANDS),
)
DIMENSION_LEVELS: dict[str, tuple[str, ...]] = dict(_DIMENSIONS)
DIMENSION_OFFSET: dict[str, int] = {}
_offset = 0
for _name, _levels in _DIMENSIONS:
    DIMENSION_OFFSET[_name] = _offset
    _offset += len(_levels)
HAZARD_COLUMNS = _offset

COL_AGE_GROUP = DIMENSION_OFFSET["age_group"]
COL_SEX = DIMENSION_OFFSET["sex"]
COL_DEPRIVATION = DIMENSION_OFFSET["deprivation"]
COL_AREA = DIMENSION_OFFSET["area"]
COL_CONDITIONS = DIMENSION_OFFSET["conditions"]
COL_LIMITING = DIMENSION_OFFSET["limiting"]
COL_WORK_STATE = DIMENSION_OFFSET["work_state"]
COL_INCAPACITY_BENEFIT = DIMENSION_OFFSET["incapacity_benefit"]
COL_DISABILITY_BENEFIT = DIMENSION_OFFSET["disability_benefit"]
COL_DURATION = DIMENSION_OFFSET["duration"]


def age_group_of_months(age_months: int) -> int:
    """Index into AGE_GROUPS of an age in completed months (16y0m .. 64y11m)."""
    years = age_months // 12
    group = 0
    for index, lower in enumerate(AGE_GROUP_LOWER_YEARS):
        if years >= lower:
            group = index
    return group


def condition_names(conditions_byte: int) -> str:
    """'mental_health+obesity' style label of a conditions bit field ('none' if empty)."""
    names = [name for bit, name in enumerate(CONDITIONS) if conditions_byte >> bit & 1]
    return "+".join(names) if names else "none"
