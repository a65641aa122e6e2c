"""Training loss flat while validation loss falls: the two sets differ."""

from __future__ import annotations

from typing import List

import numpy as np

from .base import WARNING, Finding, RunCurves, certainty
from .shapes import falls_steadily, improves_clearly, is_flat, relative_change

CODE = "train_flat_val_improving"
NEEDS_HISTORY = True


# Training gained less than this share of its level (and never went below where
# it started only if it is flat: a training loss that rose is not flat), and
# less than TRAIN_SHARE_OF_VAL of what validation gained (relative to their own levels)...
MAX_TRAIN_CHANGE = 0.10
TRAIN_SHARE_OF_VAL = 0.3
MIN_VAL_CHANGE = 0.15
# ...or training is flat outright, and validation gained at least this share
# (heavy label noise in training: a modest gain), clear of its noise by this factor.
MIN_VAL_CHANGE_BESIDE_FLAT = 0.05
MIN_VAL_GAIN_IN_NOISE = 4.0


def _val_change_while_training_logged(val, first_train_step: int) -> float:
    """Validation's best improvement as a share of its scale, from where it stood when the training loss was first logged.

    An evaluation of the untrained model (step 0) before a training loss first
    logged hundreds of steps in holds a fall the training curve never shows:
    comparing the two gains would call any run's training flat.
    """
    if val.steps[0] >= first_train_step:
        return relative_change(val)
    later = val.values[val.steps >= first_train_step]
    if later.size == 0:
        return 0.0
    since = val.trend_at(first_train_step)
    return (since - min(float(np.min(later)), val.end)) / val.magnitude


def detect(curves: RunCurves) -> List[Finding]:
    train, val = curves.train, curves.val
    if train is None or val is None:
        return []
    train_change, val_change = relative_change(train), _val_change_while_training_logged(val, int(train.steps[0]))
    gain = val.start - val.end
    in_noise = gain / max(val.noise / np.sqrt(max(1, val.n // 10)), 1e-12 * val.magnitude)
    if is_flat(train) and train_change < TRAIN_SHARE_OF_VAL * val_change:
        needed = MIN_VAL_CHANGE_BESIDE_FLAT
        if val_change < needed or in_noise < MIN_VAL_GAIN_IN_NOISE or not improves_clearly(val, needed):
            return []
    elif (
        0 <= train_change < MAX_TRAIN_CHANGE
        and train_change < TRAIN_SHARE_OF_VAL * val_change
        and not (train.short and falls_steadily(train))
    ):
        # A few-point training loss that falls with every move is learning, only more slowly
        # than validation (measured under dropout/augmentation): that is still improving.
        needed = MIN_VAL_CHANGE
        if val_change < needed or not improves_clearly(val):
            return []
    else:
        return []
    return [
        Finding(
            CODE,
            WARNING,
            int(min(train.steps[0], val.steps[0])),
            int(max(train.steps[-1], val.steps[-1])),
            {
                "train_start": train.start,
                "train_end": train.end,
                "train_change": train_change,
                "val_start": val.start,
                "val_end": val.end,
                "val_change": val_change,
                "points": val.n,
            },
            certainty(min(train.n, val.n), min(val_change / needed, in_noise / MIN_VAL_GAIN_IN_NOISE)),
        )
    ]
