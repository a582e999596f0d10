"""The run's configuration as one typed model, assembled from the registry.

``RunConfig`` has a field per process with a config group (sim/spec.py ``PROCESSES``), plus
the groups every run has (period, population, spending, drivers, ...). Its validators check
what no single group can: every transition a driver or programme names exists, every
process's hazards cover exactly its transitions, and every data file the config names
exists and has the columns its reader needs.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictInt, create_model, model_validator

from sim import spec
from sim.params.data_files import CONFIG_FILES, DATA_DIR, check_table, data_path, pip_daily_living_shares
from sim.params.errors import DataFileError
from sim.params.models import (
    AppraisalConfig,
    CalibrationConfig,
    DriverConfig,
    PanelConfig,
    PeriodConfig,
    PolicyConfig,
    PopulationConfig,
    ProgrammeConfig,
    ProjectionConfig,
    RunSettings,
    ScenarioConfig,
    SensitivityConfig,
    SpendingConfig,
    Strict,
)

MAX_PROGRAMMES = 250
"""Programme codes are one byte (0 = none, 255 reserved)."""
DEFAULT_POLICY = "pre_2025"
"""The benefit rules every scenario assumes unless it names a package (configs/policy/)."""
EARLIEST_RULE_CHANGE = "2024-04"
"""Dated changes start after the price base month (earlier months are paid at 2024-25 values)."""


def scenario_label(scenario: str, policy: str) -> str:
    """The name a run is reported under: its scenario, joined by ``+`` to its policy package
    when that is not ``pre_2025`` (so a sweep over packages gives each its own rows)."""
    return scenario if policy == DEFAULT_POLICY else f"{scenario}+{policy}"


def _allowed_transitions() -> str:
    return ", ".join(spec.TRANSITIONS)


class RunConfigBase(Strict):
    """The groups every run has; ``RunConfig`` adds one field per process (sim/spec.py)."""

    seed: StrictInt = Field(ge=0)
    period: PeriodConfig
    population: PopulationConfig
    panel: PanelConfig
    spending: SpendingConfig
    drivers: dict[str, DriverConfig] = {}
    projection: ProjectionConfig
    calibration: CalibrationConfig = CalibrationConfig()
    interventions: dict[str, ProgrammeConfig] = {}
    scenario: ScenarioConfig
    policy: PolicyConfig
    run: RunSettings
    appraisal: AppraisalConfig
    sensitivity: SensitivityConfig = SensitivityConfig(name="central")

    def process_config(self, process: str) -> Any:
        return getattr(self, process)

    @model_validator(mode="after")
    def _hazards_cover_every_transition(self) -> RunConfigBase:
        for name in spec.HAZARD_PROCESSES:
            declared = spec.PROCESS[name].transition_names
            configured = self.process_config(name).transitions
            for transition in configured:
                if transition not in declared:
                    raise ValueError(f"{name}.transitions.{transition}: not a transition of {name}; "
                                     f"allowed: {', '.join(declared)}")
            missing = [transition for transition in declared if transition not in configured]
            if missing:
                raise ValueError(f"{name}.transitions: no hazard for {', '.join(missing)}; "
                                 f"every transition of {name} needs one")
        return self

    @model_validator(mode="after")
    def _name_real_transitions(self) -> RunConfigBase:
        for name, driver in self.drivers.items():
            for target in driver.transitions:
                if target not in spec.DRIVER_TARGETS:
                    raise ValueError(f"drivers.{name}.transitions: {target!r} is not a transition or calendar "
                                     f"rate; allowed: {', '.join(spec.DRIVER_TARGETS)}")
        for name, programme in self.interventions.items():
            for index, effect in enumerate(programme.effects):
                if effect.transition not in spec.TRANSITIONS:
                    raise ValueError(f"interventions.{name}.effects[{index}].transition: {effect.transition!r} "
                                     f"is not a transition; allowed: {_allowed_transitions()}")
        for target in self.projection.alignment:
            if target not in spec.TRANSITIONS:
                raise ValueError(f"projection.alignment: {target!r} is not a transition; allowed: {_allowed_transitions()}")
        if len(self.interventions) > MAX_PROGRAMMES:
            raise ValueError(f"interventions: {len(self.interventions)} programmes; allowed: at most {MAX_PROGRAMMES}")
        return self

    @model_validator(mode="after")
    def _policy_dates_within_the_run(self) -> RunConfigBase:
        end, first = self.period.end, EARLIEST_RULE_CHANGE
        dated = [(f"policy.rates.{name}.effective_from", rate.effective_from) for name, rate in self.policy.rates.items()]
        rule = self.policy.daily_living_rule
        if rule is not None:
            dated.append(("policy.daily_living_rule.effective_from", rule.effective_from))
        for key, month in dated:
            if not first < month <= end:
                raise ValueError(f"{key}: {month!r} is outside the run; allowed: a month after {first} and no later "
                                 f"than {end} (run longer, or choose another date)")
        if rule is not None:
            if not data_path(rule.scores_file).is_file():
                raise ValueError(f"policy.daily_living_rule.scores_file: {rule.scores_file!r} is not an existing file; "
                                 f"allowed: a file name in {DATA_DIR} or an absolute path")
            try:
                pip_daily_living_shares(rule.scores_file, rule.minimum_points_in_one_activity)
            except (ValueError, DataFileError) as error:
                raise ValueError(f"policy.daily_living_rule.minimum_points_in_one_activity: {error}") from None
        return self

    @model_validator(mode="after")
    def _data_files_are_readable(self) -> RunConfigBase:
        for key, schema in CONFIG_FILES.items():
            node: Any = self
            for part in key.split("."):
                node = getattr(node, part)
            if not data_path(node).is_file():
                raise ValueError(f"{key}: {node!r} is not an existing file; allowed: a file name in {DATA_DIR} "
                                 "or an absolute path")
            try:
                check_table(node, schema)
            except DataFileError as error:
                raise ValueError(f"{key}: {error}") from None
        return self


def run_label(config: RunConfigBase) -> str:
    """:func:`scenario_label` of a validated run config."""
    return scenario_label(config.scenario.name, config.policy.name)


RunConfig = create_model(
    "RunConfig",
    __base__=RunConfigBase,
    __module__=__name__,
    __doc__="A validated run configuration: the common groups and one group per process (sim/spec.py).",
    **{process.name: (process.config_model, ...) for process in spec.PROCESSES if process.config_model},
)
