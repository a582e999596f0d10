"""Published figures (sim/data/published_figures.csv) and their scaling to England & Wales.

IFS recipient counts are England & Wales; DWP caseloads and IFS spending are usually Great
Britain; ONS labour-force figures are UK. A count for GB or the UK is scaled to E&W by the
E&W share of the 16-64 population (sim/data/geography_scaling.csv), which assumes the same
rate per head across the nations; shares and rates are used as published.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from sim.params.data_files import read_table

COUNT_UNITS = ("people", "GBP")
GEOGRAPHY_NAMES = {"england_and_wales": "England & Wales", "england": "England", "great_britain": "Great Britain",
                   "united_kingdom": "UK"}


@dataclass(frozen=True)
class Figure:
    figure_id: str
    measure: str
    value: float
    unit: str
    geography: str
    period: str
    date: pd.Timestamp
    source: str
    note: str
    factor_to_england_and_wales: float

    @property
    def is_count(self) -> bool:
        return self.unit.startswith(COUNT_UNITS)

    @property
    def england_and_wales(self) -> float:
        """The figure in England & Wales terms (counts scaled, shares as published)."""
        return self.value * self.factor_to_england_and_wales if self.is_count else self.value

    @property
    def scaling_note(self) -> str:
        if not self.is_count or self.geography == "england_and_wales":
            return "as published"
        return (f"{GEOGRAPHY_NAMES.get(self.geography, self.geography)} figure x"
                f" {self.factor_to_england_and_wales:.3f} (E&W share of 16-64 population)")


@lru_cache(maxsize=8)
def _load(figures_file: str, scaling_file: str) -> dict[str, Figure]:
    scaling = read_table(scaling_file, "geography_scaling").set_index("geography")
    table = read_table(figures_file, "published_figures")
    figures = {}
    for row in table.itertuples(index=False):
        if row.geography not in scaling.index:
            raise ValueError(
                f"{figures_file}: figure {row.figure_id} has geography {row.geography!r};"
                f" allowed: {', '.join(scaling.index)}"
            )
        figures[row.figure_id] = Figure(
            figure_id=row.figure_id,
            measure=row.measure,
            value=float(row.value),
            unit=row.unit,
            geography=row.geography,
            period=row.period,
            date=pd.Timestamp(row.date),
            source=row.source,
            note=row.note,
            factor_to_england_and_wales=float(
                scaling.loc[row.geography, "factor_to_england_and_wales"]
            ),
        )
    return figures


def load_figures(
    figures_file: str = "published_figures.csv", scaling_file: str = "geography_scaling.csv"
) -> dict[str, Figure]:
    """Every published figure by id."""
    return _load(str(Path(figures_file)), str(Path(scaling_file)))


def figures_for(measure: str, figures: dict[str, Figure] | None = None) -> list[Figure]:
    """Published figures that compare with a model measure, oldest first."""
    figures = figures if figures is not None else load_figures()
    return sorted((f for f in figures.values() if f.measure == measure), key=lambda f: f.date)
