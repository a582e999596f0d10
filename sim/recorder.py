"""Monthly aggregates: stocks counted over everyone, flows from the processes, spending.

Counts are sums of person weights on a grid of area x broad age band; the tidy table has
one row per month, area (or ``all``), age band (or ``all``) and metric: every metric by
area with ``age_band=all``, by age band with ``area=all``, and the total ``all, all``.
Which people each stock counts, and every metric's name, come from the registry
(sim/spec.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim import spec
from sim.core import states
from sim.core.calendar import month_starts
from sim.core.encoding import N_CELLS, N_ENTITLEMENT_CODES, N_HEALTH_CODES, N_STATUS_CODES
from sim.engine.chunks import N_CHUNKS
from sim.spending import SpendingRates

N_AREAS = states.N_AREAS
N_BANDS = states.N_AGE_BANDS


def indicators(histogram: str) -> np.ndarray:
    """[histogram code, stock]: 1 where a person with that code counts in the stock."""
    codes, size = {"status": (spec.STATUS_CODES, N_STATUS_CODES), "health": (spec.HEALTH_CODES, N_HEALTH_CODES),
                   "entitlement": (spec.ENTITLEMENT_CODES, N_ENTITLEMENT_CODES)}[histogram]
    matrix = np.zeros((size, len(spec.STOCKS)))
    for metric in spec.STOCK_METRICS:
        if metric.histogram == histogram:
            matrix[:, spec.STOCK[metric.name]] = metric.members(codes)
    return matrix


STATUS_INDICATORS = indicators("status")
HEALTH_INDICATORS = indicators("health")
ENTITLEMENT_INDICATORS = indicators("entitlement")


class Recorder:
    """Collects each month's stock and flow grids, then builds the tidy metrics table."""

    def __init__(self, months: int, spending: SpendingRates, programmes: list[str] | tuple[str, ...] = ()):
        self.stocks = np.zeros((months, len(spec.STOCKS), N_AREAS, N_BANDS))
        self.flows = np.zeros((months, len(spec.FLOWS), N_AREAS, N_BANDS))
        self.programmes = tuple(programmes)
        self.programme_flows = np.zeros((months, len(self.programmes), len(spec.PROGRAMME_METRICS), N_AREAS, N_BANDS))
        self.spending_rates = spending
        self._status_counts = np.zeros((N_CHUNKS, N_CELLS, N_STATUS_CODES))
        self._health_counts = np.zeros((N_CHUNKS, N_CELLS, N_HEALTH_CODES))
        self._entitlement_counts = np.zeros((N_CHUNKS, N_CELLS, N_ENTITLEMENT_CODES))

    @property
    def histograms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-chunk status, health and entitlement histograms that the month kernel fills."""
        return self._status_counts, self._health_counts, self._entitlement_counts

    def population(self) -> float:
        """People represented in the histograms as they stand (all cells, all codes)."""
        return float(self._status_counts.sum())

    def record(self, month: int, chunk_flows: np.ndarray, programme_flows: np.ndarray | None = None) -> None:
        """Store the month's stocks (from the filled histograms), flows and programme metrics."""
        if programme_flows is not None and programme_flows.size:
            self.programme_flows[month] = programme_flows
        cells = (self._status_counts.sum(axis=0) @ STATUS_INDICATORS
                 + self._health_counts.sum(axis=0) @ HEALTH_INDICATORS
                 + self._entitlement_counts.sum(axis=0) @ ENTITLEMENT_INDICATORS)
        self.stocks[month] = cells.T.reshape(len(spec.STOCKS), N_AREAS, N_BANDS)
        self.flows[month] = chunk_flows.sum(axis=0)

    def spending(self) -> np.ndarray:
        """[month, spending metric, area, band] in £ per month (2024-25 prices)."""
        return self.spending_rates.monthly_spending(self.stocks)

    def grid(self) -> np.ndarray:
        """[month, metric, area, band] for every metric in ALL_METRICS order."""
        derived = [self.flows[:, [spec.FLOW[part] for part in parts]].sum(axis=1)
                   for parts in spec.DERIVED.values()]
        return np.concatenate([self.stocks, self.flows, self.spending(), np.stack(derived, axis=1)], axis=1)

    def totals(self, start: str, by_band: bool = False) -> pd.DataFrame:
        """England & Wales totals: one row per month, one column per metric; with
        ``by_band`` also a ``metric@band`` column for each metric and broad age band."""
        months = month_starts(start, self.stocks.shape[0])
        grid = self.grid()
        frame = pd.DataFrame(grid.sum(axis=(2, 3)), index=months, columns=list(spec.ALL_METRICS))
        if not by_band:
            return frame
        bands = grid.sum(axis=2)  # month, metric, band
        names = [f"{metric}@{band}" for metric in spec.ALL_METRICS for band in states.AGE_BANDS]
        return pd.concat([frame, pd.DataFrame(bands.reshape(len(months), -1), index=months, columns=names)], axis=1)

    def tidy(self, start: str, scenario: str, seed: int, areas: tuple[str, ...]) -> pd.DataFrame:
        """The tidy metrics table: model metrics (programme ``all``), then programme metrics
        for each programme and for all programmes together."""
        frames = [tidy_metrics(self.grid(), start, scenario, seed, areas, spec.ALL_METRICS)]
        total = self.programme_flows.sum(axis=1)
        frames.append(tidy_metrics(total, start, scenario, seed, areas, spec.PROGRAMME_METRICS))
        for index, name in enumerate(self.programmes):
            frames.append(tidy_metrics(self.programme_flows[:, index], start, scenario, seed, areas,
                                       spec.PROGRAMME_METRICS, programme=name))
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
    return pd.DataFrame({
        "month": np.repeat(month_starts(start, months).to_numpy(dtype="datetime64[ns]"), n_metrics * cuts),
        "scenario": scenario,
        "seed": np.int64(seed),
        "area": np.tile(np.array(area_labels, dtype=object), months * n_metrics),
        "age_band": np.tile(np.array(band_labels, dtype=object), months * n_metrics),
        "programme": programme,
        "metric": np.tile(np.repeat(np.array(names, dtype=object), cuts), months),
        "value": values.reshape(-1).astype(np.float64),
    }).astype({"scenario": "string", "area": "string", "age_band": "string", "programme": "string",
               "metric": "string"})
