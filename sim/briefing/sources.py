"""The briefing's list of assumptions and sources, generated from the configs the runs were
made with (each run directory's config.yaml), so it always describes what was run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from sim import published
from sim.params.data_files import read_table


@dataclass(frozen=True)
class Entry:
    """One line of the list: what, its value, and its source (or 'assumption' and a reason)."""

    group: str
    name: str
    value: str
    source: str

    @property
    def is_assumption(self) -> bool:
        return self.source.strip().lower().startswith("assumption")


def _config(run_dir: Path) -> dict:
    return yaml.safe_load((run_dir / "config.yaml").read_text()) or {}


def programme_entries(config: dict) -> list[Entry]:
    entries = []
    for key, programme in sorted((config.get("interventions") or {}).items()):
        name = programme.get("name", key)
        entries.append(Entry("Programmes", name, f"£{programme.get('cost_per_participant_gbp', 0):,.0f} a participant; "
                             f"{programme.get('start')} to {programme.get('end')}", str(programme.get("source", ""))))
        for effect in programme.get("effects") or []:
            entries.append(Entry("Programme effects", f"{name}: {effect['transition']}",
                                 f"hazard ratio {effect['hazard_ratio']} (interval {effect.get('interval')})",
                                 str(effect.get("source", ""))))
    return entries


def appraisal_entries(config: dict) -> list[Entry]:
    appraisal = config.get("appraisal") or {}
    entries = []
    for key, source in (appraisal.get("sources") or {}).items():
        node = appraisal
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        entries.append(Entry("Appraisal (HM Treasury Green Book)", key, str(node), str(source)))
    return entries


def driver_entries(config: dict) -> list[Entry]:
    return [Entry("Drivers of the 2019-24 rise", name, f"effect {float(driver.get('effect', 0)):.3f} "
                  f"({driver.get('shape')} from {driver.get('start')})", str(driver.get("source", "")))
            for name, driver in (config.get("drivers") or {}).items()]


def projection_entries(config: dict) -> list[Entry]:
    projection = config.get("projection") or {}
    calibration = config.get("calibration") or {}
    return [Entry("Projection and calibration", "projection", str(projection.get("name", "")),
                  str(projection.get("description", ""))),
            Entry("Projection and calibration", "calibration draws", f"{len(calibration.get('draws') or [])} kept",
                  str(calibration.get("source", "")))]


def published_entries() -> list[Entry]:
    figures = published.load_figures()
    return [Entry("Published figures drawn beside the model", figure.figure_id,
                  f"{figure.value:,.4g} {figure.unit}, {figure.geography.replace('_', ' ')}, {figure.period} "
                  f"({figure.scaling_note})", figure.source) for figure in figures.values()]


def data_entries() -> list[Entry]:
    """Every row of the appraisal's data files, with its source."""
    entries = []
    for name, kind in (("tax_and_nics_2024_25.csv", "tax_rules"), ("returner_earnings.csv", "returner_earnings"),
                       ("benefit_rules.csv", "benefit_rules"), ("cpi_uprating.csv", "cpi_uprating"),
                       ("pip_daily_living_points.csv", "pip_daily_living_points")):
        table = read_table(name, kind)
        label = table.columns[0]
        value = "amount_gbp" if "amount_gbp" in table.columns else next(
            (column for column in table.columns if column not in (label, "source", "note")), None)
        for _, row in table.iterrows():
            entries.append(Entry(f"Data: sim/data/{name}", str(row[label]), str(row[value]) if value else "",
                                 str(row.get("source", ""))))
    return entries


def assumptions(run_dirs: list[Path]) -> list[Entry]:
    """Entries for the configs of ``run_dirs`` (one run per scenario is enough: the programmes
    differ by scenario, the rest is shared), without repeats."""
    seen: dict[tuple[str, str], Entry] = {}
    for index, run_dir in enumerate(run_dirs):
        config = _config(run_dir)
        groups = programme_entries(config)
        if index == 0:
            groups = [*projection_entries(config), *driver_entries(config), *appraisal_entries(config), *groups]
        for entry in groups:
            seen.setdefault((entry.group, entry.name), entry)
    return [*seen.values(), *data_entries(), *published_entries()]
