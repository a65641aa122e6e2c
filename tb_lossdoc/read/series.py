"""One scalar time series, cleaned once: sorted by step, one value per step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

import numpy as np


def _array(items: Iterable, dtype) -> np.ndarray:
    """A 1-D array from an array, a list or any iterable (generators included)."""
    return np.asarray(items if isinstance(items, (np.ndarray, list, tuple)) else list(items), dtype=dtype)


@dataclass(frozen=True)
class Series:
    """Steps (strictly increasing) and their values; NaN/Inf are kept, not dropped.

    `run` and `tag` say where the series came from, so findings can cite it.
    """

    steps: np.ndarray
    values: np.ndarray
    run: str = ""
    tag: str = ""
    duplicates_dropped: int = 0

    @classmethod
    def from_points(
        cls,
        steps: Iterable[int],
        values: Iterable[float],
        wall_times: Optional[Iterable[float]] = None,
        run: str = "",
        tag: str = "",
    ) -> "Series":
        """Sort by step and keep the last-written value of a repeated step.

        The steps orphaned by a restart are dropped before this, by the readers
        (`provider.kept_after_restarts`, the Rust server's rule); what can remain
        are steps written twice, and the newer write describes the run as it ended.
        """
        step_arr = _array(steps, np.int64)
        value_arr = _array(values, np.float64)
        if step_arr.shape != value_arr.shape:
            raise ValueError("steps and values differ in length")
        order_key = np.arange(step_arr.size, dtype=np.float64) if wall_times is None else _array(wall_times, np.float64)
        # Sort by step, then by write time: the last entry of each step wins.
        order = np.lexsort((np.arange(step_arr.size), order_key, step_arr))
        step_arr, value_arr = step_arr[order], value_arr[order]
        keep = np.ones(step_arr.size, dtype=bool)
        if step_arr.size > 1:
            keep[:-1] = step_arr[1:] != step_arr[:-1]
        dropped = int(step_arr.size - keep.sum())
        return cls(step_arr[keep], value_arr[keep], run, tag, dropped)

    def __len__(self) -> int:
        return int(self.steps.size)

    @property
    def finite(self) -> np.ndarray:
        """Mask of the points whose value is a real number."""
        return np.isfinite(self.values)

    def finite_only(self) -> "Series":
        """The same series without its NaN/Inf points."""
        mask = self.finite
        if mask.all():
            return self
        return Series(self.steps[mask], self.values[mask], self.run, self.tag, self.duplicates_dropped)

    def first_step(self) -> Optional[int]:
        return int(self.steps[0]) if self.steps.size else None

    def last_step(self) -> Optional[int]:
        return int(self.steps[-1]) if self.steps.size else None

    def value_at(self, step: int) -> float:
        """Value at the logged step closest to `step`."""
        index = int(np.clip(np.searchsorted(self.steps, step), 0, self.steps.size - 1))
        if index > 0 and abs(self.steps[index - 1] - step) <= abs(self.steps[index] - step):
            index -= 1
        return float(self.values[index])
