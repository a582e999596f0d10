"""Drawing the model and the published figures on a chart: the median line and band per
scenario, published markers with labels placed where they overlap least, titles and
captions, and the one-axis time-series chart most charts are."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

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

from sim import published
from sim.aggregate import PERCENTILE_RUNS
from sim.report.data import Runs
from sim.report.published_points import Point, published_points, sources_text
from sim.report.style import (
    CAPTION_SIZE,
    CAPTION_WIDTH,
    DPI,
    FIGSIZE,
    GEOGRAPHY_NAMES,
    LABEL_SIZE,
    LEGEND_SIZE,
    NOTE_SIZE,
    PUBLISHED_STYLES,
    TICK_SIZE,
    TITLE_SIZE,
    TITLE_WIDTH,
    X_END,
    X_START,
    Unit,
    band_name,
    scenario_colours,
)


def model_text(runs: Runs, median_as: str = "line", spread_as: str = "band") -> str:
    """Caption sentence describing the model runs behind the lines (or bars)."""
    parts = [f"{name} ({count} run{'s' if count != 1 else ''})" for name, count in runs.per_scenario.items()]
    text = "Model: scenario " + ", ".join(parts)
    sizes = runs.population_sizes
    if sizes:
        size = f"{sizes[0]:,}" if len(sizes) == 1 else f"{sizes[0]:,} to {sizes[-1]:,}"
        text += f", {size} simulated people per run weighted to the E&W 16-64 population"
    bands = {band_name(count) for count in runs.per_scenario.values()}
    return text + (f"; a run is one calibration draw and seed; {median_as} = median across runs, {spread_as} = "
                   f"{' / '.join(sorted(bands))} across runs.")


def new_chart(nrows: int = 1, ncols: int = 1, **subplot_kw) -> tuple[Chart, np.ndarray]:
    with sns.axes_style("whitegrid"):
        chart = Chart(figsize=FIGSIZE, dpi=DPI)
        axes = chart.subplots(nrows, ncols, squeeze=False, **subplot_kw)
    FigureCanvasAgg(chart)
    for ax in axes.flat:
        ax.tick_params(labelsize=TICK_SIZE)
    return chart, axes


def time_axis(ax) -> None:
    ax.set_xlim(X_START, X_END)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_xlabel("")


def value_axis(ax, unit: Unit, zero: bool = True, headroom: float = 0.15) -> None:
    """Tick format from ``unit``; limits from the data, from 0 if ``zero``, with room above
    for labels. Call once, after everything on the axis (or its shared axes) is drawn."""
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: unit.tick.format(value)))
    low, high = ax.get_ylim()
    low = 0.0 if zero else low - 0.1 * (high - low)
    ax.set_ylim(low, high + headroom * (high - low))


def finish(chart: Chart, title: str, caption: str, *, top: float = 0.9,
            left: float = 0.09, right: float = 0.97, axis_space: float = 0.45, **adjust) -> Chart:
    """Title above, caption below the axes; margins in inches sized to the caption."""
    lines = textwrap.fill(caption, CAPTION_WIDTH).splitlines()
    height = FIGSIZE[1]
    caption_inches = 0.12 + len(lines) * CAPTION_SIZE * 1.3 / 72
    title_lines = textwrap.wrap(title, TITLE_WIDTH)
    top -= (len(title_lines) - 1) * TITLE_SIZE * 1.25 / 72 / height
    chart.suptitle("\n".join(title_lines), fontsize=TITLE_SIZE, fontweight="bold", x=0.02, ha="left", y=0.975,
                   va="top", linespacing=1.15)
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
                        color=colour, alpha=0.2, linewidth=0)
        fan = "inner_low" in part.columns and part["inner_low"].notna().any()
        if fan:
            ax.fill_between(part[x], part["inner_low"] * unit.factor, part["inner_high"] * unit.factor,
                            color=colour, alpha=0.35, linewidth=0)
        ax.plot(part[x], part["median"] * unit.factor, color=colour, linewidth=2.4,
                marker="o" if markers else None, markersize=5)
        runs = int(part["runs"].max())
        handle = (Patch(facecolor=colour, alpha=0.25), Line2D([], [], color=colour, linewidth=2.4))
        short = "5–95% range" if runs >= PERCENTILE_RUNS else "min–max"
        if fan:
            short = f"middle half (darker) and {short}"
        entries.append((handle, f"Model, {scenario} ({runs} run{'s' if runs != 1 else ''}): median and {short}"))
    return entries


@dataclass(frozen=True)
class Label:
    """Text to place next to a published marker at (x, y) in data units."""

    x: pd.Timestamp
    y: float
    text: str
    projection: bool


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


def add_legend(ax, entries: Sequence[tuple[object, str]], loc: str = "lower right",
            size: float = LEGEND_SIZE) -> None:
    if entries:
        handles, labels = zip(*entries)
        ax.legend(handles, labels, loc=loc, fontsize=size, framealpha=0.92)


def trend_phrase(bands: pd.DataFrame, x: str, unit: Unit) -> str:
    """'rises from A in P to B in Q (baseline)': the first and last median of the baseline (or
    the first scenario), for a title that states the finding."""
    scenario = "baseline" if "baseline" in set(bands["scenario"]) else bands["scenario"].iloc[0]
    part = bands[bands["scenario"] == scenario].sort_values(x)
    start, end = part.iloc[0], part.iloc[-1]

    def when(row: pd.Series) -> str:
        return str(row["financial_year"]) if "financial_year" in row.index else f"{pd.Timestamp(row[x]):%B %Y}"

    verb = "rises" if end["median"] >= start["median"] else "falls"
    return (f"{verb} from {unit.format(start['median'])} in {when(start)} to {unit.format(end['median'])} "
            f"in {when(end)} ({scenario})")


def time_series_chart(bands: pd.DataFrame, runs: Runs, figures: Sequence[published.Figure], *,
                      title: str, unit: Unit, x: str = "month", extra: str = "",
                      zero: bool = True, legend: str = "lower right", markers: bool = False,
                      left: float = 0.09) -> Chart:
    """One axis: the model's median and band per scenario over 2019-2029 and the published
    figures; ``bands`` has scenario, ``x``, median, low, high, runs. ``{change}`` in the title
    becomes :func:`trend_phrase`."""
    chart, axes = new_chart()
    ax = axes[0, 0]
    colours = scenario_colours(runs.scenarios)
    entries = draw_model(ax, bands, x, colours, unit, markers=markers)
    found, labels = draw_published(ax, published_points(figures, unit), unit)
    time_axis(ax)
    value_axis(ax, unit, zero)
    ax.set_ylabel(unit.axis_label, fontsize=LABEL_SIZE)
    add_legend(ax, entries + found, legend)
    caption = " ".join(part for part in (model_text(runs), extra, sources_text(figures)) if part)
    finish(chart, title.replace("{change}", trend_phrase(bands, x, unit)), caption, left=left)
    place_labels(ax, labels)
    return chart
