"""``python -m sim.briefing SWEEP_DIR [--output outputs/briefing.html]``: the briefing.

Reads a sweep (``sweep.parquet``) and, when ``python -m sim.compare`` has been run on it, the
appraisal tables beside it; writes ``briefing.html`` (self-contained), ``briefing.pdf`` (the
same charts and headline table, drawn by matplotlib) and every chart as PNG and SVG in
``briefing/`` beside it, each file atomically. Sections the sweep cannot fill (no scenario
beside the baseline, no programme) say what is missing instead of drawing something else.
A missing or unreadable sweep gives one line and exit code 2.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import re
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from matplotlib.backends.backend_pdf import PdfPages  # noqa: E402
from matplotlib.figure import Figure as Chart  # noqa: E402

from sim import results  # noqa: E402
from sim.briefing import charts as comparison_charts  # noqa: E402
from sim.briefing import page, sources, tables  # noqa: E402
from sim.params.compose import CONFIG_DIR  # noqa: E402
from sim.params.errors import EXIT_BAD_INPUT  # noqa: E402
from sim.report.charts import CHARTS  # noqa: E402
from sim.report.data import NothingToDraw, ReportError, describe_runs, population_sizes, tidy  # noqa: E402
from sim.report.style import DPI  # noqa: E402

REPOSITORY = CONFIG_DIR.parent
CALIBRATION_DIR = REPOSITORY / "docs" / "calibration"
TITLE = "Health-related economic inactivity in England & Wales: the programmes against the baseline, 2019 to 2029"
MISSING_EVERYWHERE = (
    "Every scenario here assumes the pre-2025 benefit rules (policy=pre_2025: 2024-25 amounts uprated by CPI), so "
    "spending after April 2026 is a pre-reform path; the 2025 packages, including the Universal Credit Act 2025 as "
    "enacted, are costed against it in the section on benefit rules (python -m sim.reforms).")
REFORM_COLUMNS = {
    "spending_change_gbp": ("Spending change (£bn a year)", 1e9, "{:+.2f}"),
    "uc_change_gbp": ("of which UC health and ESA (£bn)", 1e9, "{:+.2f}"),
    "pip_change_gbp": ("of which PIP (£bn)", 1e9, "{:+.2f}"),
    "lcwra_new_claims": ("New-claim LCWRA recipients (thousand)", 1e3, "{:,.0f}"),
    "pip_daily_living_lost": ("PIP without daily living (thousand)", 1e3, "{:,.0f}"),
    "people_losing": ("People losing entitlement (thousand)", 1e3, "{:,.0f}"),
    "uc_new_claim_award_change_gbp_per_year": ("New LCWRA claimant's award change (£ a year)", 1.0, "{:+,.0f}"),
    "pip_daily_living_loss_gbp_per_year": ("Average daily living loss (£ a year)", 1.0, "{:+,.0f}"),
}
"""Outcomes of python -m sim.reforms shown in the briefing: column title, divisor, format."""


class Briefing:
    """Collects sections and charts; writes the page, the PDF and the chart files."""

    def __init__(self, chart_dir: Path):
        self.chart_dir = chart_dir
        self.sections: list[page.Section] = []
        self.figures: list[tuple[str, Chart]] = []
        self.written: list[Path] = []

    def section(self, anchor: str, title: str, *paragraphs: str) -> page.Section:
        section = page.Section(anchor, title, list(paragraphs))
        self.sections.append(section)
        return section

    def add_chart(self, section: page.Section, name: str, draw) -> None:
        """Draw one chart into ``section``; a chart the data cannot fill says why instead."""
        try:
            chart = draw()
        except NothingToDraw as reason:
            section.missing(f"{name.replace('_', ' ')}: not drawn, {reason}.")
            return
        png = io.BytesIO()
        chart.savefig(png, format="png", dpi=DPI)
        self.chart_dir.mkdir(parents=True, exist_ok=True)
        self.written.append(results.write_atomic(self.chart_dir / f"{name}.png",
                                                 lambda path, data=png.getvalue(): path.write_bytes(data)))
        self.written.append(results.write_atomic(self.chart_dir / f"{name}.svg",
                                                 lambda path, c=chart: c.savefig(path, format="svg")))
        section.chart(png.getvalue(), alt=chart._suptitle.get_text() if chart._suptitle else name)
        self.figures.append((name, chart))


def _read_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.is_file() and path.stat().st_size > 1 else None


def provenance(sweep_dir: Path, run_names: list[str]) -> tuple[str, str]:
    """(config hash, commits): a hash of every run's config hash, and the commits the runs were made at."""
    hashes, commits = [], set()
    for name in run_names:
        manifest = results.read_manifest(sweep_dir / name) or {}
        hashes.append(str(manifest.get("config_hash", "")))
        commits.add(str(manifest.get("git_commit", "unknown")))
    combined = hashlib.sha256("".join(sorted(hashes)).encode()).hexdigest()[:16]
    return combined, ", ".join(sorted(commits))


def calibration_section(briefing: Briefing) -> None:
    section = briefing.section("calibration", "How well the baseline fits 2019-2024")
    table = _read_csv(CALIBRATION_DIR / "fit_table.csv")
    report = CALIBRATION_DIR / "fit_report.md"
    if table is not None:
        section.paragraphs.append(
            f"Calibration draw 0 against the {len(table)} published targets it was fitted to: "
            f"{int(table['within_one_sd'].sum())} within one stated uncertainty, {int(table['plausible'].sum())} "
            "within three (docs/calibration/fit_report.md has every target, its source and its error).")
    if report.is_file():
        rule = re.search(r"\*\*Acceptance rule\.\*\*(.*)", report.read_text())
        if rule:
            section.paragraphs.append("Acceptance: " + re.sub(r"[*`]", "", rule.group(1)).strip())
    image = CALIBRATION_DIR / "fit_report.png"
    if image.is_file():
        section.chart(image.read_bytes(), alt="Calibration fit: model against published targets",
                      caption="Source: docs/calibration/fit_report.png, written by make calibrate "
                              "(published figures in sim/data/published_figures.csv).")
    else:
        section.missing("No calibration report: run make calibrate.")


def reforms_section(briefing: Briefing, reforms_dir: Path | None) -> None:
    """The benefit-rule packages against pre_2025 (python -m sim.reforms REFORMS_DIR), with
    the published costings beside them."""
    section = briefing.section(
        "reforms", "The 2025 benefit reforms against the pre-2025 rules",
        "Each package is run with the same people as the pre-2025 rules (same seed and calibration draw) and no "
        "employment response, so the difference is what the rules pay. 2028-29, England & Wales, 2024-25 prices; "
        "median (5-95% interval or range) across paired runs. Published costings are scaled to England & Wales by "
        "population and are often for 2029-30.")
    folder = None if reforms_dir is None else Path(reforms_dir) / "reforms"
    table = None if folder is None else _read_csv(folder / "reforms_2028_29.csv")
    if table is None:
        section.missing("No reform sweep: run python -m sim -m policy=pre_2025,uc_act_2025,... seed=0,1,2 and "
                        "python -m sim.reforms on it (make run does both).")
        return
    rows = []
    for package, part in table.groupby("package", sort=False):
        values = part.set_index("outcome")
        row = {"Package": package.removeprefix("baseline+")}
        for outcome, (title, divisor, pattern) in REFORM_COLUMNS.items():
            if outcome not in values.index:
                row[title] = "–"
                continue
            median, low, high = (values.loc[outcome, key] / divisor for key in ("median", "low", "high"))
            row[title] = f"{pattern.format(median)} ({pattern.format(low)} to {pattern.format(high)})"
        rows.append(row)
    section.table(pd.DataFrame(rows))
    published = _read_csv(folder / "published_costings.csv")
    if published is not None:
        section.paragraphs.append(f"The published costings, on England & Wales terms, are below; the reforms report "
                                  f"({folder / 'reforms.md'}) sets each beside the model's figure.")
        section.table(pd.DataFrame({
            "Package": published["package"].str.removeprefix("baseline+"),
            "Published measure": published["measure"].str.replace("_", " "),
            "E&W terms": [f"{value:,.0f}" for value in published["england_and_wales"]],
            "Unit": published["unit"], "Year": published["period"],
            "Source": published["source"]}), published_rows=range(len(published)))
    image = folder / "reforms.png"
    if image.is_file():
        section.chart(image.read_bytes(), alt="What the 2025 benefit reforms change against the pre-2025 rules",
                      caption="Source: sim model output (python -m sim.reforms); rules in configs/policy/ and "
                              "sim/data/benefit_rules.csv; published costings in sim/data/reform_costings.csv.")
        briefing.chart_dir.mkdir(parents=True, exist_ok=True)
        for source in (image, image.with_suffix(".svg")):
            if source.is_file():
                briefing.written.append(results.write_atomic(briefing.chart_dir / source.name,
                                                             lambda path, s=source: path.write_bytes(s.read_bytes())))


def build(sweep_dir: Path, output: Path, reforms_dir: Path | None = None) -> list[Path]:
    """Write the briefing for ``sweep_dir`` to ``output`` (and its PDF and charts), with the
    benefit-rule packages of ``reforms_dir`` if given; returns the paths."""
    sweep_dir = Path(sweep_dir)
    if not (sweep_dir / results.SWEEP).is_file():
        raise ReportError(f"{sweep_dir}: no {results.SWEEP}; run a sweep (make run) first")
    try:
        sweep = pd.read_parquet(sweep_dir / results.SWEEP)
    except Exception as error:
        raise ReportError(f"{sweep_dir / results.SWEEP} cannot be read: {str(error).splitlines()[0]}") from error
    frame = tidy(sweep, str(sweep_dir / results.SWEEP))
    runs = describe_runs(frame, population_sizes(sweep_dir, frame))
    try:
        year = tables.headline_year(frame)
    except ValueError as error:
        raise ReportError(f"{sweep_dir}: {error}") from error
    comparison = _read_csv(sweep_dir / "comparison.csv")
    programme_rows = _read_csv(sweep_dir / "programmes.csv")
    benchmark_rows = _read_csv(sweep_dir / "benchmarks.csv")
    several = len(runs.scenarios) > 1 and "baseline" in runs.scenarios
    differences, programme_months = tables.paired_monthly(sweep) if several else (pd.DataFrame(), pd.DataFrame())
    briefing = Briefing(Path(output).parent / "briefing")
    by_file = {module.FILE.removesuffix(".png"): module for module in CHARTS.values()}

    config_hash, commits = provenance(sweep_dir, sorted(frame["run"].unique()))
    sizes = ", ".join(f"{size:,}" for size in runs.population_sizes) or "unknown"
    meta = [f"Generated {time.strftime('%d %B %Y %H:%M %Z')} from {sweep_dir} by python -m sim.briefing.",
            "Runs: " + ", ".join(f"{name} {count}" for name, count in runs.per_scenario.items())
            + f" (calibration draws × seeds); {sizes} simulated people per run, weighted to England & Wales.",
            f"Config hash {config_hash}; code at commit {commits}."]

    headline = briefing.section(
        "headline", f"Headline figures for {year}",
        f"England & Wales, people aged 16-64, {year} (April to March): median across runs, with the 5-95% interval "
        "from 20 runs or the range below that. Stocks are the mean of the year's months; spending is the year's sum in "
        "2024-25 prices. Programme cost, cost per job-year and net exchequer come from the Green Book appraisal of each "
        "scenario against its paired baseline (to the appraisal horizon, present values at 3.5% a year).")
    headline_rows = tables.headline_table(frame, comparison, year, runs.scenarios)
    headline.table(headline_rows, published_rows=[index for index, name in enumerate(headline_rows["Scenario"])
                                                  if name.startswith("Published")])
    headline.missing(MISSING_EVERYWHERE)
    if not several:
        headline.missing("This sweep has no programme scenario beside the baseline, so there are no programme "
                         "figures: make run sweeps baseline and announced_2025.")
    elif comparison is None:
        headline.missing(f"No appraisal: run python -m sim.compare {sweep_dir} first.")

    paths = briefing.section("paths", "Recipients, long-term sickness and spending, 2019 to 2029",
                             "Fan charts: the line is the median across runs, the darker band the middle half, the "
                             "lighter band 5-95% (or the range with few runs); black markers are published figures "
                             "and projections (GB and UK counts scaled to England & Wales by population share).")
    for name in ("health_benefit_recipients", "inactive_long_term_sick", "health_benefit_spending", "benefit_caseloads"):
        briefing.add_chart(paths, name, lambda m=by_file[name]: m.draw(frame, runs))

    change = briefing.section("differences", "What the programmes change, year by year")
    briefing.add_chart(change, "scenario_differences", lambda: comparison_charts.differences_chart(
        tables.differences_by_year(differences)))
    briefing.add_chart(change, "additional_people_in_work", lambda: comparison_charts.employment_chart(differences))

    cost = briefing.section("cost_per_job", "Cost per job, by programme, beside published evaluations")
    briefing.add_chart(cost, "cost_per_job_by_programme", lambda: comparison_charts.cost_per_job_chart(
        tables.cost_per_job(programme_rows, benchmark_rows)))
    if benchmark_rows is not None and not benchmark_rows.empty:
        shown = benchmark_rows[["programme", "benchmark", "modelled_cost_per_participant_gbp",
                                "published_cost_per_participant_gbp", "modelled_employment_effect_pp",
                                "published_employment_effect_pp", "flag"]].copy()
        shown.columns = ["Programme", "Benchmark", "Cost per participant, model (£)", "Cost per participant, "
                         "published (£)", "Effect, model (pp)", "Effect, published (pp)", "Flag (over 3x away)"]
        for column in shown.columns[2:6]:
            shown[column] = pd.to_numeric(shown[column], errors="coerce").map(
                lambda value: "–" if pd.isna(value) else f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}")
        cost.table(shown.fillna("–"))

    side = briefing.section("gp_and_relapses", "GP time and early returns beside the job gains",
                            "GPs worried that work and health coaching in surgeries would use appointments and push "
                            "people back to work too early; this is the model's account of both.")
    briefing.add_chart(side, "gp_appointments_and_relapses", lambda: comparison_charts.side_effects_chart(
        tables.programme_side_effects(programme_months)))

    areas = briefing.section("areas", "The three trailblazer areas against the rest")
    briefing.add_chart(areas, "trailblazer_areas", lambda: by_file["trailblazer_areas"].draw(frame, runs))
    briefing.add_chart(areas, "inactivity_by_area", lambda: by_file["inactivity_by_area"].draw(frame, runs))

    composition = briefing.section("composition", "Who: age bands and conditions")
    for name in ("health_benefit_recipients_by_age", "health_benefit_recipients_by_condition", "employment_rate"):
        briefing.add_chart(composition, name, lambda m=by_file[name]: m.draw(frame, runs))

    reforms_section(briefing, reforms_dir)
    calibration_section(briefing)
    first_runs = [sweep_dir / frame.loc[frame["scenario"] == name, "run"].iloc[0] for name in runs.scenarios]
    briefing.sections.append(page.assumptions_section(sources.assumptions(first_runs)))
    reproduce = briefing.section("reproduce", "How to reproduce this", "make run (or the commands below) at the commit above.")
    reproduce.table(pd.DataFrame({"Step": ["Runs", "Appraisal", "Briefing", "Query the results store"],
                                  "Command": [f"python -m sim -m scenario={','.join(runs.scenarios)} calibration.draw=... "
                                              f"seed=... hydra.sweep.dir={sweep_dir}",
                                              f"python -m sim.compare {sweep_dir}", f"python -m sim.briefing {sweep_dir}",
                                              f"python -m sim.query {sweep_dir} metric health_benefit_recipients"]}))

    text = page.render(TITLE, meta, briefing.sections)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    written = [results.write_atomic(output, lambda path: path.write_text(text, encoding="utf-8"))]
    written.append(write_pdf(output.with_suffix(".pdf"), headline_rows, year, meta, briefing.figures))
    return written + briefing.written


def write_pdf(path: Path, headline_rows: pd.DataFrame, year: str, meta: list[str],
              figures: list[tuple[str, Chart]]) -> Path:
    """The headline table on a first page, then every chart, one a page (matplotlib's PDF backend)."""
    def draw(staging: Path) -> None:
        with PdfPages(staging) as pdf:
            cover = Chart(figsize=(11.7, 8.3))
            cover.text(0.03, 0.95, TITLE, fontsize=14, fontweight="bold", va="top", wrap=True)
            cover.text(0.03, 0.88, "\n".join(meta), fontsize=8.5, va="top", color="0.25")
            ax = cover.add_axes((0.03, 0.08, 0.94, 0.68))
            ax.axis("off")
            ax.set_title(f"Headline figures, {year}: median (5-95% interval or range)", loc="left", fontsize=11)
            wrapped = headline_rows.copy()
            wrapped.columns = [column.replace(" (", "\n(") for column in wrapped.columns]
            table = ax.table(cellText=wrapped.map(lambda value: str(value).replace(" (", "\n(")).to_numpy(),
                             colLabels=list(wrapped.columns), loc="upper left", cellLoc="left")
            table.auto_set_font_size(False)
            table.set_fontsize(7)
            table.scale(1, 3.2)
            pdf.savefig(cover)
            for _, chart in figures:
                pdf.savefig(chart)

    return results.write_atomic(path, draw)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sim.briefing", description=__doc__.splitlines()[0])
    parser.add_argument("sweep_dir", type=Path)
    parser.add_argument("--output", type=Path, default=Path("outputs/briefing.html"))
    parser.add_argument("--reforms", type=Path, default=None,
                        help="a sweep over policy packages, after python -m sim.reforms on it")
    arguments = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        written = build(arguments.sweep_dir, arguments.output, arguments.reforms)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for path in written[:2]:
        print(path)
    print(f"{len(written) - 2} chart files in {arguments.output.parent / 'briefing'}")
    return 0
