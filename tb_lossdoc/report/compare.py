"""What the tab's comparison view needs of a run: a few sortable numbers and a tiny sketch of its losses.

Both come from the curves the diagnosis used (validation already on the
training step axis), so a sweep of thousands of runs can be sorted and
scanned without fetching each run's points.
"""

from __future__ import annotations

import functools
import math
from typing import Dict, List, Optional

import numpy as np

from ..read.series import Series

SPARKLINE_POINTS = 32
# Enough for a drawing a few dozen pixels high; keeps a 3,000-run list light.
SPARKLINE_DIGITS = 4
_VALUE_FORMAT = f".{SPARKLINE_DIGITS}g"


def _finite(series: Optional[Series]) -> Optional[np.ndarray]:
    if series is None:
        return None
    values = series.values[np.isfinite(series.values)]
    return values if values.size else None


def columns(
    train_loss: Optional[Series], val_loss: Optional[Series], val_acc: Optional[Series]
) -> Dict[str, Optional[float]]:
    """Best validation loss and accuracy, final training loss (null when non-finite), last training step."""
    val = _finite(val_loss)
    acc = _finite(val_acc)
    final = None
    if train_loss is not None and len(train_loss):
        last = float(train_loss.values[-1])
        final = last if math.isfinite(last) else None
    return {
        "best_val_loss": float(val.min()) if val is not None else None,
        "best_val_acc": float(acc.max()) if acc is not None else None,
        "final_train_loss": final,
        "steps": train_loss.last_step() if train_loss is not None else None,
    }


@functools.lru_cache(maxsize=256)
def _spread_index(count: int, limit: int) -> np.ndarray:
    """At most `limit` evenly spread positions in `count` points, first and last kept
    (the same for every run of a sweep, so computed once per length; read-only)."""
    index = np.unique(np.round(np.linspace(0, count - 1, min(count, limit))).astype(np.int64))
    index.flags.writeable = False
    return index


def sketch(series: Series, limit: int = SPARKLINE_POINTS) -> List[list]:
    """At most `limit` evenly spread `[step, value]` points, first and last kept; non-finite values as null."""
    count = len(series)
    if count == 0:
        return []
    index = _spread_index(count, limit)
    return [
        [int(step), float(format(value, _VALUE_FORMAT)) if math.isfinite(value) else None]
        for step, value in zip(series.steps[index].tolist(), series.values[index].tolist())
    ]


def sparkline(train_loss: Optional[Series], val_loss: Optional[Series]) -> Dict[str, List[list]]:
    """`train_loss` and `val_loss` sketches (empty lists for a curve the run lacks)."""
    return {
        "train_loss": sketch(train_loss) if train_loss is not None else [],
        "val_loss": sketch(val_loss) if val_loss is not None else [],
    }
