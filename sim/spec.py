"""The registry: every process, named transition, random lane and metric, declared once.

Everything else reads these declarations instead of listing processes or metrics itself:

* ``PROCESSES``: the person-level processes in the order the month kernel runs them, each
  with its config model (the ``configs/<name>/`` group), random stream, Philox calls per
  person-month, the uniforms it uses (lanes) and the person fields it owns;
* ``TRANSITIONS``: ``"work.long_term_sick_to_employed"`` -> process, row of its hazard table,
  source and destination state, and the flow it counts. Drivers (configs/drivers) and
  programme effects (configs/interventions) name transitions this way, and reach the kernel
  through this table;
* ``METRICS``: every metric a run records, with its kind (stock, flow, money, programme), its
  unit, how it adds up over a financial year (stocks: mean of the months; flows, money and
  programme counts: sum) and its breakdowns. Stocks say which people they count.

Adding a transition lever is one ``Transition`` here plus the line in the process that
applies it; ``tests/test_code_health.py`` checks that the config schema, this registry and
the kernel agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.core import states
from sim.core.encoding import (
    ENTITLEMENT_COUNT_SHAPE,
    HEALTH_COUNT_SHAPE,
    N_ENTITLEMENT_CODES,
    N_HEALTH_CODES,
    N_STATUS_CODES,
    STATUS_COUNT_SHAPE,
)
from sim.params.models import (
    Demography,
    DisabilityBenefitConfig,
    HealthConfig,
    IncapacityBenefitConfig,
    WorkConfig,
)

# ---------------------------------------------------------------------------- transitions


@dataclass(frozen=True)
class Transition:
    """A row of a process's hazard table."""

    process: str
    name: str
    row: int
    source: int | None = None
    """State code the transition leaves (None where the process is not a ladder of states)."""
    destination: int | None = None
    flow: str | None = None
    """Flow metric counted when it happens (None: not counted as a flow)."""
    competing: bool = True
    """False for a row read at a scheduled event (a PIP review) rather than each month."""

    @property
    def key(self) -> str:
        return f"{self.process}.{self.name}"


def _ladder(process: str, rows: tuple[tuple[str, int, int, str | None], ...],
            scheduled: tuple[str, ...] = ()) -> tuple[Transition, ...]:
    """Rows in order; names in ``scheduled`` are read at a scheduled event, not competing."""
    return tuple(Transition(process, name, row, source, destination, flow, name not in scheduled)
                 for row, (name, source, destination, flow) in enumerate(rows))


_HEALTH = tuple(
    Transition("health", f"{condition}_{change}", 2 * bit + step)
    for bit, condition in enumerate(states.CONDITIONS) for step, change in enumerate(("onset", "recovery"))
) + (
    Transition("health", "limiting_onset", 2 * len(states.CONDITIONS)),
    Transition("health", "limiting_remission", 2 * len(states.CONDITIONS) + 1),
)
"""Row 2b is onset of condition bit b and 2b+1 its recovery; then limiting onset and remission."""

_W = {"employed": states.EMPLOYED, "unemployed": states.UNEMPLOYED,
      "long_term_sick": states.INACTIVE_LONG_TERM_SICK, "inactive_other": states.INACTIVE_OTHER}
_WORK_FLOWS = {("employed", "long_term_sick"): "left_work_for_health",
               ("long_term_sick", "employed"): "returned_to_work_from_sickness"}
_WORK = _ladder("work", tuple(
    (f"{source}_to_{destination}", _W[source], _W[destination], _WORK_FLOWS.get((source, destination)))
    for source in _W for destination in _W if destination != source
))
"""Three competing transitions out of each work state, in states.WORK_STATES order."""

_INCAPACITY = _ladder("incapacity_benefit", (
    ("claim", states.IB_NONE, states.IB_AWAITING_ASSESSMENT, "incapacity_benefit_starts"),
    ("assessed_fit", states.IB_AWAITING_ASSESSMENT, states.IB_NONE, "incapacity_benefit_found_fit"),
    ("assessed_lcw", states.IB_AWAITING_ASSESSMENT, states.IB_LCW, "incapacity_benefit_awards_lcw"),
    ("assessed_lcwra", states.IB_AWAITING_ASSESSMENT, states.IB_LCWRA, "incapacity_benefit_awards_lcwra"),
    ("lcw_to_lcwra", states.IB_LCW, states.IB_LCWRA, None),
    ("lcw_exit", states.IB_LCW, states.IB_NONE, "incapacity_benefit_exits"),
    ("lcwra_exit", states.IB_LCWRA, states.IB_NONE, "incapacity_benefit_exits"),
))

_DISABILITY = _ladder("disability_benefit", (
    ("claim", states.DB_NONE, states.DB_AWAITING_DECISION, "disability_benefit_claims"),
    ("awarded_standard", states.DB_AWAITING_DECISION, states.DB_STANDARD, "disability_benefit_starts"),
    ("awarded_enhanced", states.DB_AWAITING_DECISION, states.DB_ENHANCED, "disability_benefit_starts"),
    ("disallowed", states.DB_AWAITING_DECISION, states.DB_NONE, "disability_benefit_disallowed"),
    ("standard_to_enhanced", states.DB_STANDARD, states.DB_ENHANCED, None),
    ("review_disallowed", states.DB_STANDARD, states.DB_NONE, None),
    ("review_deferred", states.DB_STANDARD, states.DB_STANDARD, None),
    ("standard_award_ended", states.DB_STANDARD, states.DB_NONE, "disability_benefit_ends_outside_review"),
    ("enhanced_award_ended", states.DB_ENHANCED, states.DB_NONE, "disability_benefit_ends_outside_review"),
), scheduled=("review_disallowed", "review_deferred"))
"""``review_disallowed`` is the chance that a planned review at an award's end (standard or
enhanced) ends it, and ``review_deferred`` the chance that the review does not take place
that month and the award is extended instead (backlogs, the 2020 suspension, the automatic
extensions from September 2022). Both are read at the award's end month as 1 - exp(-rate),
deferral first, so drivers, alignment and programme effects reach them by name like any other
row; their flows are counted by the review itself. ``standard_award_ended`` and
``enhanced_award_ended`` are awards ending in any month outside a planned review (a reported
change of circumstances that disallows, a withdrawn claim, leaving Great Britain)."""

# ---------------------------------------------------------------------------- processes


@dataclass(frozen=True)
class Lane:
    """One uniform a process uses per person-month: ``draws[draw, i, lane]``."""

    draw: int
    lane: int
    purpose: str


@dataclass(frozen=True)
class Process:
    """A person-level process of the month kernel (its code: sim/processes/<name>.py)."""

    name: str
    description: str
    config_model: type | None
    """Model of the ``configs/<name>/`` group (None: configured elsewhere)."""
    stream: str | None
    """Name of its counter-based random stream (sim/core/random_streams.py)."""
    lanes: tuple[Lane, ...]
    fields: tuple[str, ...]
    """Person fields (sim/core/people.py) only this process writes during a month."""
    transitions: tuple[Transition, ...] = ()

    @property
    def draws(self) -> int:
        """Philox calls (four uniforms each) per person-month."""
        return 1 + max(lane.draw for lane in self.lanes) if self.lanes else 0

    @property
    def transition_names(self) -> tuple[str, ...]:
        return tuple(transition.name for transition in self.transitions)


PROCESSES: tuple[Process, ...] = (
    Process("demography", "ageing, exit at 65 and death (entry and net migration follow at month end)",
            Demography, "demography",
            (Lane(0, 0, "death"), Lane(0, 1, "net emigration, in the month-end pass")),
            ("in_population", "age_months")),
    Process("health", "onset and recovery of the four conditions and of a limiting condition",
            HealthConfig, "health",
            tuple(Lane(0, bit, f"{condition} onset or recovery") for bit, condition in enumerate(states.CONDITIONS))
            + (Lane(1, 0, "limiting onset or remission"),),
            ("conditions", "limiting", "months_in_health_state"), _HEALTH),
    Process("work", "job loss, leaving work for health, return to work and other inactivity",
            WorkConfig, "work", (Lane(0, 0, "whether and where the person moves"),),
            ("work_state", "months_in_work_state", "months_since_programme_job", "job_programme"), _WORK),
    Process("incapacity_benefit", "ESA and UC health: claims, Work Capability Assessment outcomes, exits",
            IncapacityBenefitConfig, "incapacity_benefit", (Lane(0, 0, "claim, assessment outcome or exit"),),
            ("incapacity_benefit", "months_in_incapacity_state", "incapacity_new_claim"), _INCAPACITY),
    Process("disability_benefit", "PIP: claims, decisions, award levels and lengths, planned reviews",
            DisabilityBenefitConfig, "disability_benefit",
            (Lane(0, 0, "claim, decision or change of award"),
             Lane(0, 1, "length of a new award; at a review, the daily living rule"),
             Lane(0, 2, "planned review outcome; at a new award, the daily living rule"),
             Lane(0, 3, "length of a renewed award")),
            ("disability_benefit", "months_in_disability_state", "award_end_month", "daily_living_rule"), _DISABILITY),
    Process("programme_membership", "months in an intervention programme; leaving it when its effects end",
            None, None, (), ("programme", "months_in_programme")),
)
PROCESS: dict[str, Process] = {process.name: process for process in PROCESSES}
HAZARD_PROCESSES: tuple[str, ...] = tuple(process.name for process in PROCESSES if process.transitions)
"""Processes with a hazard table (configs/<name>/ has ``transitions``)."""
IDENTITY_FIELDS = ("sex", "area", "deprivation", "weight")
"""Person fields set when a person enters and never changed by a process."""
POLICY_LANES = (Lane(0, 0, "referral"), Lane(0, 1, "take-up"), Lane(0, 2, "rank for a place"))
"""Uniforms of a programme's own stream ``programme:NAME`` (sim/policy/programmes.py)."""
BATCH_STREAMS = ("initial_population", "pip_pipelines", "award_durations", "entry", "migration", "programme:NAME")
"""Whole-batch generators (sim/core/random_streams.batch_generator): synthesis and places."""

TRANSITIONS: dict[str, Transition] = {transition.key: transition
                                      for process in PROCESSES for transition in process.transitions}


def transition(key: str) -> Transition:
    """The transition named ``process.name`` (KeyError naming the key if there is none)."""
    return TRANSITIONS[key]


CALENDAR_RATES: dict[str, str] = {
    "demography.entrants_disability_benefit_share":
        "share of the people turning 16 each month who enter with a PIP award (rising 16s from child DLA)",
}
"""Rates applied between kernels (at month end), not rows of a hazard table. Drivers reach
them by name like transitions: the model reads each as its configured value times the
calendar multipliers of the drivers that name it (sim/engine/drivers.py ``calendar_rate``)."""
DRIVER_TARGETS: tuple[str, ...] = (*TRANSITIONS, *CALENDAR_RATES)
"""What a driver can name: a transition or a calendar rate."""


# ---------------------------------------------------------------------------- metrics

Kind = Literal["stock", "flow", "money", "programme"]
Aggregation = Literal["mean", "sum"]
BREAKDOWNS = ("area", "age_band")
PROGRAMME_BREAKDOWNS = ("area", "age_band", "programme")


@dataclass(frozen=True)
class StatusCodes:
    """Decoded codes of the status histogram, one entry per code."""

    work: np.ndarray
    incapacity: np.ndarray
    disability: np.ndarray
    limiting: np.ndarray

    @property
    def on_incapacity(self) -> np.ndarray:
        return self.incapacity != states.IB_NONE

    @property
    def on_disability(self) -> np.ndarray:
        return self.disability >= states.DB_STANDARD


@dataclass(frozen=True)
class HealthCodes:
    """Decoded codes of the health histogram, one entry per code."""

    conditions: np.ndarray
    long_term_sick: np.ndarray
    on_benefit: np.ndarray

    def has(self, condition: str) -> np.ndarray:
        return (self.conditions >> states.CONDITIONS.index(condition)) & 1 == 1


@dataclass(frozen=True)
class EntitlementCodes:
    """Decoded codes of the entitlement histogram, one entry per code."""

    incapacity: np.ndarray
    disability: np.ndarray
    claim_group: np.ndarray
    daily_living_lost: np.ndarray


STATUS_CODES = StatusCodes(*np.unravel_index(np.arange(N_STATUS_CODES), STATUS_COUNT_SHAPE))
_conditions, _long_term_sick, _on_benefit = np.unravel_index(np.arange(N_HEALTH_CODES), HEALTH_COUNT_SHAPE)
HEALTH_CODES = HealthCodes(_conditions, _long_term_sick == 1, _on_benefit == 1)
_incapacity, _disability, _claim_group, _lost = np.unravel_index(np.arange(N_ENTITLEMENT_CODES),
                                                                 ENTITLEMENT_COUNT_SHAPE)
ENTITLEMENT_CODES = EntitlementCodes(_incapacity, _disability, _claim_group, _lost == 1)


@dataclass(frozen=True)
class Metric:
    name: str
    kind: Kind
    unit: str
    description: str
    histogram: Literal["status", "health", "entitlement"] | None = None
    """Stocks: the histogram they are counted from."""
    members: Callable | None = None
    """Stocks: codes -> which codes the stock counts."""
    parts: tuple[str, ...] = ()
    """Derived flows: the flows they sum."""

    @property
    def aggregation(self) -> Aggregation:
        """How the months of a financial year add up: stocks are averaged, the rest summed."""
        return "mean" if self.kind == "stock" else "sum"

    @property
    def breakdowns(self) -> tuple[str, ...]:
        return PROGRAMME_BREAKDOWNS if self.kind == "programme" else BREAKDOWNS

    @property
    def annual_unit(self) -> str:
        """The unit of the metric added up over a financial year."""
        return ANNUAL_UNITS[self.unit]


PEOPLE = "people (weighted), at month end"
PEOPLE_IN_MONTH = "people (weighted) in the month"
GBP_PER_MONTH = "GBP in the month, 2024-25 prices"
GP_APPOINTMENTS_IN_MONTH = "GP appointments in the month"
ANNUAL_UNITS = {
    PEOPLE: "people (mean of the year's months)",
    PEOPLE_IN_MONTH: "people per year",
    GBP_PER_MONTH: "GBP per year (2024-25 prices)",
    GP_APPOINTMENTS_IN_MONTH: "GP appointments per year",
}


def _status(name: str, members: Callable[[StatusCodes], np.ndarray], description: str) -> Metric:
    return Metric(name, "stock", PEOPLE, description, "status", members)


def _health(name: str, members: Callable[[HealthCodes], np.ndarray], description: str) -> Metric:
    return Metric(name, "stock", PEOPLE, description, "health", members)


def _flow(name: str, description: str, parts: tuple[str, ...] = ()) -> Metric:
    return Metric(name, "flow", PEOPLE_IN_MONTH, description, parts=parts)


def _entitlement(name: str, members: Callable[[EntitlementCodes], np.ndarray], description: str) -> Metric:
    return Metric(name, "stock", PEOPLE, description, "entitlement", members)


def _entitlement_stocks() -> list[Metric]:
    """Recipients by claim group and daily living rule: what dated benefit rules pay."""
    lcwra = [
        _entitlement(f"incapacity_benefit_lcwra_{group}",
                     lambda c, g=code: (c.incapacity == states.IB_LCWRA) & (c.claim_group == g),
                     f"assessed LCWRA, {label}")
        for code, (group, label) in enumerate(zip(states.CLAIM_GROUPS, (
            "claim begun before the policy's new-claims date",
            "claim begun on or after the policy's new-claims date, aged 22 or more",
            "claim begun on or after the policy's new-claims date, aged under 22")))
    ]
    lost = [
        _entitlement(f"disability_benefit_{level}_daily_living_lost",
                     lambda c, s=code: (c.disability == s) & c.daily_living_lost,
                     f"PIP at the {level} level that lost its daily living component under a points rule")
        for code, level in ((states.DB_STANDARD, "standard"), (states.DB_ENHANCED, "enhanced"))
    ]
    return [*lcwra, *lost,
            _entitlement("disability_benefit_daily_living_lost",
                         lambda c: (c.disability >= states.DB_STANDARD) & c.daily_living_lost,
                         "PIP recipients without the daily living component after a points rule (mobility only)")]


def _condition_stocks() -> list[Metric]:
    """Prevalence of each condition, then among the long-term sick, then among recipients."""
    labels = {condition: condition.replace("_", " ") for condition in states.CONDITIONS}
    return [
        *(_health("obesity" if condition == "obesity" else f"{condition}_condition",
                  lambda codes, c=condition: codes.has(c), f"people with {labels[condition]}")
          for condition in states.CONDITIONS),
        *(_health(f"inactive_long_term_sick_with_{condition}",
                  lambda codes, c=condition: codes.has(c) & codes.long_term_sick,
                  f"inactive through long-term sickness, with {labels[condition]}")
          for condition in states.CONDITIONS),
        *(_health(f"health_benefit_recipients_with_{condition}",
                  lambda codes, c=condition: codes.has(c) & codes.on_benefit,
                  f"on a health-related benefit, with {labels[condition]}")
          for condition in states.CONDITIONS),
    ]


STOCK_METRICS: tuple[Metric, ...] = (
    _status("population", lambda c: np.ones(c.work.size, bool), "people aged 16-64"),
    *(_status(name, lambda c, code=code: c.work == code, f"work state: {name.replace('_', ' ')}")
      for code, name in enumerate(states.WORK_STATES)),
    _status("incapacity_benefit_recipients", lambda c: c.on_incapacity,
            "on an incapacity benefit (ESA or UC health), including those awaiting assessment"),
    _status("incapacity_benefit_awaiting_assessment", lambda c: c.incapacity == states.IB_AWAITING_ASSESSMENT,
            "claimed an incapacity benefit, awaiting the Work Capability Assessment"),
    _status("incapacity_benefit_lcw", lambda c: c.incapacity == states.IB_LCW,
            "assessed as having limited capability for work (LCW, ESA WRAG)"),
    _status("incapacity_benefit_lcwra", lambda c: c.incapacity == states.IB_LCWRA,
            "assessed LCWRA (ESA support group)"),
    _status("disability_benefit_recipients", lambda c: c.on_disability, "with a PIP award (standard or enhanced)"),
    _status("disability_benefit_standard", lambda c: c.disability == states.DB_STANDARD, "PIP at the standard level"),
    _status("disability_benefit_enhanced", lambda c: c.disability == states.DB_ENHANCED, "PIP at the enhanced level"),
    _status("disability_benefit_awaiting_decision", lambda c: c.disability == states.DB_AWAITING_DECISION,
            "claimed PIP, awaiting a decision"),
    _status("health_benefit_recipients", lambda c: c.on_incapacity | c.on_disability,
            "on at least one health-related benefit (what IFS counts)"),
    _status("health_benefit_recipients_both", lambda c: c.on_incapacity & c.on_disability,
            "on both an incapacity and a disability benefit"),
    _status("incapacity_benefit_lcwra_with_disability_benefit",
            lambda c: (c.incapacity == states.IB_LCWRA) & c.on_disability,
            "assessed LCWRA and with a PIP award (DWP counts 71% of LCWRA recipients, Nov 2022)"),
    _status("incapacity_benefit_recipients_in_work", lambda c: c.on_incapacity & (c.work == states.EMPLOYED),
            "on an incapacity benefit and in work (Universal Credit tapers their award: sim/appraisal)"),
    _status("limiting_condition", lambda c: c.limiting == 1, "with a condition that limits day-to-day activities"),
    *_condition_stocks(),
    *_entitlement_stocks(),
)

FLOW_METRICS: tuple[Metric, ...] = (
    _flow("deaths", "deaths at 16-64"),
    _flow("exits_at_65", "people reaching 65 (leave the population)"),
    _flow("entrants_at_16", "people turning 16 (join the population)"),
    _flow("immigrants", "net immigrants (when the published path needs more people)"),
    _flow("emigrants", "net emigrants (when the published path needs fewer people)"),
    _flow("disability_benefit_entrants_at_16", "people turning 16 with a PIP award (rising 16s from child DLA)"),
    _flow("disability_benefit_ends_at_death", "deaths at 16-64 of people with a PIP award (the award ends)"),
    _flow("disability_benefit_reaching_65", "people with a PIP award reaching 65 (leave the working-age stock; "
          "the award continues)"),
    _flow("left_work_for_health", "moves from employment to inactivity through long-term sickness"),
    _flow("returned_to_work_from_sickness", "moves from long-term-sick inactivity into work"),
    _flow("incapacity_benefit_starts", "new incapacity-benefit claims (onto the awaiting-assessment state)"),
    _flow("incapacity_benefit_awards_lcw", "assessments with an LCW outcome"),
    _flow("incapacity_benefit_awards_lcwra", "assessments with an LCWRA outcome"),
    _flow("incapacity_benefit_found_fit", "assessments finding the claimant fit for work"),
    _flow("incapacity_benefit_exits", "exits from LCW or LCWRA"),
    _flow("disability_benefit_claims", "new PIP claims"),
    _flow("disability_benefit_starts", "new PIP awards"),
    _flow("disability_benefit_disallowed", "PIP claims disallowed"),
    _flow("disability_benefit_reviews", "planned PIP award reviews"),
    _flow("disability_benefit_review_disallowed", "planned reviews ending the award"),
    _flow("disability_benefit_ends_outside_review",
          "PIP awards ending outside a planned review (changes of circumstances, withdrawals, leaving GB)"),
    _flow("disability_benefit_reviews_deferred", "planned PIP reviews deferred, the award extended"),
    _flow("incapacity_benefit_recipients_into_work", "LCW or LCWRA recipients starting work"),
    _flow("disability_benefit_daily_living_lost_at_award",
          "new PIP awards without the daily living component because of a points rule"),
    _flow("disability_benefit_daily_living_lost_at_review",
          "PIP reviews removing the daily living component because of a points rule"),
)

MONEY_METRICS: tuple[Metric, ...] = (
    Metric("incapacity_benefit_spending_gbp", "money", GBP_PER_MONTH, "incapacity benefits paid (sim/spending.py)"),
    Metric("disability_benefit_spending_gbp", "money", GBP_PER_MONTH, "PIP paid (sim/spending.py)"),
    Metric("health_benefit_spending_gbp", "money", GBP_PER_MONTH, "incapacity and disability benefits paid"),
)

DERIVED_METRICS: tuple[Metric, ...] = (
    _flow("incapacity_benefit_awards", "assessments awarding LCW or LCWRA",
          parts=("incapacity_benefit_awards_lcw", "incapacity_benefit_awards_lcwra")),
    _flow("disability_benefit_ends", "PIP awards ending: planned reviews ending the award, other ends and deaths",
          parts=("disability_benefit_review_disallowed", "disability_benefit_ends_outside_review",
                 "disability_benefit_ends_at_death")),
)

PROGRAMME_METRICS_DECLARED: tuple[Metric, ...] = (
    Metric("intervention_referrals", "programme", PEOPLE_IN_MONTH, "people referred to a programme"),
    Metric("intervention_participants", "programme", PEOPLE_IN_MONTH, "people starting a programme"),
    Metric("intervention_cost_gbp", "programme", GBP_PER_MONTH, "programme cost of the month's starts"),
    Metric("gp_appointments", "programme", GP_APPOINTMENTS_IN_MONTH, "GP appointments used by referrals"),
    Metric("additional_job_outcomes", "programme", PEOPLE_IN_MONTH,
           "moves into (or kept in) work that the same draw would not have given without the programme"),
    Metric("early_return_relapses", "programme", PEOPLE_IN_MONTH,
           "exits from work within six months of a programme job start"),
)

STOCKS: tuple[str, ...] = tuple(metric.name for metric in STOCK_METRICS)
FLOWS: tuple[str, ...] = tuple(metric.name for metric in FLOW_METRICS)
SPENDING: tuple[str, ...] = tuple(metric.name for metric in MONEY_METRICS)
DERIVED: dict[str, tuple[str, ...]] = {metric.name: metric.parts for metric in DERIVED_METRICS}
PROGRAMME_METRICS: tuple[str, ...] = tuple(metric.name for metric in PROGRAMME_METRICS_DECLARED)
ALL_METRICS: tuple[str, ...] = STOCKS + FLOWS + SPENDING + tuple(DERIVED)
"""The model's metrics (programme ``all``), in the order of the tidy table."""
METRICS: dict[str, Metric] = {metric.name: metric for metric in (
    *STOCK_METRICS, *FLOW_METRICS, *MONEY_METRICS, *DERIVED_METRICS, *PROGRAMME_METRICS_DECLARED)}

STOCK: dict[str, int] = {name: index for index, name in enumerate(STOCKS)}
FLOW: dict[str, int] = {name: index for index, name in enumerate(FLOWS)}
PROGRAMME_METRIC: dict[str, int] = {name: index for index, name in enumerate(PROGRAMME_METRICS)}


def aggregation(metric: str) -> Aggregation:
    """How ``metric`` (or ``metric@band``, its total within one age band) adds up over a
    financial year (KeyError for an unknown metric)."""
    return METRICS[metric.split("@")[0]].aggregation
