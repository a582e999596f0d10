"""The golden baseline: England & Wales totals of every metric for a few small runs, pinned.

``make update-baseline`` (``python -m tests.golden_baseline``) rewrites
``tests/golden/baseline.csv``; ``tests/test_golden.py`` reruns the same cases and compares
every value. A refactor must leave the file untouched. Refresh it only for a deliberate
change of the model's results, and say in the commit message what changed and why.

Cases: ``baseline`` and ``announced_2025`` for seeds 0 and 1, 24 months (April 2019 to March
2021) at 20,000 people. The announced programmes start from 2024, after these 24 months, so
a third case runs them with their dates moved into the window (``announced_2025_early``):
it pins referral, allocation, programme effects and relapses too.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

GOLDEN_FILE = Path(__file__).resolve().parent / "golden" / "baseline.csv"
SMALL = ["population.size=20000", "panel.size=0", "period.end=2021-03"]
SEEDS = (0, 1)
PROGRAMMES = ("accelerator_north_east_north_cumbria", "accelerator_south_yorkshire", "accelerator_west_yorkshire",
              "talking_therapies_expansion", "ips_expansion", "msk_employment_advisers", "workwell",
              "obesity_surmount_real")
EARLY = [f"interventions.{name}.{key}={month}" for name in PROGRAMMES
         for key, month in (("start", "2019-10"), ("end", "2021-03"))]
CASES: dict[str, list[str]] = {
    "baseline": ["scenario=baseline"],
    "announced_2025": ["scenario=announced_2025"],
    "announced_2025_early": ["scenario=announced_2025", *EARLY],
}
RELATIVE_TOLERANCE = 1e-9
"""Only floating-point summation order (BLAS builds) may differ; one person's changed state
moves a total by a whole weight (1,852 people at this size), about 1e-5 of a million."""


def case_totals(case: str, seed: int) -> pd.DataFrame:
    """One case's E&W totals: one row per programme ('all' or a name) and metric, a column
    per month (values as the tidy metrics table holds them)."""
    from sim.config import load
    from sim.model import InactivityModel

    model = InactivityModel(load([*CASES[case], *SMALL, f"seed={seed}"]))
    model.run()
    table = model.metrics_table()
    total = table[(table["area"] == "all") & (table["age_band"] == "all")]
    wide = total.pivot_table(index=["programme", "metric"], columns="month", values="value", aggfunc="first",
                             sort=True)
    wide.columns = [month.strftime("%Y-%m") for month in wide.columns]
    return wide.reset_index().assign(case=case, seed=seed)


def golden_table() -> pd.DataFrame:
    frames = [case_totals(case, seed) for case in CASES for seed in SEEDS]
    table = pd.concat(frames, ignore_index=True)
    first = ["case", "seed", "programme", "metric"]
    return table[first + [column for column in table.columns if column not in first]]


def read_golden() -> pd.DataFrame:
    return pd.read_csv(GOLDEN_FILE, dtype={"case": str, "programme": str, "metric": str})


def differences(fresh: pd.DataFrame, golden: pd.DataFrame) -> list[str]:
    """Human-readable lines for every (case, seed, programme, metric) that moved."""
    keys = ["case", "seed", "programme", "metric"]
    lines = []
    missing = golden.merge(fresh[keys], on=keys, how="left", indicator=True)
    lines += [f"missing now: {tuple(row[k] for k in keys)}" for _, row in missing[missing["_merge"] == "left_only"].iterrows()]
    extra = fresh.merge(golden[keys], on=keys, how="left", indicator=True)
    lines += [f"new: {tuple(row[k] for k in keys)}" for _, row in extra[extra["_merge"] == "left_only"].iterrows()]
    months = [column for column in golden.columns if column not in keys]
    joined = golden.merge(fresh, on=keys, suffixes=("_golden", "_fresh"))
    for month in months:
        before = joined[f"{month}_golden"].to_numpy(float)
        after = joined[f"{month}_fresh"].to_numpy(float)
        moved = ~np.isclose(after, before, rtol=RELATIVE_TOLERANCE, atol=0.0)
        for index in np.flatnonzero(moved):
            row = joined.iloc[index]
            lines.append(f"{row['case']} seed {row['seed']} {row['programme']} {row['metric']} {month}: "
                         f"{before[index]!r} -> {after[index]!r}")
    return lines


def write() -> Path:
    GOLDEN_FILE.parent.mkdir(parents=True, exist_ok=True)
    table = golden_table()
    staging = GOLDEN_FILE.with_suffix(".partial")
    table.to_csv(staging, index=False, float_format="%.17g")
    staging.replace(GOLDEN_FILE)
    return GOLDEN_FILE


if __name__ == "__main__":
    path = write()
    print(f"wrote {path} ({len(read_golden())} rows); say in the commit message why results moved")
    sys.exit(0)
