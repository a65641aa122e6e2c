"""Robust summary of one curve that every detector reads: trend, noise and levels.

Everything here is computed in time linear in the number of points, and every
quantity scales with the values, so multiplying a loss by a constant changes
no ratio a detector looks at.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from functools import cached_property
from typing import Dict, Tuple

import numpy as np

from ..read.series import Series

# Long series are first reduced to block medians: the trend of a million points
# needs no more resolution than this, and TensorBoard's 1000-point sample gives
# nearly the same blocks as the full series.
COARSE_POINTS = 200
MAD_TO_SIGMA = 1.4826
# A curve with fewer points is short: only its direction can be judged.
FULL_SHAPE_POINTS = 8


@functools.lru_cache(maxsize=64)
def _window_layout(n: int, half: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where rolling_median reads for `n` points: the (points x window) index grid, the cells
    outside each point's symmetric window, and their fill (-inf left, +inf right).
    The same for every curve of that length, so built once (read-only)."""
    centre = np.arange(n)
    reach = np.minimum(half, np.minimum(centre, n - 1 - centre))
    offsets = np.arange(-half, half + 1)
    index = np.clip(centre[:, None] + offsets[None, :], 0, n - 1)
    outside = np.abs(offsets)[None, :] > reach[:, None]
    fill = np.where(offsets < 0, -np.inf, np.inf)[None, :]
    for array in (index, outside, fill):
        array.flags.writeable = False
    return index, outside, fill


def rolling_median(values: np.ndarray, window: int) -> np.ndarray:
    """Centred rolling median; the window shrinks symmetrically at the edges.

    One vectorised partition over a (points x window) matrix: at the edges the
    missing neighbours are filled with as many -inf on the left as +inf on the
    right, which leaves each row's median that of its symmetric window.
    """
    n = values.size
    half = window // 2
    if n == 0 or half == 0:
        return values.copy()
    index, outside, fill = _window_layout(n, half)
    grid = np.where(outside, fill, values[index])
    if np.isnan(values).any():
        return np.median(grid, axis=1)  # NaN rows: np.median's NaN
    # Every row holds an odd 2 * half + 1 entries: its median is its middle one.
    return np.partition(grid, half, axis=1)[:, half]


def row_medians(grid: np.ndarray) -> np.ndarray:
    """Median of each row, ignoring NaN padding (faster than np.nanmedian)."""
    ordered = np.sort(grid, axis=1)  # NaN sorts last
    count = np.sum(~np.isnan(grid), axis=1)
    rows = np.arange(grid.shape[0])
    low = ordered[rows, np.maximum(count - 1, 0) // 2]
    high = ordered[rows, count // 2]
    return np.where(count > 0, (low + high) / 2.0, np.nan)


def block_medians(steps: np.ndarray, values: np.ndarray, blocks: int):
    """Reduce to about `blocks` points: median value and median step of each block."""
    n = values.size
    if n <= blocks:
        return steps.astype(np.float64), values.copy()
    edges = np.linspace(0, n, blocks + 1).astype(np.int64)
    count = np.diff(edges)
    size = int(np.max(count))
    # Steps are sorted: each block's median step is its middle one (or the mean of two).
    low, high = edges[:-1] + (count - 1) // 2, edges[:-1] + count // 2
    block_steps = (steps[low].astype(np.float64) + steps[high].astype(np.float64)) / 2.0
    if size <= 2 and not np.isnan(values).any():
        # Blocks of one or two points (fewer than twice `blocks` points): the median is
        # the mean of the middle ones, sorted or not.
        return block_steps, (values[low] + values[high]) / 2.0
    # Pad each block to the same length with NaN so one vectorised median does it.
    index = edges[:-1, None] + np.arange(size)[None, :]
    valid = index < edges[1:, None]
    index = np.minimum(index, n - 1)
    block_values = np.where(valid, values[index], np.nan)
    return block_steps, row_medians(block_values)


def median(values: np.ndarray) -> float:
    """Median of a 1-D array, as np.median computes it, with a fraction of its per-call cost."""
    n = values.size
    if n == 0:
        return float("nan")
    half = n // 2
    if n % 2:
        return float(np.partition(values, half)[half])
    part = np.partition(values, (half - 1, half))
    return float((part[half - 1] + part[half]) / 2.0)


def quantile(values: np.ndarray, q: float) -> float:
    """The q-quantile of a 1-D array of finite values, as np.quantile computes it (linear), with a fraction of its per-call cost."""
    n = values.size
    virtual = (n - 1) * q  # numpy's virtual index and interpolation, operation for operation
    below = min(int(np.floor(virtual)), n - 1)
    above = min(below + 1, n - 1)
    part = np.partition(values, (below, above)) if above != below else np.partition(values, below)
    low, high = part[below], part[above]
    gamma = virtual - below
    step = high - low
    return float(high - step * (1 - gamma) if gamma >= 0.5 else low + step * gamma)


def robust_sigma(values: np.ndarray) -> float:
    """Standard deviation estimated from the median absolute deviation."""
    if values.size == 0:
        return 0.0
    return float(MAD_TO_SIGMA * median(np.abs(values - median(values))))


@dataclass
class Profile:
    """A cleaned, finite curve with the robust statistics detectors share."""

    series: Series
    # Results of helpers that several detectors ask of the same curve, computed once.
    memo: Dict[tuple, object] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def steps(self) -> np.ndarray:
        return self.series.steps

    @cached_property
    def values(self) -> np.ndarray:
        return self.series.values

    @cached_property
    def n(self) -> int:
        return int(self.values.size)

    @property
    def short(self) -> bool:
        """Too few points for a full shape (fewer than FULL_SHAPE_POINTS)."""
        return self.n < FULL_SHAPE_POINTS

    @cached_property
    def coarse(self):
        """(steps, values) reduced to block medians."""
        return block_medians(self.steps, self.values, COARSE_POINTS)

    @cached_property
    def window(self) -> int:
        """Odd smoothing window on the coarse curve: wide enough to beat noise."""
        n = self.coarse[1].size
        return int(max(3, min(31, (n // 12) | 1)))

    @cached_property
    def trend(self) -> np.ndarray:
        """Smooth trend on the coarse steps: rolling median, then a light mean.

        A short curve is its own trend: a few points cannot be smoothed
        without erasing the very moves that are judged.
        """
        if self.short:
            return self.coarse[1].copy()
        med = rolling_median(self.coarse[1], self.window)
        if med.size < 3:
            return med
        padded = np.concatenate([med[:1], med, med[-1:]])
        return (padded[:-2] + padded[1:-1] + padded[2:]) / 3.0

    @cached_property
    def trend_steps(self) -> np.ndarray:
        return self.coarse[0]

    @cached_property
    def residuals(self) -> np.ndarray:
        """Raw values minus the trend interpolated at their steps."""
        return self.values - np.interp(self.steps, self.trend_steps, self.trend)

    @cached_property
    def noise(self) -> float:
        """Robust point-to-point noise around the trend (minibatch noise, for per-step logs)."""
        return robust_sigma(self.residuals)

    def level(self, start_frac: float, end_frac: float) -> float:
        """Median raw value over a fraction of the run, by position."""
        lo = int(np.floor(start_frac * self.n))
        hi = max(lo + 1, int(np.ceil(end_frac * self.n)))
        return median(self.values[lo:hi])

    @cached_property
    def lowest_tenth(self) -> float:
        """The lowest median of a tenth of the run (by position): the best level the loss held, noise and all."""
        return min(self.level(i / 10, (i + 1) / 10) for i in range(10))

    @property
    def start_points(self) -> int:
        """How many of the first points the start level is the median of."""
        return max(1, min(5, self.n // 20))

    @cached_property
    def start(self) -> float:
        """Level where training started: the first few points."""
        return median(self.values[: self.start_points])

    @cached_property
    def end(self) -> float:
        """Level where training ended: the last tenth of the points."""
        k = max(1, self.n // 10)
        return median(self.values[-k:])

    @cached_property
    def recent(self) -> float:
        """Level at the very end: the last few points (a rising curve's last tenth lags)."""
        k = max(3, self.n // 20)
        return median(self.values[-k:])

    @cached_property
    def trend_min_index(self) -> int:
        return int(np.argmin(self.trend))

    @cached_property
    def trend_min(self) -> float:
        return float(self.trend[self.trend_min_index])

    @cached_property
    def trend_min_step(self) -> int:
        """The trend minimum's step, within the logged steps (a float64 step near 2^63 rounds past int64)."""
        step = int(round(self.trend_steps[self.trend_min_index]))
        return min(max(step, int(self.steps[0])), int(self.steps[-1]))

    @cached_property
    def amplitude(self) -> float:
        """Spread of the trend (and the start level), the curve's own unit of change."""
        top = max(float(np.max(self.trend)), self.start)
        return top - min(self.trend_min, self.start)

    @cached_property
    def magnitude(self) -> float:
        """A scale that is never zero for a non-zero curve: |start| or the spread."""
        return max(abs(self.start), self.amplitude, abs(self.end), 1e-300)

    @cached_property
    def drop(self) -> float:
        """How far the trend fell below the starting level (0 if it never did)."""
        return max(0.0, self.start - self.trend_min)

    @property
    def span(self) -> int:
        """Steps from the first point to the last, a Python int: int64 steps near ±2^63 would wrap."""
        return int(self.steps[-1]) - int(self.steps[0]) if self.n else 0

    def trend_at(self, step: float) -> float:
        return float(np.interp(step, self.trend_steps, self.trend))

    def fraction_step(self, frac: float) -> float:
        """The step at a fraction of the run's step span."""
        return float(int(self.steps[0]) + frac * self.span)
