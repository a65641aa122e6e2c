"""Losses flattened at the end after real progress, with no rise."""

from __future__ import annotations

from typing import List

from .base import OK, Finding, RunCurves, certainty
from .plateau import collapsed_lr_stall, validation_stall
from .shapes import (
    MIN_VAL_RISE_IN_NOISE,
    MIN_VAL_RISE_OF_DROP,
    SHORT_ONE_POINT_RISE_OF_LEVEL,
    TWO_EVALS_STOPPED,
    falls_steadily,
    two_evaluations_change,
    two_evaluations_evidence,
)
from .still_improving import MIN_RECENT_SHARE, is_still_improving, recent_gain_share

CODE = "converged"
NEEDS_HISTORY = True


def detect(curves: RunCurves) -> List[Finding]:
    main = curves.main
    if main is None or is_still_improving(curves):
        return []
    if main.short and not falls_steadily(main):
        return []  # a few points that did not clearly fall and settle say nothing
    if _validation_rose(curves) or collapsed_lr_stall(curves) is not None or validation_stall(curves) is not None:
        return []  # "converged, no sign of trouble" would be false
    if _validation_unsettled(curves):
        return []  # swinging by half of all it gained, validation settled nowhere
    share = recent_gain_share(main)
    evidence = {"tag": main.series.tag, "recent_gain_share": share, "end_value": main.end, "points": main.n}
    if curves.val is not None and curves.val is not main:
        evidence["val_end"] = curves.val.end
        evidence["gap_of_train"] = (curves.val.end - main.end) / main.magnitude
    evidence.update(two_evaluations_evidence(curves))
    first = int(main.trend_steps[int(len(main.trend) * 0.8)])
    flatness = MIN_RECENT_SHARE / max(abs(share), 1e-3 * MIN_RECENT_SHARE)
    return [Finding(CODE, OK, first, int(main.steps[-1]), evidence, certainty(main.n, flatness))]


def _validation_rose(curves: RunCurves) -> bool:
    """Validation ends clearly above its minimum, even if not clearly enough to call overfitting."""
    val = curves.val
    change = two_evaluations_change(curves)
    if change is not None:
        return change >= TWO_EVALS_STOPPED  # the second of two evaluations clearly worse
    if val is None or val is curves.main:
        return False
    rise = val.end - val.trend_min
    drop = max(val.start - val.trend_min, 0.0)
    if val.short and val.trend_min > 0 and rise < SHORT_ONE_POINT_RISE_OF_LEVEL * val.trend_min:
        return False  # a few evaluations have no noise estimate: a small last step up is within it
    return rise > max(MIN_VAL_RISE_OF_DROP * drop, MIN_VAL_RISE_IN_NOISE * val.noise, 0.02 * val.magnitude)


# A validation loss whose scatter around its trend is this share of all it
# gained has not settled at any level.
UNSETTLED_NOISE_OF_GAIN = 0.5


def _validation_unsettled(curves: RunCurves) -> bool:
    """A separately logged validation loss that swings by half its gain or more."""
    val = curves.val
    if val is None or val is curves.main or val.short:
        return False
    gain = val.start - val.trend_min
    return gain > 0 and val.noise >= UNSETTLED_NOISE_OF_GAIN * gain
