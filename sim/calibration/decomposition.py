"""Attribute the rise to the named drivers: exact Shapley values over the drivers.

For every subset of drivers the model runs with only those drivers on (same seed, so
common random numbers make the differences exact comparisons). A driver's Shapley value
is its marginal contribution to the change in a measure, averaged over every order in
which drivers could be switched on; the values plus the change with no driver at all
(demography and model drift) add up to the change with every driver on.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sim import spec  # noqa: E402
from sim.core import states  # noqa: E402
from sim.aggregate import annual_totals  # noqa: E402
from sim.calibration.runner import run_totals  # noqa: E402
from sim.results import save_figure, write_atomic  # noqa: E402

MEASURES = {
    "health_benefit_recipients": ("people on a health-related benefit", 1e6, "m"),
    "inactive_long_term_sick": ("inactive through long-term sickness", 1e6, "m"),
    "health_benefit_spending_gbp": ("spending (£bn a year)", 1e9, "bn"),
}
PERIODS = {"2019-20 to 2023-24": ("2019-20", "2023-24"), "2023-24 to 2028-29": ("2023-24", "2028-29")}
NO_DRIVER = "no driver: model drift"
POPULATION_GROWTH = "no driver: population growth"
AGEING = "no driver: age mix"
"""The change with every driver off is split in three: what the 16-64 population's growth
gives at the starting year's rate per head (population growth); what the shift of that
population between the broad age bands gives at each band's starting rate (age mix); and
the rest, the change in the rates within bands with no driver at all (the model's drift
from its starting state, and ageing within a band)."""


def shapley(values: dict[frozenset, float], players: list[str]) -> dict[str, float]:
    """Exact Shapley values from the value of every coalition."""
    n = len(players)
    result = {}
    for player in players:
        others = [p for p in players if p != player]
        total = 0.0
        for size in range(n):
            weight = math.factorial(size) * math.factorial(n - size - 1) / math.factorial(n)
            for coalition in itertools.combinations(others, size):
                members = frozenset(coalition)
                total += weight * (values[members | {player}] - values[members])
        result[player] = total
    return result


def demographic_parts(annual: pd.DataFrame, metric: str, start: str, end: str) -> tuple[float, float]:
    """(population growth, age mix) parts of a measure's change from financial year ``start``
    to ``end`` in one run: growth at the starting rate per head, and the shift between
    broad age bands at each band's starting rate per head (units of the measure)."""
    total_start, total_end = annual.loc[start, "population"], annual.loc[end, "population"]
    growth = annual.loc[start, metric] * (total_end / total_start - 1.0)
    standardised = sum(annual.loc[start, f"{metric}@{band}"] / annual.loc[start, f"population@{band}"]
                       * annual.loc[end, f"population@{band}"] for band in states.AGE_BANDS)
    age_mix = standardised - annual.loc[start, metric] * total_end / total_start
    return float(growth), float(age_mix)


def decompose(raw: dict, values: dict[str, float], scale: float, size: int, seed: int = 0) -> pd.DataFrame:
    """Shapley contributions of each driver to each measure's change in each period."""
    drivers = list(raw["drivers"])
    changes: dict[tuple[str, str], dict[frozenset, float]] = {}
    demographic: dict[tuple[str, str], tuple[float, float]] = {}
    for on in itertools.chain.from_iterable(itertools.combinations(drivers, k) for k in range(len(drivers) + 1)):
        subset = dict(values)
        disabled = [name for name in drivers if name not in on]
        config = {**raw, "drivers": {name: {**driver, "enabled": name not in disabled}
                                     for name, driver in raw["drivers"].items()}}
        banded = [f"{name}@{band}" for name in (*MEASURES, "population") for band in states.AGE_BANDS]
        annual = annual_totals(run_totals(config, subset, [seed], size)[[*MEASURES, "population", *banded]])
        for metric in MEASURES:
            factor = scale if spec.METRICS[metric].kind == "money" else 1.0
            for period, (start, end) in PERIODS.items():
                change = (annual.loc[end, metric] - annual.loc[start, metric]) * factor
                changes.setdefault((metric, period), {})[frozenset(on)] = change
                if not on:
                    demographic[(metric, period)] = tuple(
                        part * factor for part in demographic_parts(annual, metric, start, end))
    rows = []
    for (metric, period), coalition_values in changes.items():
        contributions = shapley(coalition_values, drivers)
        growth, age_mix = demographic[(metric, period)]
        rows.append({"measure": metric, "period": period, "driver": POPULATION_GROWTH, "change": growth})
        rows.append({"measure": metric, "period": period, "driver": AGEING, "change": age_mix})
        rows.append({"measure": metric, "period": period, "driver": NO_DRIVER,
                     "change": coalition_values[frozenset()] - growth - age_mix})
        rows += [{"measure": metric, "period": period, "driver": name, "change": value}
                 for name, value in contributions.items()]
        rows.append({"measure": metric, "period": period, "driver": "total (all drivers)",
                     "change": coalition_values[frozenset(drivers)]})
    return pd.DataFrame(rows)


def write_chart(table: pd.DataFrame, path: Path, size: int, projection: str) -> None:
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.7)
    figure, axes = plt.subplots(len(MEASURES), len(PERIODS), figsize=(14, 11), dpi=130, sharey="row")
    for row, (metric, (label, unit, suffix)) in enumerate(MEASURES.items()):
        for column, period in enumerate(PERIODS):
            axis = axes[row, column]
            part = table[(table["measure"] == metric) & (table["period"] == period)
                         & (table["driver"] != "total (all drivers)")]
            colours = ["#7f7f7f" if d in (NO_DRIVER, POPULATION_GROWTH) else ("#d62728" if c > 0 else "#2ca02c")
                       for d, c in zip(part["driver"], part["change"])]
            axis.barh(part["driver"], part["change"] / unit, color=colours)
            axis.axvline(0, color="black", linewidth=0.8)
            total = table[(table["measure"] == metric) & (table["period"] == period)
                          & (table["driver"] == "total (all drivers)")]["change"].item()
            axis.set_title(f"{label}: {period}\ntotal change {total / unit:+.2f}{suffix}", fontsize=11)
            axis.set_xlabel(f"change ({suffix})")
            axis.invert_yaxis() if column == 0 and row == 0 else None
    figure.suptitle("What drove the rise? Shapley decomposition by named driver, England & Wales",
                    fontsize=14, fontweight="bold")
    figure.text(0.01, 0.005, f"Model with the best calibration draw, {size:,} simulated people, one seed (common "
                f"random numbers); 2023-24 to 2028-29 under the '{projection}' projection. Each bar is the "
                "driver's average marginal effect over all orders of switching drivers on.", fontsize=8)
    figure.tight_layout(rect=(0, 0.02, 1, 0.96))
    save_figure(figure, path)


def write(raw: dict, values: dict[str, float], scale: float, settings, output_dir: Path) -> pd.DataFrame:
    size = settings.decomposition_population_size
    table = decompose(raw, values, scale, size)
    table["source"] = (f"model output: exact Shapley decomposition over {len(raw['drivers'])} drivers, best "
                       f"calibration draw, {size:,} people, seed 0, '{raw['projection']['name']}' projection "
                       "after March 2024 (make calibrate)")
    write_atomic(output_dir / "decomposition.csv", lambda path: table.to_csv(path, index=False))
    write_chart(table, output_dir / "decomposition.png", size, raw["projection"]["name"])
    return table
