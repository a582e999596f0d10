"""The calibration's report: kept draws, the fit chart and a readable summary."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from sim import spec  # noqa: E402
from sim.published import load_figures  # noqa: E402
from sim.results import save_figure  # noqa: E402
from sim.calibration.no_driver import report_lines as no_driver_lines  # noqa: E402
from sim.calibration.targets import Comparison  # noqa: E402
from sim.calibration.waves import describe_waves  # noqa: E402

SERIES = (
    ("health_benefit_recipients", "On a health-related benefit"),
    ("incapacity_benefit_recipients", "Incapacity benefit caseload"),
    ("disability_benefit_recipients", "Disability benefit caseload"),
    ("inactive_long_term_sick", "Inactive through long-term sickness"),
)


def draws_table(draws, space: dict, study_name: str) -> pd.DataFrame:
    """The kept posterior draws (draw 0: lowest loss): fitted values, not published figures."""
    rows = []
    for index, draw in enumerate(draws):
        rows.append({"draw": index, "origin": draw.origin, "loss": draw.loss,
                     "largest_abs_z": draw.implausibility, **{key: draw.values[key] for key in space},
                     "source": f"model output: {draw.origin} of make calibrate (study {study_name}), "
                               "accepted against the targets in configs/calibrate.yaml"})
    return pd.DataFrame(rows)


NEAR_BOUND = 0.02
"""A parameter is flagged when its posterior median lies within this share of its range of a bound."""


POSTERIOR_SOURCE = ("model output: posterior draws of make calibrate (docs/calibration/draws.csv); prior ranges from "
                    "configs/calibrate.yaml and configs/drivers")


def posterior_table(draws, space: dict, before=None) -> pd.DataFrame:
    """Each parameter's prior range beside its posterior (5%, median, 95% over the draws) and,
    given ``before`` (the accepted sets the chains start from), their 5-95% range before the moves."""
    rows = []
    for key, (low, high) in space.items():
        values = np.array([draw.values[key] for draw in draws])
        start = np.array([point.values[key] for point in before or draws])
        median = float(np.median(values))
        position = (median - low) / (high - low) if high > low else 0.5
        rows.append({"parameter": key, "prior_low": low, "prior_high": high,
                     "posterior_p05": float(np.quantile(values, 0.05)), "posterior_median": median,
                     "posterior_p95": float(np.quantile(values, 0.95)), "draw_0": draws[0].values[key],
                     "posterior_width_share_of_prior": float((np.quantile(values, 0.95) - np.quantile(values, 0.05))
                                                             / (high - low)) if high > low else 0.0,
                     "before_moves_p05": float(np.quantile(start, 0.05)),
                     "before_moves_p95": float(np.quantile(start, 0.95)),
                     "near_bound": "low" if position < NEAR_BOUND else ("high" if position > 1 - NEAR_BOUND else ""),
                     "source": POSTERIOR_SOURCE})
    return pd.DataFrame(rows)


def evaluations_table(evaluations) -> pd.DataFrame:
    """Every evaluated parameter set's standardised errors, for diagnosing conflicts."""
    return pd.DataFrame([{"origin": e.origin, "wave": e.wave, "loss": e.loss, "largest_abs_z": e.implausibility,
                          **{f"z:{label}": z for label, z in e.z.items()}, **e.values} for e in evaluations])


STRAINED = 2.0
"""|z| beyond which a target counts as strained in the accepted draws."""


def conflicts(evaluations, cut: float, best: int = 50, pool_name: str = "least implausible sets") -> list[str]:
    """Why no set is accepted (or, with the kept draws as the pool, where they are strained):
    among the least implausible sets, how often each target is beyond the cut, and which
    pairs of targets pull against each other (their z correlate negatively where both are
    large)."""
    pool = sorted(evaluations, key=lambda e: e.implausibility)[:best]
    if not pool:
        return []
    labels = list(pool[0].z)
    z = np.array([[e.z[label] for label in labels] for e in pool])
    lines = [f"Among the {len(pool)} {pool_name}, targets beyond |z| = {cut:g}:", ""]
    share = (np.abs(z) > cut).mean(axis=0)
    for index in np.argsort(-share):
        if share[index] > 0:
            lines.append(f"- {labels[index]}: in {share[index]:.0%} of them (median z {np.median(z[:, index]):+.1f})")
    correlation = np.corrcoef(z, rowvar=False) if len(pool) > 2 else np.zeros((len(labels), len(labels)))
    pairs = []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            if share[i] > 0 or share[j] > 0:
                pairs.append((correlation[i, j], labels[i], labels[j]))
    pairs = [p for p in sorted(pairs) if np.isfinite(p[0]) and p[0] < -0.5][:6]
    if pairs:
        lines += ["", "Pairs that trade off (moving one towards its figure moves the other away):", ""]
        lines += [f"- {a} against {b} (correlation of z {r:+.2f})" for r, a, b in pairs]
    return lines


def write_fit_chart(totals: pd.DataFrame, comparisons: list[Comparison], path: Path) -> None:
    """Four stock series against their targets (with tolerance bars), and every target's
    error in units of its tolerance."""
    sns.set_theme(style="whitegrid", context="talk", font_scale=0.7)
    figure = plt.figure(figsize=(14, 14), dpi=130)
    grid = figure.add_gridspec(3, 2, height_ratios=[1, 1, 2.2])
    by_metric: dict[str, list[Comparison]] = {}
    for comparison in comparisons:
        by_metric.setdefault(comparison.target.metric, []).append(comparison)
    for index, (metric, title) in enumerate(SERIES):
        axis = figure.add_subplot(grid[index // 2, index % 2])
        axis.plot(totals.index, totals[metric] / 1e6, color="#1f77b4", label="model (best draw, seed mean)")
        for comparison in (c for c in by_metric.get(metric, []) if c.target.kind == "level"):
            start, end = (pd.Timestamp(f"{m}-01") for m in comparison.target.window)
            middle = start + (end - start) / 2
            tolerance = comparison.published * comparison.target.uncertainty / 1e6
            colour = "#2ca02c" if comparison.within else "#d62728"
            axis.errorbar([middle], [comparison.published / 1e6], yerr=[[tolerance], [tolerance]], fmt="o",
                          color=colour, capsize=5, label="published target (E&W) +/- 1 sd")
        axis.set_title(title)
        axis.set_ylabel("people (millions)")
        axis.set_ylim(bottom=0)
        handles, labels = axis.get_legend_handles_labels()
        unique = dict(zip(labels, handles))
        axis.legend(unique.values(), unique.keys(), fontsize=8, loc="lower right")
    axis = figure.add_subplot(grid[2, :])
    names = [c.target.label for c in comparisons]
    errors = np.clip(np.array([c.z for c in comparisons]), -8, 8)
    colours = ["#2ca02c" if c.within else ("#ff7f0e" if c.plausible() else "#d62728") for c in comparisons]
    axis.barh(names, errors, color=colours)
    axis.axvspan(-1, 1, color="#2ca02c", alpha=0.12, label="within 1 sd")
    axis.axvspan(-3, 3, color="#ff7f0e", alpha=0.06, label="within 3 sd (accepted)")
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_xlabel("standardised error z = model error / the target's uncertainty (clipped at +/-8)")
    axis.invert_yaxis()
    axis.tick_params(axis="y", labelsize=8)
    axis.legend(loc="lower right", fontsize=8)
    figure.suptitle("Calibration fit, 2019-2024: model (best draw) against published figures, England & Wales",
                    fontsize=14, fontweight="bold")
    figure.text(0.01, 0.005, "Published figures scaled to E&W where GB or UK (sim/data/geography_scaling.csv); "
                "sources in fit_table.csv. Model: default population size, mean of the check seeds.",
                fontsize=8)
    figure.tight_layout(rect=(0, 0.02, 1, 0.97))
    save_figure(figure, path)


def _format_value(value: float, unit: str) -> str:
    if unit == "share points":
        return f"{value:.1%}"
    if unit == "people a year":
        return f"{value / 1e3:+,.0f}k a year"
    return f"£{value / 1e9:.1f}bn" if value > 1e9 else f"{value / 1e6:.3f}m"


def _format_error(error: float, unit: str) -> str:
    if unit == "relative":
        return f"{error:+.1%}"
    return f"{error / 1e3:+,.0f}k" if unit == "people a year" else f"{error * 100:+.2f} pts"


def _markdown_table(table: pd.DataFrame) -> list[str]:
    lines = ["| target | ages | window | published (E&W) | model | error | z |", "|---|---|---|---:|---:|---:|---:|"]
    for row in table.itertuples(index=False):
        published = ("at most " if row.bound == "upper" else "") + _format_value(row.published_ew, row.error_unit)
        flag = "" if row.within_one_sd else (" (beyond 1 sd)" if row.plausible else " **(beyond 3 sd)**")
        lines.append(f"| {row.figure} | {row.age_bands} | {row.window} | {published} | "
                     f"{_format_value(row.model, row.error_unit)} | {_format_error(row.error, row.error_unit)} | "
                     f"{row.z:+.1f}{flag} |")
    return lines


def search_minutes(study, output_dir: Path | None = None) -> float | None:
    """Minutes from the first trial's start to the last trial's or wave point's end."""
    timed = [t for t in study.trials if t.datetime_start is not None and t.datetime_complete is not None]
    if not timed:
        return None
    start = min(t.datetime_start for t in timed).timestamp()
    end = max(t.datetime_complete for t in timed).timestamp()
    if output_dir is not None:
        for path in (output_dir / "waves").glob("wave_*/point_*.json"):
            end = max(end, path.stat().st_mtime)
    return (end - start) / 60


def _posterior_lines(posterior: pd.DataFrame) -> list[str]:
    lines = ["| parameter | prior | posterior 5% | median | 95% | draw 0 | chains' starts (accepted sets), 5-95% | "
             "near a bound |", "|---|---|---:|---:|---:|---:|---:|---|"]
    for row in posterior.itertuples(index=False):
        lines.append(f"| {row.parameter} | {row.prior_low:.4g} to {row.prior_high:.4g} | {row.posterior_p05:.4g} | "
                     f"{row.posterior_median:.4g} | {row.posterior_p95:.4g} | {row.draw_0:.4g} | "
                     f"{row.before_moves_p05:.4g} to {row.before_moves_p95:.4g} | {row.near_bound or ''} |")
    return lines


def _decomposition_lines(table: pd.DataFrame | None) -> list[str]:
    if table is None:
        return []
    part = table[(table["period"] == "2019-20 to 2023-24")]
    lines = ["## What drove the 2019-20 to 2023-24 rise (Shapley decomposition, draw 0)", "",
             "| measure | component | change | share of total |", "|---|---|---:|---:|"]
    for measure, rows in part.groupby("measure", sort=False):
        total = rows.loc[rows["driver"] == "total (all drivers)", "change"].item()
        for row in rows.itertuples(index=False):
            if row.driver == "total (all drivers)":
                continue
            unit = 1e9 if measure.endswith("_gbp") else 1e3
            suffix = "bn" if unit == 1e9 else "k"
            share = f"{row.change / total:+.0%}" if total else ""
            lines.append(f"| {measure} | {row.driver} | {row.change / unit:+,.1f}{suffix} | {share} |")
    return [*lines, "", "With every driver off the model keeps the hazards of April 2019, and its change splits "
            "exactly into: population growth (the 16-64 population's growth at the first year's rate per head), "
            "age mix (its shift between the four broad age bands at each band's first-year rate), health "
            "drifting at April 2019 hazards (below) and, for each benefit, the rest of its own change with health "
            "held level: its April 2019 flows carried on (with ageing within a band); "
            "recipients of either benefit are those on incapacity benefits plus those on PIP less those on both, "
            "so a fall in joint receipt at April 2019 flows is a part of its own. "
            "A driver's row is its Shapley value over the 2^n runs with each subset of drivers on (the "
            "decomposition's population size, one seed), scaled to add up to the change the drivers make in runs "
            "at the calibration's population size and seeds; the total and the no-driver parts come from those "
            "runs, so one small run's sampling noise does not sit in the no-driver part.", ""]


def _health_held_lines(health_held: pd.DataFrame | None) -> list[str]:
    """How the no-driver run's health was held level, for the health-drift row."""
    if health_held is None:
        return []
    lines = ["The row 'health drifting at April 2019 hazards' (2019-20 to 2023-24 only) is the no-driver change "
             "less that of the same run with health held level: each condition's April 2019 onset rate scaled so "
             "that, with every driver off, its share of 16-64s at 2019-20's age mix is the same in 2023-24 as in "
             "2019-20 (sim/calibration/steady_health.py; the configured onsets were set for the default recovery "
             "rates, and the fit moves two of them). Each benefit's own row is then read from the held run. The "
             "2023-24 to 2028-29 rows are not split this way.", "",
             "| health stock | onset multiplier | age-standardised share change left, 2019-20 to 2023-24 (points) |",
             "|---|---:|---:|"]
    lines += [f"| {row.stock} | {row.onset_multiplier:.3f} | {row.remaining_share_change_pts:+.3f} |"
              for row in health_held.itertuples(index=False)]
    return [*lines, ""]


def _flow_account_lines(account: pd.DataFrame | None) -> list[str]:
    """The PIP flow account beside the published flows it can be read against."""
    if account is None:
        return []
    figures = load_figures()
    wide = account.pivot_table(index=["flow", "metric"], columns=["year", "run"], values="people_a_year",
                               sort=False).reset_index()
    published = {
        "disability_benefit_starts": (f"OBR onflows {figures['obr_pip_onflows_2018_19'].england_and_wales / 1e3:,.0f}k "
                                      f"(2018-19), {figures['obr_pip_onflows_2022_23'].england_and_wales / 1e3:,.0f}k "
                                      "(2022-23)"),
        "disability_benefit_entrants_at_16": (
            f"DWP initial awards {figures['dwp_rising_16s_awards_2019_20'].england_and_wales / 1e3:,.1f}k (2019-20), "
            f"{figures['dwp_rising_16s_awards_2022_23'].england_and_wales / 1e3:,.1f}k (2022-23): the rising_16s "
            "driver's path"),
    }
    ends = figures["ifs_pip_ends_2023"].england_and_wales * 12 / 1e3
    columns = [column for column in wide.columns if isinstance(column, tuple) and column[1]]
    header = " | ".join(f"{year} {run}" for year, run in columns)
    lines = ["## The PIP flow account (draw 0, people a year, working-age E&W)", "",
             "Flows into (+) and out of (-) the working-age PIP caseload, in the decomposition's runs with every "
             "driver off (the April 2019 flows carried on) and with every driver on.", "",
             f"| flow | {header} | published |", "|---|" + "---:|" * len(columns) + "---|"]
    for _, row in wide.iterrows():
        values = " | ".join(f"{row[column] / 1e3:+,.0f}k" for column in columns)
        lines.append(f"| {row[('flow', '')]} | {values} | {published.get(row[('metric', '')], '')} |")
    by_metric = wide.set_index(("metric", ""))
    model_ends = -sum(by_metric.loc[metric, ("2022-23", "fitted")]
                      for metric in spec.DERIVED["disability_benefit_ends"]) / 1e3
    return [*lines, "", f"Awards ending (reviews ending the award, other ends and deaths) come to {model_ends:,.0f}k "
            f"a year in 2022-23 with every driver on, against IFS's 'around 10,000' a month ({ends:,.0f}k a year, Feb-Apr "
            "2023, a target above). Where the model's ends fall short of IFS's, the PIP row of the "
            "decomposition overstates the caseload's own growth.", ""]


def _weighting_sentence(result) -> str:
    importance = (f"The last wave's importance weights (prior / proposal density) have an effective sample size of "
                  f"{result.effective_sample_size:.1f}")
    if result.moves is not None and result.moves.steps:
        return (f"{importance} of {result.accepted}: too few to weight by, so the draws come from the ABC-MCMC "
                "chains instead, which need no weights (sim/calibration/waves.py).")
    return f"{importance}."


def _note_lines(table: pd.DataFrame) -> list[str]:
    notes = [f"- **{row.figure}**: {row.note}" for row in table.itertuples(index=False)
             if isinstance(row.note, str) and row.note]
    return [*notes, ""] if notes else []


def summary_markdown(fit_table: pd.DataFrame, check_table: pd.DataFrame, posterior: pd.DataFrame, result,
                     evaluations, settings, scale: float, minutes: float, search_minutes: float | None = None,
                     decomposition: pd.DataFrame | None = None, flow_account: pd.DataFrame | None = None,
                     health_held: pd.DataFrame | None = None, no_driver: pd.DataFrame | None = None) -> str:
    figures = load_figures()
    plausible = int(fit_table["plausible"].sum())
    near = posterior[posterior["near_bound"] != ""]
    lines = ["# Calibration report", "",
             f"Search: {settings.trials} Optuna TPE trials, then {describe_waves(settings)} "
             f"({len(settings.seeds)} seeds x {settings.population_size:,} people "
             f"each evaluation; {len(evaluations)} evaluations in all).", "",
             f"**Acceptance rule.** {result.rule}. " + _weighting_sentence(result) + " Draw 0 (the kept draw with "
             "the lowest loss) is what a default run "
             f"uses; `calibration.draw=K` selects another.", "",
             "## Fit of draw 0 at the default population size", "",
             f"Mean of seeds {settings.check_seeds}. z is the error in units of the target's stated uncertainty "
             f"(configs/calibrate.yaml); {int(fit_table['within_one_sd'].sum())} of {len(fit_table)} targets within "
             f"1 sd, {plausible} within {settings.implausibility_cut:g} sd.", "",
             *_markdown_table(fit_table), ""]
    if result.accepted == 0:
        lines += ["## Targets that conflict", "", *conflicts(evaluations, settings.implausibility_cut), ""]
    else:
        lines += ["## Where the accepted draws are strained", "",
                  f"Targets that the kept draws meet only beyond {STRAINED:g} standard deviations in some draws, "
                  "and pairs whose errors move against each other across the draws: where published figures pull "
                  "the model in opposite directions.", "",
                  *conflicts(result.draws, STRAINED, best=len(result.draws), pool_name="kept draws"), ""]
    lines += ["## Posterior beside prior", "",
              f"{len(result.draws)} draws. A parameter is flagged when its posterior median is within "
              f"{NEAR_BOUND:.0%} of its range of a bound.", "", *_posterior_lines(posterior), "",
              f"Parameters near a bound: {', '.join(near['parameter']) if len(near) else 'none'}.", "",
              "## Validation: published figures not fitted", "",
              "These figures were not used in the fit; they show where the model generalises and where it does not.",
              "", *_markdown_table(check_table), "", *_note_lines(check_table),
              *_decomposition_lines(decomposition), *_health_held_lines(health_held), *no_driver_lines(no_driver),
              *_flow_account_lines(flow_account),
              f"Spending scale factor (both benefits): {scale:.3f}, aligning 2019-20 with IFS "
              f"£{figures['ifs_spending_2019_20'].value / 1e9:.0f}bn GB "
              f"(£{figures['ifs_spending_2019_20'].england_and_wales / 1e9:.1f}bn E&W).", "",
              *([f"Search wall time (first trial start to last wave point, all invocations): "
                 f"{search_minutes:.1f} minutes on {settings.workers} workers."] if search_minutes is not None else []),
              f"Wall time of this invocation (search and waves if not already complete, check, decomposition, "
              f"report): {minutes:.1f} minutes.", ""]
    return "\n".join(lines)
