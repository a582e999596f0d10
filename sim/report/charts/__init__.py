"""One module per chart. Each has ``FILE`` (the PNG's name), ``NEEDS`` (the metrics it draws)
and ``draw(frame, runs) -> Figure``; a new chart is a new module and one line below."""

from __future__ import annotations

from types import ModuleType

from sim.report.charts import (
    benefit_caseloads,
    employment_rate,
    health_benefit_recipients,
    health_benefit_recipients_by_age,
    health_benefit_recipients_by_condition,
    health_benefit_spending,
    inactive_long_term_sick,
    inactivity_by_area,
    trailblazer_areas,
)

CHARTS: dict[str, ModuleType] = {chart.FILE: chart for chart in (
    health_benefit_recipients,
    inactive_long_term_sick,
    health_benefit_spending,
    benefit_caseloads,
    inactivity_by_area,
    trailblazer_areas,
    health_benefit_recipients_by_age,
    health_benefit_recipients_by_condition,
    employment_rate,
)}
"""File name -> chart module, in the order they are written."""
