"""Monthly aggregates: stocks counted over everyone, flows from the processes, spending.

Counts are sums of person weights on a grid of area x broad age band; the tidy table has
one row per month, area (or ``all``), age band (or ``all``) and metric: every metric by
area with ``age_band=all``, by age band with ``area=all``, and the total ``all, all``.
"""

from __future__ import annotations

import numba as nb
import numpy as np
import pandas as pd

from sim import metrics, states
from sim.hazards import age_band, age_group
from sim.interventions import PROGRAMME_METRICS
from sim.processes import N_CHUNKS
from sim.spending import SpendingRates

N_AREAS = len(states.AREAS)
N_BANDS = len(states.AGE_BANDS)
N_CELLS = N_AREAS * N_BANDS
N_STATUS_CODES = len(states.WORK_STATES) * len(states.INCAPACITY_BENEFIT_STATES) * len(
    states.DISABILITY_BENEFIT_STATES) * 2
N_HEALTH_CODES = 2 ** len(states.CONDITIONS) * 2 * 2


def _status_indicators() -> np.ndarray:
    """[status code, stock]: 1 where a person with that code counts in the stock.

    Status code = ((work state x 4 + incapacity state) x 4 + disability state) x 2 + limiting.
    """
    code = np.arange(N_STATUS_CODES)
    limiting = code % 2
    disability = code // 2 % 4
    incapacity = code // 8 % 4
    work = code // 32
    on_incapacity = incapacity != states.IB_NONE
    on_disability = disability >= states.DB_STANDARD
    columns = {
        "population": np.ones(code.size, bool),
        "incapacity_benefit_recipients": on_incapacity,
        "incapacity_benefit_awaiting_assessment": incapacity == states.IB_AWAITING_ASSESSMENT,
        "incapacity_benefit_lcw": incapacity == states.IB_LCW,
        "incapacity_benefit_lcwra": incapacity == states.IB_LCWRA,
        "disability_benefit_recipients": on_disability,
        "disability_benefit_standard": disability == states.DB_STANDARD,
        "disability_benefit_enhanced": disability == states.DB_ENHANCED,
        "disability_benefit_awaiting_decision": disability == states.DB_AWAITING_DECISION,
        "health_benefit_recipients": on_incapacity | on_disability,
        "health_benefit_recipients_both": on_incapacity & on_disability,
        "limiting_condition": limiting == 1,
    }
    for index, name in enumerate(states.WORK_STATES):
        columns[name] = work == index
    return _indicator_matrix(columns, code.size)


def _health_indicators() -> np.ndarray:
    """[health code, stock]; health code = (conditions x 2 + long-term sick) x 2 + on a benefit."""
    code = np.arange(N_HEALTH_CODES)
    on_benefit = code % 2 == 1
    sick = code // 2 % 2 == 1
    conditions = code // 4
    columns = {}
    for bit, condition in enumerate(states.CONDITIONS):
        held = (conditions >> bit) & 1 == 1
        columns["obesity" if condition == "obesity" else f"{condition}_condition"] = held
        columns[f"inactive_long_term_sick_with_{condition}"] = held & sick
        columns[f"health_benefit_recipients_with_{condition}"] = held & on_benefit
    return _indicator_matrix(columns, code.size)


def _indicator_matrix(columns: dict[str, np.ndarray], codes: int) -> np.ndarray:
    matrix = np.zeros((codes, len(metrics.STOCKS)))
    for name, member in columns.items():
        matrix[:, metrics.STOCK[name]] = member
    return matrix


STATUS_INDICATORS = _status_indicators()
HEALTH_INDICATORS = _health_indicators()
assert np.all((STATUS_INDICATORS.sum(axis=0) > 0) != (HEALTH_INDICATORS.sum(axis=0) > 0)), \
    "every stock is defined exactly once"


@nb.njit(inline="always", cache=True)
def count_person(person, band_of_age, status_counts, health_counts, sign):
    """Add (sign 1) or remove (sign -1) one person's weight in their cell's histograms."""
    cell = person.area * 4 + band_of_age
    weight = sign * person.weight
    work = person.work_state
    incapacity = person.incapacity_benefit
    disability = person.disability_benefit
    status_counts[cell, ((work * 4 + incapacity) * 4 + disability) * 2 + person.limiting] += weight
    sick = 1 if work == states.INACTIVE_LONG_TERM_SICK else 0
    on_benefit = 1 if (incapacity != states.IB_NONE or disability >= states.DB_STANDARD) else 0
    health_counts[cell, (person.conditions * 2 + sick) * 2 + on_benefit] += weight


@nb.njit(cache=True)
def count_slots(people, slots, status_counts, health_counts):
    """Add the people in ``slots`` (new entrants, immigrants) to one chunk's histograms."""
    for slot in slots:
        person = people[slot]
        count_person(person, age_band(age_group(person.age_months)), status_counts, health_counts, 1.0)


class Recorder:
    """Collects each month's stock and flow grids, then builds the tidy metrics table."""

    def __init__(self, months: int, spending: SpendingRates, programmes: list[str] | tuple[str, ...] = ()):
        self.stocks = np.zeros((months, len(metrics.STOCKS), N_AREAS, N_BANDS))
        self.flows = np.zeros((months, len(metrics.FLOWS), N_AREAS, N_BANDS))
        self.programmes = tuple(programmes)
        self.programme_flows = np.zeros((months, len(self.programmes), len(PROGRAMME_METRICS), N_AREAS, N_BANDS))
        self.spending_rates = spending
        self._status_counts = np.zeros((N_CHUNKS, N_CELLS, N_STATUS_CODES))
        self._health_counts = np.zeros((N_CHUNKS, N_CELLS, N_HEALTH_CODES))

    @property
    def histograms(self) -> tuple[np.ndarray, np.ndarray]:
        """Per-chunk status and health histograms that the month kernel fills."""
        return self._status_counts, self._health_counts

    def population(self) -> float:
        """People represented in the histograms as they stand (all cells, all codes)."""
        return float(self._status_counts.sum())

    def record(self, month: int, chunk_flows: np.ndarray, programme_flows: np.ndarray | None = None) -> None:
        """Store the month's stocks (from the filled histograms), flows and programme metrics."""
        if programme_flows is not None and programme_flows.size:
            self.programme_flows[month] = programme_flows
        cells = (self._status_counts.sum(axis=0) @ STATUS_INDICATORS
                 + self._health_counts.sum(axis=0) @ HEALTH_INDICATORS)
        self.stocks[month] = cells.T.reshape(len(metrics.STOCKS), N_AREAS, N_BANDS)
        self.flows[month] = chunk_flows.sum(axis=0)

    def spending(self) -> np.ndarray:
        """[month, spending metric, area, band] in £ per month."""
        return self.spending_rates.monthly_spending(self.stocks)

    def grid(self) -> np.ndarray:
        """[month, metric, area, band] for every metric in ALL_METRICS order."""
        derived = [self.flows[:, [metrics.FLOW[part] for part in parts]].sum(axis=1)
                   for parts in metrics.DERIVED.values()]
        return np.concatenate([self.stocks, self.flows, self.spending(), np.stack(derived, axis=1)], axis=1)

    def totals(self, start: str) -> pd.DataFrame:
        """England & Wales totals: one row per month, one column per metric."""
        months = pd.period_range(start=start, periods=self.stocks.shape[0], freq="M").to_timestamp()
        return pd.DataFrame(self.grid().sum(axis=(2, 3)), index=months, columns=list(metrics.ALL_METRICS))

    def tidy(self, start: str, scenario: str, seed: int, areas: tuple[str, ...]) -> pd.DataFrame:
        """The tidy metrics table: model metrics (programme ``all``), then programme metrics
        for each programme and for all programmes together."""
        frames = [tidy_metrics(self.grid(), start, scenario, seed, areas, metrics.ALL_METRICS)]
        total = self.programme_flows.sum(axis=1)
        frames.append(tidy_metrics(total, start, scenario, seed, areas, PROGRAMME_METRICS))
        for index, name in enumerate(self.programmes):
            frames.append(tidy_metrics(self.programme_flows[:, index], start, scenario, seed, areas,
                                       PROGRAMME_METRICS, programme=name))
        return pd.concat(frames, ignore_index=True)


def tidy_metrics(grid: np.ndarray, start: str, scenario: str, seed: int, areas: tuple[str, ...],
                 names: tuple[str, ...], programme: str = "all") -> pd.DataFrame:
    """Long table from ``grid[month, metric, area, band]`` (metrics in ``names`` order)."""
    months, n_metrics = grid.shape[:2]
    area_codes = [states.AREAS.index(a) for a in areas]
    by_area = grid.sum(axis=3)[:, :, area_codes]  # month, metric, area
    by_band = grid.sum(axis=2)  # month, metric, band
    total = grid.sum(axis=(2, 3))[:, :, None]
    values = np.concatenate([by_area, by_band, total], axis=2)  # month, metric, cut
    area_labels = list(areas) + ["all"] * (N_BANDS + 1)
    band_labels = ["all"] * len(areas) + list(states.AGE_BANDS) + ["all"]
    cuts = len(area_labels)
    month_starts = pd.period_range(start=start, periods=months, freq="M").to_timestamp()
    return pd.DataFrame({
        "month": np.repeat(month_starts.to_numpy(dtype="datetime64[ns]"), n_metrics * cuts),
        "scenario": scenario,
        "seed": np.int64(seed),
        "area": np.tile(np.array(area_labels, dtype=object), months * n_metrics),
        "age_band": np.tile(np.array(band_labels, dtype=object), months * n_metrics),
        "programme": programme,
        "metric": np.tile(np.repeat(np.array(names, dtype=object), cuts), months),
        "value": values.reshape(-1).astype(np.float64),
    }).astype({"scenario": "string", "area": "string", "age_band": "string", "programme": "string",
               "metric": "string"})
