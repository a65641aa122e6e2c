"""Put validation logged per epoch on the step axis of training logged per step."""

from __future__ import annotations

from typing import Optional

import numpy as np

from .series import Series


def epochs_on_step_axis(train: Optional[Series], val: Optional[Series]) -> Optional[Series]:
    """Rescaled validation series when its steps are epoch numbers, else None.

    Recognised when validation steps are consecutive small integers (0..E or
    1..E) that end far before the training steps do. Epoch e is placed at the
    end of epoch e, assuming epochs of equal length that end with training.
    """
    if train is None or val is None or len(train) < 2 or len(val) < 2:
        return None
    steps = val.steps
    consecutive = bool(np.all(np.diff(steps) == 1)) and steps[0] in (0, 1)
    train_last = int(train.steps[-1])
    if not consecutive or int(steps[-1]) * 10 > train_last:
        return None
    epochs = int(steps[-1]) + (1 if steps[0] == 0 else 0)
    per_epoch = train_last / epochs
    scaled = np.round((steps - steps[0] + 1) * per_epoch)
    # float64 rounds a step near 2^63 past int64; no epoch ends after training does.
    ends = np.fromiter((min(int(end), train_last) for end in scaled), np.int64, scaled.size)
    return Series(ends, val.values, val.run, val.tag, val.duplicates_dropped)
