"""``python -m sim.alignment``: solve the `aligned` projection's factors.

The official path (published figures in sim/data/published_figures.csv) is put on the
model's terms by growth from the model's own caseload in March 2024, the last month of the
fitted years (a forecast's jump-off), so the path continues from the stock the fit leaves
and not from a year of unfitted free running (the model's own 2024-25 incapacity
prevalence is above OBR's: docs/calibration/fit_report.md). Growing from the 2023-24 mean
instead (before 8 December 2026) put the path's 2024-25 below the March 2024 stock of a
caseload still rising, and new PIP claims had to stop for a year to meet it. Each March's
caseload on the path is the March 2024 stock times the official growth from 2023-24:

* incapacity benefits: OBR's prevalence path (7.0% of working-age adults in 2024-25 to 7.9%
  in 2028-29, Welfare trends report Oct 2024; the years between linearly interpolated, and
  2023-24 taken one year back at the same pace, 6.775%: assumptions) relative to 2023-24,
  times the model's 16-64 population relative to 2023-24;
* PIP: the constant annual rate that takes IFS's 3.2m GB working-age disability caseload in
  2023-24 to DWP's 4.3m in 2029-30 (Spring Statement 2025 impacts; constant growth between
  them is an assumption).

The unknowns are one multiplier per financial year (2024-25 to 2028-29) on each benefit's
claim hazard (``incapacity_benefit.claim``, ``disability_benefit.claim``), solved year by
year on the caseload at each year's end (common random numbers, one seed), so the annual
means follow the path without a saw-tooth. The factors are written to configs/projection/aligned.yaml with their source.

    python -m sim.alignment                      # draw 0, 50,000 people, seed 0
    python -m sim.alignment population.size=100000
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.aggregate import annual_totals
from sim.calibration.runner import run_totals
from sim.core.calendar import financial_year_label
from sim.params.compose import CONFIG_DIR, NON_MODEL_KEYS, compose
from sim.params.errors import EXIT_BAD_INPUT, ConfigError
from sim.published import load_figures
from sim.results import write_atomic

ALIGNED_CONFIG = CONFIG_DIR / "projection" / "aligned.yaml"
ANCHOR_YEAR = "2023-24"
"""The last year of the fitted caseload targets: the official growth is relative to it."""
JUMP_OFF_MONTH = "2024-03"
"""The last month of that year: the official path grows from the model's caseload here."""
YEARS = tuple(financial_year_label(year) for year in range(2024, 2029))
ALIGNED = {"incapacity_benefit.claim": "incapacity_benefit_recipients",
           "disability_benefit.claim": "disability_benefit_recipients"}
"""Transition whose claim rate is adjusted -> the caseload it aligns."""
DEFAULT_SIZE = 50_000


def official_growth() -> dict[str, dict[str, float]]:
    """Caseload relative to 2023-24 on the official path, by metric and financial year
    (before the population factor for incapacity benefits)."""
    figures = load_figures()
    first = figures["obr_incapacity_prevalence_2024"].value
    last = figures["obr_incapacity_prevalence_2028_29"].value
    pace = (last - first) / (len(YEARS) - 1)
    prevalence = {year: first + pace * (index - 1) for index, year in enumerate((ANCHOR_YEAR, *YEARS))}
    incapacity = {year: prevalence[year] / prevalence[ANCHOR_YEAR] for year in YEARS}
    annual = (figures["dwp_pip_caseload_2029_30"].value / figures["ifs_disability_caseload_2023_24"].value) ** (1 / 6)
    disability = {year: annual ** (index + 1) for index, year in enumerate(YEARS)}
    return {"incapacity_benefit_recipients": incapacity, "disability_benefit_recipients": disability}


def _run(raw: dict, factors: np.ndarray, size: int, seed: int, end: str | None = None) -> pd.DataFrame:
    calibration = raw["calibration"]
    values = calibration["draws"][calibration["draw"]] if calibration.get("draws") else {}
    config = {**raw, "projection": {**raw["projection"], "alignment": _alignment(factors),
                                    "alignment_source": "being solved by python -m sim.alignment"}}
    if end is not None:
        config = {**config, "period": {**config["period"], "end": end}}
    return run_totals(config, values, [seed], size)[[*ALIGNED.values(), "population"]]


def _alignment(factors: np.ndarray) -> dict[str, dict[str, float]]:
    return {transition: {year: float(factors[i, j]) for j, year in enumerate(YEARS)}
            for i, transition in enumerate(ALIGNED)}


def official_path(jump_off: pd.Series, population_ratio: pd.Series,
                  growth: dict[str, dict[str, float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(caseload each March, annual mean caseload) on the official path, by financial year:
    March of each year is the ``jump_off`` caseload (March 2024) times the official growth
    from 2023-24 (times ``population_ratio``, 16-64 population relative to 2023-24, for
    incapacity benefits); a year's mean is the geometric mean of the Marches around it."""
    ends = pd.DataFrame({metric: {year: jump_off[metric] * growth[metric][year]
                                  * (population_ratio[year] if metric == "incapacity_benefit_recipients" else 1.0)
                                  for year in YEARS} for metric in ALIGNED.values()})
    before = ends.shift(1)
    before.iloc[0] = jump_off[list(ALIGNED.values())]
    return ends, np.sqrt(ends * before)


def solve(raw: dict, size: int, seed: int = 0, iterations: int = 4) -> tuple[dict, pd.DataFrame]:
    """Alignment factors, year by year: each year's factor on new claims sets the caseload
    at the year's end (March), matched to the path by the secant method, so no year
    overshoots and the next corrects it. Returns the factors and a table of the official
    path, the free run and the aligned run (annual means)."""
    factors = np.ones((len(ALIGNED), len(YEARS)))
    free_totals = _run(raw, factors, size, seed)
    free = annual_totals(free_totals)
    population_ratio = free["population"] / free.loc[ANCHOR_YEAR, "population"]
    ends, path = official_path(free_totals.loc[f"{JUMP_OFF_MONTH}-01"], population_ratio, official_growth())
    for index, year in enumerate(YEARS):
        march = f"20{year[-2:]}-03"
        target = ends.loc[year].to_numpy()
        elasticity = np.full(len(ALIGNED), 0.2)
        previous: tuple[np.ndarray, np.ndarray] | None = None
        for _ in range(iterations):
            totals = _run(raw, factors, size, seed, end=march)
            level = totals.loc[f"{march}-01", list(ALIGNED.values())].to_numpy(dtype=float)
            gap = np.log(target / level)
            if previous is not None:
                moved = np.log(factors[:, index]) - previous[0]
                responded = np.log(level) - previous[1]
                usable = np.abs(moved) > 1e-3
                elasticity[usable] = np.clip(responded[usable] / moved[usable], 0.05, 1.0)
            print(f"alignment {year}: gap {', '.join(f'{g:+.2%}' for g in gap)}", flush=True)
            if np.max(np.abs(gap)) < 0.002:
                break
            previous = (np.log(factors[:, index]), np.log(level))
            factors[:, index] *= np.exp(np.clip(gap / elasticity, -1.0, 1.0))
    aligned = annual_totals(_run(raw, factors, size, seed))
    rows = [{"metric": metric, "financial_year": year, "official_path": path.loc[year, metric],
             "free": free.loc[year, metric], "aligned": aligned.loc[year, metric], "factor": factors[i, j]}
            for i, metric in enumerate(ALIGNED.values()) for j, year in enumerate(YEARS)]
    return _alignment(factors), pd.DataFrame(rows)


def write(alignment: dict, source: str, path: Path = ALIGNED_CONFIG) -> None:
    """Rewrite the alignment block of configs/projection/aligned.yaml, keeping the rest."""
    text = path.read_text()
    head = text[: text.index("alignment:")]
    body = yaml.safe_dump({"alignment": {t: {y: round(f, 5) for y, f in by.items()} for t, by in alignment.items()},
                           "alignment_source": source}, sort_keys=False, width=100)
    write_atomic(path, lambda staging: staging.write_text(head + body))


def main(arguments: list[str]) -> int:
    started = time.time()
    try:
        config = compose(["projection=aligned", *arguments])
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from omegaconf import OmegaConf

    raw = {key: value for key, value in OmegaConf.to_container(config, resolve=False).items()
           if key not in NON_MODEL_KEYS}
    chosen = any(argument.startswith("population.size=") for argument in arguments)
    size = int(OmegaConf.select(config, "population.size")) if chosen else DEFAULT_SIZE
    raw["projection"] = {**OmegaConf.to_container(config.projection, resolve=True), "alignment": {}}
    alignment, table = solve(raw, size)
    source = (f"python -m sim.alignment on {time.strftime('%Y-%m-%d')}: calibration draw 0, {size:,} people, seed 0; "
              "factors on new claims so each March's caseload follows the official path from the model's "
              "March 2024 caseload, the end of the last fitted year (OBR Welfare trends report Oct 2024 incapacity prevalence 7.0% "
              "in 2024-25 to 7.9% in 2028-29, 6.775% in 2023-24 at the same pace; DWP Spring Statement 2025 "
              "impacts PIP 4.3m in 2029-30 from IFS 3.2m in 2023-24)")
    write(alignment, source)
    out = CONFIG_DIR.parent / "docs" / "calibration" / "alignment.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    table["source"] = "model output: python -m sim.alignment (official path from sim/data/published_figures.csv)"
    write_atomic(out, lambda staging: table.to_csv(staging, index=False))
    print(table.to_string(index=False))
    print(f"wrote {ALIGNED_CONFIG.relative_to(CONFIG_DIR.parent)} and {out.relative_to(CONFIG_DIR.parent)} "
          f"in {(time.time() - started) / 60:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
