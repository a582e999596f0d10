"""Calibration work spread over worker processes: waves, moves and the decomposition's
coalition runs all map one function over a list of jobs with a progress bar."""

from __future__ import annotations

import multiprocessing
from typing import Any, Callable


def init_worker() -> None:
    """One numba thread per worker process: the workers already fill the cores."""
    import numba

    numba.set_num_threads(1)


def map_in_workers(function: Callable[[Any], Any], jobs: list, workers: int, label: str, unit: str,
                   chunksize: int = 1) -> list:
    """``function`` over ``jobs``, results in ``jobs`` order, in ``workers`` spawned processes
    (here when ``workers`` is 1), with a tqdm bar counting ``unit``s under ``label``."""
    from tqdm import tqdm

    progress = tqdm(total=len(jobs), desc=label, unit=unit, mininterval=10, ascii=True)
    results = []
    if workers == 1:
        for job in jobs:
            results.append(function(job))
            progress.update()
    else:
        context = multiprocessing.get_context("spawn")
        with context.Pool(workers, initializer=init_worker) as pool:
            for result in pool.imap(function, jobs, chunksize=chunksize):
                results.append(result)
                progress.update()
    progress.close()
    return results
