"""Validation loss turns up after a minimum while training loss keeps falling."""

from __future__ import annotations

from typing import List

import numpy as np

from .base import WARNING, Finding, RunCurves
from .overconfidence import accuracy_holds

CODE = "overfitting"
NEEDS_HISTORY = True


def detect(curves: RunCurves) -> List[Finding]:
    if curves.train is None or curves.val is None:
        return []
    rise = curves.val_rise
    if rise is None:
        return []
    # Training must not be rising with it: that is divergence.
    train = curves.train
    allowed = max(0.1 * train.drop, 3 * train.noise / np.sqrt(max(1, train.n // 20)))
    if train.recent > rise.train_at_min + allowed:
        return []
    if accuracy_holds(curves, rise) is True:
        return []  # the loss rose but the answers did not get worse: overconfidence
    return [
        Finding(
            CODE,
            WARNING,
            rise.min_step,
            rise.end_step,
            {
                **rise.evidence(),
                "train_at_val_min": rise.train_at_min,
                "train_end": rise.train_end,
            },
        )
    ]
