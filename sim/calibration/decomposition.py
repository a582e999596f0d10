"""Attribute the rise to the named drivers: exact Shapley values over the drivers.

For every subset of drivers the model runs with only those drivers on (same seed, so
common random numbers make the differences exact comparisons), in the calibration's worker
processes. A driver's Shapley value
is its marginal contribution to the change in a measure, averaged over every order in
which drivers could be switched on; the values plus the change with no driver at all
(demography and the continuation of April 2019's flows) add up to the change with every
driver on.

With every driver off the model still moves: its hazards are those of April 2019, and the
April 2019 stocks are not at those hazards' steady state (PIP starts exceeded PIP ends before
the pandemic). That change is split into named parts, each exact: population growth, the
shift between age bands, health drifting at April 2019 hazards (2019-20 to 2023-24: the
change that goes when the no-driver run is repeated with health held level,
:mod:`sim.calibration.steady_health`), and, for each benefit, what its April 2019 flows do
to its own caseload. The PIP flow account (:func:`pip_flow_account`) shows those flows beside the
published ones, so a reader can judge whether the continuation is real or an artefact.
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
from sim.calibration import steady_health  # noqa: E402
from sim.calibration.runner import run_totals  # noqa: E402
from sim.calibration.workers import map_in_workers  # noqa: E402
from sim.results import save_figure, write_atomic  # noqa: E402

MEASURES = {
    "health_benefit_recipients": ("people on a health-related benefit", 1e6, "m"),
    "inactive_long_term_sick": ("inactive through long-term sickness", 1e6, "m"),
    "health_benefit_spending_gbp": ("spending (£bn a year)", 1e9, "bn"),
}
PERIODS = {"2019-20 to 2023-24": ("2019-20", "2023-24"), "2023-24 to 2028-29": ("2023-24", "2028-29")}
POPULATION_GROWTH = "no driver: population growth"
AGEING = "no driver: age mix"
HEALTH_DRIFT = "no driver: health drifting at April 2019 hazards"
"""The part of the no-driver change that goes when health is held level: with the fitted
recovery rates, April 2019's onset rates are not at their steady state."""
CONTINUATION: dict[str, tuple[tuple[str, str, int], ...]] = {
    "health_benefit_recipients": (
        ("incapacity_benefit_recipients", "no driver: incapacity benefits at April 2019 flows", +1),
        ("disability_benefit_recipients", "no driver: PIP at April 2019 flows", +1),
        ("health_benefit_recipients_both", "no driver: fewer people on both benefits at April 2019 flows", -1)),
    "inactive_long_term_sick": (
        ("inactive_long_term_sick", "no driver: long-term sickness at April 2019 flows", +1),),
    "health_benefit_spending_gbp": (
        ("incapacity_benefit_spending_gbp", "no driver: incapacity benefits at April 2019 flows", +1),
        ("disability_benefit_spending_gbp", "no driver: PIP at April 2019 flows", +1)),
}
"""The change with every driver off is split into: what the 16-64 population's growth gives
at the starting year's rate per head (population growth); what the shift of that population
between the broad age bands gives at each band's starting rate (age mix); over 2019-20 to
2023-24, health drifting at April 2019 hazards (see :func:`no_driver_parts`); and, for each
part of the measure, the rest of that part's change (with health held level where it is
split off): its April 2019 flows carried on, with ageing within a band. Recipients of either benefit are those on incapacity benefits plus
those on PIP less those on both (sign -1), so a fall in joint receipt is a part of its own.
The parts add up to the measure, so the split is exact."""
NO_DRIVER_PREFIX = "no driver:"
PIP_FLOWS = {
    "disability_benefit_starts": ("new awards", +1),
    "disability_benefit_entrants_at_16": ("rising 16s with an award (child DLA to PIP)", +1),
    "disability_benefit_review_disallowed": ("planned reviews ending the award", -1),
    "disability_benefit_ends_outside_review": ("awards ending outside a review (changes of circumstances, "
                                               "withdrawals, leaving GB)", -1),
    "disability_benefit_ends_at_death": ("deaths", -1),
    "disability_benefit_reaching_65": ("reaching 65 (the award continues past working age)", -1),
}
"""The PIP flow account: flows into (+1) and out of (-1) the working-age PIP caseload."""
ACCOUNT_YEARS = ("2019-20", "2022-23")


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


def no_driver_parts(annual: pd.DataFrame, metric: str, start: str, end: str, factor: float,
                    held: pd.DataFrame | None = None) -> list[tuple[str, float]]:
    """The named parts of a measure's change in the run with every driver off (units of the
    measure times ``factor``); they add up to that run's change.

    With ``held`` (the same run with health held level over 2019-20 to 2023-24,
    :mod:`sim.calibration.steady_health`; only that period is held, so later periods pass
    None) the difference between the two runs' changes is the health drift's part, and each
    benefit's own part is read from the held run."""
    growth = age_mix = 0.0
    continuation = []
    flows = annual if held is None else held
    for part, label, sign in CONTINUATION[metric]:
        part_growth, part_mix = demographic_parts(annual, part, start, end)
        change = flows.loc[end, part] - flows.loc[start, part]
        growth += sign * part_growth
        age_mix += sign * part_mix
        continuation.append((label, sign * (change - part_growth - part_mix) * factor))
    parts = [(POPULATION_GROWTH, growth * factor), (AGEING, age_mix * factor)]
    if held is not None:
        drift = (annual.loc[end, metric] - annual.loc[start, metric]) \
            - (held.loc[end, metric] - held.loc[start, metric])
        parts.append((HEALTH_DRIFT, drift * factor))
    return [*parts, *continuation]


def pip_flow_account(no_driver: pd.DataFrame, fitted: pd.DataFrame) -> pd.DataFrame:
    """People a year through the working-age PIP caseload in ACCOUNT_YEARS, with every driver
    off and with every driver on (annual totals of the two runs), and the net of the flows."""
    rows = []
    for year in ACCOUNT_YEARS:
        for run, annual in (("no driver", no_driver), ("fitted", fitted)):
            net = 0.0
            for metric, (label, sign) in PIP_FLOWS.items():
                value = float(annual.loc[year, metric])
                net += sign * value
                rows.append({"year": year, "run": run, "flow": label, "metric": metric,
                             "people_a_year": sign * value})
            rows.append({"year": year, "run": run, "flow": "net of these flows", "metric": "",
                         "people_a_year": net})
    return pd.DataFrame(rows)


def anchored(contributions: dict[str, float], driver_total: float) -> dict[str, float]:
    """Shapley values from the small runs, made to add up to ``driver_total`` (the change all
    drivers make in the larger anchor runs): scaled when the two totals share a sign, else
    shifted by an equal share each. Scaling keeps every driver's share of the total."""
    small_total = sum(contributions.values())
    if small_total != 0.0 and (small_total > 0) == (driver_total > 0):
        return {name: value * driver_total / small_total for name, value in contributions.items()}
    shift = (driver_total - small_total) / len(contributions)
    return {name: value + shift for name, value in contributions.items()}


def with_drivers(raw: dict, on: tuple[str, ...]) -> dict:
    """``raw`` with only the drivers ``on`` enabled."""
    return {**raw, "drivers": {name: {**driver, "enabled": name in on} for name, driver in raw["drivers"].items()}}


def _annual_run(raw: dict, values: dict[str, float], on: tuple[str, ...], seeds: list[int],
                size: int) -> pd.DataFrame:
    """Annual totals of one run with only the drivers ``on``: the measures, their parts (by
    age band too) and the PIP flow account's flows."""
    config = with_drivers(raw, on)
    parts = [part for continuation in CONTINUATION.values() for part, _, _ in continuation]
    stocks = list(dict.fromkeys((*MEASURES, "population", *parts)))
    banded = [f"{name}@{band}" for name in stocks for band in states.AGE_BANDS]
    totals = run_totals(config, dict(values), seeds, size)
    return annual_totals(totals[[*dict.fromkeys((*stocks, *PIP_FLOWS)), *banded]])


def _coalition_run(job: tuple) -> pd.DataFrame:
    """One coalition's annual totals (a worker process's unit of work)."""
    return _annual_run(*job)


def _coalition_runs(jobs: list[tuple], workers: int) -> list[pd.DataFrame]:
    """Every coalition's annual totals, in ``jobs`` order, in ``workers`` processes."""
    return map_in_workers(_coalition_run, jobs, workers, "decomposition", "run", chunksize=4)


def decompose(raw: dict, values: dict[str, float], scale: float, size: int, seed: int = 0,
              anchor_size: int | None = None, anchor_seeds: tuple[int, ...] = (0,), workers: int = 1
              ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Shapley contributions of each driver to each measure's change in each period, the
    PIP flow account of the runs with no driver and with every driver, and the onset
    multipliers that hold health level in the no-driver run (with each share's remaining
    change, 2019-20 to 2023-24, percentage points).

    The 2^n coalitions run at ``size`` people with one seed. The runs with no driver and with
    every driver are repeated at ``anchor_size`` people over ``anchor_seeds`` (the calibration's
    own size and seeds): they give the total, the named no-driver parts and the flow account,
    and the Shapley values are made to add up to their driver total (:func:`anchored`). One
    small run's sampling noise would otherwise sit in the no-driver part unseen."""
    drivers = list(raw["drivers"])
    factors = {metric: scale if spec.METRICS[metric].kind == "money" else 1.0 for metric in MEASURES}
    extremes = {(): "no driver", tuple(drivers): "fitted"}
    changes: dict[tuple[str, str], dict[frozenset, float]] = {}
    anchor: dict[str, pd.DataFrame] = {}
    same_runs = (anchor_size or size) == size and list(anchor_seeds) == [seed]
    coalitions = list(itertools.chain.from_iterable(itertools.combinations(drivers, k)
                                                    for k in range(len(drivers) + 1)))
    runs = _coalition_runs([(raw, values, on, [seed], size) for on in coalitions], workers)
    for on, annual in zip(coalitions, runs, strict=True):
        if same_runs and on in extremes:
            anchor[extremes[on]] = annual
        for metric, factor in factors.items():
            for period, (start, end) in PERIODS.items():
                change = (annual.loc[end, metric] - annual.loc[start, metric]) * factor
                changes.setdefault((metric, period), {})[frozenset(on)] = change
    for on, run in extremes.items():
        if run not in anchor:
            anchor[run] = _annual_run(raw, values, on, list(anchor_seeds), anchor_size or size)
    held_raw, multipliers, remaining = steady_health.hold_health_level(with_drivers(raw, ()), values,
                                                                       list(anchor_seeds), anchor_size or size)
    anchor["health held"] = _annual_run(held_raw, values, (), list(anchor_seeds), anchor_size or size)
    rows = []
    for (metric, period), coalition_values in changes.items():
        factor = factors[metric]
        start, end = PERIODS[period]
        total, none = ((anchor[run].loc[end, metric] - anchor[run].loc[start, metric]) * factor
                       for run in ("fitted", "no driver"))
        contributions = anchored(shapley(coalition_values, drivers), float(total - none))
        rows += [{"measure": metric, "period": period, "driver": label, "change": change}
                 for label, change in no_driver_parts(anchor["no driver"], metric, start, end, factor,
                                                      held=anchor["health held"] if start == steady_health.START
                                                      else None)]
        rows += [{"measure": metric, "period": period, "driver": name, "change": value}
                 for name, value in contributions.items()]
        rows.append({"measure": metric, "period": period, "driver": "total (all drivers)", "change": float(total)})
    health_held = pd.DataFrame({"stock": list(multipliers), "onset": [steady_health.ONSETS[m] for m in multipliers],
                                "onset_multiplier": list(multipliers.values()),
                                "remaining_share_change_pts": [remaining[m] * 100 for m in multipliers]})
    return pd.DataFrame(rows), pip_flow_account(anchor["no driver"], anchor["fitted"]), health_held


def write_chart(table: pd.DataFrame, path: Path, size: int, anchor_size: int, projection: str) -> None:
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.7)
    figure, axes = plt.subplots(len(MEASURES), len(PERIODS), figsize=(14, 11), dpi=130, sharey="row")
    for row, (metric, (label, unit, suffix)) in enumerate(MEASURES.items()):
        for column, period in enumerate(PERIODS):
            axis = axes[row, column]
            part = table[(table["measure"] == metric) & (table["period"] == period)
                         & (table["driver"] != "total (all drivers)")]
            colours = ["#7f7f7f" if d.startswith(NO_DRIVER_PREFIX) else ("#d62728" if c > 0 else "#2ca02c")
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
    figure.text(0.01, 0.005, f"Model with the best calibration draw. Each driver bar is its average marginal effect "
                f"over all orders of switching drivers on ({size:,} simulated people, one seed, common random "
                f"numbers), scaled to the total of runs at {anchor_size:,} people; totals and no-driver parts from "
                f"those runs. 2023-24 to 2028-29 under the '{projection}' projection.", fontsize=8)
    figure.tight_layout(rect=(0, 0.02, 1, 0.96))
    save_figure(figure, path)


def write(raw: dict, values: dict[str, float], scale: float, settings,
          output_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    size = settings.decomposition_population_size
    seeds = tuple(settings.seeds)
    table, account, health_held = decompose(raw, values, scale, size, anchor_size=settings.population_size,
                                            anchor_seeds=seeds, workers=settings.workers)
    anchor = (f"runs with none and all of {len(raw['drivers'])} drivers at {settings.population_size:,} people, "
              f"seeds {', '.join(map(str, seeds))}")
    projection = f"'{raw['projection']['name']}' projection after March 2024 (make calibrate)"
    table["source"] = (f"model output: exact Shapley decomposition over the {len(raw['drivers'])} drivers at "
                       f"{size:,} people, seed 0, scaled to the driver total of the {anchor}; best calibration "
                       f"draw, {projection}")
    account["source"] = f"model output: {anchor}; best calibration draw, {projection}"
    health_held["source"] = (f"model output: onset multipliers that hold health level in the run with no driver at "
                             f"{settings.population_size:,} people, seeds {', '.join(map(str, seeds))} "
                             "(sim/calibration/steady_health.py); best calibration draw (make calibrate)")
    write_atomic(output_dir / "decomposition.csv", lambda path: table.to_csv(path, index=False))
    write_atomic(output_dir / "pip_flow_account.csv", lambda path: account.to_csv(path, index=False))
    write_atomic(output_dir / "health_held.csv", lambda path: health_held.to_csv(path, index=False))
    write_chart(table, output_dir / "decomposition.png", size, settings.population_size, raw["projection"]["name"])
    return table, account, health_held
