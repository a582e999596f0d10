"""Charts and a summary table for a run or a sweep: ``python -m sim.report DIR``.

DIR is a sweep directory (holding ``sweep.parquet``) or a single run directory (holding
``metrics.parquet``). The report writes PNG charts into ``DIR/charts/`` and a table of
financial-year results into ``DIR/summary.csv``, each to a temporary name and then renamed
into place, and prints the paths it wrote. A missing directory, or one without either
Parquet table, gives one line on stderr and exit code 2.

Model lines are the median across runs (seeds) and the shaded band is the runs' spread:
minimum to maximum, or the 5th to 95th percentile when there are at least 20 runs. Published
figures come from :mod:`sim.published`, which scales Great Britain and UK counts to England &
Wales; figures whose note calls them a projection or forecast are drawn as open squares with
their low-high range and labelled as projections.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as Chart
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter
from matplotlib.transforms import Bbox

from sim import published, results
from sim.core import states
from sim.spec import FLOWS, SPENDING, STOCKS
from sim.results import write_atomic

EXIT_BAD_INPUT = 2
ALL = "all"
KEYS = ("month", "scenario", "seed", "area", "age_band", "metric", "value")
PERCENTILE_RUNS = 20
"""From this many runs the band is the 5th-95th percentile rather than min-max."""

SUMMARY_METRICS: tuple[str, ...] = (
    "population",
    "employed",
    "inactive_long_term_sick",
    "incapacity_benefit_recipients",
    "disability_benefit_recipients",
    "health_benefit_recipients",
    "health_benefit_spending_gbp",
    "incapacity_benefit_spending_gbp",
    "disability_benefit_spending_gbp",
    "left_work_for_health",
    "returned_to_work_from_sickness",
    "incapacity_benefit_starts",
    "disability_benefit_starts",
)
AREA_YEARS = ("2019-20", "2023-24", "2028-29")
PROJECTION_WORDS = ("projection", "forecast", "not a calibration target")
GEOGRAPHY_NAMES = {"great_britain": "GB", "united_kingdom": "UK", "england_and_wales": "E&W"}
AREA_NAMES = {
    ALL: "England & Wales",
    "north_east_north_cumbria": "North East & N. Cumbria",
    "yorkshire_humber_rest": "Rest of Yorkshire & Humber",
    "north_west_rest": "Rest of North West",
}

FIGSIZE = (10, 6)
DPI = 150
TITLE_SIZE = 16
LABEL_SIZE = 13
TICK_SIZE = 12
LEGEND_SIZE = 10.5
NOTE_SIZE = 10
CAPTION_SIZE = 9.5
CAPTION_WIDTH = 132
"""Characters per caption line at CAPTION_SIZE on a 10-inch figure."""
X_START = pd.Timestamp("2019-01-01")
X_END = pd.Timestamp("2029-07-01")


class ReportError(Exception):
    """Input the report cannot use; the message is one line naming the problem."""


class NothingToDraw(Exception):
    """The data hold too little for a chart (e.g. no complete financial year); it is skipped."""


@dataclass(frozen=True)
class Unit:
    """How values are shown: multiplied by ``factor`` for the axis, formatted by ``text``."""

    factor: float
    axis_label: str
    tick: str
    text: str

    def format(self, value: float) -> str:
        return self.text.format(value * self.factor)


PEOPLE = Unit(1e-6, "People (millions)", "{:.1f}", "{:.2f}m")
SPENDING_PER_YEAR = Unit(1e-9, "£ billion a year, 2024-25 prices\n(April–March financial-year sums)",
                         "{:.0f}", "£{:.0f}bn")
SHARE = Unit(100.0, "% of people aged 16-64", "{:.1f}", "{:.1f}%")


@dataclass(frozen=True)
class Runs:
    """What the model lines summarise: runs per scenario, and people simulated per run."""

    per_scenario: dict[str, int]
    population_sizes: tuple[int, ...] = ()

    @property
    def scenarios(self) -> list[str]:
        return list(self.per_scenario)


@dataclass(frozen=True)
class Point:
    """A published figure (or a group of projection variants) in E&W terms, ready to draw."""

    date: pd.Timestamp
    value: float | None
    low: float
    high: float
    label: str
    projection: bool
    scaled: bool
    figures: tuple[published.Figure, ...]


# ---------------------------------------------------------------- loading


def find_table(directory: Path) -> Path:
    """The sweep table, or failing that the single run's metrics table, in ``directory``."""
    directory = Path(directory)
    if not directory.exists():
        raise ReportError(f"{directory} does not exist")
    if not directory.is_dir():
        raise ReportError(f"{directory} is not a directory")
    for name in (results.SWEEP, results.METRICS):
        if (directory / name).is_file():
            return directory / name
    raise ReportError(f"{directory} has no {results.SWEEP} (sweep) or {results.METRICS} (single run)")


def tidy(frame: pd.DataFrame, source: str = "metrics") -> pd.DataFrame:
    """The metrics in a standard shape: month, scenario, seed, run, area, age_band, metric,
    value (people represented, or £ a month for ``_gbp`` metrics), one programme ("all")."""
    missing = [column for column in KEYS if column not in frame.columns]
    if missing:
        raise ReportError(f"{source} lacks column(s) {', '.join(missing)}")
    if "programme" in frame.columns:
        frame = frame[frame["programme"].astype(str) == ALL]
    if frame.empty:
        raise ReportError(f"{source} has no rows")
    seed = frame["seed"].astype("int64")
    run = frame["run"] if "run" in frame.columns else pd.Series(pd.NA, index=frame.index)
    run = run.astype("object").where(run.notna(), "seed=" + seed.astype(str))
    return pd.DataFrame({
        "month": pd.to_datetime(frame["month"]).dt.to_period("M").dt.to_timestamp(),
        "scenario": frame["scenario"].astype(str),
        "seed": seed,
        "run": run.astype(str),
        "area": frame["area"].astype(str),
        "age_band": frame["age_band"].astype(str),
        "metric": frame["metric"].astype(str),
        "value": frame["value"].astype("float64"),
    }).reset_index(drop=True)


def load_metrics(directory: Path) -> pd.DataFrame:
    """Every run's metrics in ``directory`` as a :func:`tidy` frame."""
    path = find_table(directory)
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several unrelated types for a bad file
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ReportError(f"{path} cannot be read: {first_line}") from error
    return tidy(frame, source=str(path))


def population_sizes(directory: Path, frame: pd.DataFrame) -> tuple[int, ...]:
    """Distinct simulated population sizes recorded in the runs' manifests (may be empty)."""
    directory = Path(directory)
    if (directory / results.SWEEP).is_file():
        run_dirs = [directory / run for run in frame["run"].unique()]
    else:
        run_dirs = [directory]
    sizes = set()
    for run_dir in run_dirs:
        manifest = results.read_manifest(run_dir)
        if manifest and isinstance(manifest.get("population_size"), int):
            sizes.add(manifest["population_size"])
    return tuple(sorted(sizes))


def describe_runs(frame: pd.DataFrame, sizes: tuple[int, ...] = ()) -> Runs:
    """Runs per scenario, baseline first then in order of appearance."""
    counts = frame.groupby("scenario", sort=False)["run"].nunique()
    order = sorted(counts.index, key=lambda name: (name != "baseline", list(counts.index).index(name)))
    return Runs({name: int(counts[name]) for name in order}, sizes)


# ---------------------------------------------------------------- summarising


def select(frame: pd.DataFrame, metric: str, area: str | None = ALL,
           age_band: str | None = ALL) -> pd.DataFrame:
    """One metric per run and month; ``area=None`` keeps every area (with age_band ``all``),
    ``age_band=None`` every age band (with area ``all``). Columns: scenario, run, month, area,
    age_band, value."""
    rows = frame["metric"] == metric
    if area is not None:
        rows &= frame["area"] == area
    if age_band is not None:
        rows &= frame["age_band"] == age_band
    if area is None:
        rows &= frame["age_band"] == ALL
    if age_band is None:
        rows &= frame["area"] == ALL
    return frame.loc[rows, ["scenario", "run", "month", "area", "age_band", "value"]].reset_index(drop=True)


def ratio(numerator: pd.DataFrame, denominator: pd.DataFrame) -> pd.DataFrame:
    """``numerator / denominator`` row by row (matched on every column but value)."""
    keys = [column for column in numerator.columns if column != "value"]
    merged = numerator.merge(denominator, on=keys, suffixes=("", "_denominator"))
    merged["value"] = merged["value"] / merged.pop("value_denominator")
    return merged


def financial_year(months: pd.Series) -> pd.Series:
    """April-March financial year of each month, as ``2019-20``."""
    start = months.dt.year - (months.dt.month < 4).astype(int)
    return start.astype(str) + "-" + ((start + 1) % 100).astype(str).str.zfill(2)


def financial_year_middle(years: pd.Series) -> pd.Series:
    """1 October of each ``2019-20``-style financial year (where it is drawn on a time axis)."""
    return pd.to_datetime(years.str[:4] + "-10-01")


def aggregation(metric: str) -> str:
    """How months add up to a year: stocks are averaged, flows and spending summed."""
    if metric in STOCKS:
        return "mean"
    return "sum" if metric in FLOWS or metric in SPENDING or metric.endswith("_gbp") else "mean"


def by_financial_year(values: pd.DataFrame, how: str) -> pd.DataFrame:
    """Monthly values per run summed or averaged (``how``) over each complete April-March
    year; a column ``financial_year`` replaces ``month``."""
    keys = [column for column in values.columns if column not in ("month", "value")]
    values = values.assign(financial_year=financial_year(values["month"]))
    grouped = values.groupby([*keys, "financial_year"], sort=True)
    annual = grouped["value"].agg(how).to_frame("value")
    annual["months"] = grouped["month"].nunique()
    return annual[annual["months"] == 12].drop(columns="months").reset_index()


def spread(values: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """Median, low and high of ``value`` across runs within each group of ``keys``, and the
    number of runs. Low-high is min-max, or 5th-95th percentile from PERCENTILE_RUNS runs."""
    grouped = values.groupby(list(keys), sort=True)["value"]
    out = grouped.agg(median="median", runs="count", minimum="min", maximum="max")
    out["p05"] = grouped.quantile(0.05)
    out["p95"] = grouped.quantile(0.95)
    wide = out["runs"] >= PERCENTILE_RUNS
    out["low"] = out["p05"].where(wide, out["minimum"])
    out["high"] = out["p95"].where(wide, out["maximum"])
    return out[["median", "low", "high", "runs"]].reset_index()


def unit_of(metric: str) -> str:
    """Unit of a metric in summary.csv."""
    if aggregation(metric) == "mean":
        return "people (mean of the year's months)"
    if metric.endswith("_gbp"):
        return "GBP per year (2024-25 prices)"
    return "people per year"


def summary_table(frame: pd.DataFrame, metrics: Sequence[str] = SUMMARY_METRICS) -> pd.DataFrame:
    """England & Wales results by scenario, metric and complete financial year: median, low
    and high across runs, number of runs and unit. Stocks are averaged over the year's months;
    flows and spending are summed (so spending is £ per year)."""
    present = set(frame["metric"].unique())
    parts = []
    for metric in (name for name in metrics if name in present):
        annual = by_financial_year(select(frame, metric), aggregation(metric))
        table = spread(annual, ["scenario", "financial_year"])
        parts.append(table.assign(metric=metric, unit=unit_of(metric)))
    columns = ["scenario", "metric", "financial_year", "median", "low", "high", "runs", "unit"]
    if not parts:
        return pd.DataFrame(columns=columns)
    table = pd.concat(parts, ignore_index=True)[columns]
    order = {name: index for index, name in enumerate(metrics)}
    return table.sort_values(["scenario", "metric", "financial_year"],
                             key=lambda column: column.map(order) if column.name == "metric" else column,
                             ignore_index=True)


# ---------------------------------------------------------------- published figures


def is_projection(figure: published.Figure) -> bool:
    """Whether the figure's note marks it as a projection or forecast rather than data."""
    return any(word in figure.note.lower() for word in PROJECTION_WORDS)


def publisher(figure: published.Figure) -> str:
    return figure.source.split(",")[0].split()[0]


def published_points(figures: Sequence[published.Figure], unit: Unit) -> list[Point]:
    """Points to draw for ``figures``: data one each; projections sharing a measure, date and
    source become one point at the central (middle) value with their low-high range."""
    points = []
    groups: dict[tuple, list[published.Figure]] = {}
    for figure in figures:
        if is_projection(figure):
            groups.setdefault((figure.measure, figure.date, figure.source), []).append(figure)
            continue
        value = figure.england_and_wales
        points.append(Point(figure.date, value, value, value,
                            f"{publisher(figure)} {figure.period}: {unit.format(value)}",
                            False, figure.scaling_note != "as published", (figure,)))
    for (_, date, _), group in groups.items():
        values = sorted(figure.england_and_wales for figure in group)
        central = values[len(values) // 2] if len(values) % 2 else None
        first = group[0]
        kind = "forecast" if "forecast" in first.note.lower() else "projection"
        text = f"{publisher(first)} {kind} {first.period}:"
        if central is not None:
            text += f" {unit.format(central)}"
        if len(values) > 1:
            text += f"\n(range {unit.format(values[0])}–{unit.format(values[-1])})"
        points.append(Point(date, central, values[0], values[-1], text, True,
                            any(f.scaling_note != "as published" for f in group), tuple(group)))
    return sorted(points, key=lambda point: point.date)


def sources_text(figures: Sequence[published.Figure]) -> str:
    """Caption sentences naming the published sources and how GB/UK totals were scaled."""
    if not figures:
        return ""
    sources = list(dict.fromkeys(figure.source for figure in figures))
    text = "Published: " + "; ".join(sources) + "."
    notes = list(dict.fromkeys(f.scaling_note for f in figures if f.scaling_note != "as published"))
    if notes:
        text += (" GB/UK totals scaled to E&W: " + "; ".join(notes)
                 + ", assuming the same rate per head; E&W figures and shares as published.")
    else:
        text += " Figures as published."
    if any(is_projection(figure) for figure in figures):
        text += " Open squares are projections or forecasts by their publisher, not data."
    return text


# ---------------------------------------------------------------- drawing


def scenario_colours(scenarios: Sequence[str]) -> dict[str, tuple]:
    palette = sns.color_palette("colorblind", max(len(scenarios), 1))
    return dict(zip(scenarios, palette))


def band_name(runs: int) -> str:
    return "5th–95th percentile" if runs >= PERCENTILE_RUNS else "min–max"


def model_text(runs: Runs, median_as: str = "line", spread_as: str = "band") -> str:
    """Caption sentence describing the model runs behind the lines (or bars)."""
    parts = [f"{name} ({count} seed{'s' if count != 1 else ''})" for name, count in runs.per_scenario.items()]
    text = "Model: scenario " + ", ".join(parts)
    sizes = runs.population_sizes
    if sizes:
        size = f"{sizes[0]:,}" if len(sizes) == 1 else f"{sizes[0]:,} to {sizes[-1]:,}"
        text += f", {size} simulated people per run weighted to the E&W 16-64 population"
    bands = {band_name(count) for count in runs.per_scenario.values()}
    return text + f"; {median_as} = median across seeds, {spread_as} = {' / '.join(sorted(bands))} across seeds."


def area_name(area: str) -> str:
    return AREA_NAMES.get(area, area.replace("_", " ").title().replace(" Of ", " of "))


def _new_chart(nrows: int = 1, ncols: int = 1, **subplot_kw) -> tuple[Chart, np.ndarray]:
    with sns.axes_style("whitegrid"):
        chart = Chart(figsize=FIGSIZE, dpi=DPI)
        axes = chart.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    FigureCanvasAgg(chart)
    for ax in axes.flat:
        ax.tick_params(labelsize=TICK_SIZE)
    return chart, axes


def _time_axis(ax) -> None:
    ax.set_xlim(X_START, X_END)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlabel("")


def _value_axis(ax, unit: Unit, zero: bool = True, headroom: float = 0.15) -> None:
    """Tick format from ``unit``; limits from the data, from 0 if ``zero``, with room above
    for labels. Call once, after everything on the axis (or its shared axes) is drawn."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: unit.tick.format(value)))
    low, high = ax.get_ylim()
    low = 0.0 if zero else low - 0.1 * (high - low)
    ax.set_ylim(low, high + headroom * (high - low))


def _finish(chart: Chart, title: str, caption: str, *, top: float = 0.9,
            left: float = 0.09, right: float = 0.97, axis_space: float = 0.45, **adjust) -> Chart:
    """Title above, caption below the axes; margins in inches sized to the caption."""
    lines = textwrap.fill(caption, CAPTION_WIDTH).splitlines()
    height = FIGSIZE[1]
    caption_inches = 0.12 + len(lines) * CAPTION_SIZE * 1.3 / 72
    chart.suptitle(title, fontsize=TITLE_SIZE, fontweight="bold", x=0.02, ha="left", y=0.975)
    chart.text(0.02, 0.012, "\n".join(lines), fontsize=CAPTION_SIZE, ha="left", va="bottom",
               color="0.25", linespacing=1.3)
    chart.subplots_adjust(top=top, left=left, right=right,
                          bottom=(caption_inches + axis_space) / height, **adjust)
    return chart


def draw_model(ax, bands: pd.DataFrame, x: str, colours: dict[str, tuple], unit: Unit,
               markers: bool = False) -> list[tuple[tuple, str]]:
    """Median line and shaded low-high band per scenario; returns legend (handle, label)s."""
    entries = []
    for scenario, part in bands.groupby("scenario", sort=False):
        colour = colours[scenario]
        ax.fill_between(part[x], part["low"] * unit.factor, part["high"] * unit.factor,
                        color=colour, alpha=0.25, linewidth=0)
        ax.plot(part[x], part["median"] * unit.factor, color=colour, linewidth=2.4,
                marker="o" if markers else None, markersize=5)
        runs = int(part["runs"].max())
        handle = (Patch(facecolor=colour, alpha=0.25), Line2D([], [], color=colour, linewidth=2.4))
        short = "5–95% range" if runs >= PERCENTILE_RUNS else "min–max"
        entries.append((handle, f"Model, {scenario} ({runs} seed{'s' if runs != 1 else ''}): median and {short}"))
    return entries


@dataclass(frozen=True)
class Label:
    """Text to place next to a published marker at (x, y) in data units."""

    x: pd.Timestamp
    y: float
    text: str
    projection: bool


PUBLISHED_STYLES = {
    "data": dict(marker="o", color="black", markerfacecolor="black", label="Published E&W figure"),
    "scaled": dict(marker="D", color="black", markerfacecolor="black", label="Published total, scaled to E&W"),
    "projection": dict(marker="s", color="0.2", markerfacecolor="white",
                       label="Published projection / forecast (not data), with range"),
}


def _geographies(points: Sequence[Point], scaled: bool) -> str:
    """Short names (GB, UK) of the non-E&W geographies among the data points, e.g. ``GB/UK``."""
    return "/".join(sorted({GEOGRAPHY_NAMES.get(figure.geography, figure.geography)
                            for point in points if not point.projection and point.scaled == scaled
                            for figure in point.figures if figure.geography != "england_and_wales"}))


def draw_published(ax, points: Sequence[Point], unit: Unit) -> tuple[list[tuple[object, str]], list[Label]]:
    """Published figures as markers: filled circles (as published), filled diamonds (GB/UK
    count scaled to E&W), open squares with a low-high bar (projections). Returns legend
    (handle, label)s and the labels to place once the layout is final."""
    used: list[str] = []
    labels = []
    for point in points:
        kind = "projection" if point.projection else ("scaled" if point.scaled else "data")
        style = PUBLISHED_STYLES[kind]
        y = (point.value if point.value is not None else (point.low + point.high) / 2) * unit.factor
        if point.projection and point.high > point.low:
            ax.errorbar([point.date], [y], yerr=[[y - point.low * unit.factor], [point.high * unit.factor - y]],
                        fmt="none", ecolor=style["color"], elinewidth=1.6, capsize=6, zorder=4)
        if point.value is not None:
            ax.plot([point.date], [y], linestyle="none", marker=style["marker"], markersize=9,
                    markeredgewidth=1.8, color=style["color"], markerfacecolor=style["markerfacecolor"],
                    zorder=5, gid="published")
        if kind not in used:
            used.append(kind)
        labels.append(Label(point.date, y, point.label, point.projection))
    entries = []
    for kind in used:
        style = PUBLISHED_STYLES[kind]
        name = style["label"]
        if kind == "data" and _geographies(points, scaled=False):
            name = f"Published {_geographies(points, scaled=False)} rate or share, as published"
        elif kind == "scaled":
            name = f"Published {_geographies(points, scaled=True)} total, scaled to E&W"
        handle = Line2D([], [], linestyle="none", marker=style["marker"], markersize=9, markeredgewidth=1.8,
                        color=style["color"], markerfacecolor=style["markerfacecolor"])
        entries.append((handle, name))
    return entries, labels


def _label_offsets(projection: bool) -> list[tuple[float, float, str, str]]:
    """Candidate (dx, dy in points, ha, va) for a label, most preferred first."""
    near = [(0, 10, "center", "bottom"), (0, -10, "center", "top"), (12, 0, "left", "center"),
            (-12, 0, "right", "center"), (8, 8, "left", "bottom"), (-8, 8, "right", "bottom"),
            (8, -8, "left", "top"), (-8, -8, "right", "top")]
    if projection:
        near = [near[3], near[5], near[7], *near[:3], near[4], near[6]]
    return near + [(dx * scale, dy * scale, ha, va) for scale in (2, 3) for dx, dy, ha, va in near]


def _densify(points: np.ndarray, step: float = 3.0) -> np.ndarray:
    """Points along a polyline in display pixels, at most ``step`` apart."""
    points = points[np.isfinite(points).all(axis=1)]
    if len(points) < 2:
        return points
    lengths = np.hypot(*np.diff(points, axis=0).T)
    distance = np.concatenate([[0.0], np.cumsum(lengths)])
    samples = np.arange(0.0, distance[-1] + step, step)
    return np.column_stack([np.interp(samples, distance, points[:, 0]), np.interp(samples, distance, points[:, 1])])


def place_labels(ax, labels: Sequence[Label]) -> None:
    """Annotate ``labels`` where they overlap least with each other, the markers, the legend,
    the model lines and the axes' edges. Call after the layout is final."""
    renderer = ax.figure.canvas.get_renderer()
    inside = ax.get_window_extent(renderer)
    half = 6 * ax.figure.dpi / 72
    anchors = [ax.transData.transform((mdates.date2num(label.x), label.y)) for label in labels]
    taken = [Bbox.from_extents(x - half, y - half, x + half, y + half) for x, y in anchors]
    taken += [legend.get_window_extent(renderer) for legend in [ax.get_legend()] if legend is not None]
    lines = [_densify(ax.transData.transform(line.get_xydata())) for line in ax.get_lines()
             if line.get_gid() != "published" and len(line.get_xydata()) > 1]
    curve = np.concatenate(lines) if lines else np.empty((0, 2))
    for label in labels:
        best: tuple[float, object, Bbox] | None = None
        for rank, (dx, dy, ha, va) in enumerate(_label_offsets(label.projection)):
            text = ax.annotate(label.text, (label.x, label.y), xytext=(dx, dy), textcoords="offset points",
                               ha=ha, va=va, fontsize=NOTE_SIZE, zorder=6, annotation_clip=False,
                               bbox=dict(boxstyle="round,pad=0.15", facecolor="white", edgecolor="none",
                                         alpha=0.8))
            box = text.get_window_extent(renderer).padded(2)
            clashes = sum(box.overlaps(other) for other in taken)
            outside = not (inside.x0 <= box.x0 and box.x1 <= inside.x1
                           and inside.y0 <= box.y0 and box.y1 <= inside.y1)
            crossing = int(np.sum((curve[:, 0] >= box.x0) & (curve[:, 0] <= box.x1)
                                  & (curve[:, 1] >= box.y0) & (curve[:, 1] <= box.y1)))
            score = 100 * clashes + 100 * outside + 5 * crossing + rank
            if best is None or score < best[0]:
                if best is not None:
                    best[1].remove()
                best = (score, text, box)
            else:
                text.remove()
        if best is not None:
            taken.append(best[2])


def _legend(ax, entries: Sequence[tuple[object, str]], loc: str = "lower right",
            size: float = LEGEND_SIZE) -> None:
    if entries:
        handles, labels = zip(*entries)
        ax.legend(handles, labels, loc=loc, fontsize=size, framealpha=0.92)


def time_series_chart(bands: pd.DataFrame, runs: Runs, figures: Sequence[published.Figure], *,
                      title: str, unit: Unit, x: str = "month", extra: str = "",
                      zero: bool = True, legend: str = "lower right", markers: bool = False,
                      left: float = 0.09) -> Chart:
    """One axis: the model's median and band per scenario over 2019-2029 and the published
    figures; ``bands`` has scenario, ``x``, median, low, high, runs."""
    chart, axes = _new_chart()
    ax = axes[0, 0]
    colours = scenario_colours(runs.scenarios)
    entries = draw_model(ax, bands, x, colours, unit, markers=markers)
    found, labels = draw_published(ax, published_points(figures, unit), unit)
    _time_axis(ax)
    _value_axis(ax, unit, zero)
    ax.set_ylabel(unit.axis_label, fontsize=LABEL_SIZE)
    _legend(ax, entries + found, legend)
    caption = " ".join(part for part in (model_text(runs), extra, sources_text(figures)) if part)
    _finish(chart, title, caption, left=left)
    place_labels(ax, labels)
    return chart


def monthly_bands(frame: pd.DataFrame, metric: str) -> pd.DataFrame:
    """E&W median and band across runs of ``metric`` for each scenario and month."""
    return spread(select(frame, metric), ["scenario", "month"])


def share_bands(frame: pd.DataFrame, metric: str, keys: Sequence[str] = (), area: str | None = ALL,
                age_band: str | None = ALL) -> pd.DataFrame:
    """Median and band across runs of ``metric`` as a share of population, per scenario,
    month and ``keys``."""
    values = ratio(select(frame, metric, area, age_band), select(frame, "population", area, age_band))
    return spread(values, ["scenario", *keys, "month"])


# ---------------------------------------------------------------- charts


def chart_health_benefit_recipients(frame: pd.DataFrame, runs: Runs) -> Chart:
    """People aged 16-64 on at least one health-related benefit, E&W (millions)."""
    return time_series_chart(
        monthly_bands(frame, "health_benefit_recipients"), runs,
        published.figures_for("health_benefit_recipients"),
        title="People aged 16-64 on at least one health-related benefit, England & Wales",
        unit=PEOPLE, legend="lower right",
        extra="Health-related benefits: incapacity (ESA, UC health) or disability (PIP, DLA); counted at month end.",
    )


def chart_inactive_long_term_sick(frame: pd.DataFrame, runs: Runs) -> Chart:
    """People aged 16-64 economically inactive through long-term sickness, E&W (millions)."""
    return time_series_chart(
        monthly_bands(frame, "inactive_long_term_sick"), runs,
        published.figures_for("inactive_long_term_sick"),
        title="Inactive because of long-term sickness, England & Wales, 16-64",
        unit=PEOPLE, legend="lower left",
    )


def chart_health_benefit_spending(frame: pd.DataFrame, runs: Runs) -> Chart:
    """Health-related benefit spending by April-March financial year, E&W (£bn, 2024-25 prices)."""
    annual = by_financial_year(select(frame, "health_benefit_spending_gbp"), "sum")
    if annual.empty:
        raise NothingToDraw("no complete April-March financial year")
    bands = spread(annual, ["scenario", "financial_year"])
    bands["middle"] = financial_year_middle(bands["financial_year"])
    return time_series_chart(
        bands, runs, published.figures_for("health_benefit_spending_gbp_per_year"),
        title="Health-related benefit spending, England & Wales, 16-64",
        unit=SPENDING_PER_YEAR, x="middle", markers=True, legend="lower right", left=0.1,
        extra="Model spending is the sum of its monthly spending over each April–March financial year, "
              "drawn at the middle of the year (1 October).",
    )


def chart_benefit_caseloads(frame: pd.DataFrame, runs: Runs) -> Chart:
    """Incapacity and disability benefit recipients aged 16-64, E&W (millions), two panels."""
    chart, axes = _new_chart(1, 2, sharey=True)
    colours = scenario_colours(runs.scenarios)
    panels = (("incapacity_benefit_recipients", "Incapacity benefits (ESA, UC health)"),
              ("disability_benefit_recipients", "Disability benefits (PIP, DLA)"))
    shown: list[published.Figure] = []
    model_entries: list[tuple[object, str]] = []
    marker_entries: list[tuple[object, str]] = []
    labels: list[list[Label]] = []
    for ax, (metric, name) in zip(axes[0], panels):
        figures = published.figures_for(metric)
        shown += figures
        model_entries = draw_model(ax, monthly_bands(frame, metric), "month", colours, PEOPLE)
        markers, panel_labels = draw_published(ax, published_points(figures, PEOPLE), PEOPLE)
        labels.append(panel_labels)
        marker_entries += [entry for entry in markers if entry[1] not in {label for _, label in marker_entries}]
        ax.set_title(name, fontsize=LABEL_SIZE + 1)
        _time_axis(ax)
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
    _value_axis(axes[0, 0], PEOPLE)
    axes[0, 0].set_ylabel(PEOPLE.axis_label, fontsize=LABEL_SIZE)
    _legend(axes[0, 0], model_entries, "lower left", size=LEGEND_SIZE - 1.5)
    _legend(axes[0, 1], marker_entries, "lower right", size=LEGEND_SIZE - 1.5)
    caption = " ".join((model_text(runs), "Recipients counted at month end.", sources_text(shown)))
    _finish(chart, "Benefit caseloads, England & Wales, 16-64", caption, top=0.86, wspace=0.06)
    for ax, panel_labels in zip(axes[0], labels):
        place_labels(ax, panel_labels)
    return chart


def chart_inactivity_by_area(frame: pd.DataFrame, runs: Runs) -> Chart:
    """Inactive through long-term sickness as % of the 16-64 population, by area, in three
    financial years (median across runs, whiskers low-high)."""
    sick = by_financial_year(select(frame, "inactive_long_term_sick", area=None), "mean")
    people = by_financial_year(select(frame, "population", area=None), "mean")
    bands = spread(ratio(sick, people), ["scenario", "area", "financial_year"])
    years = [year for year in AREA_YEARS if year in set(bands["financial_year"])]
    if not years:
        raise NothingToDraw(f"no complete financial year among {', '.join(AREA_YEARS)}")
    bands = bands[bands["financial_year"].isin(years)]
    first_year = bands[(bands["financial_year"] == years[0]) & (bands["area"] != ALL)]
    areas = [ALL] + list(first_year.groupby("area")["median"].median().sort_values(ascending=False).index)
    chart, axes = _new_chart(1, len(runs.scenarios), sharex=True, sharey=True)
    palette = sns.color_palette("crest", len(years))
    height = 0.8 / max(len(years), 1)
    shares = published.figures_for("inactive_long_term_sick_share")
    line_styles = ("--", ":", "-.")
    for ax, scenario in zip(axes[0], runs.scenarios):
        part = bands[bands["scenario"] == scenario].set_index(["area", "financial_year"])
        for index, year in enumerate(years):
            rows = [part.loc[(area, year)] if (area, year) in part.index else None for area in areas]
            y = np.arange(len(areas)) + (index - (len(years) - 1) / 2) * height
            medians = np.array([row["median"] if row is not None else np.nan for row in rows]) * SHARE.factor
            lows = np.array([row["low"] if row is not None else np.nan for row in rows]) * SHARE.factor
            highs = np.array([row["high"] if row is not None else np.nan for row in rows]) * SHARE.factor
            ax.barh(y, medians, height=height, color=palette[index], label=year)
            ax.errorbar(medians, y, xerr=[medians - lows, highs - medians], fmt="none", ecolor="0.3",
                        elinewidth=1, capsize=2)
        for figure, style in zip(shares, line_styles):
            ax.axvline(figure.england_and_wales * SHARE.factor, color="black", linestyle=style, linewidth=1.4,
                       label=f"{publisher(figure)} UK {figure.period}: {SHARE.format(figure.england_and_wales)}")
        ax.set_yticks(np.arange(len(areas)), [area_name(area) for area in areas])
        ax.set_ylim(len(areas) - 0.5, -0.5)
        ax.set_xlabel(SHARE.axis_label, fontsize=LABEL_SIZE)
        ax.grid(axis="y", visible=False)
        if len(runs.scenarios) > 1:
            ax.set_title(scenario, fontsize=LABEL_SIZE + 1)
    axes[0, 0].get_yticklabels()[0].set_fontweight("bold")
    several = len(runs.scenarios) > 1
    top = 0.81 if several else 0.85
    handles, names = axes[0, 0].get_legend_handles_labels()
    chart.legend(handles, names, loc="lower left", bbox_to_anchor=(0.25, top + (0.05 if several else 0.005)),
                 ncol=len(names), fontsize=LEGEND_SIZE, frameon=False, handlelength=1.6, columnspacing=1.2)
    caption = " ".join((
        model_text(runs, median_as="bars by financial year", spread_as="whiskers"),
        "Share = mean inactive through long-term sickness over the April–March year ÷ mean 16-64 population.",
        sources_text(shares).replace("Published:", "Reference lines:"),
    ))
    return _finish(chart, "Inactive through long-term sickness by area, England & Wales", caption,
                   top=top, left=0.25, axis_space=0.75)


def chart_health_benefit_recipients_by_age(frame: pd.DataFrame, runs: Runs) -> Chart:
    """People on at least one health-related benefit as % of the population, by age band."""
    bands = share_bands(frame, "health_benefit_recipients", ["age_band"], area=ALL, age_band=None)
    ages = [band for band in states.AGE_BANDS if band in set(bands["age_band"])]
    chart, axes = _new_chart(2, 2, sharex=True, sharey=True)
    colours = scenario_colours(runs.scenarios)
    entries: list[tuple[object, str]] = []
    for ax, age in zip(axes.flat, ages):
        entries = draw_model(ax, bands[bands["age_band"] == age], "month", colours, SHARE)
        ax.set_title(f"Aged {age}", fontsize=LABEL_SIZE + 1)
        _time_axis(ax)
        ax.xaxis.set_major_locator(mdates.YearLocator(2))
    _value_axis(axes[0, 0], SHARE, headroom=0.05)
    for ax in axes.flat[len(ages):]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("% of age band", fontsize=LABEL_SIZE)
    _legend(axes[0, 0], entries)
    caption = " ".join((model_text(runs),
                        "Share = recipients of at least one health-related benefit ÷ people in the age band, "
                        "England & Wales, at month end. No published figures by age band are compared."))
    return _finish(chart, "On a health-related benefit by age band, England & Wales", caption,
                   top=0.86, hspace=0.3, wspace=0.06)


def chart_employment_rate(frame: pd.DataFrame, runs: Runs) -> Chart:
    """Employed as % of the 16-64 population, E&W, with ONS UK employment rates."""
    return time_series_chart(
        share_bands(frame, "employed"), runs, published.figures_for("employment_rate"),
        title="Employment rate, England & Wales, 16-64", unit=SHARE, zero=False, legend="upper right",
        extra="Employment rate = employed ÷ population aged 16-64 at month end.",
    )


CHARTS: dict[str, tuple[Callable[[pd.DataFrame, Runs], Chart], tuple[str, ...]]] = {
    "health_benefit_recipients.png": (chart_health_benefit_recipients, ("health_benefit_recipients",)),
    "inactive_long_term_sick.png": (chart_inactive_long_term_sick, ("inactive_long_term_sick",)),
    "health_benefit_spending.png": (chart_health_benefit_spending, ("health_benefit_spending_gbp",)),
    "benefit_caseloads.png": (chart_benefit_caseloads,
                              ("incapacity_benefit_recipients", "disability_benefit_recipients")),
    "inactivity_by_area.png": (chart_inactivity_by_area, ("inactive_long_term_sick", "population")),
    "health_benefit_recipients_by_age.png": (chart_health_benefit_recipients_by_age,
                                             ("health_benefit_recipients", "population")),
    "employment_rate.png": (chart_employment_rate, ("employed", "population")),
}
"""File name -> (chart function, metrics it needs)."""


# ---------------------------------------------------------------- writing


def write_charts(frame: pd.DataFrame, directory: Path, runs: Runs) -> list[Path]:
    """Every chart whose metrics are in ``frame``, as PNGs in ``directory/charts``."""
    charts_dir = Path(directory) / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    present = set(frame["metric"].unique())
    written = []
    for name, (draw, needs) in CHARTS.items():
        missing = [metric for metric in needs if metric not in present]
        if missing:
            print(f"skipped {name}: no {', '.join(missing)} in the data", file=sys.stderr)
            continue
        try:
            chart = draw(frame, runs)
        except NothingToDraw as reason:
            print(f"skipped {name}: {reason}", file=sys.stderr)
            continue
        written.append(write_atomic(charts_dir / name, lambda path, c=chart: c.savefig(path, format="png", dpi=DPI)))
    return written


def write_summary(frame: pd.DataFrame, directory: Path) -> Path:
    """``directory/summary.csv`` from :func:`summary_table`."""
    table = summary_table(frame).round({"median": 2, "low": 2, "high": 2})
    return write_atomic(Path(directory) / "summary.csv", lambda path: table.to_csv(path, index=False))


def report(directory: Path) -> list[Path]:
    """Charts and summary for the run or sweep in ``directory``; returns the paths written."""
    directory = Path(directory)
    frame = load_metrics(directory)
    runs = describe_runs(frame, population_sizes(directory, frame))
    return [*write_charts(frame, directory, runs), write_summary(frame, directory)]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.report DIR``: exit 0 after printing the paths written, 2 on bad input."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if len(args) != 1:
        print("error: usage: python -m sim.report DIR (a sweep or run directory)", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        written = report(Path(args[0]))
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
