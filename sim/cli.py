"""``python -m sim``: run one scenario and seed (or a sweep with ``-m``) from Hydra configs.

Examples::

    python -m sim                                   # baseline, seed 0, 1:100 population
    python -m sim seed=3 population.size=100000     # any key can be overridden
    python -m sim scenario=baseline hydra.run.dir=outputs/my_run
    python -m sim -m seed=0,1,2                     # parallel sweep (joblib launcher)
    python -m sim -m seed=0,1,2 hydra.sweep.dir=outputs/my_sweep   # rerun to resume

A bad config value stops before any work with one line naming the key, the value and what
is allowed, and exit code 2.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import hydra
import numba
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, ListConfig, OmegaConf
from tqdm import tqdm

from sim import results, store
from sim.hydra_callbacks import SWEEP_JOBS_VARIABLE
from sim.params.compose import CONFIG_DIR, compose, validate
from sim.params.errors import EXIT_BAD_INPUT, ConfigError
from sim.params.schema import RunConfig

log = logging.getLogger("sim")


def fail(message: str) -> None:
    """Print a one-line error about the user's input and exit with code 2."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(EXIT_BAD_INPUT)


def config_groups() -> tuple[str, ...]:
    """The model's Hydra config groups: the folders of configs/ (scenarios/ is the ``scenario``
    group), without configs/hydra/, which holds Hydra's own options (launchers)."""
    return tuple(sorted(path.name for path in CONFIG_DIR.iterdir() if path.is_dir() and path.name != "hydra"))


HYDRA_INFO_FLAGS = ("--help", "-h", "--hydra-help", "--cfg", "-c", "--info", "-i", "--version",
                    "--shell-completion", "-sc")


def _user_overrides(arguments: list[str]) -> list[str]:
    """The key=value overrides of the command line, without Hydra's own flags and keys."""
    overrides = []
    skip_next = False
    for argument in arguments:
        if skip_next:
            skip_next = False
            continue
        if argument in ("--config-name", "-cn", "--config-path", "-cp", "--config-dir", "-cd",
                        "--experimental-rerun"):
            skip_next = True
            continue
        if argument.startswith("-") or "=" not in argument:
            continue
        if argument.lstrip("+~").startswith(("hydra.", "hydra/")):
            continue
        overrides.append(argument)
    return overrides


def _overrides_parser():
    """Hydra's override parser with a config loader, which glob sweeps
    (``sensitivity=glob(*)``) need to list a group's options."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.utils import create_config_search_path
    from hydra.core.override_parser.overrides_parser import OverridesParser

    loader = ConfigLoaderImpl(config_search_path=create_config_search_path(str(CONFIG_DIR)))
    return OverridesParser.create(config_loader=loader)


def check_group_choices(overrides: list[str]) -> None:
    """Catch unknown config-group options (e.g. ``scenario=nope``) with a one-line error."""
    try:
        parsed = _overrides_parser().parse_overrides(overrides)
    except Exception as error:
        fail(f"cannot parse the command-line overrides: {str(error).splitlines()[0]}")
    for override in parsed:
        group = override.key_or_group
        if group not in config_groups() or override.is_delete():
            continue
        options = sorted(path.stem for path in (CONFIG_DIR / group).glob("*.yaml"))
        values = list(override.sweep_string_iterator()) if override.is_sweep_override() else [
            override.get_value_element_as_str()]
        for value in values:
            if value not in options:
                fail(f"{group}: {value!r} is not a known {group}; allowed: {', '.join(options)}")


CLUSTER_LAUNCHERS = ("local", "slurm", "submitit_local", "submitit_slurm")
"""Launchers that need the ``cluster`` extra (hydra-submitit-launcher)."""


def check_launcher(arguments: list[str]) -> None:
    """Catch an unknown ``hydra/launcher=NAME`` with a one-line error naming the options
    (configs/hydra/launcher/ and the installed launcher plugins)."""
    chosen = [argument.split("=", 1)[1] for argument in arguments
              if argument.lstrip("+").startswith("hydra/launcher=")]
    if not chosen:
        return
    options = sorted(set(_overrides_parser().config_loader.get_group_options("hydra/launcher")))
    for name in chosen:
        if name not in options:
            missing = [launcher for launcher in CLUSTER_LAUNCHERS if launcher not in options]
            hint = (f" ({', '.join(missing)} need the cluster extra: pip install -e '.[cluster]')"
                    if name in missing else "")
            fail(f"hydra/launcher: {name!r} is not a known launcher; allowed: {', '.join(options)}{hint}")


def validate_jobs(overrides: list[str]) -> int:
    """Compose and validate every job of the command line (each point of a sweep).

    Runs before Hydra creates any directory, so a bad value anywhere in a sweep stops it
    with one line and exit code 2 and nothing is written. Hydra composes each distinct
    choice of config groups once (about half a second each); the jobs' plain ``key=value``
    overrides are applied to a copy with Hydra's own override rules, so a 1,000-run sweep
    is checked in under a minute. Returns the number of jobs.
    """
    import copy

    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

    parser = _overrides_parser()
    groups = set(config_groups())
    jobs = [job for batch in BasicSweeper.split_arguments(parser.parse_overrides(overrides), None) for job in batch]
    composed: dict[tuple[str, ...], object] = {}
    for job in jobs:
        parsed = parser.parse_overrides(job)
        choices = tuple(override.input_line for override in parsed
                        if override.key_or_group.split("/")[0] in groups or override.package is not None)
        values = [override for override in parsed if override.input_line not in choices]
        try:
            if choices not in composed:
                composed[choices] = compose(list(choices))
            config = composed[choices]
            in_place = all(not (o.is_add() or o.is_force_add() or o.is_delete()) and
                           not isinstance(OmegaConf.select(config, o.key_or_group, default=None), DictConfig | ListConfig)
                           for o in values)
            if in_place:  # leaf values: set, validate, put back (a deep copy costs more than the check)
                previous = [(o.key_or_group, _raw_value(config, o.key_or_group)) for o in values]
            else:
                config = copy.deepcopy(config)
            ConfigLoaderImpl._apply_overrides_to_config(values, config)
        except Exception as error:  # Hydra's composition errors: unknown key, bad type...
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            unknown = re.match(r"Could not override '([^']+)'", first)
            if unknown:
                fail(f"{unknown.group(1)}: unknown key; check its spelling against configs/ "
                     f"(to add a new entry, write +{unknown.group(1)}=...)")
            fail(f"{first} (overrides: {' '.join(job)})")
        try:
            validate(config)
        except ConfigError as error:
            fail(str(error))
        if in_place:
            for key, value in previous:
                if value is not _ABSENT:
                    OmegaConf.update(config, key, value, merge=False)
    return len(jobs)


_ABSENT = object()


def _raw_value(config: DictConfig, key: str) -> object:
    """The value at dotted ``key`` as written (an interpolation stays ``${...}``), or _ABSENT."""
    parent_key, _, leaf = key.rpartition(".")
    parent = OmegaConf.select(config, parent_key, default=None) if parent_key else config
    if not isinstance(parent, DictConfig) or leaf not in parent:
        return _ABSENT
    return parent._get_node(leaf)._value()


def output_directory(arguments: list[str]) -> tuple[str, Path] | None:
    """The directory a command would write (key and path): ``hydra.sweep.dir`` for a sweep
    (``-m``), else ``hydra.run.dir``; None if Hydra cannot tell before running."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from omegaconf import OmegaConf

    key = "hydra.sweep.dir" if ("-m" in arguments or "--multirun" in arguments) else "hydra.run.dir"
    overrides = [argument for argument in arguments if "=" in argument and not argument.startswith("-")]
    first_values = [re.sub(r"^([^=]+)=([^,]*),.*$", r"\1=\2", argument) if "," in argument and "[" not in argument
                    else argument for argument in overrides]
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            config = hydra_compose(config_name="config", overrides=first_values, return_hydra_config=True)
            directory = OmegaConf.select(config, key)
    except Exception:  # the overrides were validated already; leave anything odd to Hydra
        return None
    return (key, Path(str(directory))) if directory else None


def check_writable(key: str, directory: Path) -> None:
    """Stop with one line unless ``directory`` can be created and written; leaves nothing behind."""
    existing = directory
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        fail(f"{key}: {str(directory)!r} cannot be written ({existing} is a file); allowed: a directory "
             "that can be created and written")
    try:
        probe = tempfile.mkdtemp(prefix=".sim-write-check-", dir=existing)
        os.rmdir(probe)
    except OSError as error:
        fail(f"{key}: {str(directory)!r} cannot be written ({error.strerror or error}); allowed: a directory "
             "that can be created and written")


def _threads(run_config: RunConfig) -> int:
    """numba threads for one run: ``run.threads`` if set; in a sweep the CPUs the scheduler
    gave the job (``hydra.launcher.cpus_per_task`` under submitit_slurm), else one, since a
    local launcher runs a job per core; all cores for a single run."""
    if run_config.run.threads:
        return run_config.run.threads
    if not _in_sweep():
        return numba.config.NUMBA_NUM_THREADS
    granted = os.environ.get("SLURM_CPUS_PER_TASK", "") if os.environ.get("SUBMITIT_EXECUTOR") == "slurm" else ""
    return min(int(granted), numba.config.NUMBA_NUM_THREADS) if granted.isdigit() and int(granted) > 0 else 1


def _progress_bar(run_config: RunConfig, months: int) -> tqdm:
    position = 0
    if HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN:
        position = HydraConfig.get().job.num % max(1, os.cpu_count() or 1)
    return tqdm(
        total=months, unit="month", position=position, leave=position == 0,
        desc=f"{run_config.scenario.name} seed={run_config.seed}",
        disable=not (run_config.run.progress and sys.stderr.isatty()) or _in_sweep(),
    )


def run(run_config: RunConfig, config: dict, run_dir: Path, sweep_dir: Path | None = None) -> Path:
    """Run one model and write its run directory, then (in a sweep) its file in the sweep's
    results store; skip either if already complete."""
    if results.is_complete(run_dir, results.config_hash(config)):
        log.log(_run_log_level(), "skipped %s seed=%s: already complete in %s", run_config.scenario.name,
                run_config.seed, run_dir)
    else:
        try:
            _simulate(run_config, config, run_dir)
        except Exception as error:
            run_dir.mkdir(parents=True, exist_ok=True)
            (run_dir / results.FAILED).write_text(json.dumps({"error": f"{type(error).__name__}: {error}"}))
            raise
    if sweep_dir is not None:
        store.add_run(sweep_dir, run_dir)
    return run_dir


def _simulate(run_config: RunConfig, config: dict, run_dir: Path) -> None:
    from sim.model import InactivityModel

    threads = _threads(run_config)
    numba.set_num_threads(threads)
    started = time.time()
    model = InactivityModel(run_config)
    with _progress_bar(run_config, model.months) as bar:
        model.run(progress=lambda month: bar.update(1))
    simulated = time.time() - started
    people = run_config.population.size
    results.write_run(
        run_dir, model.metrics_table(), model.panel_table(), config,
        results.manifest(config, started, model.months, people,
                         agent_months_per_second=round(people * model.months / simulated), threads=threads),
    )
    log.log(_run_log_level(), "finished %s seed=%s: %s months x %s people in %.1f s -> %s",
            run_config.scenario.name, run_config.seed, model.months, f"{people:,}", simulated, run_dir)


def _in_sweep() -> bool:
    return HydraConfig.initialized() and HydraConfig.get().mode == RunMode.MULTIRUN


def _run_log_level() -> int:
    """A sweep's runs report through the one sweep progress display, so their own lines are debug."""
    return logging.DEBUG if _in_sweep() else logging.INFO


@hydra.main(config_path=str(CONFIG_DIR), config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> None:
    try:
        run_config = validate(cfg)
    except ConfigError as error:  # reached only when main() is called without entry()
        fail(str(error))
    config = OmegaConf.to_container(cfg, resolve=True)
    config.pop("hydra", None)
    hydra_config = HydraConfig.get()
    sweep_dir = Path(hydra_config.sweep.dir) if hydra_config.mode == RunMode.MULTIRUN else None
    run(run_config, config, Path(hydra_config.runtime.output_dir), sweep_dir)


def entry() -> None:
    """Console entry point: validate everything first, then hand over to Hydra."""
    arguments = sys.argv[1:]
    if not any(flag in arguments for flag in HYDRA_INFO_FLAGS):
        overrides = _user_overrides(arguments)
        check_launcher(arguments)
        check_group_choices(overrides)
        os.environ[SWEEP_JOBS_VARIABLE] = str(validate_jobs(overrides))
        target = output_directory(arguments)
        if target is not None:
            check_writable(*target)
    main()
