"""Training loss flat while validation loss falls: the two sets differ."""

from __future__ import annotations

from typing import List

from .base import WARNING, Finding, RunCurves
from .shapes import improves_clearly, is_flat, relative_change

CODE = "train_flat_val_improving"
NEEDS_HISTORY = True


# Training moved less than this share of its level, and less than
# TRAIN_SHARE_OF_VAL of what validation gained (relative to their own levels).
MAX_TRAIN_CHANGE = 0.10
TRAIN_SHARE_OF_VAL = 0.3
MIN_VAL_CHANGE = 0.15


def detect(curves: RunCurves) -> List[Finding]:
    train, val = curves.train, curves.val
    if train is None or val is None:
        return []
    train_change, val_change = relative_change(train), relative_change(val)
    if not (is_flat(train) or (train_change < MAX_TRAIN_CHANGE and train_change < TRAIN_SHARE_OF_VAL * val_change)):
        return []
    if val_change < MIN_VAL_CHANGE or not improves_clearly(val):
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
            },
        )
    ]
