"""What more training would buy: the loss at twice the steps, the floor, and an 80% interval.

The tail of the curve (its last three quarters, reduced to block medians) is fitted
with saturating curves (`fit.py`). A forecast is refused, with a reason, when the
curve cannot carry one: too few points, a learning-rate schedule that has run out,
a rising curve, noise larger than the trend, or a fit that would extrapolate wildly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..detect.profile import block_medians, median, robust_sigma
from ..read.series import Series
from .fit import fit_decay

MIN_POINTS = 8
BLOCKS = 40
TAIL_SHARE = 0.75  # fit the last three quarters: past the warm-up and the first fast drop
Z80 = 1.2816  # two-sided 80% of a normal
# Widening of the interval for model error the fits cannot see: chosen on the field corpus's dev half
# alone so that 80% of its outcomes fall inside (benchmarks/forecast.py).
INTERVAL_SCALE = 1.7
LR_RUN_OUT = 0.05  # an LR below 5% of its peak at the end: the schedule has ended
FLOOR_REACH = 3.0  # a floor more than 3x the run's own drop below its end is no clear floor

TOO_SHORT, LR_ENDS, RISING, TOO_NOISY, UNSTABLE = "too_short", "lr_schedule_ends", "rising", "too_noisy", "unstable"


@dataclass(frozen=True)
class Prediction:
    """The forecast at one step, or the reason there is none."""

    refused: Optional[str] = None
    last_step: Optional[int] = None
    last_value: Optional[float] = None
    horizon_step: Optional[int] = None
    expected: Optional[float] = None
    low: Optional[float] = None
    high: Optional[float] = None
    floor: Optional[float] = None
    steps_to_90: Optional[int] = None


def _lr_has_run_out(lr: Optional[Series], until: int) -> bool:
    if lr is None:
        return False
    lr = lr.finite_only()
    mask = lr.steps <= until
    values = lr.values[mask]
    if values.size < 3 or values.max() <= 0:
        return False
    return bool(values[-1] <= LR_RUN_OUT * values.max() and values[-1] < values[values.size // 2])


def predict(loss: Series, horizon_step: Optional[int] = None, lr: Optional[Series] = None) -> Prediction:
    """Forecast `loss` at `horizon_step` (default: twice as many steps as were run)."""
    curve = loss.finite_only()
    if len(curve) < MIN_POINTS:
        return Prediction(refused=TOO_SHORT)
    steps, values = curve.steps.astype(np.float64), curve.values
    first, last = steps[0], steps[-1]
    horizon = int(horizon_step if horizon_step is not None else first + 2 * (last - first))
    tail = steps >= first + (1 - TAIL_SHARE) * (last - first)
    block_steps, block_values = block_medians(steps[tail], values[tail], BLOCKS)
    end_level = median(values[-max(1, min(len(values) // 10, 20)):])
    base = Prediction(last_step=int(last), last_value=end_level, horizon_step=horizon)
    if block_values.size < 4:
        return _refuse(base, TOO_SHORT)
    if _lr_has_run_out(lr, int(last)):
        return _refuse(base, LR_ENDS)
    noise = robust_sigma(np.diff(block_values)) / np.sqrt(2)
    drop = float(block_values[0] - block_values[-1])
    whole_drop = median(values[: max(1, len(values) // 10)]) - end_level
    if noise > 0.5 * max(abs(drop), abs(whole_drop)):  # the curve never moved clear of its noise
        return _refuse(base, TOO_NOISY)
    low_point = float(block_values.min())
    if block_values[-1] - low_point > 3 * max(noise, 1e-12) and np.argmin(block_values) < block_values.size - 2:
        return _refuse(base, RISING)
    spacing = median(np.diff(steps)) if steps.size > 1 else 1.0
    never_negative = 0.0 if values.min() >= 0 else None  # a loss never below 0 has its floor at 0 or above
    fit = fit_decay(block_steps, block_values, origin=first, spacing=max(spacing, 1.0), lowest_floor=never_negative)
    flat = abs(drop) <= 2 * noise
    if fit is None:
        if flat:  # nothing left to gain: the forecast is the level it sits at
            return _done(base, end_level, noise, noise, end_level, None)
        return _refuse(base, RISING if drop < 0 else UNSTABLE)
    if not flat and fit.residual_sigma > 0.5 * abs(drop):
        return _refuse(base, TOO_NOISY)
    expected, spread = fit.predict(horizon)
    if expected < end_level - 2 * max(abs(whole_drop), 2 * noise) or expected > end_level + 2 * max(noise, 1e-12):
        return _refuse(base, UNSTABLE)
    floor = fit.floor
    clear_floor = end_level - floor <= FLOOR_REACH * max(abs(whole_drop), 1e-12)
    return _done(
        base,
        expected,
        spread,
        fit.residual_sigma,
        floor if clear_floor else None,
        _steps_to_90(fit, last) if clear_floor else None,
    )


def _done(base: Prediction, expected: float, spread: float, sigma: float, floor, steps_to_90) -> Prediction:
    half = INTERVAL_SCALE * Z80 * float(np.hypot(spread, sigma))
    return Prediction(
        last_step=base.last_step,
        last_value=base.last_value,
        horizon_step=base.horizon_step,
        expected=float(expected),
        low=float(expected - half),
        high=float(expected + half),
        floor=None if floor is None else float(floor),
        steps_to_90=steps_to_90,
    )


def _refuse(base: Prediction, reason: str) -> Prediction:
    return Prediction(refused=reason, last_step=base.last_step, last_value=base.last_value, horizon_step=base.horizon_step)


def _steps_to_90(fit, last: float) -> Optional[int]:
    """The step by which 90% of the gap between the end of the run and the floor is closed."""
    best = fit.best()
    t_end = max(last - fit.origin, 1.0)
    shape = float(fit.shapes[best])
    if fit.families[best] == 0:
        t90 = t_end * 10 ** (1.0 / shape)
    else:
        t90 = t_end + shape * fit.span * np.log(10.0)
    step = fit.origin + t90
    return int(round(step)) if np.isfinite(step) and step < 1e15 else None
