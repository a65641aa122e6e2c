"""Losses still clearly falling when training stopped: it ended too early."""

from __future__ import annotations

from typing import List

from .base import OK, Finding, RunCurves
from .shapes import improves_clearly

CODE = "still_improving"
NEEDS_HISTORY = True

# Over the last fifth of the run the trend fell by this share of the whole gain.
MIN_RECENT_SHARE = 0.025
LAST_PART = 0.2


def recent_gain_share(profile) -> float:
    """How much of the run's gain came in its last fifth (negative if it rose)."""
    before = profile.trend_at(profile.fraction_step(1 - LAST_PART))
    gain = max(profile.start - profile.trend_min, 1e-3 * profile.magnitude)
    return (before - profile.trend[-1]) / gain


def is_still_improving(curves: RunCurves) -> bool:
    main = curves.main
    if main is None or not improves_clearly(main):
        return False
    if recent_gain_share(main) < MIN_RECENT_SHARE:
        return False
    val = curves.val
    # Validation must not be turning up while training keeps falling.
    return val is None or val is main or recent_gain_share(val) > -MIN_RECENT_SHARE


def detect(curves: RunCurves) -> List[Finding]:
    if not is_still_improving(curves):
        return []
    main = curves.main
    evidence = {"tag": main.series.tag, "recent_gain_share": recent_gain_share(main), "end_value": main.end}
    if curves.val is not None and curves.val is not main:
        evidence["val_recent_gain_share"] = recent_gain_share(curves.val)
    return [Finding(CODE, OK, int(main.steps[0]), int(main.steps[-1]), evidence)]
