"""Intervention programmes: referral, take-up and places each month, and the hazard ratios
applied to the people they reach.

Each programme (configs/interventions/NAME.yaml, composed by scenarios) works the same way:

1. **Referral** (start of month, before the month kernel): each eligible person not already
   in a programme, living in the programme's areas, in its months, is referred with
   ``referral_probability`` and takes up a place with ``take_up``; draws come from the
   programme's own stream (``programme:NAME``), so the baseline's draws are untouched.
2. **Places**: at most ``capacity_per_month`` people a month (ramping up linearly over
   ``ramp_up_months``) and, with a ``budget_gbp``, no more than the budget left pays for at
   ``cost_per_participant_gbp`` (one-off, at the start). When more people take up than
   there are places, places go to the lowest draws (random and reproducible).
3. **Effects**: for ``effect_months`` from the start, each named transition's hazard is
   (found by name in the registry, sim/spec.py) is multiplied by its ``hazard_ratio``,
   which then returns linearly to 1 over
   ``decay_months``; the person then leaves the programme. With ``calibration.draw`` K > 0
   each hazard ratio is drawn from a log-normal fitted to its 95% ``interval``, the same
   for every run of draw K.
4. **Harm**: for six months after a job start credited to a programme, leaving work again
   (to long-term sickness or other inactivity) is multiplied by ``relapse_hazard_ratio``;
   such exits count as ``early_return_relapses``.

``additional_job_outcomes`` compares, for each participant each month, what happened with
what the same random draw would have given without the programme's hazard ratios: a move
into work that would not have happened counts +1, an exit from work that would have
happened but did not counts +1 (and the reverse -1). GP appointments are referrals x
``gp_appointments_per_referral``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numba as nb
import numpy as np

from sim import spec
from sim.core import states
from sim.core.calendar import month_index
from sim.core.people import MONTHS_IN_PROGRAMME_CAP, NO_PROGRAMME
from sim.core.random_streams import batch_generator, stochastic_round, stream_id, uniforms
from sim.engine.chunks import N_CHUNKS, chunk_size
from sim.engine.hazards import AGE_BAND_OF_AGE_GROUP, AGE_GROUP_OF_AGE_MONTHS, age_band, age_group
from sim.params.models import ProgrammeConfig
from sim.processes.work import RELAPSE_WINDOW

MAX_MONTHS = MONTHS_IN_PROGRAMME_CAP + 1
"""Length of a programme's hazard-ratio profile: one value per month in the programme."""
REFERRALS = spec.PROGRAMME_METRIC["intervention_referrals"]
PARTICIPANTS = spec.PROGRAMME_METRIC["intervention_participants"]
COST = spec.PROGRAMME_METRIC["intervention_cost_gbp"]
GP_APPOINTMENTS = spec.PROGRAMME_METRIC["gp_appointments"]
AGE_BAND_OF_AGE_MONTHS = AGE_BAND_OF_AGE_GROUP[AGE_GROUP_OF_AGE_MONTHS]

# Columns of the packed eligibility table (one row per programme, int64).
(E_START, E_END, E_WORK, E_INCAPACITY, E_DISABILITY, E_CONDITIONS, E_ALL_CONDITIONS, E_LIMITING, E_MIN_AGE,
 E_MAX_AGE, E_MIN_MONTHS, E_AREAS) = range(12)
ELIGIBILITY_COLUMNS = 12


def _mask(levels: tuple[str, ...], chosen) -> int:
    if chosen is None:
        return (1 << len(levels)) - 1
    return sum(1 << levels.index(level) for level in chosen)


def effect_draw(programme: str, transition: str, ratio: float, interval, draw: int, bound: str = "drawn") -> float:
    """The hazard ratio used in parameter draw ``draw`` (0 = the central value), or the low or
    high end of its interval when ``bound`` says so (the sensitivity cases)."""
    if bound in ("low", "high") and interval is not None:
        return float(interval[0] if bound == "low" else interval[1])
    if draw == 0 or interval is None or interval[0] == interval[1]:
        return ratio
    sigma = (np.log(interval[1]) - np.log(interval[0])) / (2 * 1.959964)
    seed = np.random.SeedSequence([draw, zlib.crc32(f"{programme}/{transition}".encode())])
    return float(np.exp(np.log(ratio) + sigma * np.random.default_rng(seed).standard_normal()))


def ratio_by_month(ratio: float, effect_months: int, decay_months: int) -> np.ndarray:
    """Hazard ratio by months since joining: full, then linearly back to 1, then 1."""
    months = np.arange(MAX_MONTHS, dtype=float)
    fading = np.clip((effect_months + decay_months - months) / max(decay_months, 1), 0.0, 1.0)
    profile = np.where(months < effect_months, 1.0, np.where(decay_months > 0, fading, 0.0))
    return 1.0 + (ratio - 1.0) * profile


@dataclass
class Programmes:
    """Everything the kernels need about the scenario's programmes (code 0 = none)."""

    configs: list[ProgrammeConfig]
    start: str  # the run's first month (YYYY-MM)
    eligibility: np.ndarray  # int64[programmes, ELIGIBILITY_COLUMNS]
    referral: np.ndarray  # float64[programmes]
    take_up: np.ndarray  # float64[programmes]
    streams: np.ndarray  # int64[programmes]
    length: np.ndarray  # int64[programmes + 1]: months in the programme
    relapse: np.ndarray  # float64[programmes + 1, RELAPSE_WINDOW + 1]
    effects: dict[str, np.ndarray]  # process -> float64[programmes + 1, MAX_MONTHS, transitions + 1]
    spent: np.ndarray  # float64[programmes]: £ committed so far
    candidate: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint8))
    """Scratch, one per person slot: the programme a person takes up this month (0: none)."""
    rank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    """Scratch, one per person slot: the draw that orders takers-up for places."""

    @property
    def names(self) -> list[str]:
        return [config.name for config in self.configs]

    def __len__(self) -> int:
        return len(self.configs)


def build(interventions: dict[str, ProgrammeConfig], start: str, draw: int, slots: int,
          effect_bound: str = "drawn") -> Programmes:
    """Programme tables for a run starting in ``start`` with parameter draw ``draw`` and
    ``slots`` person slots (empty tables when the scenario has no programme);
    ``effect_bound`` ``low``/``high`` puts every hazard ratio at that end of its interval."""
    configs = list(interventions.values())
    count = len(configs)
    eligibility = np.zeros((count, ELIGIBILITY_COLUMNS), dtype=np.int64)
    effects = {name: np.ones((count + 1, MAX_MONTHS, len(spec.PROCESS[name].transitions) + 1))
               for name in spec.HAZARD_PROCESSES}
    length = np.zeros(count + 1, dtype=np.int64)
    relapse = np.ones((count + 1, RELAPSE_WINDOW + 1))
    for index, programme in enumerate(configs):
        rule = programme.eligibility
        eligibility[index] = [
            month_index(programme.start, start), month_index(programme.end, start),
            _mask(states.WORK_STATES, rule.work_states),
            _mask(states.INCAPACITY_BENEFIT_STATES, rule.incapacity_benefit),
            _mask(states.DISABILITY_BENEFIT_STATES, rule.disability_benefit),
            0 if rule.any_condition is None else _mask(states.CONDITIONS, rule.any_condition),
            0 if rule.all_conditions is None else _mask(states.CONDITIONS, rule.all_conditions),
            -1 if rule.limiting is None else int(rule.limiting),
            rule.age_years[0] * 12, rule.age_years[1] * 12 + 11, rule.min_months_in_work_state,
            _mask(states.AREAS, programme.area_ids),
        ]
        code = index + 1
        length[code] = programme.effect_months + programme.decay_months
        relapse[code, :RELAPSE_WINDOW] = programme.relapse_hazard_ratio
        for effect in programme.effects:
            transition = spec.transition(effect.transition)
            ratio = effect_draw(programme.name, effect.transition, effect.hazard_ratio, effect.interval, draw,
                                effect_bound)
            effects[transition.process][code, :, transition.row] *= ratio_by_month(
                ratio, programme.effect_months, programme.decay_months)
    return Programmes(
        configs=configs,
        start=start,
        eligibility=eligibility,
        referral=np.array([p.referral_probability for p in configs], dtype=float),
        take_up=np.array([p.take_up for p in configs], dtype=float),
        streams=np.array([stream_id(f"programme:{p.name}") for p in configs], dtype=np.int64),
        length=length,
        relapse=relapse,
        effects=effects,
        spent=np.zeros(count),
        candidate=np.zeros(slots if count else 0, dtype=np.uint8),
        rank=np.zeros(slots if count else 0, dtype=np.float32),
    )


@nb.njit(inline="always", cache=True)
def _eligible(person, rule, month):
    if month < rule[E_START] or month > rule[E_END]:
        return False
    if not (rule[E_AREAS] >> person.area) & 1:
        return False
    if not (rule[E_WORK] >> person.work_state) & 1:
        return False
    if not (rule[E_INCAPACITY] >> person.incapacity_benefit) & 1:
        return False
    if not (rule[E_DISABILITY] >> person.disability_benefit) & 1:
        return False
    if rule[E_CONDITIONS] != 0 and (person.conditions & rule[E_CONDITIONS]) == 0:
        return False
    if (person.conditions & rule[E_ALL_CONDITIONS]) != rule[E_ALL_CONDITIONS]:
        return False
    if rule[E_LIMITING] >= 0 and person.limiting != rule[E_LIMITING]:
        return False
    if person.age_months < rule[E_MIN_AGE] or person.age_months > rule[E_MAX_AGE]:
        return False
    return person.months_in_work_state >= rule[E_MIN_MONTHS]


@nb.njit(parallel=True, cache=True)
def refer(people, eligibility, referral, take_up, streams, month, key, candidate, rank, referrals):
    """Mark who is referred and takes up a place this month.

    ``candidate[slot]`` becomes the (1-based) programme a person takes up, ``rank[slot]`` the
    draw that orders them for places; ``referrals[chunk, programme, area, band]`` counts
    people referred (weighted). Uniforms: sim/spec.py ``POLICY_LANES``.
    """
    chunk = chunk_size(people.size)
    for c in nb.prange(N_CHUNKS):
        refer_slots(people, eligibility, referral, take_up, streams, month, key, candidate, rank,
                    referrals[c], c * chunk, min(people.size, (c + 1) * chunk))


@nb.njit(cache=True)
def refer_slots(people, eligibility, referral, take_up, streams, month, key, candidate, rank, referrals,
                first, stop):
    for slot in range(first, stop):
        person = people[slot]
        candidate[slot] = NO_PROGRAMME
        if person.in_population == 0 or person.programme != NO_PROGRAMME:
            continue
        for index in range(eligibility.shape[0]):
            if not _eligible(person, eligibility[index], month):
                continue
            draws = uniforms(key, streams[index], month, slot, 0)
            if draws[0] >= referral[index]:
                continue
            referrals[index, person.area, age_band(age_group(person.age_months))] += person.weight
            if draws[1] < take_up[index]:
                candidate[slot] = index + 1
                rank[slot] = draws[2]
                break


def places(programme: ProgrammeConfig, spent: float, month: int, start: str, weight: float, u: float) -> int:
    """Agents who can start this month: capacity (ramping up) and what the budget allows."""
    allowed = np.inf
    if programme.capacity_per_month is not None:
        since = month - month_index(programme.start, start)
        ramp = 1.0 if programme.ramp_up_months == 0 else min(1.0, (since + 1) / programme.ramp_up_months)
        allowed = programme.capacity_per_month * ramp
    if programme.budget_gbp is not None and programme.cost_per_participant_gbp > 0:
        allowed = min(allowed, max(0.0, programme.budget_gbp - spent) / programme.cost_per_participant_gbp)
    if not np.isfinite(allowed):
        return np.iinfo(np.int64).max
    agents = stochastic_round(allowed / weight, u)
    if programme.budget_gbp is not None and programme.cost_per_participant_gbp > 0:
        affordable = int((programme.budget_gbp - spent) // (programme.cost_per_participant_gbp * weight))
        agents = min(agents, max(affordable, 0))
    return agents


def allocate(people: np.ndarray, programmes: Programmes, month: int, key: np.ndarray, weight: float,
             flows: np.ndarray) -> None:
    """Refer, take up and fill this month's places: writes the new participants' programme
    fields in ``people``, and the month's referrals, starts, costs and GP appointments into
    ``flows[programme, metric, area, band]`` (people, or £ for the cost)."""
    referrals = np.zeros((N_CHUNKS, len(programmes), states.N_AREAS, states.N_AGE_BANDS))
    refer(people, programmes.eligibility, programmes.referral, programmes.take_up, programmes.streams,
          month, key, programmes.candidate, programmes.rank, referrals)
    flows[:, REFERRALS] = referrals.sum(axis=0)
    taken = np.flatnonzero(programmes.candidate)
    codes = programmes.candidate[taken]
    for index, programme in enumerate(programmes.configs):
        slots = taken[codes == index + 1]
        generator = batch_generator(key, f"programme:{programme.name}", month)
        allowed = places(programme, programmes.spent[index], month, programmes.start, weight, generator.random())
        if slots.size > allowed:
            slots = slots[np.argsort(programmes.rank[slots], kind="stable")[:allowed]]
        if slots.size == 0:
            continue
        people["programme"][slots] = index + 1
        people["months_in_programme"][slots] = 0
        joined = people[slots]
        band = AGE_BAND_OF_AGE_MONTHS[joined["age_months"]]
        np.add.at(flows[index, PARTICIPANTS], (joined["area"], band), joined["weight"].astype(float))
        cost = programme.cost_per_participant_gbp
        np.add.at(flows[index, COST], (joined["area"], band), joined["weight"].astype(float) * cost)
        programmes.spent[index] += float(joined["weight"].astype(float).sum()) * cost
    flows[:, GP_APPOINTMENTS] = flows[:, REFERRALS] * np.array(
        [p.gp_appointments_per_referral for p in programmes.configs])[:, None, None]
