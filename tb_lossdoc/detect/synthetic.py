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


def chance_level(n: int = 30, classes: int = 10, base: float = np.e, start: float = 0.0, noise: float = 0.002, seed: int = 8, every: int = 1) -> Curve:
    """Cross-entropy pinned at log(classes) (a uniform guess), after an optional first drop from `start`."""
    level = np.log(classes) / np.log(base)
    values = np.full(n, level)
    if start:
        values = level + (start - level) * np.exp(-np.arange(n) / max(1.0, n / 15))
    return _steps(n, every), _noisy(values, noise, seed)


def chance_accuracy(n: int = 30, classes: int = 10, noise: float = 0.02, seed: int = 9, every: int = 1) -> Curve:
    """Accuracy of a uniform guess: 1/classes, scattered a little."""
    return _steps(n, every), _noisy(np.full(n, 1.0 / classes), noise, seed)


def rise_then_hold(n: int = 40, start: float = 1.0, low: float = 0.8, at: float = 0.1, worse: float = 1.2, noise: float = 0.01, seed: int = 10, every: int = 1) -> Curve:
    """Validation loss that falls to `low` at fraction `at`, climbs to `worse` within a few points, and stays there."""
    t = np.linspace(0, 1, n)
    falling = low + (start - low) * np.clip(1 - t / max(at, 1e-9), 0, 1)
    climb = (worse - low) * np.clip((t - at) / (3.0 / n), 0, 1)
    return _steps(n, every), _noisy(falling + climb, noise, seed)


def warmup_cosine(n: int = 1000, start: float = 2.3, floor: float = 0.4, warmup: float = 0.06, noise: float = 0.12, seed: int = 11, every: int = 1):
    """A healthy run under linear warm-up and cosine decay: (steps, loss, lr).

    The loss falls as the learning rate integrates, and the minibatch noise
    stays as the rate decays to zero (data noise, not an unstable optimiser).
    """
    t = np.linspace(0, 1, n)
    lr = np.where(t < warmup, t / warmup, 0.5 * (1 + np.cos(np.pi * (t - warmup) / (1 - warmup))))
    progress = np.cumsum(lr) / np.sum(lr)
    loss = floor + (start - floor) * np.exp(-5 * progress)
    return _steps(n, every), _noisy(loss, noise, seed), 1e-3 * lr


def lr_collapse(n: int = 60, start: float = 2.3, floor: float = 0.2, at: float = 0.3, gamma: float = 1e-4, noise: float = 0.005, seed: int = 12, every: int = 1):
    """A loss falling fast until the learning rate is cut by `gamma` at fraction `at`, then stuck: (steps, loss, lr)."""
    t = np.linspace(0, 1, n)
    stuck_at = min(t[t >= at][0], 1.0)
    progress = np.minimum(t, stuck_at) + gamma * np.clip(t - stuck_at, 0, None)
    loss = floor + (start - floor) * np.exp(-1.5 * progress / max(at, 1e-9) * 1.0)
    lr = np.where(t < stuck_at, 0.1, 0.1 * gamma)
    return _steps(n, every), _noisy(loss, noise, seed), lr


def validation_stall(n: int = 300, evals: int = 15, level: float = 0.8, noise: float = 0.02, seed: int = 13):
    """Training loss falling from 1.0 to 0.2 while validation, every n/evals steps, stays at `level`: (steps, train, val steps, val)."""
    steps, train = decay(n, start=1.0, floor=0.2, rate=2.0, noise=noise, seed=seed)
    every = n // evals
    return steps, train, np.arange(evals) * every + every - 1, _noisy(np.full(evals, level), noise, seed + 1)


def partial_recovery(n: int = 400, back: float = 0.5, seed: int = 14):
    """Training loss that falls to 0.2, climbs to 0.6 over 30% of the run and falls back `back` of the climb,
    while validation jumps from 0.3 to 0.55 and stays there: (steps, train, val steps, val)."""
    t = np.linspace(0, 1, n)
    fall = 0.2 + 0.8 * np.exp(-t / 0.03)
    climb = 0.4 * np.clip((t - 0.15) / 0.3, 0, 1) - back * 0.4 * np.clip((t - 0.7) / 0.1, 0, 1)
    val_steps = np.arange(n // 10 - 1, n, n // 10)
    val = np.where(val_steps < n // 4, 0.3, 0.55)
    return _steps(n), _noisy(fall + climb, 0.01, seed), val_steps, _noisy(val, 0.005, seed + 1)


def pinned(n: int = 300, level: float = 7.4, first: float = 18.4, scatter: float = 0.0005, seed: int = 15) -> Curve:
    """A loss that drops from `first` to `level` within a few steps and then stays there,
    scattering by `scatter` of it from one logged batch to the next (a constant output)."""
    steps = _steps(n)
    values = level + (first - level) * np.exp(-steps / 4.0)
    return steps, values * (1 + np.random.default_rng(seed).normal(0, scatter, n))
