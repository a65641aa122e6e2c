"""Synthetic loss curves with known shapes, for tests and for trying detectors.

Each generator returns `(steps, values)` numpy arrays. Noise is multiplicative
(minibatch losses scatter in proportion to their level) and seeded.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np

Curve = Tuple[np.ndarray, np.ndarray]


def _steps(n: int, every: int = 1) -> np.ndarray:
    return np.arange(n, dtype=np.int64) * every


def _noisy(values: np.ndarray, noise: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return values * (1.0 + noise * rng.standard_normal(values.size))


def decay(n: int = 300, start: float = 2.3, floor: float = 0.1, rate: float = 6.0, noise: float = 0.03, seed: int = 0, every: int = 1) -> Curve:
    """A healthy falling loss: exponential approach to `floor`; `rate` e-folds over the run."""
    t = np.linspace(0, 1, n)
    return _steps(n, every), _noisy(floor + (start - floor) * np.exp(-rate * t), noise, seed)


def u_shape(n: int = 60, start: float = 2.3, low: float = 0.5, at: float = 0.35, rise: float = 0.4, noise: float = 0.01, seed: int = 1, every: int = 1) -> Curve:
    """Validation loss of an overfitting model: falls to `low` at fraction `at`, then climbs by `rise`."""
    t = np.linspace(0, 1, n)
    falling = low + (start - low) * np.exp(-8 * t / at)
    climbing = rise * (np.clip(t - at, 0, None) / (1 - at)) ** 1.2
    return _steps(n, every), _noisy(falling + climbing, noise, seed)


def rising(n: int = 200, start: float = 1.0, factor: float = 5.0, noise: float = 0.02, seed: int = 2) -> Curve:
    """A loss that climbs from the start to `factor` times its first value."""
    t = np.linspace(0, 1, n)
    return _steps(n), _noisy(start * (1 + (factor - 1) * t**1.5), noise, seed)


def with_spikes(curve: Curve, at: Tuple[int, ...], height: float = 3.0) -> Curve:
    """Add one-point jumps of `height` times the local value at the given indices."""
    steps, values = curve
    values = values.copy()
    for index in at:
        values[index] *= 1.0 + height
    return steps, values


def bouncing(n: int = 400, start: float = 2.3, level: float = 1.0, amplitude: float = 0.5, seed: int = 3) -> Curve:
    """A loss that falls a little, then swings widely (learning rate too high)."""
    t = np.linspace(0, 1, n)
    rng = np.random.default_rng(seed)
    trend = level + (start - level) * np.exp(-10 * t)
    return _steps(n), np.abs(trend + amplitude * rng.standard_normal(n))


def stall_then_drop(n: int = 300, start: float = 2.3, stall_until: float = 0.5, end: float = 0.2, noise: float = 0.01, seed: int = 4) -> Curve:
    """Flat at `start` until fraction `stall_until`, then a fall to `end` (saddle point)."""
    t = np.linspace(0, 1, n)
    after = np.clip((t - stall_until) / (1 - stall_until), 0, 1)
    return _steps(n), _noisy(end + (start - end) * np.exp(-6 * after), noise, seed)


def flat(n: int = 200, level: float = 2.3, noise: float = 0.01, seed: int = 5) -> Curve:
    """A loss that does not move (nothing is learned)."""
    return _steps(n), _noisy(np.full(n, level), noise, seed)


def with_nan(curve: Curve, from_index: int) -> Curve:
    """Replace values from an index on with NaN."""
    steps, values = curve
    values = values.copy()
    values[from_index:] = np.nan
    return steps, values


def accuracy_holding(n: int = 60, start: float = 0.3, top: float = 0.95, seed: int = 6, every: int = 1) -> Curve:
    """Validation accuracy that rises and stays at its top."""
    t = np.linspace(0, 1, n)
    return _steps(n, every), _noisy(top - (top - start) * np.exp(-10 * t), 0.002, seed)


def accuracy_falling_after(n: int = 60, at: float = 0.35, start: float = 0.3, top: float = 0.95, fall: float = 0.1, seed: int = 7, every: int = 1) -> Curve:
    """Validation accuracy that peaks at fraction `at` and then loses `fall`."""
    t = np.linspace(0, 1, n)
    rise = top - (top - start) * np.exp(-10 * t / at)
    return _steps(n, every), _noisy(rise - np.where(t > at, fall * (t - at) / (1 - at), 0.0), 0.002, seed)
