"""InactivityModel: the Mesa model that runs the month-by-month simulation.

One ``step()`` is one calendar month. The model owns the people array and the compiled
hazard tables. At the start of the month programmes refer people and fill their places
(sim/policy/programmes.py); then, for each person, in one fused pass
(sim/engine/kernel.py), the processes of the registry (sim/spec.py) in order:

    1. demography: ageing, exit at 65, death
    2. health: onset and recovery of conditions, limiting conditions
    3. work: job loss, leaving work for health, return to work, other inactivity
    4. incapacity benefit: claims, assessment outcomes, exits
    5. disability benefit: claims, awards, reviews
    6. programme membership
    and the person is counted into the month's stocks;

then, at the end of the month, the month's 16-year-olds enter and net migration brings the
16-64 total to the published path; stocks, flows and spending are recorded and Mesa's
DataCollector records the panel.

Randomness comes from Philox streams keyed by the run key, which is drawn from Mesa's
seeded ``self.rng`` (see :mod:`sim.core.random_streams`).
"""

from __future__ import annotations

import logging

import mesa
import numpy as np
import pandas as pd

from sim import spec
from sim.agents import REPORTERS, Person
from sim.core import states
from sim.core.calendar import month_index, month_starts
from sim.core.random_streams import batch_generator, run_key, stochastic_round
from sim.engine import drivers, kernel
from sim.engine.chunks import N_CHUNKS, chunk_size
from sim.engine.contract import ADDITIONAL_JOBS, RELAPSES
from sim.engine.counting import count_slots
from sim.engine.hazards import AGE_BAND_OF_AGE_GROUP, AGE_GROUP_OF_AGE_MONTHS, compile_transitions
from sim.health_steady_state import with_steady_onsets
from sim.params.schema import RunConfig, run_label
from sim.policy import programmes as programmes_module
from sim.policy.benefit_rules import daily_living_kernel_rule
from sim.population import (
    StartingTables,
    assign_award_durations,
    award_duration_cdfs,
    initial_population,
    place_starting_pip_pipelines,
    place,
    give_entrants_disability_benefit,
    synthesise,
)
from sim.processes import demography
from sim.processes.disability_benefit import award_rules
from sim.recorder import Recorder
from sim.spending import SpendingRates

logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO

CAPACITY_MARGIN = 1.02
FREED_BUFFER_SHARE = 0.02
"""Room per chunk for slots freed in a month, as a share of the chunk (about 0.2% are)."""


def starting_population(config: RunConfig, tables: StartingTables, key: np.ndarray) -> np.ndarray:
    """The April 2019 people of a run with this run key, in an array with room to grow."""
    path = demography.population_path(config.demography.population_path_file, config.period.start,
                                      config.period.months) * tables.simulated_share
    growth = max(1.0, float(path.max() / tables.area_people.sum()))
    capacity = int(config.population.size * growth * CAPACITY_MARGIN) + 1000
    return initial_population(tables, batch_generator(key, "initial_population", 0), capacity)


def seed_key(seed: int) -> np.ndarray:
    """The run key the model draws from Mesa's ``rng`` for this seed (Mesa seeds
    ``numpy.random.default_rng(seed)``), for building a run's population outside the model."""
    return run_key(np.random.default_rng(seed))


class InactivityModel(mesa.Model):
    """Monthly microsimulation of health, work and benefits for people aged 16-64."""

    def __init__(self, config: RunConfig, initial_people: np.ndarray | None = None,
                 tables: StartingTables | None = None):
        """``initial_people`` and ``tables``: a starting population and synthesis tables built
        earlier with the same seed and population config (the people are copied), to skip
        synthesis when only hazards differ, as in calibration."""
        super().__init__(rng=config.seed)
        self.config = config
        self.months = config.period.months
        self.month = 0
        self.key = run_key(self.rng)
        self.tables = tables if tables is not None else StartingTables(config)

        self.path = demography.population_path(
            config.demography.population_path_file, config.period.start, self.months
        ) * self.tables.simulated_share
        size = config.population.size
        # People represented per agent, rounded to the float32 the people array stores.
        self.weight = float(np.float32(self.tables.area_people.sum() / size))
        if initial_people is not None:
            self.people: np.ndarray = initial_people.copy()
        else:
            self.people = starting_population(config, self.tables, self.key)
        # Months on an LCW or LCWRA award follow this run's exit hazards, and PIP's claims in
        # progress and award positions its PIP hazards (so both are drawn here, from their
        # own streams, also for a starting population built earlier).
        place_starting_pip_pipelines(self.people, config, self.tables.award_lengths,
                                     batch_generator(self.key, "pip_pipelines", 0))
        self.award_durations = award_duration_cdfs(config.incapacity_benefit)
        assign_award_durations(self.people[: config.population.size], self.award_durations,
                               batch_generator(self.key, "award_durations", 0))
        self.entrants_per_month = config.demography.entrants_per_month * self.tables.simulated_share

        transitions = {name: config.process_config(name).transitions for name in spec.HAZARD_PROCESSES}
        transitions["health"] = with_steady_onsets(config.health, self.people)
        self.hazards = {
            name: compile_transitions(transitions[name], spec.PROCESS[name].transition_names, self.months)
            for name in spec.HAZARD_PROCESSES
        }
        drivers.apply(self.hazards, config.drivers, config.period.start, self.months, config.projection)
        self.entrants_disability_benefit_share = drivers.calendar_rate(
            "demography.entrants_disability_benefit_share", config.demography.entrants_disability_benefit_share,
            config.drivers, config.period.start, self.months, config.projection)
        drivers.apply_alignment(self.hazards, config.projection, config.period.start, self.months)
        self.programmes = programmes_module.build(config.interventions, config.period.start, config.calibration.draw,
                                                  self.people.size, config.sensitivity.programme_effects)
        self.effects = self.programmes.effects
        count = len(self.programmes)
        self.programme_flows = np.zeros((count, len(spec.PROGRAMME_METRICS), states.N_AREAS, states.N_AGE_BANDS))
        lengths, shares = self.tables.award_lengths
        spending = SpendingRates.from_config(config.spending, config.policy, config.period.start, self.months,
                                             config.calibration.spending_scale)
        self.recorder = Recorder(self.months, spending, self.programmes.names)
        status_counts, health_counts, entitlement_counts = self.recorder.histograms
        buffer = max(64, int(chunk_size(self.people.size) * FREED_BUFFER_SHARE))
        self.outputs = kernel.MonthOutputs(
            flows=np.zeros((N_CHUNKS, len(spec.FLOWS), states.N_AREAS, states.N_AGE_BANDS)),
            programme_flows=np.zeros((N_CHUNKS, count + 1, len(spec.PROGRAMME_METRICS), states.N_AREAS,
                                      states.N_AGE_BANDS)),
            status_counts=status_counts,
            health_counts=health_counts,
            entitlement_counts=entitlement_counts,
            freed=np.zeros((N_CHUNKS, buffer), dtype=np.int64),
            freed_count=np.zeros(N_CHUNKS, dtype=np.int64),
        )
        self.mortality = demography.mortality(
            config.demography.mortality_file, config.demography.mortality_ratios, self.people
        )
        self.award_rules = award_rules(lengths, shares, config.disability_benefit.review,
                                       daily_living_kernel_rule(config.policy.daily_living_rule, config.period.start))
        self.incapacity_rules = np.array([float(month_index(config.policy.new_claims_from, config.period.start))])
        self.free = np.flatnonzero(self.people["in_population"] == 0)

        self.panel_slots = np.arange(min(config.panel.size, size))  # the whole population if smaller
        self.panel: dict[int, Person] = {int(slot): Person(self, int(slot)) for slot in self.panel_slots}
        self.datacollector = mesa.DataCollector(
            agent_reporters=REPORTERS if config.run.write_panel and self.panel_slots.size else {}
        )

    # -- the month -----------------------------------------------------------------------
    def step(self) -> None:
        """Simulate one calendar month."""
        month = self.month
        if month >= self.months:
            raise RuntimeError(f"the run has {self.months} months; month {month} is past its end")
        self.outputs.flows[:] = 0.0
        self.programme_flows[:] = 0.0
        if len(self.programmes):
            programmes_module.allocate(self.people, self.programmes, month, self.key, self.weight,
                                       self.programme_flows)
        kernel.run(self.people, self.month_inputs(month), month, self.key, self.outputs)
        outcomes = self.outputs.programme_flows.sum(axis=0)[1:]
        for metric in (ADDITIONAL_JOBS, RELAPSES):
            self.programme_flows[:, metric] = outcomes[:, metric]
        self._collect_freed_slots()
        self._panel_departures()
        self._enter_and_migrate(month)
        self.recorder.record(month, self.outputs.flows, self.programme_flows)
        if self.datacollector.agent_reporters:
            self.datacollector.collect(self)
        self.month += 1

    def month_inputs(self, month: int) -> kernel.MonthInputs:
        """The read-only tables the month kernel needs for ``month``."""
        tables = {f"{name}_{kind}": kernel.NO_TABLE for name in spec.PROCESS for kind in kernel.INPUT_KINDS}
        for name in spec.HAZARD_PROCESSES:
            tables[f"{name}_rates"] = self.hazards[name].for_month(month)
            tables[f"{name}_effects"] = self.effects[name]
        tables["demography_rates"] = self.mortality
        tables["work_rules"] = self.programmes.relapse
        tables["disability_benefit_rules"] = self.award_rules
        tables["incapacity_benefit_rules"] = self.incapacity_rules
        tables["programme_membership_rules"] = self.programmes.length
        return kernel.MonthInputs(**tables)

    def run(self, progress=None) -> None:
        """Run every remaining month; ``progress`` is called with each finished month."""
        while self.month < self.months:
            self.step()
            if progress is not None:
                progress(self.month)

    # -- demography between kernels ------------------------------------------------------
    def _enter_and_migrate(self, month: int) -> None:
        entry = batch_generator(self.key, "entry", month)
        entrants = stochastic_round(self.entrants_per_month / self.weight, entry.random())
        self._add_people(entry, entrants, month, (states.ENTRY_AGE_MONTHS, states.ENTRY_AGE_MONTHS),
                         spec.FLOW["entrants_at_16"], keep_benefits=True)
        present = self.recorder.population()
        residual = self.path[month] - present
        migration = batch_generator(self.key, "migration", month)
        if residual > 0:
            immigrants = stochastic_round(residual / self.weight, migration.random())
            self._add_people(migration, immigrants, month,
                             tuple(self.config.demography.immigrant_age_months),
                             spec.FLOW["immigrants"], keep_benefits=False)
        elif residual < 0:
            demography.emigrate(self.people, -residual / present, month, self.key, self.outputs.flows,
                                *self.recorder.histograms)
            self.free = np.flatnonzero(self.people["in_population"] == 0)
            self._panel_departures()

    def _add_people(self, rng, count, month, ages, flow, keep_benefits) -> None:
        if count <= 0:
            return
        drawn = synthesise(rng, self.tables, count, month=month, ages=ages, award_durations=self.award_durations,
                           pip_config=self.config)
        if flow == spec.FLOW["entrants_at_16"]:
            give_entrants_disability_benefit(rng, self.tables, drawn, self.entrants_disability_benefit_share[month],
                                             month)
        if not keep_benefits:
            # A new arrival has no UK health-related benefit award yet.
            for field in ("incapacity_benefit", "disability_benefit", "months_in_incapacity_state",
                          "months_in_disability_state"):
                drawn[field][:] = 0
            drawn["award_end_month"][:] = states.NO_AWARD_END
        if count > self.free.size:
            raise RuntimeError(f"population capacity exhausted: need {count} free slots, have {self.free.size}")
        slots, self.free = self.free[:count], self.free[count:]
        place(self.people, slots, drawn, self.weight)
        status_counts, health_counts, entitlement_counts = self.recorder.histograms
        count_slots(self.people, slots, status_counts[0], health_counts[0], entitlement_counts[0])
        band = AGE_BAND_OF_AGE_GROUP[AGE_GROUP_OF_AGE_MONTHS[drawn["age_months"]]]
        np.add.at(self.outputs.flows[0, flow], (drawn["area"], band), self.weight)
        if flow == spec.FLOW["entrants_at_16"]:
            on_pip = drawn["disability_benefit"] >= states.DB_STANDARD
            np.add.at(self.outputs.flows[0, spec.FLOW["disability_benefit_entrants_at_16"]],
                      (drawn["area"][on_pip], band[on_pip]), self.weight)
        for slot in slots[slots < self.panel_slots.size]:
            self.panel[int(slot)] = Person(self, int(slot))

    def _collect_freed_slots(self) -> None:
        """Merge the slots the kernel freed into the sorted free list."""
        if np.any(self.outputs.freed_count == kernel.FREED_OVERFLOW):
            self.free = np.flatnonzero(self.people["in_population"] == 0)
            return
        freed = [self.outputs.freed[c, :count] for c, count in enumerate(self.outputs.freed_count) if count]
        if freed:
            freed = np.concatenate(freed)  # sorted: chunks in order, slots in order within
            self.free = np.insert(self.free, np.searchsorted(self.free, freed), freed)

    def _panel_departures(self) -> None:
        gone = self.panel_slots[self.people["in_population"][self.panel_slots] == 0]
        for slot in gone:
            person = self.panel.pop(int(slot), None)
            if person is not None:
                person.remove()

    # -- results ---------------------------------------------------------------------------
    def metrics_table(self) -> pd.DataFrame:
        return self.recorder.tidy(
            self.config.period.start, run_label(self.config), self.config.seed,
            self.config.population.area_ids,
        )

    def panel_table(self) -> pd.DataFrame:
        """One row per panel person per month, with states as names."""
        if not self.datacollector.agent_reporters:
            return pd.DataFrame()
        frame = self.datacollector.get_agent_vars_dataframe().reset_index()
        frame = frame.rename(columns={"AgentID": "person_id", "Step": "step"})
        months = month_starts(self.config.period.start, self.months)
        # Mesa 3.5 and newer record the step as a float (model time); earlier versions as an int.
        steps = np.rint(frame.pop("step").to_numpy()).astype(np.int64)
        frame.insert(0, "month", months[steps - 1])
        frame.insert(1, "scenario", run_label(self.config))
        frame.insert(2, "seed", np.int64(self.config.seed))
        labels = {
            "sex": states.SEXES, "area": states.AREAS, "deprivation": states.DEPRIVATION_QUINTILES,
            "work_state": states.WORK_STATES, "incapacity_benefit": states.INCAPACITY_BENEFIT_STATES,
            "disability_benefit": states.DISABILITY_BENEFIT_STATES,
        }
        for column, names in labels.items():
            frame[column] = pd.Categorical.from_codes(frame[column].to_numpy(), categories=list(names))
        frame["conditions"] = frame["conditions"].map(states.condition_names).astype("category")
        frame["limiting"] = frame["limiting"].astype(bool)
        return frame
