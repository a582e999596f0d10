"""The typed models of every config group (one pydantic model each, strict: unknown keys
and out-of-range values are errors). ``sim.params.schema`` assembles them into the run's
``RunConfig`` from the registry (sim/spec.py).
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from sim.core import states
from sim.core.calendar import month_index, parse_month

ENGLAND_AND_WALES_16_64_MID_2019 = 37_043_234
MIN_POPULATION_SIZE = 1_000

Area = Literal[states.AREAS]  # type: ignore[valid-type]
AgeGroup = Literal[states.AGE_GROUPS]  # type: ignore[valid-type]
AgeBand = Literal[states.AGE_BANDS]  # type: ignore[valid-type]
Sex = Literal[states.SEXES]  # type: ignore[valid-type]
Quintile = Literal[states.DEPRIVATION_QUINTILES]  # type: ignore[valid-type]
Condition = Literal[states.CONDITIONS]  # type: ignore[valid-type]
LimitingLevel = Literal[states.LIMITING]  # type: ignore[valid-type]
WorkState = Literal[states.WORK_STATES]  # type: ignore[valid-type]
IncapacityState = Literal[states.INCAPACITY_BENEFIT_STATES]  # type: ignore[valid-type]
DisabilityState = Literal[states.DISABILITY_BENEFIT_STATES]  # type: ignore[valid-type]
DurationBand = Literal[states.DURATION_BANDS]  # type: ignore[valid-type]

Probability = float
HazardRatio = float


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hazard(Strict):
    """A per-month transition: probability for a reference person, times hazard ratios.

    The reference person has every ratio equal to 1. Ratios apply to the rate
    ``-ln(1 - base)``, and the month's probability is ``1 - exp(-rate)``, so ratios compose
    without ever giving a probability above 1. A ratio of 0 marks a transition impossible
    for that group (a structural zero, e.g. no long-term sickness without a limiting
    condition). ``conditions`` ratios multiply once for each condition the person has.
    """

    base: Probability = Field(ge=0.0, le=1.0)
    age_group: dict[AgeGroup, HazardRatio] = {}
    sex: dict[Sex, HazardRatio] = {}
    deprivation: dict[Quintile, HazardRatio] = {}
    area: dict[Area, HazardRatio] = {}
    conditions: dict[Condition, HazardRatio] = {}
    limiting: dict[LimitingLevel, HazardRatio] = {}
    work_state: dict[WorkState, HazardRatio] = {}
    incapacity_benefit: dict[IncapacityState, HazardRatio] = {}
    disability_benefit: dict[DisabilityState, HazardRatio] = {}
    duration: dict[DurationBand, HazardRatio] = {}
    source: str = Field(min_length=3)

    @field_validator(
        "age_group", "sex", "deprivation", "area", "conditions", "limiting", "work_state",
        "incapacity_benefit", "disability_benefit", "duration",
    )
    @classmethod
    def _ratios_not_negative(cls, ratios: dict[str, float]) -> dict[str, float]:
        for level, ratio in ratios.items():
            if not ratio >= 0:
                raise ValueError(f"hazard ratio for {level} must be 0 or more, got {ratio}")
        return ratios


class Transitions(Strict):
    transitions: dict[str, Hazard]


class SteadyOnset(Strict):
    """An onset re-derived from its condition's (fitted) recovery (sim/health_steady_state.py)."""

    recovery: str = Field(min_length=3)
    reference_recovery_base: Probability = Field(ge=0.0, le=1.0)
    """The recovery base (per-month probability) the configured onset was derived for."""


class SteadyOnsets(Strict):
    """Whether, and which, onsets keep April 2019 at its steady state when recoveries are fitted."""

    enabled: bool = False
    onsets: dict[str, SteadyOnset] = {}
    source: str = Field(min_length=3)


class HealthConfig(Transitions):
    steady_onsets: SteadyOnsets | None = None

    @model_validator(mode="after")
    def _steady_onsets_name_health_transitions(self) -> "HealthConfig":
        for onset, rule in (self.steady_onsets.onsets.items() if self.steady_onsets else ()):
            if not onset.endswith("_onset") or onset not in self.transitions:
                raise ValueError(f"health.steady_onsets.onsets: {onset!r} is not an onset in health.transitions")
            if rule.recovery not in self.transitions:
                raise ValueError(f"health.steady_onsets.onsets.{onset}.recovery: {rule.recovery!r} is not in "
                                 "health.transitions")
        return self


class WorkConfig(Transitions):
    pass


class ExitDuration(Strict):
    """How the hazard of leaving LCW or LCWRA changes with months on the award (the hazards'
    duration ratios read these): ``early_ratio`` in the award's first year and
    ``long_ratio`` after five years, against years two to five."""

    early_ratio: HazardRatio = Field(gt=0.0)
    long_ratio: HazardRatio = Field(gt=0.0)
    source: str = Field(min_length=3)


class JointReceipt(Strict):
    """Hazard ratio on leaving incapacity benefits for people who also hold PIP (the LCW and
    LCWRA exit hazards' ratios read it)."""

    ratio: HazardRatio = Field(gt=0.0)
    source: str = Field(min_length=3)


class IncapacityBenefitConfig(Transitions):
    exit_duration: ExitDuration
    joint_receipt: JointReceipt


class PipReview(Strict):
    """What a planned review that continues a finite PIP award gives (shares of continued
    awards, summing to 1; ``same_award`` left empty is the remainder). Whether a review ends
    the award is the hazard row ``disability_benefit.transitions.review_disallowed``; whether
    it is deferred is ``review_deferred``, and a deferred award is extended by
    ``deferral_months``."""

    same_award: Probability = Field(ge=0.0, le=1.0)
    higher_award: Probability = Field(ge=0.0, le=1.0)
    lower_award: Probability = Field(ge=0.0, le=1.0)
    source: str = Field(min_length=3)
    deferral_months: StrictInt = Field(ge=1, le=36)
    deferral_source: str = Field(min_length=3)

    @model_validator(mode="before")
    @classmethod
    def _remainder_is_the_same_award(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("same_award") is None:
            others = [data.get(key) for key in ("higher_award", "lower_award")]
            if all(isinstance(value, (int, float)) for value in others):
                return {**data, "same_award": round(1.0 - sum(others), 12)}
        return data

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> PipReview:
        total = self.same_award + self.higher_award + self.lower_award
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"review outcome shares must sum to 1, got {total:.4f}")
        return self


class DisabilityBenefitConfig(Transitions):
    award_lengths_file: str
    review: PipReview


class MortalityRatios(Strict):
    """Hazard ratios of death, renormalised to the life table by age and sex in April 2019."""

    conditions: dict[Condition, HazardRatio] = {}
    limiting: dict[LimitingLevel, HazardRatio] = {}
    deprivation: dict[Quintile, HazardRatio] = {}
    source: str = Field(min_length=3)


class Demography(Strict):
    entrants_per_month: float = Field(ge=0.0)
    entrants_source: str = Field(min_length=3)
    entrants_disability_benefit_share: float = Field(ge=0.0, le=1.0)
    """Share of the people turning 16 who enter with a PIP award (child DLA moved to PIP,
    "rising 16s") at April 2019 rates; drivers can move it (sim/spec.py ``CALENDAR_RATES``)."""
    entrants_disability_benefit_source: str = Field(min_length=3)
    immigrant_age_months: tuple[StrictInt, StrictInt]
    immigrant_age_source: str = Field(min_length=3)
    mortality_file: str
    population_path_file: str
    mortality_ratios: MortalityRatios

    @field_validator("immigrant_age_months")
    @classmethod
    def _immigrant_ages_within_working_age(cls, ages: tuple[int, int]) -> tuple[int, int]:
        low, high = ages
        if not states.ENTRY_AGE_MONTHS <= low <= high < states.EXIT_AGE_MONTHS:
            raise ValueError(
                f"expected [low, high] months with {states.ENTRY_AGE_MONTHS} <= low <= high"
                f" < {states.EXIT_AGE_MONTHS}"
            )
        return ages


class ConditionStructure(Strict):
    correlation: float = Field(ge=0.0, lt=1.0)
    correlation_source: str = Field(min_length=3)
    max_probability: Probability = Field(gt=0.0, le=1.0)
    max_probability_source: str = Field(min_length=3)
    deprivation_ratio: dict[Condition, float]
    deprivation_source: str = Field(min_length=3)


class LimitingStructure(Strict):
    share_by_age_band: dict[AgeBand, Probability]
    share_source: str = Field(min_length=3)
    condition_weight: dict[Condition, float]
    deprivation_ratio: float = Field(gt=0.0)
    source: str = Field(min_length=3)


class WorkStructure(Strict):
    inactive_other_by_age_group: dict[AgeGroup, float]
    unemployed_by_age_band: dict[AgeBand, float]
    limiting_ratio_inactive_other: float = Field(gt=0.0)
    limiting_ratio_unemployed: float = Field(gt=0.0)
    deprivation_ratio: float = Field(gt=0.0)
    mental_health_ratio_long_term_sick: float = Field(gt=0.0)
    condition_count_ratio_long_term_sick: float = Field(gt=0.0)
    source: str = Field(min_length=3)


class BenefitStructure(Strict):
    incapacity_by_work_state: dict[WorkState, float]
    incapacity_awaiting_share: Probability = Field(ge=0.0, le=1.0)
    incapacity_lcwra_share_start_offset: float = Field(ge=-0.1, le=0.1)
    mental_health_ratio_lcwra: float = Field(gt=0.0)
    pip_enhanced_share: Probability = Field(ge=0.0, le=1.0)
    pip_ongoing_share: Probability = Field(ge=0.0, le=1.0)
    source: str = Field(min_length=3)
    pip_risk_per_condition: float = Field(ge=0.0)
    pip_risk_per_condition_source: str = Field(min_length=3)
    pip_enhanced_ratio_lcwra: float = Field(gt=0.0)
    pip_enhanced_ratio_lcwra_source: str = Field(min_length=3)
    mean_months_on_ongoing_pip_award: float = Field(gt=0.0)
    mean_months_on_ongoing_pip_award_source: str = Field(min_length=3)


class DurationStructure(Strict):
    mean_months_in_work_state: dict[WorkState, float]
    mean_months_in_health_state: float = Field(gt=0.0)
    source: str = Field(min_length=3)


class PopulationData(Strict):
    population_by_area: str
    population_by_age_group: str
    population_by_area_age_band: str
    condition_prevalence: str
    deprivation_by_area: str
    inactivity_by_area: str
    published_figures: str
    geography_scaling: str


class StartingTargets(Strict):
    """Ids in published_figures.csv of the figures that set the April 2019 marginals."""

    employment_rate: str
    inactivity_rate: str
    long_term_sick_share: str
    employment_rate_50_64: str
    employment_rate_16_24: str
    incapacity_benefit_recipients: str
    disability_benefit_recipients: str
    health_benefit_recipients: str
    incapacity_lcwra_share: str


class PopulationConfig(Strict):
    size: StrictInt = Field(ge=MIN_POPULATION_SIZE, le=ENGLAND_AND_WALES_16_64_MID_2019)
    areas: Any = "all"
    female_share: Probability = Field(gt=0.0, lt=1.0)
    female_share_source: str = Field(min_length=3)
    data: PopulationData
    targets: StartingTargets
    conditions: ConditionStructure
    limiting: LimitingStructure
    work: WorkStructure
    benefits: BenefitStructure
    durations: DurationStructure

    @field_validator("areas")
    @classmethod
    def _known_areas(cls, areas: Any) -> Any:
        allowed = "all, or a list of area ids from: " + ", ".join(states.AREAS)
        if areas == "all":
            return areas
        if not isinstance(areas, (list, tuple)) or not areas:
            raise ValueError(f"{areas!r} is not allowed; allowed: {allowed}")
        for area in areas:
            if area not in states.AREAS:
                raise ValueError(f"{area!r} is not an area; allowed: {allowed}")
        if len(set(areas)) != len(areas):
            raise ValueError(f"{list(areas)} repeats an area; allowed: {allowed}")
        return list(areas)

    @property
    def area_ids(self) -> tuple[str, ...]:
        return states.AREAS if self.areas == "all" else tuple(self.areas)


class PanelConfig(Strict):
    size: StrictInt = Field(ge=0)


class PeriodConfig(Strict):
    start: str
    end: str

    @field_validator("start", "end", mode="before")
    @classmethod
    def _is_month(cls, text: Any) -> str:
        parse_month(str(text))
        return str(text)

    @model_validator(mode="after")
    def _start_not_after_end(self) -> PeriodConfig:
        if month_index(self.end, self.start) < 0:
            raise ValueError(
                f"start {self.start!r} is after end {self.end!r}; allowed: a start month no later than the end month"
            )
        return self

    @property
    def months(self) -> int:
        return month_index(self.end, self.start) + 1


class SpendingConfig(Strict):
    rates_file: str
    scale_to_published: dict[Literal["incapacity_benefit", "disability_benefit"], float]
    scale_source: str = Field(min_length=3)
    lcw_legacy_element_share: Probability = Field(ge=0.0, le=1.0)
    lcw_legacy_element_source: str = Field(min_length=3)


RATE_PARAMETERS = (
    "uc_standard_allowance_single_25_plus", "uc_lcw_element_pre_2017", "uc_lcwra_element",
    "pip_daily_living_standard", "pip_daily_living_enhanced", "pip_mobility_standard", "pip_mobility_enhanced",
)
"""Benefit amounts that dated rules set (sim/data/benefit_rules.csv and configs/policy/)."""
RateParameter = Literal[RATE_PARAMETERS]  # type: ignore[valid-type]
ClaimCohort = Literal[("all", *states.CLAIM_GROUPS)]  # type: ignore[valid-type]
UPRATINGS = ("cpi", "frozen", "cpi_path_plus", "protected")
"""How an amount changes at each April from a rule's date: with September CPI; frozen in cash;
the CPI-uprated path since the amount was last stated, plus ``above_cpi_percent``; or (LCWRA
element only) frozen, but with the standard allowance plus the element rising at least with
CPI (the Universal Credit Act 2025, s. 4 protected amount)."""
PIP_ACTIVITY_POINTS = (1, 12)
"""Lowest and highest points a PIP daily living activity's descriptors give (12: communicating
verbally, the highest descriptor of any activity)."""


def _month_text(text: Any) -> str:
    parse_month(str(text))
    return str(text)


class DatedRate(Strict):
    """One dated change to a benefit amount: a stated cash amount from a month, or a new
    uprating rule from the next April (the style of PolicyEngine's parameter files)."""

    parameter: RateParameter
    cohort: ClaimCohort = "all"
    effective_from: str
    amount_gbp: float | None = Field(default=None, ge=0.0)
    per: Literal["month", "week"] = "month"
    uprating: Literal[UPRATINGS] = "cpi"  # type: ignore[valid-type]
    above_cpi_percent: float = Field(default=0.0, ge=-50.0, le=50.0)
    source: str = Field(min_length=3)

    _month = field_validator("effective_from", mode="before")(classmethod(lambda cls, text: _month_text(text)))

    @model_validator(mode="after")
    def _consistent(self) -> DatedRate:
        if self.uprating == "protected" and self.parameter != "uc_lcwra_element":
            raise ValueError(f"uprating 'protected' applies only to uc_lcwra_element, not {self.parameter}")
        if self.cohort != "all" and self.parameter != "uc_lcwra_element":
            raise ValueError(f"cohort {self.cohort!r}: only uc_lcwra_element is paid by claim cohort; allowed: all")
        return self


class DailyLivingRule(Strict):
    """A PIP daily living rule on points in one activity (the March 2025 proposal: at least 4)."""

    minimum_points_in_one_activity: StrictInt = Field(ge=PIP_ACTIVITY_POINTS[0], le=PIP_ACTIVITY_POINTS[1])
    effective_from: str
    applies_to: list[Literal["new_claims", "award_reviews"]] = Field(min_length=1)
    scores_file: str
    source: str = Field(min_length=3)

    _month = field_validator("effective_from", mode="before")(classmethod(lambda cls, text: _month_text(text)))


class PolicyConfig(Strict):
    """A package of benefit rules (configs/policy/): dated amounts over the base rules of
    sim/data/benefit_rules.csv, the date that separates new incapacity claims from existing
    ones, and optionally a PIP daily living rule. ``pre_2025`` changes nothing."""

    name: str = Field(min_length=1)
    description: str = Field(min_length=3)
    status: str = Field(min_length=3)
    cpi_file: str
    new_claims_from: str
    new_claims_source: str = Field(min_length=3)
    rates: dict[str, DatedRate] = {}
    daily_living_rule: DailyLivingRule | None = None
    employment_response: Literal["off"] = "off"
    employment_response_source: str = Field(min_length=3)

    _month = field_validator("new_claims_from", mode="before")(classmethod(lambda cls, text: _month_text(text)))


class DriverConfig(Strict):
    """A named driver of change (see sim/drivers.py for the profiles)."""

    transitions: list[str] = Field(min_length=1)
    """Transitions (sim/spec.py ``TRANSITIONS``) or calendar rates (``CALENDAR_RATES``)."""
    shape: Literal["ramp", "step", "pulse", "series"]
    start: str
    full: str | None = None
    end: str | None = None
    decay_months: float = Field(default=12.0, gt=0.0)
    persist: float = Field(default=0.0, ge=0.0, le=1.0)
    points: dict[str, float] = {}
    """``series`` only: the profile at dated months (YYYY-MM), linear between them, 0 before
    ``start`` and held after the last."""
    effect: float = Field(default=0.0, ge=-0.95)
    enabled: bool = True
    prior: tuple[float, float] | None = None
    """The range ``make calibrate`` searches for ``effect``; None: not fitted (the effect and
    profile are set from the published figures the source names)."""
    age_weight: dict[AgeGroup, float] = {}
    source: str = Field(min_length=3)

    @field_validator("start", "full", "end", mode="before")
    @classmethod
    def _is_month(cls, text: Any) -> Any:
        if text is not None:
            parse_month(str(text))
        return None if text is None else str(text)

    @field_validator("points", mode="before")
    @classmethod
    def _points_are_months(cls, points: Any) -> Any:
        if isinstance(points, dict):
            for month in points:
                parse_month(str(month))
            return {str(month): value for month, value in points.items()}
        return points

    @model_validator(mode="after")
    def _profile_is_complete(self) -> DriverConfig:
        if self.shape == "ramp" and (self.full is None or month_index(self.full, self.start) <= 0):
            raise ValueError(f"a ramp needs `full` after `start` ({self.start}); got {self.full!r}")
        if self.shape == "pulse" and (self.end is None or month_index(self.end, self.start) < 0):
            raise ValueError(f"a pulse needs `end` no earlier than `start` ({self.start}); got {self.end!r}")
        if self.shape == "series":
            months = [month_index(month, self.start) for month in self.points]
            if not months or months[0] < 0 or any(b <= a for a, b in zip(months, months[1:])):
                raise ValueError(f"a series needs `points` in date order from `start` ({self.start}); "
                                 f"got {list(self.points)}")
        if self.prior is not None:
            low, high = self.prior
            if not -0.95 <= low <= high:
                raise ValueError(f"prior {list(self.prior)} must be [low, high] with -0.95 <= low <= high")
        return self


class ProjectionConfig(Strict):
    """How the drivers continue after the fitting period (sim/engine/drivers.py).

    ``aligned`` holds the drivers as ``flatten`` does and then multiplies named transitions
    by ``alignment[transition][financial year]`` (written by ``python -m sim.alignment``),
    so the caseloads follow the official forecast path."""

    name: str
    mode: Literal["trend", "flatten", "pre_pandemic", "aligned"]
    start: str
    fade_months: float = Field(default=12.0, gt=0.0)
    description: str = ""
    alignment: dict[str, dict[str, float]] = Field(default_factory=dict)
    alignment_source: str = ""

    @field_validator("alignment")
    @classmethod
    def _financial_years_and_factors(cls, alignment: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for transition, by_year in alignment.items():
            for year, factor in by_year.items():
                if not re.fullmatch(r"20\d\d-\d\d", str(year)) or (int(str(year)[:4]) + 1) % 100 != int(str(year)[5:]):
                    raise ValueError(f"alignment.{transition}.{year}: not a financial year; allowed: like 2025-26")
                if not 0.0 < float(factor) <= 20.0:
                    raise ValueError(f"alignment.{transition}.{year}: {factor}; allowed: a multiplier above 0 and at most 20")
        return alignment

    @model_validator(mode="after")
    def _alignment_needs_its_mode(self) -> ProjectionConfig:
        if self.alignment and self.mode != "aligned":
            raise ValueError(f"projection.alignment is set but projection.mode is {self.mode!r}; allowed: 'aligned'")
        if self.alignment and len(self.alignment_source) < 10:
            raise ValueError("projection.alignment_source: say where the alignment factors and their target path come from")
        return self

    @field_validator("start", mode="before")
    @classmethod
    def _is_month(cls, text: Any) -> str:
        parse_month(str(text))
        return str(text)


class CalibrationConfig(Strict):
    """Fitted values: ``draws[draw]`` maps dotted config keys to values, which the configs
    read with ``${calibrated:KEY,DEFAULT}``.

    Written by ``make calibrate``; several draws carry parameter uncertainty. An empty list
    leaves every calibrated number at its default.
    """

    draw: StrictInt = Field(default=0, ge=0)
    draws: list[dict[str, float]] = []
    spending_scale: float = Field(default=1.0, gt=0.0)
    source: str = ""

    @model_validator(mode="after")
    def _draw_exists(self) -> CalibrationConfig:
        if self.draws and self.draw >= len(self.draws):
            raise ValueError(
                f"calibration.draw: {self.draw} is not allowed; allowed: 0 to {len(self.draws) - 1}"
                f" ({len(self.draws)} parameter draws kept)"
            )
        return self


class ProgrammeEffect(Strict):
    """A hazard ratio on one transition for the people a programme reaches."""

    transition: str
    hazard_ratio: float
    interval: tuple[float, float] | None = None
    source: str = Field(min_length=3)

    @field_validator("hazard_ratio")
    @classmethod
    def _positive(cls, ratio: float) -> float:
        if not ratio > 0:
            raise ValueError(f"allowed: a hazard ratio above 0 (1 = no effect); got {ratio}")
        return ratio

    @field_validator("interval")
    @classmethod
    def _interval(cls, interval: tuple[float, float] | None) -> tuple[float, float] | None:
        if interval is not None and not 0 < interval[0] <= interval[1]:
            raise ValueError(f"allowed: [low, high] with 0 < low <= high; got {list(interval)}")
        return interval


class Eligibility(Strict):
    """Who a programme can refer; an omitted field allows everyone."""

    work_states: list[WorkState] | None = None
    incapacity_benefit: list[IncapacityState] | None = None
    disability_benefit: list[DisabilityState] | None = None
    any_condition: list[Condition] | None = None
    all_conditions: list[Condition] | None = None
    limiting: bool | None = None
    age_years: tuple[StrictInt, StrictInt] = (16, 64)
    min_months_in_work_state: StrictInt = Field(default=0, ge=0)

    @field_validator("age_years")
    @classmethod
    def _ages(cls, ages: tuple[int, int]) -> tuple[int, int]:
        if not 16 <= ages[0] <= ages[1] <= 64:
            raise ValueError(f"allowed: [low, high] years with 16 <= low <= high <= 64; got {list(ages)}")
        return ages


class ProgrammeConfig(Strict):
    """One intervention programme (configs/interventions/NAME.yaml); see sim/interventions.py."""

    name: str = Field(min_length=1)
    description: str = ""
    start: str
    end: str
    areas: Any = "all"
    eligibility: Eligibility = Eligibility()
    referral_probability: Probability = Field(ge=0.0, le=1.0)
    take_up: Probability = Field(ge=0.0, le=1.0)
    capacity_per_month: float | None = Field(default=None, ge=0.0)
    budget_gbp: float | None = Field(default=None, ge=0.0)
    cost_per_participant_gbp: float = Field(ge=0.0)
    gp_appointments_per_referral: float = Field(default=0.0, ge=0.0)
    ramp_up_months: StrictInt = Field(default=0, ge=0)
    effect_months: StrictInt = Field(ge=1, le=240)
    decay_months: StrictInt = Field(default=0, ge=0, le=240)
    effects: list[ProgrammeEffect] = Field(min_length=1)
    relapse_hazard_ratio: float = Field(default=1.0, gt=0.0)
    relapse_source: str = ""
    source: str = Field(min_length=3)

    @field_validator("start", "end", mode="before")
    @classmethod
    def _is_month(cls, text: Any) -> str:
        parse_month(str(text))
        return str(text)

    @field_validator("areas")
    @classmethod
    def _known_areas(cls, areas: Any) -> Any:
        return PopulationConfig._known_areas(areas)

    @model_validator(mode="after")
    def _consistent(self) -> ProgrammeConfig:
        if month_index(self.end, self.start) < 0:
            raise ValueError(f"start {self.start!r} is after end {self.end!r}; allowed: a start month no later than the end month")
        if self.capacity_per_month is None and self.budget_gbp is None:
            raise ValueError("needs capacity_per_month (places a month) or budget_gbp (total £), or both")
        if self.effect_months + self.decay_months > 254:
            raise ValueError("effect_months + decay_months must be at most 254")
        return self

    @property
    def area_ids(self) -> tuple[str, ...]:
        return states.AREAS if self.areas == "all" else tuple(self.areas)


class ScenarioConfig(Strict):
    name: str = Field(min_length=1)
    description: str = ""


FINANCIAL_YEAR = r"^\d{4}-\d{2}$"


class QalyValuation(Strict):
    """A switchable line valuing health gains: fewer person-years with a limiting condition."""

    enabled: bool = True
    value_per_qaly_gbp: float = Field(ge=0.0)
    qaly_gain_per_year_without_limiting_condition: float = Field(ge=0.0, le=1.0)


class AppraisalConfig(Strict):
    """How ``python -m sim.compare`` values a scenario against its baseline (Green Book
    conventions; every value's source is in ``sources``, configs/appraisal/default.yaml)."""

    price_base: str = Field(pattern=FINANCIAL_YEAR)
    discount_base_year: str = Field(pattern=FINANCIAL_YEAR)
    discount_rate: float = Field(ge=0.0, le=0.2)
    health_discount_rate: float = Field(ge=0.0, le=0.2)
    horizon_end_year: str = Field(pattern=FINANCIAL_YEAR)
    persistence_per_year: float = Field(ge=0.0, le=1.0)
    displacement: float = Field(ge=0.0, le=1.0)
    optimism_bias: float = Field(ge=0.0, le=2.0)
    earnings_scale: float = Field(gt=0.0, le=5.0)
    gp_appointment_cost_gbp: float = Field(ge=0.0)
    earnings_file: str
    tax_file: str
    benchmarks_file: str
    qaly: QalyValuation
    sources: dict[str, str]

    @model_validator(mode="after")
    def _every_number_has_a_source(self) -> AppraisalConfig:
        needed = [name for name, value in self if isinstance(value, (int, float)) and not isinstance(value, bool)]
        needed += [f"qaly.{name}" for name, value in self.qaly if isinstance(value, float)]
        missing = [name for name in needed if not self.sources.get(name, "").strip()]
        if missing:
            raise ValueError(f"sources: no source for {', '.join(missing)}; every number needs one")
        if self.horizon_end_year < "2028-29":
            raise ValueError(f"horizon_end_year: {self.horizon_end_year!r}; allowed: 2028-29 or later")
        return self


class SensitivityConfig(Strict):
    """One case of the sensitivity sweep (configs/sensitivity/); ``central`` changes nothing.

    ``programme_effects``: ``drawn`` uses each run's draw of the hazard ratios, ``low`` and
    ``high`` the ends of every programme effect's interval."""

    name: str = Field(min_length=1)
    factor: str = "none"
    level: Literal["central", "low", "high"] = "central"
    programme_effects: Literal["drawn", "low", "high"] = "drawn"
    description: str = ""


class RunSettings(Strict):
    progress: bool = True
    threads: StrictInt = Field(ge=0, default=0)
    write_panel: bool = True


