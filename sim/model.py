"""InactivityModel: the Mesa model that runs the month-by-month simulation.

One ``step()`` is one calendar month. The model owns the people array and the compiled
hazard tables. For each person, in one fused pass (sim/processes/month.py):

    1. demography: ageing, exit at 65, death
    2. health: onset and recovery of conditions, limiting conditions
    3. work: job loss, leaving work for health, return to work, other inactivity
    4. incapacity benefit: claims, assessment outcomes, exits
    5. disability benefit: claims, awards, reviews
    6. counted into the month's stocks

then, at the end of the month, the month's 16-year-olds enter and net migration brings the
16-64 total to the published path; stocks, flows and spending are recorded and Mesa's
DataCollector records the panel.

Randomness comes from Philox streams keyed by the run key, which is drawn from Mesa's
seeded ``self.rng`` (see :mod:`sim.random_streams`).
"""

from __future__ import annotations

import logging

import mesa
import numpy as np
import pandas as pd

from sim import drivers, interventions, metrics, states
from sim.agents import REPORTERS, Person
from sim.config import RunConfig
from sim.hazards import AGE_BAND_OF_AGE_GROUP, AGE_GROUP_OF_AGE_MONTHS, compile_transitions
from sim.population import StartingTables, initial_population, place, synthesise
from sim.processes import N_CHUNKS, demography, disability_benefit, health, incapacity_benefit, work
from sim.processes import month as month_kernel
from sim.processes.disability_benefit import award_rules
from sim.random_streams import batch_generator, run_key
from sim.recorder import Recorder, count_slots
from sim.spending import SpendingRates

logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO

PROCESSES = ("health", "work", "incapacity_benefit", "disability_benefit")
"""Person-level processes, in the order the month kernel runs them."""
TRANSITIONS = {"health": health.TRANSITIONS, "work": work.TRANSITIONS,
               "incapacity_benefit": incapacity_benefit.TRANSITIONS,
               "disability_benefit": disability_benefit.TRANSITIONS}
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
        self.entrants_per_month = config.demography.entrants_per_month * self.tables.simulated_share

        self.hazards = {
            "health": compile_transitions(config.health.transitions, health.TRANSITIONS, self.months),
            "work": compile_transitions(config.work.transitions, work.TRANSITIONS, self.months),
            "incapacity_benefit": compile_transitions(
                config.incapacity_benefit.transitions, incapacity_benefit.TRANSITIONS, self.months
            ),
            "disability_benefit": compile_transitions(
                config.disability_benefit.transitions, disability_benefit.TRANSITIONS, self.months
            ),
        }
        drivers.apply(self.hazards, config.drivers, config.period.start, self.months, config.projection,
                      TRANSITIONS)
        self.programmes = interventions.build(config, TRANSITIONS)
        self.effects = self.programmes.effects
        count = len(self.programmes)
        self.programme_flows = np.zeros((count, len(interventions.PROGRAMME_METRICS), len(states.AREAS),
                                         len(states.AGE_BANDS)))
        self._programme_chunk_flows = np.zeros((N_CHUNKS, count + 1, len(interventions.PROGRAMME_METRICS),
                                                len(states.AREAS), len(states.AGE_BANDS)))
        self.candidate = np.zeros(self.people.size if count else 0, dtype=np.uint8)
        self.rank = np.zeros(self.people.size if count else 0, dtype=np.float32)
        self.age_band_of_months = AGE_BAND_OF_AGE_GROUP[AGE_GROUP_OF_AGE_MONTHS]
        lengths, shares = self.tables.award_lengths
        self.award_rules = award_rules(lengths, shares, config.disability_benefit.review)
        self.mortality = demography.mortality(
            config.demography.mortality_file, config.demography.mortality_ratios, self.people
        )
        self.recorder = Recorder(self.months, SpendingRates.from_config(config.spending, config.calibration.spending_scale),
                                 self.programmes.names)
        self.flows = np.zeros((N_CHUNKS, len(metrics.FLOWS), len(states.AREAS), len(states.AGE_BANDS)))
        chunk = (self.people.size + N_CHUNKS - 1) // N_CHUNKS
        self.freed = np.zeros((N_CHUNKS, max(64, int(chunk * FREED_BUFFER_SHARE))), dtype=np.int64)
        self.freed_count = np.zeros(N_CHUNKS, dtype=np.int64)
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
        self.flows[:] = 0.0
        self.programme_flows[:] = 0.0
        if len(self.programmes):
            interventions.allocate(self, month)
        tables = tuple(self.hazards[name].for_month(month) for name in PROCESSES)
        effects = tuple(self.effects[name] for name in PROCESSES)
        month_kernel.run(self.people, self.mortality, *tables, *effects, self.award_rules,
                         self.programmes.length, self.programmes.relapse, month, self.key, self.flows,
                         self._programme_chunk_flows, *self.recorder.histograms, self.freed, self.freed_count)
        outcomes = self._programme_chunk_flows.sum(axis=0)[1:]
        for metric in (interventions.ADDITIONAL_JOBS, interventions.RELAPSES):
            self.programme_flows[:, metric] = outcomes[:, metric]
        self._collect_freed_slots()
        self._panel_departures()
        self._enter_and_migrate(month)
        self.recorder.record(month, self.flows, self.programme_flows)
        if self.datacollector.agent_reporters:
            self.datacollector.collect(self)
        self.month += 1

    def run(self, progress=None) -> None:
        """Run every remaining month; ``progress`` is called with each finished month."""
        while self.month < self.months:
            self.step()
            if progress is not None:
                progress(self.month)

    # -- demography between kernels ------------------------------------------------------
    def _enter_and_migrate(self, month: int) -> None:
        entry = batch_generator(self.key, "entry", month)
        entrants = demography.stochastic_round(self.entrants_per_month / self.weight, entry.random())
        self._add_people(entry, entrants, month, (states.ENTRY_AGE_MONTHS, states.ENTRY_AGE_MONTHS),
                         metrics.ENTRANTS_AT_16, keep_benefits=True)
        present = self.recorder.population()
        residual = self.path[month] - present
        migration = batch_generator(self.key, "migration", month)
        if residual > 0:
            immigrants = demography.stochastic_round(residual / self.weight, migration.random())
            self._add_people(migration, immigrants, month,
                             tuple(self.config.demography.immigrant_age_months),
                             metrics.IMMIGRANTS, keep_benefits=False)
        elif residual < 0:
            demography.emigrate(self.people, -residual / present, month, self.key, self.flows,
                                *self.recorder.histograms)
            self.free = np.flatnonzero(self.people["in_population"] == 0)
            self._panel_departures()

    def _add_people(self, rng, count, month, ages, flow, keep_benefits) -> None:
        if count <= 0:
            return
        drawn = synthesise(rng, self.tables, count, month=month, ages=ages)
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
        status_counts, health_counts = self.recorder.histograms
        count_slots(self.people, slots, status_counts[0], health_counts[0])
        band = AGE_BAND_OF_AGE_GROUP[AGE_GROUP_OF_AGE_MONTHS[drawn["age_months"]]]
        np.add.at(self.flows[0, flow], (drawn["area"], band), self.weight)
        for slot in slots[slots < self.panel_slots.size]:
            self.panel[int(slot)] = Person(self, int(slot))

    def _collect_freed_slots(self) -> None:
        """Merge the slots the kernel freed into the sorted free list."""
        if np.any(self.freed_count == month_kernel.FREED_OVERFLOW):
            self.free = np.flatnonzero(self.people["in_population"] == 0)
            return
        freed = [self.freed[c, :count] for c, count in enumerate(self.freed_count) if count]
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
            self.config.period.start, self.config.scenario.name, self.config.seed,
            self.config.population.area_ids,
        )

    def panel_table(self) -> pd.DataFrame:
        """One row per panel person per month, with states as names."""
        if not self.datacollector.agent_reporters:
            return pd.DataFrame()
        frame = self.datacollector.get_agent_vars_dataframe().reset_index()
        frame = frame.rename(columns={"AgentID": "person_id", "Step": "step"})
        months = pd.period_range(self.config.period.start, periods=self.months, freq="M").to_timestamp()
        # Mesa 3.5 and newer record the step as a float (model time); earlier versions as an int.
        steps = np.rint(frame.pop("step").to_numpy()).astype(np.int64)
        frame.insert(0, "month", months[steps - 1])
        frame.insert(1, "scenario", self.config.scenario.name)
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
