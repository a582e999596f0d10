"""Refocusing waves after the search: an accepted posterior, not the best trials by loss.

Approximate Bayesian computation with the history-matching cut as its kernel:

* the **acceptance rule**: a parameter set is accepted when every target's standardised
  error is within the cut, ``|z| <= 3`` (sim/calibration/targets.py; an upper bound is met
  anywhere below it);
* each **wave** draws ``wave_points`` parameter sets (the last wave ``final_wave_points``, if
  set) from a multivariate normal fitted to the accepted sets found so far (or, while there
  are too few, to the least implausible ones), its covariance inflated by
  ``proposal_inflation`` and truncated to the prior box;
* the **posterior** starts from the accepted sets. Weighting the last wave's by prior /
  proposal density undoes the proposal's focus in principle, but in 40-odd dimensions the
  weights are degenerate (a handful carry all the weight), so instead every accepted set
  found (search and waves) starts a chain (several each when fewer are found than draws
  are kept) of ``move_steps`` **ABC-MCMC moves** (Marjoram et al., PNAS 2003): a
  Gaussian random-walk proposal in the unit cube (the accepted sets' covariance times
  2.38^2 / dimensions, Roberts & Rosenthal's scaling), taken when the proposed set is inside
  the prior box and meets the acceptance rule, kept otherwise. With uniform priors and the
  rule as the likelihood, that Metropolis step leaves the ABC posterior unchanged, so the
  chains' end states are equally weighted posterior draws; draws are sampled from them
  without replacement. The importance weights' effective sample size is still reported.

Every evaluated point is written to ``waves/wave_K/point_NNNNN.json`` (and each move to
``moves/step_S/chain_CCCCC.json``) atomically, so an interrupted wave or move step resumes
where it stopped and a finished one is never rerun.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from sim.calibration.workers import map_in_workers
from sim.params.errors import ConfigError
from sim.results import write_atomic


@dataclass(frozen=True)
class Evaluation:
    """One evaluated parameter set: its values, standardised errors and where it came from."""

    values: dict[str, float]
    z: dict[str, float]  # target label -> standardised error
    loss: float
    implausibility: float
    wave: int  # 0: the Optuna search
    origin: str  # "trial N" or "wave K point N"
    log_weight: float = 0.0  # log(prior / proposal density); 0 for search trials

    def accepted(self, cut: float) -> bool:
        return self.implausibility <= cut


def unit(values: dict[str, float], space: dict[str, tuple[float, float]]) -> np.ndarray:
    return np.array([(values[key] - low) / (high - low) for key, (low, high) in space.items()])


def from_unit(point: np.ndarray, space: dict[str, tuple[float, float]]) -> dict[str, float]:
    return {key: float(low + x * (high - low)) for x, (key, (low, high)) in zip(point, space.items())}


def proposal(evaluations: list[Evaluation], space: dict[str, tuple[float, float]], cut: float,
             inflation: float) -> tuple[np.ndarray, np.ndarray, int]:
    """Mean and covariance (unit cube) of the next wave's proposal, and how many accepted
    sets it was fitted to (0: fitted to the least implausible sets instead)."""
    dimension = len(space)
    accepted = [e for e in evaluations if e.accepted(cut)]
    pool = accepted
    if len(pool) < 2 * dimension:
        pool = sorted(evaluations, key=lambda e: e.implausibility)[: max(2 * dimension, 20)]
    points = np.stack([unit(e.values, space) for e in pool])
    mean = points.mean(axis=0)
    covariance = np.cov(points, rowvar=False) * inflation + np.eye(dimension) * 1e-4
    return mean, covariance, len(accepted) if pool is accepted else 0


DRAW_BATCH = 256
"""Proposal draws per batch: fixed, so a larger wave extends a smaller one's points."""


def wave_size(wave: int, settings: Any) -> int:
    """Points in a wave: ``final_wave_points`` for the last (the posterior's pool), if set."""
    if wave == settings.waves and settings.final_wave_points:
        return settings.final_wave_points
    return settings.wave_points


def describe_waves(settings: Any) -> str:
    """'3 refocusing waves of 250 points (the last 500)' for reports and logs."""
    text = f"{settings.waves} refocusing waves of {settings.wave_points} points"
    if settings.final_wave_points and settings.final_wave_points != settings.wave_points:
        text += f" (the last {settings.final_wave_points})"
    return text


def draw_points(mean: np.ndarray, covariance: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` points of the truncated normal in the unit cube and their log densities
    (up to the truncation constant, which is the same for every point of a wave)."""
    rng = np.random.default_rng(seed)
    normal = stats.multivariate_normal(mean=mean, cov=covariance, allow_singular=True)
    kept: list[np.ndarray] = []
    for _ in range(10_000):
        batch = rng.multivariate_normal(mean, covariance, size=DRAW_BATCH)
        kept.extend(batch[((batch >= 0.0) & (batch <= 1.0)).all(axis=1)])
        if len(kept) >= count:
            break
    if len(kept) < count:
        raise RuntimeError("the wave's proposal puts almost no mass inside the prior box")
    points = np.stack(kept[:count])
    return points, normal.logpdf(points)


def _point_path(directory: Path, index: int) -> Path:
    return directory / f"point_{index:05d}.json"


def _evaluate_point(job: tuple) -> None:
    evaluate, arguments, values, path, record = job
    started = time.time()
    z, loss, implausibility = evaluate(values, *arguments)
    text = json.dumps({**record, "values": values, "z": z, "loss": loss, "implausibility": implausibility,
                       "seconds": time.time() - started})
    write_atomic(path, lambda staging: staging.write_text(text))


def claim_directory(directory: Path, study: str) -> None:
    """Mark ``directory`` (``waves`` or ``moves``) as holding ``study``'s points, so that a
    rerun resumes them; refuse one that holds another study's (a changed configuration gets a
    new study name, and its waves must not reuse the old points)."""
    marker = directory / "study.txt"
    if marker.exists():
        owner = marker.read_text().strip()
        if owner != study:
            raise ConfigError(f"calibrate.study_name: {study!r}, but {directory} holds the points of study "
                              f"{owner!r}; allowed: that study_name, or move {directory.parent} aside (or set "
                              "calibrate.output_dir) to start afresh")
        return
    directory.mkdir(parents=True, exist_ok=True)
    write_atomic(marker, lambda staging: staging.write_text(study + "\n"))


def run_wave(wave: int, evaluations: list[Evaluation], space: dict[str, tuple[float, float]], settings: Any,
             evaluate, arguments: tuple) -> list[Evaluation]:
    """Evaluate (or resume) one wave and return its evaluations."""
    claim_directory(Path(settings.output_dir) / "waves", settings.study_name)
    directory = Path(settings.output_dir) / "waves" / f"wave_{wave}"
    directory.mkdir(parents=True, exist_ok=True)
    plan_path = directory / "proposal.json"
    if plan_path.exists():
        plan = json.loads(plan_path.read_text())
        mean, covariance, fitted_to = np.array(plan["mean"]), np.array(plan["covariance"]), plan["fitted_to"]
    else:
        mean, covariance, fitted_to = proposal(evaluations, space, settings.implausibility_cut,
                                               settings.proposal_inflation)
        plan = {"mean": mean.tolist(), "covariance": covariance.tolist(), "fitted_to": fitted_to,
                "keys": list(space)}
        write_atomic(plan_path, lambda staging: staging.write_text(json.dumps(plan)))
    size = wave_size(wave, settings)
    points, log_density = draw_points(mean, covariance, size, settings.sampler_seed + 1000 * wave)
    jobs = []
    for index, (point, density) in enumerate(zip(points, log_density)):
        path = _point_path(directory, index)
        if not path.exists():
            record = {"wave": wave, "index": index, "log_weight": float(-density)}
            jobs.append((evaluate, arguments, from_unit(point, space), path, record))
    basis = f"{fitted_to} accepted sets" if fitted_to else "the least implausible sets (too few accepted yet)"
    print(f"wave {wave}: {size - len(jobs)} of {size} points already done; "
          f"proposal fitted to {basis}", flush=True)
    if jobs:
        map_in_workers(_evaluate_point, jobs, settings.workers, f"wave {wave}", "point")
    return load_wave(directory)


def load_wave(directory: Path) -> list[Evaluation]:
    evaluations = []
    for path in sorted(directory.glob("point_*.json")):
        record = json.loads(path.read_text())
        evaluations.append(Evaluation(values=record["values"], z=record["z"], loss=record["loss"],
                                      implausibility=record["implausibility"], wave=record["wave"],
                                      origin=f"wave {record['wave']} point {record['index']}",
                                      log_weight=record["log_weight"]))
    return evaluations


@dataclass(frozen=True)
class Moves:
    """What the ABC-MCMC moves did: ``steps`` per chain, over ``chains`` chains."""

    steps: int
    chains: int
    proposed: int  # proposals inside the prior box (each evaluated)
    taken: int  # of those, the ones that met the rule and moved the chain
    outside_box: int  # proposals outside the prior box (rejected without a run)
    moved_chains: int  # chains whose end state differs from their start

    def describe(self) -> str:
        rate = self.taken / max(self.proposed + self.outside_box, 1)
        return (f"each then moved by {self.steps} ABC-MCMC steps ({self.taken} of "
                f"{self.proposed + self.outside_box} proposed moves taken, {rate:.0%}; {self.moved_chains} of "
                f"{self.chains} chains moved)")


def move_covariance(points: np.ndarray) -> np.ndarray:
    """Random-walk covariance (unit cube) from the chains' starting points: their covariance
    times 2.38^2 / dimensions, fixed for every step so the chain is a Markov chain."""
    dimension = points.shape[1]
    return np.cov(points, rowvar=False) * (2.38 ** 2 / dimension) + np.eye(dimension) * 1e-8


def move(chains: list[Evaluation], space: dict[str, tuple[float, float]], settings: Any, evaluate,
         arguments: tuple) -> tuple[list[Evaluation], Moves]:
    """Run (or resume) ``settings.move_steps`` ABC-MCMC steps from each chain's starting set
    in ``chains`` (an accepted set may start several chains); return the chains' end states
    and what the moves did. The proposal covariance comes from the distinct starts."""
    steps = settings.move_steps
    states = list(chains)
    if steps == 0 or len(states) < 2:
        return states, Moves(0, len(states), 0, 0, 0, 0)
    claim_directory(Path(settings.output_dir) / "moves", settings.study_name)
    cut = settings.implausibility_cut
    distinct = {e.origin: e for e in states}.values()
    covariance = move_covariance(np.stack([unit(e.values, space) for e in distinct]))
    proposed = taken = outside = 0
    for step in range(1, steps + 1):
        directory = Path(settings.output_dir) / "moves" / f"step_{step}"
        directory.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(settings.sampler_seed + 7919 * step)
        current = np.stack([unit(e.values, space) for e in states])
        candidates = current + rng.multivariate_normal(np.zeros(len(space)), covariance, size=len(states))
        inside = ((candidates >= 0.0) & (candidates <= 1.0)).all(axis=1)
        jobs = []
        for chain in np.flatnonzero(inside):
            path = directory / f"chain_{chain:05d}.json"
            if not path.exists():
                record = {"wave": settings.waves, "index": int(chain), "step": step, "log_weight": 0.0}
                jobs.append((evaluate, arguments, from_unit(candidates[chain], space), path, record))
        print(f"move step {step} of {steps}: {int(inside.sum()) - len(jobs)} of {int(inside.sum())} proposals "
              f"inside the prior box already run", flush=True)
        if jobs:
            map_in_workers(_evaluate_point, jobs, settings.workers, f"move {step}", "point")
        for chain in np.flatnonzero(inside):
            record = json.loads((directory / f"chain_{chain:05d}.json").read_text())
            if record["implausibility"] <= cut:
                states[chain] = Evaluation(values=record["values"], z=record["z"], loss=record["loss"],
                                           implausibility=record["implausibility"], wave=settings.waves,
                                           origin=f"move {step} chain {chain}")
                taken += 1
        proposed += int(inside.sum())
        outside += int((~inside).sum())
    moved = sum(end.origin != start.origin for start, end in zip(chains, states))
    return states, Moves(steps, len(states), proposed, taken, outside, moved)


@dataclass(frozen=True)
class Posterior:
    draws: list[Evaluation]  # draw 0 first: the kept draw with the lowest loss
    accepted: int  # accepted sets in the pool the draws were sampled from
    evaluated: int  # points in that pool
    effective_sample_size: float  # of the last wave's importance weights
    rule: str
    moves: Moves | None = None


def importance_weights(accepted: list[Evaluation]) -> np.ndarray:
    """The accepted sets' prior / proposal weights, normalised to sum to 1."""
    log_weights = np.array([e.log_weight for e in accepted])
    weights = np.exp(log_weights - log_weights.max())
    return weights / weights.sum()


def importance_ess(accepted: list[Evaluation]) -> float:
    """Effective sample size of the accepted sets' prior / proposal weights."""
    return float(1.0 / np.sum(importance_weights(accepted) ** 2))


def posterior(last_wave: list[Evaluation], everything: list[Evaluation], cut: float, kept: int,
              seed: int, mover=None) -> Posterior:
    """Draws from the last wave's accepted sets: moved by ``mover`` (the ABC-MCMC chains,
    equally weighted) when given, else sampled by importance weight; if that wave accepted
    none, the least implausible sets of all, and the rule says so."""
    accepted = [e for e in last_wave if e.accepted(cut)]
    rng = np.random.default_rng(seed)
    moves = None
    if accepted:
        ess = importance_ess(accepted)
        head = (f"every target within {cut:g} standard deviations (|z| <= {cut:g}); {len(accepted)} of "
                f"{len(last_wave)} points of the last wave accepted")
        if mover is not None:
            # Every accepted set found starts a chain: the moves' target does not depend on
            # where a chain starts, and more chains give more draws. With fewer accepted sets
            # than draws kept, each starts several chains (their proposals differ), so every
            # draw is still a chain's end state.
            starts = [e for e in everything if e.accepted(cut)]
            copies = -(-kept // len(starts))
            head += f", {len(starts)} in all (search and waves)"
            if copies > 1:
                head += f", each starting {copies} chains ({copies * len(starts)} in all)"
            ends, moves = mover(starts * copies)
            chosen = rng.choice(len(ends), size=min(kept, len(ends)), replace=False)
            draws = [ends[i] for i in chosen]
            rule = (f"{head}, {moves.describe()}; {len(draws)} of the chains' end states kept, with equal weight"
                    if moves.steps else f"{head}; {len(draws)} kept with equal weight (no moves)")
        else:
            chosen = rng.choice(len(accepted), size=min(kept, len(accepted)), replace=False,
                                p=importance_weights(accepted))
            draws = [accepted[i] for i in chosen]
            rule = f"{head}, {len(draws)} sampled by importance weight"
        pool_size = len(last_wave)
    else:
        draws = sorted(everything, key=lambda e: e.implausibility)[:kept]
        ess = float("nan")
        rule = (f"NO evaluated set met every target within {cut:g} standard deviations: the {len(draws)} least "
                "implausible sets are kept instead, and the report lists the targets that conflict")
        pool_size = len(everything)
    draws.sort(key=lambda e: e.loss)
    return Posterior(draws=draws, accepted=len(accepted), evaluated=pool_size, effective_sample_size=ess, rule=rule,
                     moves=moves)
