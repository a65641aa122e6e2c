"""Training loss flat while validation loss falls: the two sets differ."""

from __future__ import annotations

from typing import List

from .base import WARNING, Finding, RunCurves
from .shapes import improves_clearly, is_flat, relative_change

CODE = "train_flat_val_improving"
NEEDS_HISTORY = True


def detect(curves: RunCurves) -> List[Finding]:
    train, val = curves.train, curves.val
    if train is None or val is None or not is_flat(train) or not improves_clearly(val):
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
                "train_change": relative_change(train),
                "val_start": val.start,
                "val_end": val.end,
                "val_change": relative_change(val),
            },
        )
    ]
