"""``make calibrate``: fit the named drivers to published 2019-2024 figures with Optuna.

    python -m sim.calibration                        # the settings in configs/calibrate.yaml
    python -m sim.calibration calibrate.trials=40    # any setting or model key can be overridden

Steps:

1. **Search.** An Optuna TPE search (seeded sampler) over each driver's effect
   (configs/drivers, ``prior``) and a few time-invariant structure parameters
   (``parameters`` in configs/calibrate.yaml), minimising the sum of squared errors in units
   of tolerance over the targets (``targets``), each trial averaging several model seeds
   at a scaled-down population. Trials run in ``workers`` processes sharing a journal file
   (``study.journal``), so an interrupted calibration resumes where it stopped.
2. **Keep draws.** The trials whose every target is within ``acceptance`` x tolerance (an
   ABC-style acceptance), best first, up to ``draws_kept``; if fewer trials qualify, the best
   trials by loss, and the report says so.
3. **Check.** The best draw runs at the default population size with ``check_seeds``; its
   fit table is the one reported. One spending scale factor (both benefits) aligns 2019-20
   spending with IFS; 2023-24 spending is then a check.
4. **Write.** configs/calibration/default.yaml gets the draws and the scale (every default
   run then uses draw 0; ``calibration.draw=K`` selects another), and ``output_dir`` gets
   the fit table, fit chart, kept draws and the Shapley decomposition of the rise by driver.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import hydra
import optuna
import pandas as pd
import yaml
from omegaconf import DictConfig, OmegaConf
from pydantic import BaseModel, ConfigDict, Field

from sim.calibration import targets as target_module
from sim.calibration.runner import run_totals
from sim.core.calendar import parse_month
from sim.params.compose import CONFIG_DIR, NON_MODEL_KEYS, validate
from sim.params.errors import EXIT_BAD_INPUT, ConfigError
from sim.results import write_atomic

log = logging.getLogger("sim.calibration")
FITTED_CONFIG = CONFIG_DIR / "calibration" / "default.yaml"
FITTED_HEADER = """\
# Fitted values written by `make calibrate` (python -m sim.calibration); do not edit by hand.
# draws[draw] maps config keys to fitted values and is applied whenever a config is loaded;
# draw 0 is the best fit, the others carry parameter uncertainty (calibration.draw=K).
# spending_scale aligns 2019-20 spending with IFS (one factor for both benefits).
"""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trials: int = Field(ge=1)
    workers: int = Field(ge=1)
    seeds: list[int] = Field(min_length=1)
    population_size: int = Field(ge=1000)
    fit_end: str
    sampler_seed: int
    study_name: str
    output_dir: str
    draws_kept: int = Field(ge=1)
    acceptance: float = Field(gt=0)
    check_seeds: list[int] = Field(min_length=1)
    write_config: bool = True
    fitted_config: str | None = None
    decompose: bool = True
    decomposition_population_size: int = Field(ge=1000)
    warm_start: bool = True
    publish_dir: str | None = None


# -- parameters -----------------------------------------------------------------------
def search_space(raw: dict[str, Any], structure: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
    """Dotted config key -> (low, high): every driver's effect, then the structure keys.

    Each key must be read through ``${calibrated:KEY,DEFAULT}`` in the (unresolved) configs,
    or the fitted values would never reach the model.
    """
    space = {f"drivers.{name}.effect": tuple(driver["prior"]) for name, driver in raw["drivers"].items()}
    for key, (low, high) in structure.items():
        space[key] = (float(low), float(high))
    for key in space:
        node: Any = raw
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not (isinstance(node, str) and f"calibrated:{key}," in node):
            raise ConfigError(f"calibrate.parameters: {key!r} is not read through ${{calibrated:{key},...}} in configs/")
    return space


# -- the search ---------------------------------------------------------------------------
def storage(output_dir: Path) -> optuna.storages.JournalStorage:
    from optuna.storages.journal import JournalFileBackend

    output_dir.mkdir(parents=True, exist_ok=True)
    return optuna.storages.JournalStorage(JournalFileBackend(str(output_dir / "study.journal")))


def _objective_factory(raw, space, targets, settings):
    def objective(trial: optuna.Trial) -> float:
        values = {key: trial.suggest_float(key, low, high) for key, (low, high) in space.items()}
        totals = run_totals(raw, values, settings.seeds, settings.population_size, settings.fit_end)
        comparisons = target_module.compare(targets, totals)
        trial.set_user_attr("errors", {c.target.figure: c.error for c in comparisons})
        trial.set_user_attr("worst", target_module.worst(comparisons))
        return target_module.loss(comparisons)

    return objective


def _worker(raw, space, target_entries, settings_dict, worker: int) -> None:
    import numba

    numba.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    settings = Settings.model_validate(settings_dict)
    targets = target_module.parse(target_entries)
    sampler = optuna.samplers.TPESampler(seed=settings.sampler_seed + worker, multivariate=True,
                                         n_startup_trials=min(30, settings.trials))
    study = optuna.load_study(study_name=settings.study_name, storage=storage(Path(settings.output_dir)),
                              sampler=sampler)
    done = optuna.study.MaxTrialsCallback(settings.trials, states=(optuna.trial.TrialState.COMPLETE,))
    study.optimize(_objective_factory(raw, space, targets, settings), callbacks=[done, _progress(settings)])


def _progress(settings: Settings):
    def report(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        complete = sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
        if complete % 20 == 0 or complete == settings.trials:
            print(f"  trial {complete}/{settings.trials}: best loss {study.best_value:.2f}", flush=True)

    return report


def warm_starts(space: dict[str, tuple[float, float]], path: Path) -> list[dict[str, float]]:
    """The draws of an earlier calibration, clipped to the current search space, as first
    trials of a new study (keys new to the space are left for the sampler)."""
    if not path.exists():
        return []
    draws = (yaml.safe_load(path.read_text()) or {}).get("draws") or []
    return [{key: min(max(float(value), space[key][0]), space[key][1])
             for key, value in draw.items() if key in space} for draw in draws]


def search(raw, space, target_entries, settings: Settings) -> optuna.Study:
    """Run (or resume) the study until it has ``settings.trials`` complete trials."""
    study = optuna.create_study(study_name=settings.study_name, storage=storage(Path(settings.output_dir)),
                                direction="minimize", load_if_exists=True)
    complete = sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    if complete >= settings.trials:
        print(f"search: {complete} trials already complete in {settings.output_dir}/study.journal")
        return study
    if not study.trials and settings.warm_start:
        starts = warm_starts(space, FITTED_CONFIG)
        for values in starts:
            study.enqueue_trial(values, skip_if_exists=True)
        print(f"search: starting from the {len(starts)} draws in {FITTED_CONFIG.relative_to(CONFIG_DIR.parent)}")
    print(f"search: {complete} of {settings.trials} trials done; running the rest in {settings.workers} workers",
          flush=True)
    arguments = (raw, space, target_entries, settings.model_dump())
    if settings.workers == 1:
        _worker(*arguments, 0)
    else:
        context = multiprocessing.get_context("spawn")
        processes = [context.Process(target=_worker, args=(*arguments, worker)) for worker in range(settings.workers)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
            if process.exitcode != 0:
                raise RuntimeError(f"a calibration worker failed with exit code {process.exitcode}")
    return optuna.load_study(study_name=settings.study_name, storage=storage(Path(settings.output_dir)))


def kept_draws(study: optuna.Study, space: dict, settings: Settings) -> tuple[list[optuna.trial.FrozenTrial], bool]:
    """Trials kept as parameter draws (best first) and whether they all met the acceptance."""
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE and "worst" in t.user_attrs]
    complete.sort(key=lambda t: t.value)
    accepted = [t for t in complete if t.user_attrs["worst"] <= settings.acceptance]
    pool, all_accepted = (accepted, True) if accepted else (complete, False)
    kept, seen = [], set()
    for trial in pool:
        signature = tuple(round(trial.params[key], 6) for key in space)
        if signature not in seen:
            seen.add(signature)
            kept.append(trial)
        if len(kept) == settings.draws_kept:
            break
    return kept, all_accepted


# -- outputs ------------------------------------------------------------------------------
def spending_scale(totals: pd.DataFrame, published_ew: float) -> float:
    """IFS 2019-20 spending / the model's 2019-20 spending (April to March sum)."""
    year = totals.loc["2019-04-01":"2020-03-01", "health_benefit_spending_gbp"].sum()
    return float(published_ew / year)


def write_fitted_config(draws: list[dict[str, float]], scale: float, source: str, path: Path) -> None:
    body = {"draw": 0, "draws": [{k: float(v) for k, v in d.items()} for d in draws],
            "spending_scale": float(scale), "source": source}
    text = FITTED_HEADER + yaml.safe_dump(body, sort_keys=False, width=100)
    write_atomic(path, lambda staging: staging.write_text(text))


PUBLISHED_REPORT = ("fit_report.md", "fit_table.csv", "check_table.csv", "draws.csv", "fit_report.png",
                    "decomposition.csv", "decomposition.png")


def publish(output_dir: Path, publish_dir: Path) -> None:
    """Copy the report next to the committed fitted config, so a reader of a fresh clone sees
    the fit behind the defaults without rerunning the calibration."""
    publish_dir.mkdir(parents=True, exist_ok=True)
    for name in PUBLISHED_REPORT:
        source = output_dir / name
        if source.exists():
            write_atomic(publish_dir / name, lambda staging, source=source: shutil.copyfile(source, staging))


def _atomic_csv(frame: pd.DataFrame, path: Path) -> None:
    write_atomic(path, lambda staging: frame.to_csv(staging, index=False))


def run(cfg: DictConfig) -> int:
    started = time.time()
    container = OmegaConf.to_container(cfg, resolve=True)
    unresolved = OmegaConf.to_container(cfg, resolve=False)
    settings = Settings.model_validate(container["calibrate"])
    parse_month(settings.fit_end)
    target_entries = container["targets"]
    check_entries = container.get("checks", [])
    targets = target_module.parse(target_entries)
    checks = target_module.parse(check_entries)
    raw = {key: value for key, value in unresolved.items() if key not in NON_MODEL_KEYS}
    raw["calibration"] = {"draw": 0, "draws": [], "spending_scale": 1.0, "source": "calibration search"}
    validate(raw)
    space = search_space(raw, container.get("parameters", {}))
    output_dir = Path(settings.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    print(f"calibrating {len(space)} parameters against {len(targets)} targets "
          f"({settings.trials} trials, {len(settings.seeds)} seeds x {settings.population_size:,} people)")

    study = search(raw, space, target_entries, settings)
    kept, all_accepted = kept_draws(study, space, settings)
    draws = [dict(trial.params) for trial in kept]
    print(f"kept {len(draws)} draws ({'all within tolerance' if all_accepted else 'NO trial met every tolerance: best by loss'})")

    from sim.calibration import fit_report
    from sim.published import load_figures

    check_totals = run_totals(raw, draws[0], settings.check_seeds, validate(raw).population.size)
    figures = load_figures()
    scale = spending_scale(check_totals, figures["ifs_spending_2019_20"].england_and_wales)
    scaled = check_totals.copy()
    spending_columns = [c for c in scaled.columns if c.endswith("_spending_gbp")]
    scaled[spending_columns] *= scale
    fit = target_module.compare(targets, scaled, figures)
    checked = target_module.compare(checks, scaled, figures)
    fit_table = target_module.table(fit)
    check_table = target_module.table(checked)
    _atomic_csv(fit_table, output_dir / "fit_table.csv")
    _atomic_csv(check_table, output_dir / "check_table.csv")
    _atomic_csv(fit_report.draws_table(kept, space, settings.study_name), output_dir / "draws.csv")
    fit_report.write_fit_chart(scaled, fit, output_dir / "fit_report.png")

    if settings.decompose:
        from sim.calibration import decomposition

        decomposition.write(raw, draws[0], scale, settings, output_dir)
    minutes = (time.time() - started) / 60
    summary = fit_report.summary_markdown(fit_table, check_table, kept, all_accepted, settings, scale, minutes,
                                          fit_report.search_minutes(study))
    write_atomic(output_dir / "fit_report.md", lambda staging: staging.write_text(summary))
    if settings.write_config:
        source = (f"make calibrate on {time.strftime('%Y-%m-%d')}: {len(study.trials)} Optuna trials of study "
                  f"{settings.study_name}, {len(settings.seeds)} seeds x {settings.population_size:,} people; "
                  f"{len(draws)} draws kept ({'every target within tolerance' if all_accepted else 'best by loss'}); "
                  f"{int(fit_table['within_tolerance'].sum())}/{len(fit_table)} targets within tolerance at the "
                  f"default size; see {settings.publish_dir or settings.output_dir}/fit_report.md")
        path = Path(settings.fitted_config) if settings.fitted_config else FITTED_CONFIG
        write_fitted_config(draws, scale, source, path)
        print(f"wrote {path}")
        if settings.publish_dir:
            publish(output_dir, CONFIG_DIR.parent / settings.publish_dir)
            print(f"copied the report to {settings.publish_dir}")
    print(summary)
    print(f"calibration finished in {(time.time() - started) / 60:.1f} minutes; outputs in {output_dir}")
    return 0


@hydra.main(config_path=str(CONFIG_DIR), config_name="calibrate", version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        run(cfg)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)


if __name__ == "__main__":
    main()
