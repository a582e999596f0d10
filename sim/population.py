"""Synthesise the April 2019 population (and each month's entrants and immigrants).

People are drawn attribute by attribute, each conditional on the ones before:

    area -> age -> sex -> deprivation quintile      (ONS counts, IMD 2019 shares)
         -> conditions                                (prevalence by age band and sex x
                                                       deprivation ratio; Gaussian copula)
         -> limiting condition                        (needs a condition)
         -> work state                                (long-term sick needs a limiting one)
         -> incapacity and disability benefits        (need a limiting condition)
         -> months already spent in each state

Where a published marginal exists (employment rate, caseloads...), the probability of a
state is ``1 - exp(-k x)``: ``x`` is the product of the relative risks in
configs/population, and the scale ``k`` is solved on a fixed pilot sample so the
population mean hits the published target. The pilot uses its own fixed seed, so the
scales are the same for every run seed and for every month's entrants.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy.special import ndtr

from sim import spec
from sim.core import states
from sim.core.encoding import status_code
from sim.core.people import allocate
from sim.engine.hazards import (
    DURATION_BAND_OF_MONTHS,
    DURATION_OFFSET,
    STATUS_OFFSET,
    compile_transitions,
    health_columns,
    who_columns,
)
from sim.params.data_files import read_table
from sim.params.models import IncapacityBenefitConfig
from sim.params.schema import RunConfig
from sim.published import load_figures

PILOT_SIZE = 200_000
PILOT_SEED = 20190401
CHUNK_SIZE = 250_000
"""People synthesised at a time: bounds the temporary arrays to a few tens of MB."""
MAX_PROBABILITY_SCALE = 1e6
N_GROUPS = len(states.AGE_GROUPS)
N_BANDS = len(states.AGE_BANDS)
N_QUINTILES = len(states.DEPRIVATION_QUINTILES)
AGE_BAND_OF_GROUP = np.array(states.AGE_BAND_OF_GROUP)
GROUP_LOWER_MONTHS = np.array(states.AGE_GROUP_LOWER_YEARS) * 12
GROUP_UPPER_MONTHS = np.append(GROUP_LOWER_MONTHS[1:], states.EXIT_AGE_MONTHS)
MAX_AWARD_MONTHS = states.EXIT_AGE_MONTHS - states.ENTRY_AGE_MONTHS
"""Longest possible time on an award at 16-64 (from 16 to 65)."""


def geometric_gradient(ratio: float) -> np.ndarray:
    """Multipliers for quintiles q1..q5 with q1/q5 = ratio, q3 = 1."""
    return ratio ** ((2 - np.arange(N_QUINTILES)) / 4)


def solve_scale(x: np.ndarray, target_mean: float) -> float:
    """k such that mean(1 - exp(-k x)) = target_mean (bisection on log k)."""
    if target_mean <= 0:
        return 0.0
    reachable = float(np.mean(x > 0))
    if target_mean >= reachable:
        raise ValueError(
            f"target share {target_mean:.4f} is not reachable: only {reachable:.4f} of the"
            " pilot population can be in the state"
        )
    low, high = -20.0, np.log(MAX_PROBABILITY_SCALE)
    for _ in range(80):
        middle = 0.5 * (low + high)
        if np.mean(-np.expm1(-np.exp(middle) * x)) < target_mean:
            low = middle
        else:
            high = middle
    return float(np.exp(0.5 * (low + high)))


def share_probability(scale: float, x: np.ndarray) -> np.ndarray:
    return -np.expm1(-scale * x)


def _stock_months(rng: np.random.Generator, cdf: np.ndarray, count: int) -> np.ndarray:
    """Months already on an award for ``count`` people, drawn from a stock's duration CDF
    (``cdf[d]`` = share of the stock on the award for at most ``d`` months)."""
    return np.minimum(np.searchsorted(cdf, rng.random(count)), cdf.size - 1)


def stationary_duration_cdf(monthly_rate: np.ndarray) -> np.ndarray:
    """CDF of months on an award in a stock fed by a steady inflow and left at
    ``monthly_rate[d]`` after ``d`` months: the stock's density is the survival curve."""
    survival = np.exp(-np.concatenate([[0.0], np.cumsum(monthly_rate[:-1])]))
    return np.cumsum(survival) / survival.sum()


AWARD_DURATION_STATES = {states.IB_LCW: "lcw_exit", states.IB_LCWRA: "lcwra_exit"}
"""Incapacity-benefit states whose months on the award follow their exit hazard."""


def award_duration_cdfs(incapacity: IncapacityBenefitConfig) -> dict[int, np.ndarray]:
    """For LCW and LCWRA, the CDF of months on the award in a stock left at the configured
    exit hazard (for a recipient with a limiting condition, out of work): the stationary
    distribution, so a synthesised stock agrees with the exits the model then applies."""
    months = np.arange(MAX_AWARD_MONTHS)
    bands = DURATION_BAND_OF_MONTHS[np.minimum(months, DURATION_BAND_OF_MONTHS.size - 1)]
    cdfs = {}
    for state, name in AWARD_DURATION_STATES.items():
        hazard = incapacity.transitions[name]
        ratio = np.array([hazard.duration.get(level, 1.0) for level in states.DURATION_BANDS])
        cdfs[state] = stationary_duration_cdf(-np.log1p(-hazard.base) * ratio[bands])
    return cdfs


def assign_award_durations(people: np.ndarray | dict, cdfs: dict[int, np.ndarray], rng: np.random.Generator) -> None:
    """Months on their LCW or LCWRA award for the recipients among ``people`` (records or a
    dict of field arrays), drawn from ``cdfs`` and capped at the months since they were 16."""
    state = people["incapacity_benefit"]
    months = people["months_in_incapacity_state"]
    since_16 = people["age_months"].astype(np.int64) - states.ENTRY_AGE_MONTHS
    for code, cdf in cdfs.items():
        holders = np.flatnonzero(state == code)
        months[holders] = np.minimum(_stock_months(rng, cdf, holders.size), since_16[holders])


def _geometric_months(rng: np.random.Generator, mean: float, cap: np.ndarray) -> np.ndarray:
    """Months already spent in a state: geometric with the given mean, at most ``cap``."""
    draws = rng.geometric(1.0 / (mean + 1.0), size=cap.size) - 1
    return np.minimum(draws, cap)


@dataclass
class StartingTables:
    """Everything the synthesis needs, read once per run from data files and config."""

    config: RunConfig

    @cached_property
    def area_ids(self) -> tuple[str, ...]:
        return self.config.population.area_ids

    @cached_property
    def area_codes(self) -> np.ndarray:
        return np.array([states.AREAS.index(a) for a in self.area_ids], dtype=np.uint8)

    @cached_property
    def area_people(self) -> np.ndarray:
        """People aged 16-64 in mid-2019 in each simulated area."""
        table = read_table(self.config.population.data.population_by_area, "population_by_area")
        people = table.set_index("area")["people_16_64"]
        return people.loc[list(self.area_ids)].to_numpy(dtype=float)

    @cached_property
    def england_and_wales_people(self) -> float:
        table = read_table(self.config.population.data.population_by_area, "population_by_area")
        return float(table["people_16_64"].sum())

    @cached_property
    def simulated_share(self) -> float:
        """Share of E&W's 16-64s living in the simulated areas (1 when all areas)."""
        return float(self.area_people.sum() / self.england_and_wales_people)

    @cached_property
    def age_group_share_by_area(self) -> np.ndarray:
        """[area code, age group] shares: the area's broad bands, national 5-year split.

        Areas with published bands (the three ICBs) use them; others use England & Wales
        less those three, an assumption that the rest of the country shares one profile.
        """
        groups = read_table(self.config.population.data.population_by_age_group, "population_by_age_group")
        group_people = groups.set_index("age_group")["people_16_64"].loc[list(states.AGE_GROUPS)]
        group_people = group_people.to_numpy(dtype=float)
        band_people = np.bincount(AGE_BAND_OF_GROUP, weights=group_people, minlength=N_BANDS)
        within_band = group_people / band_people[AGE_BAND_OF_GROUP]
        bands = read_table(self.config.population.data.population_by_area_age_band, "population_by_area_age_band")
        by_area = bands.pivot(index="area", columns="age_band", values="people")
        by_area = by_area[list(states.AGE_BANDS)]
        rest = by_area.loc["england_and_wales"] - by_area.drop("england_and_wales").sum()
        shares = np.zeros((len(states.AREAS), N_GROUPS))
        for code, area in enumerate(states.AREAS):
            area_bands = by_area.loc[area] if area in by_area.index else rest
            band_share = area_bands.to_numpy(dtype=float) / area_bands.sum()
            shares[code] = band_share[AGE_BAND_OF_GROUP] * within_band
        return shares

    @cached_property
    def deprivation_share_by_area(self) -> np.ndarray:
        table = read_table(self.config.population.data.deprivation_by_area, "deprivation_by_area")
        table = table.set_index("area").loc[list(states.AREAS), list(states.DEPRIVATION_QUINTILES)]
        shares = table.to_numpy(dtype=float)
        return shares / shares.sum(axis=1, keepdims=True)

    @cached_property
    def inactivity_ratio_by_area(self) -> np.ndarray:
        """Each area's 2019 inactivity rate relative to the population-weighted average."""
        table = read_table(self.config.population.data.inactivity_by_area, "inactivity_by_area")
        rate = table.set_index("area").loc[list(states.AREAS), "inactivity_rate_16_64"]
        people = read_table(self.config.population.data.population_by_area, "population_by_area")
        weights = people.set_index("area").loc[list(states.AREAS), "people_16_64"]
        average = float(np.average(rate, weights=weights))
        return rate.to_numpy(dtype=float) / average

    @cached_property
    def prevalence(self) -> np.ndarray:
        """[condition, age band, sex] prevalence in 2019."""
        table = read_table(self.config.population.data.condition_prevalence, "condition_prevalence")
        prevalence = np.zeros((len(states.CONDITIONS), N_BANDS, len(states.SEXES)))
        for row in table.itertuples(index=False):
            prevalence[
                states.CONDITIONS.index(row.condition),
                states.AGE_BANDS.index(row.age_band),
                states.SEXES.index(row.sex),
            ] = row.prevalence
        return prevalence

    @cached_property
    def condition_deprivation_multiplier(self) -> np.ndarray:
        """[condition, quintile] multipliers with mean 1 over England & Wales."""
        national = self.national_deprivation_share
        rows = []
        for condition in states.CONDITIONS:
            gradient = geometric_gradient(self.config.population.conditions.deprivation_ratio[condition])
            rows.append(gradient / np.dot(gradient, national))
        return np.array(rows)

    @cached_property
    def national_deprivation_share(self) -> np.ndarray:
        people = read_table(self.config.population.data.population_by_area, "population_by_area")
        weights = people.set_index("area").loc[list(states.AREAS), "people_16_64"].to_numpy(float)
        share = weights @ self.deprivation_share_by_area
        return share / share.sum()

    @cached_property
    def targets(self) -> dict[str, float]:
        """Starting marginals as shares of the 16-64 population (E&W terms)."""
        figures = load_figures(
            self.config.population.data.published_figures,
            self.config.population.data.geography_scaling,
        )
        ids = self.config.population.targets
        people = self.england_and_wales_people

        def share(figure_id: str) -> float:
            figure = figures[figure_id]
            return figure.england_and_wales / people if figure.is_count else figure.value

        incapacity = share(ids.incapacity_benefit_recipients)
        disability = share(ids.disability_benefit_recipients)
        either = share(ids.health_benefit_recipients)
        return {
            "employment_rate": share(ids.employment_rate),
            "inactivity_rate": share(ids.inactivity_rate),
            "long_term_sick": share(ids.long_term_sick_share),
            "employment_rate_50_64": share(ids.employment_rate_50_64),
            "employment_rate_16_24": share(ids.employment_rate_16_24),
            "incapacity_benefit": incapacity,
            "disability_and_incapacity": incapacity + disability - either,
            "disability_only": either - incapacity,
            "incapacity_lcwra_share": share(ids.incapacity_lcwra_share),
        }

    @cached_property
    def award_lengths(self) -> tuple[np.ndarray, np.ndarray]:
        """(months, share) of new PIP awards; 0 months = ongoing award."""
        table = read_table(self.config.disability_benefit.award_lengths_file, "award_lengths")
        share = table["share"].to_numpy(float)
        return table["months"].to_numpy(int), share / share.sum()

    @cached_property
    def scales(self) -> dict[str, np.ndarray | float]:
        """Raking scales solved on the pilot sample."""
        return _solve_scales(self)


def draw_demographics(
    rng: np.random.Generator,
    tables: StartingTables,
    count: int,
    ages: tuple[int, int] | None = None,
) -> dict[str, np.ndarray]:
    """Area, age (months), sex and deprivation for ``count`` people.

    Without ``ages`` the age comes from the area's 2019 age profile; with ``(low, high)``
    it is uniform over those months (entrants: (192, 192)).
    """
    area_share = tables.area_people / tables.area_people.sum()
    area = tables.area_codes[rng.choice(len(area_share), size=count, p=area_share)]
    if ages is None:
        cumulative = np.cumsum(tables.age_group_share_by_area[area], axis=1)
        group = (rng.random(count)[:, None] > cumulative[:, :-1]).sum(axis=1)
        low, high = GROUP_LOWER_MONTHS[group], GROUP_UPPER_MONTHS[group]
        age_months = low + np.floor(rng.random(count) * (high - low)).astype(np.int64)
    else:
        age_months = rng.integers(ages[0], ages[1] + 1, size=count)
    sex = (rng.random(count) >= tables.config.population.female_share).astype(np.uint8)
    cumulative = np.cumsum(tables.deprivation_share_by_area[area], axis=1)
    deprivation = (rng.random(count)[:, None] > cumulative[:, :-1]).sum(axis=1)
    return {
        "area": area.astype(np.uint8),
        "age_months": age_months.astype(np.uint16),
        "sex": sex,
        "deprivation": deprivation.astype(np.uint8),
    }


def _age_group_and_band(age_months: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    years = age_months.astype(np.int64) // 12
    group = np.clip((years - 15) // 5, 0, N_GROUPS - 1)
    return group, AGE_BAND_OF_GROUP[group]


def draw_conditions(rng: np.random.Generator, tables: StartingTables, people: dict) -> np.ndarray:
    """Condition bit field: prevalence x deprivation multiplier, correlated via a copula."""
    _, band = _age_group_and_band(people["age_months"])
    count = band.size
    correlation = tables.config.population.conditions.correlation
    shared = rng.standard_normal(count)
    conditions = np.zeros(count, dtype=np.uint8)
    for bit in range(len(states.CONDITIONS)):
        probability = tables.prevalence[bit, band, people["sex"]]
        probability = probability * tables.condition_deprivation_multiplier[bit, people["deprivation"]]
        latent = np.sqrt(correlation) * shared + np.sqrt(1 - correlation) * rng.standard_normal(count)
        has = ndtr(latent) < np.minimum(probability, tables.config.population.conditions.max_probability)
        conditions |= (has.astype(np.uint8) << bit)
    return conditions


def _condition_count(conditions: np.ndarray) -> np.ndarray:
    return sum((conditions >> bit) & 1 for bit in range(len(states.CONDITIONS))).astype(np.int64)


def _limiting_propensity(tables: StartingTables, people: dict) -> np.ndarray:
    structure = tables.config.population.limiting
    propensity = np.ones(people["conditions"].size)
    for bit, condition in enumerate(states.CONDITIONS):
        held = (people["conditions"] >> bit) & 1
        propensity *= np.where(held == 1, structure.condition_weight[condition], 1.0)
    propensity *= geometric_gradient(structure.deprivation_ratio)[people["deprivation"]]
    return np.where(people["conditions"] > 0, propensity, 0.0)


def _work_relative_risks(tables: StartingTables, people: dict) -> dict[str, np.ndarray]:
    work = tables.config.population.work
    group, band = _age_group_and_band(people["age_months"])
    limiting = people["limiting"].astype(bool)
    area_ratio = tables.inactivity_ratio_by_area[people["area"]]
    deprivation = geometric_gradient(work.deprivation_ratio)[people["deprivation"]]
    mental_health = (people["conditions"] & 1).astype(bool)
    extra_conditions = np.maximum(_condition_count(people["conditions"]) - 1, 0)
    long_term_sick = np.where(
        limiting,
        area_ratio * deprivation
        * np.where(mental_health, work.mental_health_ratio_long_term_sick, 1.0)
        * work.condition_count_ratio_long_term_sick ** extra_conditions,
        0.0,
    )
    unemployed = (
        np.array([work.unemployed_by_age_band[b] for b in states.AGE_BANDS])[band]
        * np.where(limiting, work.limiting_ratio_unemployed, 1.0) * deprivation
    )
    inactive_other = (
        np.array([work.inactive_other_by_age_group[g] for g in states.AGE_GROUPS])[group]
        * np.where(limiting, work.limiting_ratio_inactive_other, 1.0) * deprivation * area_ratio
    )
    return {"band": band, "long_term_sick": long_term_sick, "unemployed": unemployed,
            "inactive_other": inactive_other}


def _incapacity_relative_risk(tables: StartingTables, people: dict) -> np.ndarray:
    by_state = tables.config.population.benefits.incapacity_by_work_state
    ratio = np.array([by_state[s] for s in states.WORK_STATES])[people["work_state"]]
    return np.where(people["limiting"] == 1, ratio, 0.0)


def _disability_relative_risk(tables: StartingTables, people: dict) -> np.ndarray:
    per_condition = tables.config.population.benefits.pip_risk_per_condition
    return np.where(people["limiting"] == 1, 1.0 + per_condition * _condition_count(people["conditions"]), 0.0)


def _lcwra_relative_risk(tables: StartingTables, people: dict) -> np.ndarray:
    ratio = tables.config.population.benefits.mental_health_ratio_lcwra
    return np.where(people["conditions"] & 1, ratio, 1.0)


def _enhanced_relative_risk(tables: StartingTables, people: dict) -> np.ndarray:
    ratio = tables.config.population.benefits.pip_enhanced_ratio_lcwra
    return np.where(people["incapacity_benefit"] == states.IB_LCWRA, ratio, 1.0)


def _solve_scales(tables: StartingTables) -> dict[str, np.ndarray | float]:
    """Raking scales, solved step by step on a pilot sample with a fixed seed."""
    config = tables.config
    targets = tables.targets
    rng = np.random.default_rng(PILOT_SEED)
    pilot = draw_demographics(rng, tables, PILOT_SIZE)
    pilot["conditions"] = draw_conditions(rng, tables, pilot)
    _, band = _age_group_and_band(pilot["age_months"])
    scales: dict[str, np.ndarray | float] = {}

    propensity = _limiting_propensity(tables, pilot)
    limiting_scale = np.zeros(N_BANDS)
    for b, name in enumerate(states.AGE_BANDS):
        in_band = band == b
        limiting_scale[b] = solve_scale(
            propensity[in_band], config.population.limiting.share_by_age_band[name]
        )
    scales["limiting"] = limiting_scale
    pilot["limiting"] = (rng.random(PILOT_SIZE) < share_probability(limiting_scale[band], propensity)).astype(np.uint8)

    risks = _work_relative_risks(tables, pilot)
    profile = np.array([
        _published("dwp_sickness_inactivity_16_34_2015", tables),
        _published("dwp_sickness_inactivity_16_34_2015", tables),
        _published("dwp_sickness_inactivity_35_49_2015", tables),
        _published("dwp_sickness_inactivity_50_64_2015", tables),
    ])
    band_share = np.bincount(band, minlength=N_BANDS) / PILOT_SIZE
    profile = profile * targets["long_term_sick"] / np.dot(profile, band_share)
    sick_scale = np.array([
        solve_scale(risks["long_term_sick"][band == b], profile[b]) for b in range(N_BANDS)
    ])
    scales["long_term_sick"] = sick_scale
    p_sick = share_probability(sick_scale[band], risks["long_term_sick"])

    unemployed_share = 1.0 - targets["employment_rate"] - targets["inactivity_rate"]
    unemployed_scale = _solve_conditional_scale(p_sick, risks["unemployed"], unemployed_share)
    scales["unemployed"] = unemployed_scale
    p_unemployed = share_probability(unemployed_scale, risks["unemployed"])

    # Other inactivity is raked three ways: to the published employment rates at 16-24 and
    # at 50-64, and to the 16-64 total, which leaves 25-49 the remainder.
    other_share = targets["inactivity_rate"] - targets["long_term_sick"]
    remaining = (1 - p_sick) * (1 - p_unemployed)
    banded = {0: "employment_rate_16_24", N_BANDS - 1: "employment_rate_50_64"}
    scales["inactive_other"] = np.zeros(N_BANDS)
    raked_total = 0.0
    for b, target_name in banded.items():
        in_band = band == b
        target = (1.0 - targets[target_name] - np.mean(p_sick[in_band])
                  - np.mean(((1 - p_sick) * p_unemployed)[in_band]))
        scales["inactive_other"][b] = _solve_weighted_scale(remaining[in_band], risks["inactive_other"][in_band],
                                                            target)
        raked_total += target * in_band.mean()
    middle = ~np.isin(band, list(banded))
    middle_target = (other_share - raked_total) / middle.mean()
    middle_scale = _solve_weighted_scale(remaining[middle], risks["inactive_other"][middle], middle_target)
    for b in range(N_BANDS):
        if b not in banded:
            scales["inactive_other"][b] = middle_scale

    pilot["work_state"] = _draw_work_state(rng, tables, pilot, scales)
    incapacity_scale = solve_scale(_incapacity_relative_risk(tables, pilot), targets["incapacity_benefit"])
    scales["incapacity_benefit"] = incapacity_scale
    on_incapacity = rng.random(PILOT_SIZE) < share_probability(
        incapacity_scale, _incapacity_relative_risk(tables, pilot)
    )
    disability_risk = _disability_relative_risk(tables, pilot)
    scales["disability_with_incapacity"] = solve_scale(
        np.where(on_incapacity, disability_risk, 0.0), targets["disability_and_incapacity"]
    )
    scales["disability_without_incapacity"] = solve_scale(
        np.where(on_incapacity, 0.0, disability_risk), targets["disability_only"]
    )
    lcwra_risk = _lcwra_relative_risk(tables, pilot)[on_incapacity]
    # The published share is of the whole caseload, which includes people awaiting assessment,
    # and is for the year 2019-20, whose middle is six months after the start.
    benefits = config.population.benefits
    decided = 1.0 - benefits.incapacity_awaiting_share
    start_share = targets["incapacity_lcwra_share"] + benefits.incapacity_lcwra_share_start_offset
    scales["lcwra"] = solve_scale(lcwra_risk, start_share / decided)
    pilot["incapacity_benefit"] = np.where(on_incapacity, states.IB_LCWRA, states.IB_NONE)
    scales["enhanced"] = solve_scale(
        _enhanced_relative_risk(tables, pilot)[on_incapacity | (disability_risk > 0)],
        config.population.benefits.pip_enhanced_share,
    )
    return scales


def _published(figure_id: str, tables: StartingTables) -> float:
    figures = load_figures(
        tables.config.population.data.published_figures,
        tables.config.population.data.geography_scaling,
    )
    return figures[figure_id].england_and_wales


def _solve_conditional_scale(p_before: np.ndarray, risk: np.ndarray, target: float) -> float:
    return _solve_weighted_scale(1 - p_before, risk, target)


def _solve_weighted_scale(available: np.ndarray, risk: np.ndarray, target: float) -> float:
    """k such that mean(available x (1 - exp(-k risk))) = target."""
    low, high = -20.0, np.log(MAX_PROBABILITY_SCALE)
    if target >= np.mean(available * (risk > 0)):
        raise ValueError(f"target share {target:.4f} is not reachable")
    for _ in range(80):
        middle = 0.5 * (low + high)
        if np.mean(available * -np.expm1(-np.exp(middle) * risk)) < target:
            low = middle
        else:
            high = middle
    return float(np.exp(0.5 * (low + high)))


def _draw_work_state(
    rng: np.random.Generator, tables: StartingTables, people: dict, scales: dict
) -> np.ndarray:
    risks = _work_relative_risks(tables, people)
    band = risks["band"]
    p_sick = share_probability(scales["long_term_sick"][band], risks["long_term_sick"])
    p_unemployed = share_probability(scales["unemployed"], risks["unemployed"])
    p_other = share_probability(scales["inactive_other"][band], risks["inactive_other"])
    draw = rng.random(band.size)
    state = np.full(band.size, states.EMPLOYED, dtype=np.uint8)
    cut_sick = p_sick
    cut_unemployed = cut_sick + (1 - p_sick) * p_unemployed
    cut_other = cut_unemployed + (1 - p_sick) * (1 - p_unemployed) * p_other
    state[draw < cut_other] = states.INACTIVE_OTHER
    state[draw < cut_unemployed] = states.UNEMPLOYED
    state[draw < cut_sick] = states.INACTIVE_LONG_TERM_SICK
    return state


PIP_DECISIONS = ("awarded_standard", "awarded_enhanced", "disallowed")


def pip_claim_in_progress_probability(config: RunConfig, people: dict) -> np.ndarray:
    """Each person's chance of awaiting a PIP decision in April 2019, if not on PIP: the
    stationary share ``claim / (claim + decision)`` of the two-state chain between no claim
    and awaiting a decision, from the April 2019 monthly hazards (configs/disability_benefit,
    with the calibrated values). Claims in progress then match the hazards, so the first
    year's awards are not held back while the pipeline fills (with a fixed 5% of the
    caseload it held about 100,000 against a steady state of about 350,000, and new awards
    in 2019-20 ran a quarter below those of the following years with no driver)."""
    names = spec.PROCESS["disability_benefit"].transition_names
    table = compile_transitions(config.disability_benefit.transitions, names, months=1).for_month(0)
    column = {name: index for index, name in enumerate(names)}
    who, health = who_columns(people), health_columns(people)
    work, incapacity = people["work_state"].astype(np.int64), people["incapacity_benefit"].astype(np.int64)
    duration = DURATION_OFFSET + DURATION_BAND_OF_MONTHS[0]

    def monthly_rate(name: str, disability_state: int) -> np.ndarray:
        status = STATUS_OFFSET + status_code(work, incapacity, disability_state)
        index = column[name]
        return table[who, index] * table[health, index] * table[status, index] * table[duration, index]

    claim = monthly_rate("claim", states.DB_NONE)
    decision = sum(monthly_rate(name, states.DB_AWAITING_DECISION) for name in PIP_DECISIONS)
    return np.where(claim > 0, claim / np.maximum(claim + decision, 1e-12), 0.0)


MOST_DEFERRALS = 40
"""Deferrals in a row considered when placing April 2019's awards (a chance of 0.75 a time
leaves 1e-5 of awards beyond it)."""


def _award_positions(rng: np.random.Generator, config: RunConfig, award_lengths: tuple[np.ndarray, np.ndarray],
                     count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(award length, months since the award began, months to its next planned review) for
    ``count`` awards held in April 2019; length 0 is an ongoing award.

    A finite award of length L is reviewed when it ends, and each due review is deferred
    with the April 2019 chance ``review_deferred`` (p) for ``deferral_months`` (D) more, so
    an award lasts L + D K months until its review takes place, K ~ geometric(p). A stock of
    awards over-represents long lifetimes (length-biased sampling), and a held award is at a
    uniform point of its lifetime; its next review is the next of L, L + D, L + 2D... So the
    reviews of the first years come at the steady rate of April 2019's rules. (Before, every
    award sat in its first length and none was due in April 2019, and reviews in 2019-20 ran
    about half of those of later years with no driver.)"""
    benefits = config.population.benefits
    deferral = config.disability_benefit
    chance = float(deferral.transitions["review_deferred"].base)
    step = deferral.review.deferral_months
    lengths, shares = award_lengths
    finite = lengths > 0
    deferrals = np.arange(MOST_DEFERRALS + 1)
    geometric = (1.0 - chance) * chance ** deferrals
    lifetime = lengths[:, None] + step * deferrals[None, :]  # [length, deferrals] months
    weight = np.where(finite[:, None], shares[:, None] * geometric[None, :] * lifetime, 0.0).reshape(-1)
    cell = rng.choice(weight.size, size=count, p=weight / weight.sum())
    ongoing = rng.random(count) < benefits.pip_ongoing_share
    length_index, deferred = np.divmod(cell, deferrals.size)
    length = np.where(ongoing, 0, lengths[length_index])
    total = np.where(ongoing, 1, length + step * deferred)
    # Held 1..T months by the end of March 2019; reviewed in the month its held time reaches
    # the next of L, L + D, ... (month 0 included, as a new award is reviewed L months on).
    elapsed = np.floor(rng.random(count) * total).astype(np.int64) + 1
    passed = elapsed - length
    remaining = np.where(passed <= 0, -passed, (-passed) % step)
    return length, elapsed, remaining


def _draw_benefits(rng: np.random.Generator, tables: StartingTables, people: dict) -> None:
    """Incapacity and disability benefit states and months awaiting assessment; LCW and
    LCWRA durations are left at 0 for :func:`assign_award_durations`, and PIP's claims in
    progress and award positions for :func:`place_pip_pipelines`."""
    scales = tables.scales
    benefits = tables.config.population.benefits
    count = people["work_state"].size
    on_incapacity = rng.random(count) < share_probability(
        scales["incapacity_benefit"], _incapacity_relative_risk(tables, people)
    )
    incapacity = np.full(count, states.IB_NONE, dtype=np.uint8)
    awaiting = rng.random(count) < benefits.incapacity_awaiting_share
    lcwra = rng.random(count) < share_probability(scales["lcwra"], _lcwra_relative_risk(tables, people))
    incapacity[on_incapacity] = np.where(
        awaiting[on_incapacity], states.IB_AWAITING_ASSESSMENT,
        np.where(lcwra[on_incapacity], states.IB_LCWRA, states.IB_LCW),
    )
    people["incapacity_benefit"] = incapacity

    disability_risk = _disability_relative_risk(tables, people)
    disability_scale = np.where(
        on_incapacity, scales["disability_with_incapacity"], scales["disability_without_incapacity"]
    )
    on_disability = rng.random(count) < share_probability(disability_scale, disability_risk)
    enhanced = rng.random(count) < share_probability(scales["enhanced"], _enhanced_relative_risk(tables, people))
    disability = np.full(count, states.DB_NONE, dtype=np.uint8)
    disability[on_disability] = np.where(enhanced[on_disability], states.DB_ENHANCED, states.DB_STANDARD)
    people["disability_benefit"] = disability
    people["award_end_month"] = np.full(count, states.NO_AWARD_END, dtype=np.int16)
    people["months_in_disability_state"] = np.zeros(count, dtype=np.uint16)
    people["months_in_incapacity_state"] = np.where(
        incapacity == states.IB_AWAITING_ASSESSMENT, rng.integers(0, 5, size=count), 0).astype(np.uint16)


def place_pip_pipelines(people: np.ndarray | dict, config: RunConfig, award_lengths: tuple[np.ndarray, np.ndarray],
                        rng: np.random.Generator, month: int = 0) -> None:
    """PIP claims in progress and where each award stands, in place, at ``config``'s PIP
    hazards: a person not on PIP is awaiting a decision with
    :func:`pip_claim_in_progress_probability`; an award gets its length, months held and
    next planned review from :func:`_award_positions`. Drawn after the rest of the
    synthesis (for April 2019, from the run's own ``pip_pipelines`` stream), so a
    calibration can keep a starting population and redraw only this when the PIP hazards
    change."""
    count = people["disability_benefit"].size
    if count == 0:
        return
    recipient = people["disability_benefit"] >= states.DB_STANDARD
    people["disability_benefit"][~recipient] = states.DB_NONE
    waiting = (~recipient) & (rng.random(count) < pip_claim_in_progress_probability(config, people))
    people["disability_benefit"][waiting] = states.DB_AWAITING_DECISION
    months_since_16 = people["age_months"].astype(np.int64) - states.ENTRY_AGE_MONTHS
    length, elapsed, remaining = _award_positions(rng, config, award_lengths, count)
    ongoing_months = _geometric_months(rng, config.population.benefits.mean_months_on_ongoing_pip_award, months_since_16)
    people["award_end_month"][:] = np.where(recipient & (length > 0), month + remaining,
                                            states.NO_AWARD_END).astype(np.int16)
    people["months_in_disability_state"][:] = np.where(
        recipient, np.where(length > 0, elapsed, ongoing_months),
        np.where(waiting, rng.integers(0, 4, size=count), 0),
    ).astype(np.uint16)


def give_entrants_disability_benefit(rng: np.random.Generator, tables: StartingTables, people: dict,
                                     share: float, month: int) -> None:
    """Make the expected share of a batch of people turning 16 with a PIP award ``share``
    (child DLA moving to PIP), in place, starting from the awards the synthesis gave them:
    above it, people not on PIP gain a standard award starting this month, with a limiting
    condition and an award length from the published mix; below it, recipients lose theirs."""
    count = people["disability_benefit"].size
    if count == 0:
        return
    recipient = people["disability_benefit"] >= states.DB_STANDARD
    receiving = int(recipient.sum())
    wanted = share * count
    if receiving > wanted:
        lose = recipient & (rng.random(count) >= wanted / receiving)
        people["disability_benefit"][lose] = states.DB_NONE
        people["award_end_month"][lose] = states.NO_AWARD_END
        people["months_in_disability_state"][lose] = 0
        return
    candidates = people["disability_benefit"] == states.DB_NONE
    if wanted == receiving or not candidates.any():
        return
    gain = candidates & (rng.random(count) < min(1.0, (wanted - receiving) / candidates.sum()))
    lengths, shares = tables.award_lengths
    length = lengths[rng.choice(lengths.size, size=int(gain.sum()), p=shares / shares.sum())]
    people["disability_benefit"][gain] = states.DB_STANDARD
    people["limiting"][gain] = 1
    people["months_in_disability_state"][gain] = 0
    people["award_end_month"][gain] = np.where(length > 0, month + length, states.NO_AWARD_END)


def synthesise(
    rng: np.random.Generator,
    tables: StartingTables,
    count: int,
    month: int = 0,
    ages: tuple[int, int] | None = None,
    award_durations: dict[int, np.ndarray] | None = None,
    pip_config: RunConfig | None = None,
) -> dict[str, np.ndarray]:
    """``count`` people as a dict of field arrays (see sim/core/people.py); with
    ``award_durations`` (:func:`award_duration_cdfs`) their LCW and LCWRA recipients get
    months on the award, otherwise 0 for the caller to assign; with ``pip_config`` their
    PIP claims in progress and award positions (:func:`place_pip_pipelines`), otherwise
    none in progress and no review date, for the caller to place."""
    people = draw_demographics(rng, tables, count, ages)
    people["conditions"] = draw_conditions(rng, tables, people)
    _, band = _age_group_and_band(people["age_months"])
    propensity = _limiting_propensity(tables, people)
    people["limiting"] = (
        rng.random(count) < share_probability(tables.scales["limiting"][band], propensity)
    ).astype(np.uint8)
    people["work_state"] = _draw_work_state(rng, tables, people, tables.scales)
    _draw_benefits(rng, tables, people)
    durations = tables.config.population.durations
    months_since_16 = people["age_months"].astype(np.int64) - states.ENTRY_AGE_MONTHS
    mean_by_state = np.array([durations.mean_months_in_work_state[s] for s in states.WORK_STATES])
    people["months_in_work_state"] = np.minimum(
        rng.geometric(1.0 / (mean_by_state[people["work_state"]] + 1.0)) - 1, months_since_16
    ).astype(np.uint16)
    people["months_in_health_state"] = _geometric_months(
        rng, durations.mean_months_in_health_state, months_since_16
    ).astype(np.uint16)
    if award_durations is not None:
        assign_award_durations(people, award_durations, rng)
    if pip_config is not None:
        place_pip_pipelines(people, pip_config, tables.award_lengths, rng, month)
    return people


EMPTY_SLOT = allocate(1)[0]


def place(people: np.ndarray, slots: np.ndarray | slice, drawn: dict[str, np.ndarray], weight: float) -> None:
    """Put synthesised people into free slots (fields not drawn start at their defaults)."""
    people[slots] = EMPTY_SLOT
    for name, values in drawn.items():
        people[name][slots] = values
    people["in_population"][slots] = 1
    people["weight"][slots] = weight


def initial_population(tables: StartingTables, rng: np.random.Generator, capacity: int) -> np.ndarray:
    """The April 2019 population in the first ``population.size`` of ``capacity`` slots
    (LCW and LCWRA durations left for :func:`assign_award_durations`, PIP claims in progress
    and award positions for :func:`place_starting_pip_pipelines`).

    Drawn in chunks so peak memory stays a small multiple of the people arrays.
    """
    size = tables.config.population.size
    weight = float(np.float32(tables.area_people.sum() / size))
    people = allocate(capacity)
    for start in range(0, size, CHUNK_SIZE):
        stop = min(size, start + CHUNK_SIZE)
        place(people, slice(start, stop), synthesise(rng, tables, stop - start), weight)
    return people


def place_starting_pip_pipelines(people: np.ndarray, config: RunConfig, award_lengths: tuple[np.ndarray, np.ndarray],
                                 rng: np.random.Generator) -> None:
    """:func:`place_pip_pipelines` over the first ``population.size`` people, in chunks (a
    structured-array slice is a view, so the people are changed in place)."""
    size = config.population.size
    for start in range(0, size, CHUNK_SIZE):
        place_pip_pipelines(people[start:min(size, start + CHUNK_SIZE)], config, award_lengths, rng)
