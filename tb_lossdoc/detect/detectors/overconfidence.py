"""Validation loss rises while validation accuracy holds or improves."""

from __future__ import annotations

from typing import List, Optional

from .base import INFO, Finding, RunCurves, certainty
from .shapes import ValRise, accuracy_at_chance

CODE = "overconfidence"
NEEDS_HISTORY = True

HOLD_SHARE = 0.015


def accuracy_holds(curves: RunCurves, rise: ValRise) -> Optional[bool]:
    """Whether validation accuracy at the end is no worse than at the loss minimum.

    None when no validation accuracy was logged.
    """
    acc = curves.val_accuracy
    if acc is None:
        return None
    at_min = acc.trend_at(rise.min_step)
    # Accuracy moves in steps of one sample: a 1.5% relative dip is "holding",
    # and so is one within the accuracy's own scatter; a larger one is a fall.
    tolerance = max(acc.noise, HOLD_SHARE * abs(at_min), 1e-12 * acc.magnitude)
    return acc.end >= at_min - tolerance


def detect(curves: RunCurves) -> List[Finding]:
    if curves.val is None or curves.val_accuracy is None:
        return []
    rise = curves.val_rise
    if rise is None or not accuracy_holds(curves, rise):
        return []
    acc = curves.val_accuracy
    if accuracy_at_chance(acc, curves.val) is not None:
        return []  # an accuracy that never left a guess holds trivially: no confidence was gained
    return [
        Finding(
            CODE,
            INFO,
            rise.min_step,
            rise.end_step,
            {
                **rise.evidence(),
                "acc_at_val_min": acc.trend_at(rise.min_step),
                "acc_end": acc.end,
                "acc_best": float(acc.values.max()),
                "acc_best_step": int(acc.steps[acc.values.argmax()]),
                "points": rise.points,
            },
            certainty(min(rise.points, acc.n), rise.margin),
        )
    ]
