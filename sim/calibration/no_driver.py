"""The change with no driver, across the kept draws: how much of the 2019-20 to 2023-24 rise
in health-benefit recipients each draw leaves without a named driver, and how far its April
2019 health hazards are from their steady state.

The Shapley decomposition (:mod:`sim.calibration.decomposition`) is for draw 0 only. Here
every kept draw runs with every driver off, with every driver on, and with every driver off
and health held level (:mod:`sim.calibration.steady_health`, which takes a few runs of its
own), at the calibration's population size and seeds, so a reader sees the unexplained
share with its posterior spread and what moves it: with every driver off, a draw whose
health hazards let the share of people with a limiting condition climb adds claimants that
no driver names.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sim.aggregate import annual_totals  # noqa: E402
from sim.calibration import steady_health  # noqa: E402
from sim.calibration.decomposition import demographic_parts, with_drivers  # noqa: E402
from sim.calibration.runner import run_totals  # noqa: E402
from sim.calibration.workers import map_in_workers  # noqa: E402
from sim.core import states  # noqa: E402
from sim.results import save_figure, write_atomic  # noqa: E402

MEASURE = "health_benefit_recipients"
START, END = steady_health.START, steady_health.END
HEALTH = ("limiting_condition", "mental_health_condition")
COLUMNS = (MEASURE, "population", *HEALTH)
TABLE_COLUMNS = ("draw", "rise_all_drivers", "rise_no_driver", "demography", "health_drift", "no_driver_share",
                 "no_driver_beyond_demography_share", "no_driver_benefit_flows_share",
                 "limiting_share_change_pts_a_year", "mental_health_share_change_pts_a_year",
                 "held_largest_share_change_left_pts")


def draw_row(draw: int, no_driver: pd.DataFrame, fitted: pd.DataFrame, held: pd.DataFrame) -> dict[str, float]:
    """One draw's row from the annual totals of its runs with every driver off, on, and off
    with health held level (people; shares of the rise; percentage points of the 16-64
    population a year).

    ``demography`` is the no-driver change that population growth and the shift between the
    broad age bands give at the first year's rates per head (the decomposition's two
    demographic parts); ``health_drift`` is the no-driver change less the held run's; the
    benefit flows' share is what is left."""
    years = int(END[:4]) - int(START[:4])
    rise = float(fitted.loc[END, MEASURE] - fitted.loc[START, MEASURE])
    none = float(no_driver.loc[END, MEASURE] - no_driver.loc[START, MEASURE])
    demography = sum(demographic_parts(no_driver, MEASURE, START, END))
    health_drift = none - float(held.loc[END, MEASURE] - held.loc[START, MEASURE])

    def share_change(metric: str) -> float:
        share = no_driver[metric] / no_driver["population"]
        return float(share.loc[END] - share.loc[START]) * 100 / years

    return {"draw": draw, "rise_all_drivers": rise, "rise_no_driver": none, "demography": demography,
            "health_drift": health_drift, "no_driver_share": none / rise,
            "no_driver_beyond_demography_share": (none - demography) / rise,
            "no_driver_benefit_flows_share": (none - demography - health_drift) / rise,
            "limiting_share_change_pts_a_year": share_change("limiting_condition"),
            "mental_health_share_change_pts_a_year": share_change("mental_health_condition")}


def _annual(raw: dict, values: dict[str, float], on: tuple[str, ...], seeds: list[int], size: int) -> pd.DataFrame:
    banded = [f"{name}@{band}" for name in (MEASURE, "population") for band in states.AGE_BANDS]
    totals = run_totals(with_drivers(raw, on), dict(values), seeds, size, end=steady_health.END_MONTH)
    return annual_totals(totals[[*COLUMNS, *banded]])


def _draw_job(job: tuple) -> dict[str, float]:
    """One draw's runs: health held level, then every driver off, on, and off with health held
    (a worker process's unit of work)."""
    draw, raw, values, seeds, size, start = job
    held_raw, _, left = steady_health.hold_health_level(with_drivers(raw, ()), values, seeds, size, start=start)
    row = draw_row(draw, _annual(raw, values, (), seeds, size),
                   _annual(raw, values, tuple(raw["drivers"]), seeds, size), _annual(held_raw, values, (), seeds, size))
    return {**row, "held_largest_share_change_left_pts": max(abs(change) for change in left.values()) * 100}


def by_draw(raw: dict, draws: list[dict[str, float]], seeds: list[int], size: int, workers: int,
            start: dict[str, float] | None = None) -> pd.DataFrame:
    """A row per kept draw (:func:`draw_row`), in draw order; ``start`` is where each draw's
    search for the onset multipliers that hold health level begins (draw 0's, say)."""
    jobs = [(index, raw, values, list(seeds), size, start) for index, values in enumerate(draws)]
    return pd.DataFrame(map_in_workers(_draw_job, jobs, workers, "no driver by draw", "draw"),
                        columns=list(TABLE_COLUMNS))


def summary(table: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    """Median, 5th and 95th percentiles across the draws of each share of the rise and of the
    no-driver change in the limiting and mental-health shares, and the rank correlation of
    the share beyond demography with the limiting-condition drift."""
    columns = ["no_driver_share", "no_driver_beyond_demography_share", "no_driver_benefit_flows_share",
               "limiting_share_change_pts_a_year", "mental_health_share_change_pts_a_year"]
    spread = {column: (float(table[column].median()), float(table[column].quantile(0.05)),
                       float(table[column].quantile(0.95))) for column in columns}
    correlation = math.nan
    if len(table) >= 3 and table["no_driver_beyond_demography_share"].nunique() > 1 \
            and table["limiting_share_change_pts_a_year"].nunique() > 1:
        correlation = table["no_driver_beyond_demography_share"].corr(table["limiting_share_change_pts_a_year"],
                                                                     method="spearman")
    spread["rank_correlation_with_limiting_drift"] = (float(correlation),) * 3
    return spread


def report_lines(table: pd.DataFrame | None) -> list[str]:
    """The fit report's section on the no-driver change across the kept draws."""
    if table is None or table.empty:
        return []
    spread = summary(table)

    def cell(column: str, percent: bool) -> str:
        median, low, high = spread[column]
        if percent:
            return f"{median:.0%} [{low:.0%} to {high:.0%}]"
        return f"{median:+.2f} [{low:+.2f} to {high:+.2f}]"

    below = int((table["no_driver_share"] < 0.10).sum())
    correlation = spread["rank_correlation_with_limiting_drift"][0]
    why = ("Under the fitted recovery rates April 2019's health hazards are not at their steady state: with no "
           "driver the shares with a limiting condition and with a mental health condition move, and the claims "
           "that brings have no named driver behind them; the health-drift part is what goes when health is held "
           "level (docs/model.md, known limitations).")
    if not math.isnan(correlation):
        why = (f"Across the draws the share beyond demography has a rank correlation of {correlation:+.2f} with the "
               "no-driver drift in limiting conditions. " + why)
    return ["## The change with no driver, across the kept draws", "",
            f"Each of the {len(table)} kept draws run with every driver off, with every driver on, and with every "
            "driver off and health held level (the calibration's population size and seeds; "
            "`no_driver_by_draw.csv`; the largest share change the holding left in any draw is "
            f"{table['held_largest_share_change_left_pts'].max():.2f} points). Median [5% to 95%] across the "
            "draws:", "",
            "| measure | value |", "|---|---:|",
            f"| share of the 2019-20 to 2023-24 rise in health-benefit recipients with no driver | "
            f"{cell('no_driver_share', True)} |",
            f"| of which beyond population growth and age mix | {cell('no_driver_beyond_demography_share', True)} |",
            f"| of which beyond those and health drifting at April 2019 hazards (the benefits' own April 2019 "
            f"flows) | {cell('no_driver_benefit_flows_share', True)} |",
            f"| with no driver: change in the share of 16-64s with a limiting condition, points a year | "
            f"{cell('limiting_share_change_pts_a_year', False)} |",
            f"| with no driver: change in the share with a common mental health condition, points a year | "
            f"{cell('mental_health_share_change_pts_a_year', False)} |", "",
            f"{below} of {len(table)} draws leave less than 10% of the rise with no driver. {why}", ""]


def write_chart(table: pd.DataFrame, path: Path) -> None:
    """Each draw's no-driver share of the rise against its no-driver limiting-condition drift."""
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.8)
    figure, axis = plt.subplots(figsize=(10, 7), dpi=130)
    sns.scatterplot(data=table, x="limiting_share_change_pts_a_year", y="no_driver_share", ax=axis, s=70,
                    label="a kept draw")
    first = table[table["draw"] == 0]
    axis.scatter(first["limiting_share_change_pts_a_year"], first["no_driver_share"], s=160, color="#ff7f0e",
                 edgecolor="black", zorder=3, label="draw 0 (default runs)")
    axis.legend(loc="upper left", fontsize=10)
    axis.axhline(0.10, color="#d62728", linestyle="--", linewidth=1.2)
    axis.text(axis.get_xlim()[0], 0.105, " 10% of the rise", color="#d62728", fontsize=10, va="bottom")
    axis.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
    axis.set_xlabel("With no driver: change in the share of 16-64s with a limiting condition (points a year)")
    axis.set_ylabel("Share of the 2019-20 to 2023-24 rise with no driver")
    axis.set_title("How much of the rise in health-benefit recipients has no named driver,\n"
                   "by calibration draw, England & Wales", fontweight="bold")
    figure.text(0.01, 0.005, f"Model: {len(table)} kept calibration draws, each run with every driver off and on "
                "(make calibrate). The no-driver share includes population growth and age mix "
                f"({(table['demography'] / table['rise_all_drivers']).median():.0%} of the rise at the median).",
                fontsize=8)
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    save_figure(figure, path)


def source(size: int, seeds: list[int]) -> str:
    """The provenance of ``no_driver_by_draw.csv``."""
    return (f"model output: each kept calibration draw run with every driver off, on, and off with health held level "
            f"at {size:,} people, seeds {', '.join(map(str, seeds))} (make calibrate)")


def write(raw: dict, draws: list[dict[str, float]], settings, output_dir: Path,
          start: dict[str, float] | None = None) -> pd.DataFrame:
    """``no_driver_by_draw.csv`` and its chart in ``output_dir``; returns the table."""
    table = by_draw(raw, draws, list(settings.seeds), settings.population_size, settings.workers, start)
    table["source"] = source(settings.population_size, list(settings.seeds))
    write_atomic(output_dir / "no_driver_by_draw.csv", lambda path: table.to_csv(path, index=False))
    write_chart(table, output_dir / "no_driver_by_draw.png")
    return table

