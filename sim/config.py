"""Typed schema of the run configuration, and validation that fails in one clear line.

Hydra composes ``configs/`` and ``scenarios/`` into a DictConfig; :func:`validate` turns it
into a :class:`RunConfig` or raises :class:`ConfigError` whose message names the key, the
value and what is allowed. The command line prints that line and exits with code 2 before
any work is done.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any, Literal

from omegaconf import DictConfig, OmegaConf
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from sim import states

DATA_DIR = Path(__file__).resolve().parent / "data"
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
_MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class ConfigError(ValueError):
    """A configuration value that is not allowed; the message is one line."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class HealthConfig(Transitions):
    pass


class WorkConfig(Transitions):
    pass


class IncapacityBenefitConfig(Transitions):
    pass


class PipReview(Strict):
    """What happens when a finite PIP award reaches its end month (shares sum to 1)."""

    same_award: Probability = Field(ge=0.0, le=1.0)
    higher_award: Probability = Field(ge=0.0, le=1.0)
    lower_award: Probability = Field(ge=0.0, le=1.0)
    disallowed: Probability = Field(ge=0.0, le=1.0)
    source: str = Field(min_length=3)

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> PipReview:
        total = self.same_award + self.higher_award + self.lower_award + self.disallowed
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
    pip_awaiting_share: Probability = Field(ge=0.0, le=1.0)
    pip_ongoing_share: Probability = Field(ge=0.0, le=1.0)
    mean_months_on_incapacity_benefit: float = Field(gt=0.0)
    source: str = Field(min_length=3)


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


class DriverConfig(Strict):
    """A named driver of change (see sim/drivers.py for the profiles)."""

    transitions: list[str] = Field(min_length=1)
    shape: Literal["ramp", "step", "pulse"]
    start: str
    full: str | None = None
    end: str | None = None
    decay_months: float = Field(default=12.0, gt=0.0)
    persist: float = Field(default=0.0, ge=0.0, le=1.0)
    effect: float = Field(default=0.0, ge=-0.95)
    enabled: bool = True
    prior: tuple[float, float]
    age_weight: dict[AgeGroup, float] = {}
    source: str = Field(min_length=3)

    @field_validator("start", "full", "end", mode="before")
    @classmethod
    def _is_month(cls, text: Any) -> Any:
        if text is not None:
            parse_month(str(text))
        return None if text is None else str(text)

    @model_validator(mode="after")
    def _profile_is_complete(self) -> DriverConfig:
        if self.shape == "ramp" and (self.full is None or month_index(self.full, self.start) <= 0):
            raise ValueError(f"a ramp needs `full` after `start` ({self.start}); got {self.full!r}")
        if self.shape == "pulse" and (self.end is None or month_index(self.end, self.start) < 0):
            raise ValueError(f"a pulse needs `end` no earlier than `start` ({self.start}); got {self.end!r}")
        low, high = self.prior
        if not -0.95 <= low <= high:
            raise ValueError(f"prior {list(self.prior)} must be [low, high] with -0.95 <= low <= high")
        return self


class ProjectionConfig(Strict):
    """How the drivers continue after the fitting period (sim/drivers.py)."""

    name: str
    mode: Literal["trend", "flatten", "pre_pandemic"]
    start: str
    fade_months: float = Field(default=12.0, gt=0.0)
    description: str = ""

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


def _calibrated(key: str, default: float, *, _root_: DictConfig) -> float:
    """``${calibrated:KEY,DEFAULT}``: KEY's value in the selected calibration draw, else DEFAULT.

    The configs read every calibrated number through this resolver, so ``calibration.draw=K``
    selects a draw while a scenario or command-line value for the same key, which replaces
    the interpolation, always wins.
    """
    calibration = _root_.get("calibration") or {}
    draws = calibration.get("draws") or []
    draw = calibration.get("draw", 0)
    if draws and isinstance(draw, int) and 0 <= draw < len(draws):
        value = draws[draw].get(key)
        if value is not None:
            return float(value)
    return float(default)


OmegaConf.register_new_resolver("calibrated", _calibrated, replace=True)


def _check_draw_keys(raw: dict[str, Any]) -> None:
    """Every key of the selected draw must name a value in the config."""
    calibration = raw.get("calibration") or {}
    draws = calibration.get("draws") or []
    draw = calibration.get("draw", 0)
    if not draws or not isinstance(draw, int) or not 0 <= draw < len(draws):
        return
    for key in draws[draw]:
        node: Any = raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise ConfigError(f"calibration.draws[{draw}]: {key!r} is not a key of the config")
            node = node[part]


PROCESS_NAMES = ("health", "work", "incapacity_benefit", "disability_benefit")


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


class RunSettings(Strict):
    progress: bool = True
    threads: StrictInt = Field(ge=0, default=0)
    write_panel: bool = True


class RunConfig(Strict):
    seed: StrictInt = Field(ge=0)
    period: PeriodConfig
    population: PopulationConfig
    panel: PanelConfig
    demography: Demography
    health: HealthConfig
    work: WorkConfig
    incapacity_benefit: IncapacityBenefitConfig
    disability_benefit: DisabilityBenefitConfig
    spending: SpendingConfig
    drivers: dict[str, DriverConfig] = {}
    projection: ProjectionConfig
    calibration: CalibrationConfig = CalibrationConfig()
    interventions: dict[str, ProgrammeConfig] = {}
    scenario: ScenarioConfig
    run: RunSettings

    def _check_transition(self, key: str, target: str) -> None:
        processes = {name: getattr(self, name) for name in PROCESS_NAMES}
        process, _, transition = target.partition(".")
        if process not in processes or transition not in processes[process].transitions:
            known = ", ".join(f"{p}.{t}" for p, c in processes.items() for t in c.transitions)
            raise ValueError(f"{key}: {target!r} is not a transition; allowed: {known}")

    @model_validator(mode="after")
    def _name_real_transitions(self) -> RunConfig:
        for name, driver in self.drivers.items():
            for target in driver.transitions:
                self._check_transition(f"drivers.{name}.transitions", target)
        for name, programme in self.interventions.items():
            for index, effect in enumerate(programme.effects):
                self._check_transition(f"interventions.{name}.effects[{index}].transition", effect.transition)
        if len(self.interventions) > 250:
            raise ValueError(f"interventions: {len(self.interventions)} programmes; allowed: at most 250")
        return self

    @model_validator(mode="after")
    def _data_files_exist(self) -> RunConfig:
        files = dict(self.population.data)
        files["demography.mortality_file"] = self.demography.mortality_file
        files["demography.population_path_file"] = self.demography.population_path_file
        files["disability_benefit.award_lengths_file"] = self.disability_benefit.award_lengths_file
        files["spending.rates_file"] = self.spending.rates_file
        for key, name in files.items():
            if not data_path(name).is_file():
                dotted = key if "." in key else f"population.data.{key}"
                raise ValueError(
                    f"{dotted}: {name!r} is not an existing file; allowed: a file name in {DATA_DIR} or an absolute path"
                )
        return self


def data_path(name: str) -> Path:
    """A data file named in the config: relative names live in ``sim/data/``."""
    path = Path(name)
    return path if path.is_absolute() else DATA_DIR / path


def _dotted(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location if part != "[key]" and not str(part).startswith(("literal[", "list[")))


def _field_bounds(location: tuple[Any, ...]) -> str | None:
    """'from A to B' for a numeric field of the schema, found by walking ``location``."""
    model: Any = RunConfig
    info = None
    for part in location:
        if typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]
            continue
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return None
        info = fields[part]
        model = info.annotation
    if info is None:
        return None
    low = high = None
    for item in info.metadata:
        low = getattr(item, "ge", None) if getattr(item, "ge", None) is not None else low
        low = getattr(item, "gt", None) if getattr(item, "gt", None) is not None else low
        high = getattr(item, "le", None) if getattr(item, "le", None) is not None else high
        high = getattr(item, "lt", None) if getattr(item, "lt", None) is not None else high
    if low is None and high is None:
        return None
    kind = "a whole number" if info.annotation in (int, StrictInt) else "a number"
    if low is not None and high is not None:
        return f"{kind} from {low:,} to {high:,}"
    return f"{kind} of at least {low:,}" if low is not None else f"{kind} of at most {high:,}"


_PHRASES = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
}


def _one_line(error: dict[str, Any]) -> str:
    location = tuple(error["loc"])
    key = _dotted(location)
    message = error["msg"].replace("\n", " ")
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{key}: unknown key; check its spelling against configs/ (docs/model.md lists every key)"
    if kind == "missing":
        return f"{key}: missing; this key is required"
    if "[key]" in location:
        value = location[location.index("[key]") - 1]
        expected = error.get("ctx", {}).get("expected", message)
        return f"{key}: {value!r} is not allowed; allowed: {expected}"
    value = error.get("input")
    if not location or isinstance(value, (dict, list)):
        return f"{key}: {message}" if key else message
    if message.startswith("allowed:"):
        return f"{key}: {value!r} is not allowed; {message}"
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", message)
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        allowed = _field_bounds(location) or message
    else:
        allowed = _PHRASES.get(kind) or _field_bounds(location) or message
    return f"{key}: {value!r} is not allowed; allowed: {allowed}"


def validate(config: DictConfig | dict[str, Any]) -> RunConfig:
    """The typed run configuration, or ConfigError naming the first bad key and value."""
    if not isinstance(config, DictConfig):
        config = OmegaConf.create({key: value for key, value in dict(config).items() if key != "hydra"})
    try:
        raw = OmegaConf.to_container(config, resolve=True)
    except Exception as error:
        raise ConfigError(f"cannot resolve the config: {str(error).splitlines()[0]}") from None
    raw = {key: value for key, value in raw.items() if key not in ("hydra", "calibrate", "targets", "checks", "parameters")}  # type: ignore[union-attr]
    try:
        _check_draw_keys(raw)
        return RunConfig.model_validate(raw)
    except ConfigError:
        raise
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise ConfigError(_one_line(first)) from None
    except ValueError as error:
        raise ConfigError(str(error).splitlines()[0]) from None


CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


def compose(overrides: list[str] | tuple[str, ...] = ()) -> DictConfig:
    """The composed config for ``overrides``, as ``python -m sim`` would build it.

    For notebooks, tests and the calibration, which run models without the CLI.
    """
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
        return hydra_compose(config_name="config", overrides=list(overrides))


def load(overrides: list[str] | tuple[str, ...] = ()) -> RunConfig:
    """Compose and validate in one step."""
    return validate(compose(overrides))
