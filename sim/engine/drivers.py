"""Named drivers of change: calendar multipliers on the hazards of named transitions.

A driver multiplies the rates of its transitions by ``1 + effect x age_weight x shape(t)``
(never below 0.05). ``shape`` is 0 before ``start`` and follows one of four profiles:

* ``ramp``: rises linearly from 0 at ``start`` to 1 at ``full``;
* ``step``: 1 from ``start``;
* ``pulse``: 1 from ``start`` to ``end``, then decays towards ``persist`` with an e-folding
  time of ``decay_months``;
* ``series``: a published path, ``points`` at dated months, linear between them and held
  after the last.

A driver names transitions (rows of the hazard tables) or calendar rates the model applies
at month end (sim/spec.py ``CALENDAR_RATES``); :func:`calendar_rate` gives the latter.

After the fitting period (``projection.start``) the projection assumption decides how the
shapes continue: ``trend`` extends each ramp at its 2019-2024 slope, ``flatten`` holds every
shape at its last fitted value, ``pre_pandemic`` fades every shape to 0 over
``projection.fade_months`` (back to April 2019 rates), and ``aligned`` holds the shapes as
``flatten`` does, then multiplies named transitions by one factor per financial year
(``projection.alignment``, solved by ``python -m sim.alignment``) so that the caseloads
follow the official forecast.

Effects come from the driver config (where a calibration draw has written the fitted
value); a driver with ``enabled: false`` is off whatever its effect.
"""

from __future__ import annotations

import numpy as np

from sim import spec
from sim.core import states
from sim.core.calendar import financial_year, month_index, month_starts
from sim.params.models import DriverConfig, ProjectionConfig

MINIMUM_MULTIPLIER = 0.05


def shape(driver: DriverConfig, start: str, months: int, projection: ProjectionConfig) -> np.ndarray:
    """The driver's profile, one value per simulated month (month 0 = ``start``)."""
    t = np.arange(months, dtype=float)
    begin = month_index(driver.start, start)
    if driver.shape == "ramp":
        full = month_index(driver.full, start)
        raw = np.clip((t - begin) / max(full - begin, 1), 0.0, None)
        fitted = np.minimum(raw, 1.0)
    elif driver.shape == "step":
        raw = fitted = (t >= begin).astype(float)
    elif driver.shape == "series":
        at = np.array([month_index(month, start) for month in driver.points], dtype=float)
        raw = fitted = np.where(t < begin, 0.0, np.interp(t, at, np.array(list(driver.points.values()))))
    else:
        end = month_index(driver.end, start)
        decay = np.exp(-np.clip(t - end, 0.0, None) / driver.decay_months)
        raw = fitted = np.where(t < begin, 0.0, np.where(t <= end, 1.0, driver.persist + (1 - driver.persist) * decay))
    projection_start = month_index(projection.start, start)
    if projection_start >= months:
        return fitted
    last = fitted[projection_start - 1] if projection_start > 0 else 0.0
    after = t >= projection_start
    if projection.mode == "trend":
        profile = np.where(after, raw, fitted)
    elif projection.mode in ("flatten", "aligned"):
        profile = np.where(after, last, fitted)
    else:
        fade = np.clip(1 - (t - projection_start + 1) / projection.fade_months, 0.0, 1.0)
        profile = np.where(after, last * fade, fitted)
    return profile


def multipliers(driver: DriverConfig, effect: float, start: str, months: int,
                projection: ProjectionConfig) -> np.ndarray:
    """[month, age group] multipliers of one driver."""
    weights = np.array([driver.age_weight.get(group, 1.0) for group in states.AGE_GROUPS])
    profile = shape(driver, start, months, projection)
    return np.maximum(MINIMUM_MULTIPLIER, 1.0 + effect * profile[:, None] * weights[None, :])


def apply(hazards: dict, drivers: dict[str, DriverConfig], start: str, months: int,
          projection: ProjectionConfig) -> None:
    """Multiply the drivers into the hazard tables' calendar multipliers (in place); a
    driver's transitions are found by name in the registry."""
    for driver in drivers.values():
        if not driver.enabled or driver.effect == 0.0:
            continue
        factor = multipliers(driver, driver.effect, start, months, projection)
        for target in driver.transitions:
            if target in spec.CALENDAR_RATES:
                continue
            transition = spec.transition(target)
            hazards[transition.process].period[transition.row] *= factor


def calendar_rate(key: str, base: float, drivers: dict[str, DriverConfig], start: str, months: int,
                  projection: ProjectionConfig) -> np.ndarray:
    """A calendar rate (sim/spec.py ``CALENDAR_RATES``) in each month: ``base`` times the
    multipliers of the enabled drivers that name it (all ages: a rate has no age groups)."""
    rate = np.full(months, float(base))
    for driver in drivers.values():
        if driver.enabled and driver.effect != 0.0 and key in driver.transitions:
            rate *= np.maximum(MINIMUM_MULTIPLIER, 1.0 + driver.effect * shape(driver, start, months, projection))
    return rate


def apply_alignment(hazards: dict, projection: ProjectionConfig, start: str, months: int) -> None:
    """Multiply each aligned transition's calendar multipliers by its factor in every month
    of each financial year listed (in place)."""
    if not projection.alignment:
        return
    labels = financial_year(month_starts(start, months)).to_numpy()
    for target, by_year in projection.alignment.items():
        transition = spec.transition(target)
        for year, factor in by_year.items():
            hazards[transition.process].period[transition.row][labels == year] *= factor
