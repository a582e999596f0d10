"""``make calibrate``: fit the named drivers to published 2019-2024 figures with Optuna.

    python -m sim.calibration                        # the settings in configs/calibrate.yaml
    python -m sim.calibration calibrate.trials=40    # any setting or model key can be overridden

Steps:

1. **Search.** An Optuna TPE search (seeded sampler) over each driver's effect
   (configs/drivers, ``prior``) and the time-invariant structure parameters (``parameters``
   in configs/calibrate.yaml), minimising the sum of squared standardised errors
   ``z = error / uncertainty`` over the targets (``targets``), each trial averaging several
   model seeds at a scaled-down population. Trials run in ``workers`` processes sharing a
   journal file (``study.journal``), so an interrupted search resumes where it stopped.
   Processes on other machines can add trials to the same study through a shared
   filesystem (``calibrate.role=worker``, sim/calibration/study.py, docs/cluster.md); the
   main process waits until the study has ``trials`` complete trials, then goes on.
2. **Refocusing waves** (sim/calibration/waves.py): ``waves`` rounds of ``wave_points``
   parameter sets drawn around the sets consistent with every target (``|z| <= 3``), each
   point saved as it finishes, so an interrupted wave resumes too.
3. **Posterior.** Every accepted set (search and waves) starts a chain of ``move_steps``
   ABC-MCMC moves (sim/calibration/waves.py says why: in this many dimensions importance
   weights are degenerate); ``draws_kept`` of the chains' end states are kept with equal
   weight, and draw 0 is the kept draw with the lowest loss. If no set is accepted, the
   least implausible are kept and the report says which targets conflict.
4. **Check.** Draw 0 runs at the default population size with ``check_seeds``; its fit table
   and the validation table (published figures not fitted, ``checks``) are the ones
   reported. One spending scale factor (both benefits) aligns 2019-20 spending with IFS;
   2023-24 spending is then a check.
5. **Write.** configs/calibration/default.yaml gets the draws and the scale (every default
   run then uses draw 0; ``calibration.draw=K`` selects another), and ``output_dir`` gets
   the fit table, fit chart, posterior, draws and the Shapley decomposition of the rise.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import sys
import time
import zlib
from pathlib import Path
from typing import Any, Literal

import hydra
import optuna
import pandas as pd
import yaml
from omegaconf import DictConfig, OmegaConf
from pydantic import BaseModel, ConfigDict, Field

from sim.calibration import study as shared_study
from sim.calibration import targets as target_module
from sim.calibration import waves
from sim.calibration.runner import run_totals
from sim.calibration.study import storage
from sim.core.calendar import parse_month
from sim.params.compose import CONFIG_DIR, NON_MODEL_KEYS, validate, validate_section
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
    waves: int = Field(ge=0)
    wave_points: int = Field(ge=2)
    final_wave_points: int | None = Field(default=None, ge=2)
    move_steps: int = Field(default=0, ge=0)
    proposal_inflation: float = Field(gt=0)
    implausibility_cut: float = Field(gt=0)
    draws_kept: int = Field(ge=1)
    check_seeds: list[int] = Field(min_length=1)
    write_config: bool = True
    fitted_config: str | None = None
    decompose: bool = True
    decomposition_population_size: int = Field(ge=1000)
    warm_start: bool = True
    publish_dir: str | None = None
    role: Literal["main", "worker"] = "main"


# -- parameters -----------------------------------------------------------------------
def search_space(raw: dict[str, Any], structure: dict[str, list[float]]) -> dict[str, tuple[float, float]]:
    """Dotted config key -> (low, high): every fitted driver's effect (those with a prior),
    then the structure keys.

    Each key must be read through ``${calibrated:KEY,DEFAULT}`` in the (unresolved) configs,
    or the fitted values would never reach the model.
    """
    space = {f"drivers.{name}.effect": tuple(driver["prior"]) for name, driver in raw["drivers"].items()
             if driver.get("prior") is not None}
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
def evaluate(values: dict[str, float], raw: dict, target_entries: list[dict],
             settings_dict: dict) -> tuple[dict[str, float], float, float]:
    """Standardised errors by target label, loss and implausibility of one parameter set."""
    settings = Settings.model_validate(settings_dict)
    targets = target_module.parse(target_entries)
    totals = run_totals(raw, values, settings.seeds, settings.population_size, settings.fit_end,
                        target_module.snapshots(targets))
    comparisons = target_module.compare(targets, totals)
    return ({c.target.label: c.z for c in comparisons}, target_module.loss(comparisons),
            target_module.implausibility(comparisons))


def _objective_factory(raw, space, target_entries, settings):
    def objective(trial: optuna.Trial) -> float:
        values = {key: trial.suggest_float(key, low, high) for key, (low, high) in space.items()}
        z, loss, implausibility = evaluate(values, raw, target_entries, settings.model_dump())
        trial.set_user_attr("z", z)
        trial.set_user_attr("implausibility", implausibility)
        return loss

    return objective


def _worker(raw, space, target_entries, settings_dict, worker: int, fingerprint: str) -> None:
    """Claim and run trials until the study has its complete trials (sim/calibration/study.py)."""
    import numba

    numba.set_num_threads(1)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    settings = Settings.model_validate(settings_dict)
    output_dir = Path(settings.output_dir)
    # Workers elsewhere get seeds of their own: equal seeds would propose equal parameter sets.
    seed = settings.sampler_seed + (worker if settings.role == "main" else zlib.crc32(shared_study.identity().encode()))
    sampler = optuna.samplers.TPESampler(seed=seed % 2**32, multivariate=True,
                                         n_startup_trials=min(30, settings.trials))
    study = optuna.load_study(study_name=settings.study_name, storage=storage(output_dir), sampler=sampler)
    objective = _objective_factory(raw, space, target_entries, settings)
    report = _progress(settings)

    def waiting(running: int) -> None:
        if worker == 0:
            print(f"  search: the last {running} trials are running in other processes; waiting for them", flush=True)

    checked = fingerprint if settings.role == "worker" else None
    while (trial := shared_study.claim(study, output_dir, settings.trials, checked, waiting)) is not None:
        with shared_study.heartbeat(trial):
            try:
                loss = objective(trial)
            except BaseException:
                shared_study.tell_failed(study, trial)
                raise
        finished = shared_study.tell(study, trial, loss)
        if finished is not None:
            report(study, finished)


def _progress(settings: Settings):
    def report(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
        complete = sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
        if complete % 20 == 0 or complete == settings.trials:
            accepted = sum(t.user_attrs.get("implausibility", float("inf")) <= settings.implausibility_cut
                           for t in study.trials)
            print(f"  trial {complete}/{settings.trials}: best loss {study.best_value:.2f}, "
                  f"{accepted} consistent with every target", flush=True)

    return report


ATTEMPTS = 3
"""Times the search's worker processes are started before a failing one stops the calibration."""


def _complete(study: optuna.Study) -> int:
    return shared_study.complete_trials(study)


def warm_starts(space: dict[str, tuple[float, float]], path: Path) -> list[dict[str, float]]:
    """The draws of an earlier calibration, clipped to the current search space, as first
    trials of a new study (keys new to the space are left for the sampler)."""
    if not path.exists():
        return []
    draws = (yaml.safe_load(path.read_text()) or {}).get("draws") or []
    return [{key: min(max(float(value), space[key][0]), space[key][1])
             for key, value in draw.items() if key in space} for draw in draws]


def search(raw, space, target_entries, settings: Settings) -> optuna.Study:
    """Run, resume or (``role: worker``) join the study until it has as many complete trials
    as the main process's ``trials``, in ``settings.workers`` processes here and any others
    sharing the output directory."""
    output_dir = Path(settings.output_dir)
    fingerprint = shared_study.trial_fingerprint(raw, space, target_entries, settings.seeds,
                                                 settings.population_size, settings.fit_end)
    starts = warm_starts(space, FITTED_CONFIG) if settings.warm_start else []
    study, queued = shared_study.open_study(settings.study_name, output_dir, fingerprint, settings.role,
                                            settings.trials, starts)
    complete, budget = _complete(study), shared_study.trial_budget(study, settings.trials)
    if complete >= budget:
        print(f"search: {complete} trials already complete in {output_dir / shared_study.JOURNAL}")
        return study
    if queued:
        print(f"search: starting from the {queued} draws in {FITTED_CONFIG.relative_to(CONFIG_DIR.parent)}")
    joining = "joining the study in " if settings.role == "worker" else ""
    print(f"search: {joining}{output_dir / shared_study.JOURNAL}: {complete} of {budget} trials done; "
          f"running the rest in {settings.workers} workers here", flush=True)
    arguments = (raw, space, target_entries, settings.model_dump())
    if settings.workers == 1:
        _worker(*arguments, 0, fingerprint)
    else:
        context = multiprocessing.get_context("spawn")
        for attempt in range(1, ATTEMPTS + 1):
            processes = [context.Process(target=_worker, args=(*arguments, worker, fingerprint))
                         for worker in range(settings.workers)]
            for process in processes:
                process.start()
            for process in processes:
                process.join()
            failed = [process.exitcode for process in processes if process.exitcode != 0]
            done = _complete(optuna.load_study(study_name=settings.study_name, storage=storage(output_dir)))
            if not failed or done >= budget:
                break
            # A worker that died (out of memory, killed) leaves its finished trials safe and its
            # running one is failed at the next claim, so starting the workers again resumes.
            print(f"search: a worker stopped (exit code {failed[0]}) with {done} trials done; resuming "
                  f"(attempt {attempt + 1} of {ATTEMPTS})", flush=True)
        else:
            raise RuntimeError(f"calibration workers kept failing; {done} of {budget} trials are done")
    study = optuna.load_study(study_name=settings.study_name, storage=storage(output_dir))
    if settings.role == "worker" and not shared_study.fingerprint_matches(study, fingerprint):
        raise ConfigError(shared_study.mismatch_message(output_dir))
    return study


def search_evaluations(study: optuna.Study) -> list[waves.Evaluation]:
    """The search's complete trials as evaluations (wave 0)."""
    return [waves.Evaluation(values=dict(t.params), z=t.user_attrs["z"], loss=t.value,
                             implausibility=t.user_attrs["implausibility"], wave=0, origin=f"trial {t.number}")
            for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE and "z" in t.user_attrs]


def refocus(raw, space, target_entries, settings: Settings,
            evaluations: list[waves.Evaluation]) -> tuple[list[waves.Evaluation], list[waves.Evaluation]]:
    """Run (or resume) the refocusing waves; return the last wave's evaluations and all."""
    everything = list(evaluations)
    last = everything
    for wave in range(1, settings.waves + 1):
        last = waves.run_wave(wave, everything, space, settings, evaluate,
                              (raw, target_entries, settings.model_dump()))
        accepted = sum(e.accepted(settings.implausibility_cut) for e in last)
        print(f"wave {wave}: {accepted} of {len(last)} points consistent with every target", flush=True)
        everything += last
    return last, everything


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


PUBLISHED_REPORT = ("fit_report.md", "fit_table.csv", "check_table.csv", "posterior.csv", "draws.csv",
                    "fit_report.png", "decomposition.csv", "decomposition.png", "pip_flow_account.csv",
                    "health_held.csv", "no_driver_by_draw.csv", "no_driver_by_draw.png")


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
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # the search prints its own progress
    container = OmegaConf.to_container(cfg, resolve=True)
    unresolved = OmegaConf.to_container(cfg, resolve=False)
    settings = validate_section(Settings, container["calibrate"], "calibrate")
    parse_month(settings.fit_end)
    target_entries = container["targets"]
    check_entries = container.get("checks", [])
    targets = target_module.parse(target_entries)
    checks = target_module.parse(check_entries)
    raw = {key: value for key, value in unresolved.items() if key not in NON_MODEL_KEYS}
    raw["calibration"] = {"draw": 0, "draws": [], "spending_scale": 1.0, "source": "calibration search"}
    # The fit and the decomposition use the model's own dynamics after March 2024: the
    # aligned projection's factors are solved afterwards, from the draws written here.
    raw["projection"] = {**raw["projection"], "name": "free", "mode": "flatten", "alignment": {},
                         "alignment_source": ""}
    validate(raw)
    space = search_space(raw, container.get("parameters", {}))
    output_dir = Path(settings.output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    print(f"calibrating {len(space)} parameters against {len(targets)} targets ({settings.trials} search "
          f"trials, then {waves.describe_waves(settings)}; {len(settings.seeds)} seeds x "
          f"{settings.population_size:,} people each)")

    study = search(raw, space, target_entries, settings)
    if settings.role == "worker":
        print(f"search: the study has {_complete(study)} complete trials; the main process "
              "(calibrate.role=main) runs the waves and writes the report")
        return 0
    last_wave, everything = refocus(raw, space, target_entries, settings, search_evaluations(study))
    arguments = (raw, target_entries, settings.model_dump())
    result = waves.posterior(last_wave, everything, settings.implausibility_cut, settings.draws_kept,
                             settings.sampler_seed,
                             mover=lambda accepted: waves.move(accepted, space, settings, evaluate, arguments))
    draws = [draw.values for draw in result.draws]
    print(f"posterior: {result.rule}")

    from sim.calibration import fit_report
    from sim.published import load_figures

    check_totals = run_totals(raw, draws[0], settings.check_seeds, validate(raw).population.size,
                              snapshots=target_module.snapshots(targets))
    figures = load_figures()
    scale = spending_scale(check_totals, figures["ifs_spending_2019_20"].england_and_wales)
    scaled = check_totals.copy()
    spending_columns = [c for c in scaled.columns if c.endswith("_spending_gbp")]
    scaled[spending_columns] *= scale
    fit = target_module.compare(targets, scaled, figures)
    checked = target_module.compare(checks, scaled, figures)
    fit_table = target_module.table(fit)
    check_table = target_module.table(checked)
    posterior_table = fit_report.posterior_table(
        result.draws, space, before=[e for e in everything if e.accepted(settings.implausibility_cut)] or None)
    _atomic_csv(fit_table, output_dir / "fit_table.csv")
    _atomic_csv(check_table, output_dir / "check_table.csv")
    _atomic_csv(posterior_table, output_dir / "posterior.csv")
    _atomic_csv(fit_report.draws_table(result.draws, space, settings.study_name), output_dir / "draws.csv")
    _atomic_csv(fit_report.evaluations_table(everything), output_dir / "evaluations.csv")
    fit_report.write_fit_chart(scaled, fit, output_dir / "fit_report.png")

    decomposition_table = flow_account = health_held = no_driver_table = None
    if settings.decompose:
        from sim.calibration import decomposition, no_driver

        decomposition_table, flow_account, health_held = decomposition.write(raw, draws[0], scale, settings,
                                                                             output_dir)
        no_driver_table = no_driver.write(raw, draws, settings, output_dir,
                                          start=dict(zip(health_held["stock"], health_held["onset_multiplier"])))
    minutes = (time.time() - started) / 60
    summary = fit_report.summary_markdown(
        fit_table, check_table, posterior_table, result, everything, settings, scale, minutes,
        fit_report.search_minutes(study, Path(settings.output_dir)), decomposition_table, flow_account,
        health_held, no_driver_table)
    write_atomic(output_dir / "fit_report.md", lambda staging: staging.write_text(summary))
    if settings.write_config:
        source = (f"make calibrate on {time.strftime('%Y-%m-%d')}: {len(study.trials)} Optuna trials of study "
                  f"{settings.study_name} and {waves.describe_waves(settings)}, "
                  f"{len(settings.seeds)} seeds x {settings.population_size:,} people; posterior: {result.rule}; "
                  f"draw 0 has {int(fit_table['plausible'].sum())}/{len(fit_table)} targets within "
                  f"{settings.implausibility_cut:g} sd at the default size; see "
                  f"{settings.publish_dir or settings.output_dir}/fit_report.md")
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
