"""Published figures drawn beside the model: data as markers, projections grouped with
their range, and the caption sentence naming their sources and how they were scaled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sim import published
from sim.report.style import Unit

PROJECTION_WORDS = ("projection", "forecast", "not a calibration target")


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
