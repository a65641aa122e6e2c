"""Losses still clearly falling when training stopped: it ended too early."""

from __future__ import annotations

from typing import List

from .base import OK, Finding, RunCurves, certainty
from .shapes import falls_steadily, improves_clearly, tail_slope

CODE = "still_improving"
NEEDS_HISTORY = True

# Over the last fifth of the run the loss fell by this share of the whole gain...
MIN_RECENT_SHARE = 0.025
LAST_PART = 0.2
# ...and that fall is at least one standard error of the fitted slope (else it
# is noise); how many more only changes the confidence.
MIN_RECENT_IN_ERRORS = 1.0
SURE_RECENT_IN_ERRORS = 3.0
# A separately logged validation loss must still be falling too, by half the share asked of training (its own fit).
MIN_VAL_RECENT_SHARE = 0.5 * MIN_RECENT_SHARE


def recent_gain_share(profile) -> float:
    """How much of the run's gain came in its last fifth (negative if it rose).

    From a straight-line fit over the last fifth of the raw points (at least
    three), scaled to a fifth of the run's steps.
    """
    slope, _ = tail_slope(profile, LAST_PART)
    fall = -slope * LAST_PART * max(profile.span, 1)  # per fifth of the run
    return fall / _gain(profile)


def recent_fall_in_errors(profile) -> float:
    """The last fifth's fall over the fit's standard error: how clearly it is a fall."""
    slope, error = tail_slope(profile, LAST_PART)
    return -slope / error if error > 0 else (float("inf") if slope < 0 else 0.0)


def _gain(profile) -> float:
    return max(profile.start - profile.trend_min, 1e-3 * profile.magnitude)


def is_still_improving(curves: RunCurves) -> bool:
    main = curves.main
    if main is None:
        return False
    if not (falls_steadily(main) if main.short else improves_clearly(main)):
        return False
    if recent_gain_share(main) < MIN_RECENT_SHARE or recent_fall_in_errors(main) < MIN_RECENT_IN_ERRORS:
        return False
    val = curves.val
    # Validation must still be falling too: once it has flattened, more training
    # buys nothing on new data, however much the training loss still falls. A
    # few evaluations must fall with (nearly) every one of them.
    if val is None or val is main:
        return True
    return falls_steadily(val) if val.short else recent_gain_share(val) > MIN_VAL_RECENT_SHARE


def detect(curves: RunCurves) -> List[Finding]:
    if not is_still_improving(curves):
        return []
    main = curves.main
    share = recent_gain_share(main)
    evidence = {"tag": main.series.tag, "recent_gain_share": share, "end_value": main.end, "points": main.n}
    if curves.val is not None and curves.val is not main:
        evidence["val_recent_gain_share"] = recent_gain_share(curves.val)
    confidence = certainty(main.n, min(share / MIN_RECENT_SHARE, recent_fall_in_errors(main) / SURE_RECENT_IN_ERRORS + 1.0))
    return [Finding(CODE, OK, int(main.steps[0]), int(main.steps[-1]), evidence, confidence)]
