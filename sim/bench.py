"""``make bench``: speed and memory of the monthly step at 100k, 1m and 10m people.

Each size runs in a fresh process: kernels are compiled (or loaded from numba's cache) on a
tiny model first, the resident memory is read, then the population is synthesised and
simulated for 120 months with every process on (panel recording off). Reported:

* agent-months per second of the 120-month loop (people x months / seconds), the median
  of the repeats;
* seconds to synthesise the April 2019 population;
* peak memory in bytes per person: (peak resident memory - memory before the population
  was built) / people.

``--full`` adds the full 37,043,234 people. A second table times one month of the work
process written in plain numpy against the numba kernel on the same 1m people, which is
why the engine uses numba.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np

FULL_POPULATION = 37_043_234
DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)
TARGETS = (
    "targets (2 cores): >= 40m agent-months/s at 1m people; <= 64 bytes/person at 10m;"
    " full population 120 months in under 4 minutes"
)


def measure(size: int, months: int) -> dict:
    """Build and run one model in this process; return timings and memory."""
    from sim.config import load
    from sim.model import InactivityModel
    from sim.results import peak_memory_bytes

    end = _end_month(months)
    InactivityModel(load(["population.size=1000", "panel.size=0", "period.end=2019-05"])).run()
    before = _current_memory_bytes()
    started = time.perf_counter()
    model = InactivityModel(load([f"population.size={size}", "panel.size=0", f"period.end={end}"]))
    built = time.perf_counter()
    model.run()
    finished = time.perf_counter()
    return {
        "size": size,
        "months": months,
        "synthesis_seconds": built - started,
        "run_seconds": finished - built,
        "agent_months_per_second": size * months / (finished - built),
        "bytes_per_person": (peak_memory_bytes() - before) / size,
    }


def _end_month(months: int) -> str:
    year, month = 2019, 4 + months - 1
    year += (month - 1) // 12
    return f"{year}-{(month - 1) % 12 + 1:02d}"


def _current_memory_bytes() -> int:
    with open("/proc/self/statm") as statm:
        resident_pages = int(statm.read().split()[1])
    import resource

    return resident_pages * resource.getpagesize()


def run_in_subprocess(size: int, months: int) -> dict:
    command = [sys.executable, "-m", "sim.bench", "--measure", str(size), "--months", str(months)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def numpy_versus_numba(size: int = 1_000_000) -> dict:
    """One month of the work process over ``size`` people: numpy arrays vs the numba kernel.

    Both compute the same three competing hazards per person from the same packed table and
    apply the same uniforms; the numpy version needs a temporary array per intermediate.
    """
    from sim.config import load
    from sim.engine.hazards import DURATION_BAND_OF_MONTHS, DURATION_OFFSET, HEALTH_OFFSET, STATUS_OFFSET
    from sim.model import InactivityModel

    model = InactivityModel(load([f"population.size={size}", "panel.size=0", "period.end=2019-05"]))
    people = model.people[model.people["in_population"] == 1].copy()
    packed = model.hazards["work"].for_month(0)
    rng = np.random.default_rng(0)
    uniforms = rng.random(people.size)

    def numpy_month() -> np.ndarray:
        age = (people["age_months"] // 12 - 15) // 5
        age = np.clip(age, 0, 9)
        who = ((age * 2 + people["sex"]) * 5 + people["deprivation"]) * 12 + people["area"]
        health = HEALTH_OFFSET + people["conditions"].astype(np.int64) * 2 + people["limiting"]
        status = STATUS_OFFSET + (people["work_state"].astype(np.int64) * 4 + people["incapacity_benefit"]) * 4 \
            + people["disability_benefit"]
        band = DURATION_OFFSET + DURATION_BAND_OF_MONTHS[np.minimum(people["months_in_work_state"], 60)]
        first = 3 * people["work_state"].astype(np.int64)
        rates = np.stack([packed[who, first + k] * packed[health, first + k] * packed[status, first + k]
                          * packed[band, first + k] for k in range(3)])
        total = rates.sum(axis=0)
        leave = uniforms < -np.expm1(-total)
        x = uniforms / -np.expm1(-total) * total
        choice = np.where(x < rates[0], 0, np.where(x < rates[0] + rates[1], 1, 2))
        return np.where(leave, first + choice, -1)

    numpy_month()
    started = time.perf_counter()
    numpy_month()
    numpy_seconds = time.perf_counter() - started
    model.step()
    started = time.perf_counter()
    model.step()
    all_processes_seconds = time.perf_counter() - started
    return {"size": size, "numpy_work_process_ms": numpy_seconds * 1000,
            "numba_all_processes_ms": all_processes_seconds * 1000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated population sizes")
    parser.add_argument("--full", action="store_true", help="also run the full 37m population")
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=3, help="repeats below 5m people (median)")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.measure:
        print(json.dumps(measure(arguments.measure, arguments.months)))
        return 0
    sizes = [int(s) for s in arguments.sizes.split(",") if s]
    if arguments.full:
        sizes.append(FULL_POPULATION)
    print(f"{'people':>12} {'agent-months/s':>16} {'120-month run':>14} {'synthesis':>10} {'bytes/person':>13}")
    for size in sizes:
        repeats = arguments.repeats if size < 5_000_000 else 1
        runs = [run_in_subprocess(size, arguments.months) for _ in range(repeats)]
        rate = statistics.median(r["agent_months_per_second"] for r in runs)
        print(f"{size:>12,} {rate / 1e6:>14.1f} m {statistics.median(r['run_seconds'] for r in runs):>12.1f} s"
              f" {statistics.median(r['synthesis_seconds'] for r in runs):>8.1f} s"
              f" {max(r['bytes_per_person'] for r in runs):>13.0f}", flush=True)
    comparison = numpy_versus_numba()
    print(f"\none month at {comparison['size']:,} people: work process alone in numpy "
          f"{comparison['numpy_work_process_ms']:.0f} ms; all processes in the numba kernel "
          f"{comparison['numba_all_processes_ms']:.0f} ms")
    print(TARGETS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
