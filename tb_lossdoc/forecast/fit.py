"""Saturating learning-curve fits: a power law and an exponential, each with a floor.

    power law:    L(t) = floor + a * t**-b          (t counted from the run's first step)
    exponential:  L(t) = floor + a * exp(-t / tau)

Both are linear in (floor, a) once the shape parameter (b or tau) is fixed, so a
grid over the shape with closed-form least squares fits every candidate at once,
in a few array operations (Domhan et al. 2015 use these families among others).
Candidates are weighted by their likelihood under Gaussian residuals; the
prediction is the weighted mean and the spread between them is the model
uncertainty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

POWERS = np.geomspace(0.05, 3.0, 32)
TIME_SCALES = np.geomspace(0.05, 4.0, 32)  # in units of the fitted span


@dataclass(frozen=True)
class Fit:
    """The fitted candidates of both families, ready to extrapolate."""

    origin: float  # t = step - origin, so the power law's t starts near 1 at the first step
    span: float
    families: np.ndarray  # 0 = power law, 1 = exponential, per candidate
    shapes: np.ndarray  # b or tau per candidate
    floors: np.ndarray
    scales: np.ndarray  # a per candidate
    weights: np.ndarray  # likelihood weights, sum 1
    residual_sigma: float  # of the fitted points around the best candidate

    def features(self, steps: np.ndarray) -> np.ndarray:
        """Each candidate's shape term at `steps` (candidates x steps)."""
        t = np.maximum(np.asarray(steps, dtype=np.float64) - self.origin, 1.0)
        power = t[None, :] ** -self.shapes[:, None]
        expo = np.exp(-np.minimum(t[None, :] / (self.shapes[:, None] * self.span), 700.0))
        return np.where(self.families[:, None] == 0, power, expo)

    def predict(self, step: float) -> tuple:
        """(expected value, model spread) at `step`."""
        each = self.floors + self.scales * self.features(np.array([step]))[:, 0]
        mean = float(np.sum(self.weights * each))
        spread = float(np.sqrt(np.sum(self.weights * (each - mean) ** 2)))
        return mean, spread

    @property
    def floor(self) -> float:
        return float(np.sum(self.weights * self.floors))

    def best(self) -> int:
        return int(np.argmax(self.weights))


def fit_decay(
    steps: np.ndarray, values: np.ndarray, origin: float, spacing: float, lowest_floor: Optional[float] = None
) -> Optional[Fit]:
    """Fit both families to points that fall towards a floor; None when no candidate decreases.

    `lowest_floor` bounds the floor from below (0 for a loss that was never negative):
    candidates that would cross it are refitted with the floor held there.
    """
    steps = np.asarray(steps, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    n = steps.size
    if n < 4:
        return None
    origin = origin - spacing  # the first logged step sits at t = spacing, never at 0
    span = max(steps[-1] - origin, 1.0)
    t = np.maximum(steps - origin, 1.0)
    power = t[None, :] ** -POWERS[:, None]
    expo = np.exp(-(t[None, :] / (TIME_SCALES[:, None] * span)))
    x = np.vstack([power, expo])
    families = np.concatenate([np.zeros(POWERS.size), np.ones(TIME_SCALES.size)])
    shapes = np.concatenate([POWERS, TIME_SCALES])
    x_mean = x.mean(axis=1)
    y_mean = values.mean()
    dx = x - x_mean[:, None]
    var = np.einsum("ij,ij->i", dx, dx)
    cov = dx @ (values - y_mean)
    with np.errstate(divide="ignore", invalid="ignore"):
        scales = np.where(var > 0, cov / var, 0.0)
    floors = y_mean - scales * x_mean
    if lowest_floor is not None:
        below = floors < lowest_floor
        with np.errstate(divide="ignore", invalid="ignore"):
            held = (x @ (values - lowest_floor)) / np.einsum("ij,ij->i", x, x)
        scales = np.where(below, held, scales)
        floors = np.where(below, lowest_floor, floors)
    residuals = values[None, :] - floors[:, None] - scales[:, None] * x
    sse = np.einsum("ij,ij->i", residuals, residuals)
    usable = (scales > 0) & (var > 0) & np.isfinite(sse)
    if not usable.any():
        return None
    sse_min = max(float(sse[usable].min()), 1e-300)
    log_weights = np.where(usable, -0.5 * n * np.log(np.maximum(sse, 1e-300) / sse_min), -np.inf)
    weights = np.exp(log_weights - log_weights.max())
    weights /= weights.sum()
    return Fit(
        origin=origin,
        span=span,
        families=families,
        shapes=shapes,
        floors=floors,
        scales=scales,
        weights=weights,
        residual_sigma=float(np.sqrt(sse_min / max(n - 2, 1))),
    )
