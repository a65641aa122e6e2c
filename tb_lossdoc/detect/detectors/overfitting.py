"""Validation loss turns up after a minimum while training loss keeps falling."""

from __future__ import annotations

from typing import List

import numpy as np

from ..profile import rolling_median
from .base import INFO, WARNING, Finding, RunCurves, certainty
from .overconfidence import accuracy_holds
from .problem_shapes import SWING_MIN_TRIPS, swing_trips
from .shapes import MEMORISATION_GAP, SHORT_ONE_POINT_RISE_OF_LEVEL, memorisation_gap, moves_consistently, noise_from_minimum, two_evaluations, two_evaluations_change, two_evaluations_evidence

CODE = "overfitting"
NEEDS_HISTORY = True


def detect(curves: RunCurves) -> List[Finding]:
    if curves.val is None:
        return _second_evaluation_worse(curves)  # none unless a training loss sits beside two evaluations
    if curves.train is None:
        return _rose_without_training(curves)
    rise = curves.val_rise
    if rise is None:
        return _memorised(curves) or _widening_gap(curves)
    # Training must have kept falling, or at least held, since validation's
    # minimum: rising with validation is divergence, and validation climbing
    # beside a training loss that drifted up is not the model memorising.
    if curves.train.recent > rise.train_at_min:
        return []
    # Accuracy that holds does not excuse the rise: validation stopped gaining
    # while training still does. Overconfidence is then reported beside it.
    holds = accuracy_holds(curves, rise) is True
    return [
        Finding(
            CODE,
            INFO if holds else WARNING,  # beside overconfidence, which then gives the verdict
            rise.min_step,
            rise.end_step,
            {
                **rise.evidence(),
                "train_at_val_min": rise.train_at_min,
                "train_end": rise.train_end,
                "points": rise.points,
            },
            certainty(rise.points, rise.margin),
        )
    ]


def _memorised(curves: RunCurves) -> List[Finding]:
    """Training loss driven to ~0 while validation stays far above: overfitting without a rise."""
    train, val = curves.train, curves.val
    gap = memorisation_gap(train, val)
    if gap is None:
        return []
    best = int(np.argmin(val.values))
    return [
        Finding(
            CODE,
            WARNING,
            int(val.steps[best]),
            int(val.steps[-1]),
            {
                "memorisation_gap": gap,
                "train_start": train.start,
                "train_end": train.end,
                "val_start": val.start,
                "val_end": val.end,
                "val_min": float(val.values[best]),
                "val_min_step": int(val.steps[best]),
                "points": val.n,
            },
            certainty(min(train.n, val.n), gap / MEMORISATION_GAP),
        )
    ]


# Validation's best evaluation lies at least this share of the run before the
# end (early stopping with a patience of that long would have stopped)...
STALE_SHARE = 0.4
# ...and validation ends this share of its best above it, and this many times
# its scatter since the best (a rise too small for a clear turn upwards)...
STALE_END_ABOVE_BEST = 0.03
STALE_END_IN_SCATTER = 2.0
# ...while training fell by this share of its level since then: the gap widens.
STALE_TRAIN_FALL = 0.3
STALE_MIN_EVALUATIONS = 5
# A best that lies less than this share below the first evaluation is a stall
# unless validation ends clearly (SHORT_ONE_POINT_RISE_OF_LEVEL) above it.
STALE_MIN_GAIN = 0.1


def _widening_gap(curves: RunCurves) -> List[Finding]:
    """Validation no better than its long-past best, and ending above it, while training kept falling well below where it was.

    On a curve long enough for a shape the best is read on a 3-point rolling
    median, so that one lucky evaluation of a scattered validation loss is not
    a best it "never got back to"; on a few points, each evaluation counts but
    the best must end a steady descent (as for a best never matched).
    """
    train, val = curves.train, curves.val
    if val.n < STALE_MIN_EVALUATIONS or float(np.min(val.values)) <= 0 or float(np.min(train.values)) < 0:
        return []
    settled = val.values if val.short else rolling_median(val.values, 3)
    best = int(np.argmin(settled))
    low, step = float(settled[best]), int(val.steps[best])
    if (int(val.steps[-1]) - step) < STALE_SHARE * max(val.span, 1):
        return []
    if val.short and best > 0 and not moves_consistently(settled[: best + 1], falling=True):
        return []  # a lucky dip in a zig-zag, not the end of a descent
    if len(swing_trips(val)) >= SWING_MIN_TRIPS:
        return []  # a best among repeated swings is luck: oscillation's
    above = val.end - low
    if above < max(STALE_END_ABOVE_BEST * low, STALE_END_IN_SCATTER * noise_from_minimum(val)):
        return []
    if low > (1.0 - STALE_MIN_GAIN) * float(settled[0]) and above < SHORT_ONE_POINT_RISE_OF_LEVEL * low:
        return []  # never learned and never clearly worse: a stall (plateau's), not a widening gap
    train_at_best = train.trend_at(step)
    if train_at_best <= 0:
        return []
    train_fall = (train_at_best - train.end) / train_at_best
    if train_fall < STALE_TRAIN_FALL:
        return []
    evidence = {
        "widening_gap": True,
        "val_min": low,
        "val_min_step": step,
        "val_end": val.end,
        "val_above_best": above / low,
        "stale_share": (int(val.steps[-1]) - step) / max(val.span, 1),
        "best_at_start": best == 0,
        "train_at_val_min": train_at_best,
        "train_end": train.end,
        "train_fall_since_best": train_fall,
        "points": val.n,
    }
    return [Finding(CODE, WARNING, step, int(val.steps[-1]), evidence, certainty(val.n, train_fall / STALE_TRAIN_FALL))]


def _second_evaluation_worse(curves: RunCurves) -> List[Finding]:
    """Of two evaluations, the second is SHORT_ONE_POINT_RISE_OF_LEVEL above the first while training kept falling:
    too few for a curve, but the first sign a practitioner reads (the first checkpoint was the better one)."""
    two = two_evaluations(curves)
    change = two_evaluations_change(curves)
    if two is None or change < SHORT_ONE_POINT_RISE_OF_LEVEL:
        return []
    (first, second), steps = two.values.tolist(), two.steps
    train_at_first = curves.train.trend_at(float(steps[0]))
    if curves.train.end >= train_at_first:
        return []
    evidence = {
        "val_min": first,
        "val_min_step": int(steps[0]),
        "val_end": second,
        "best_at_start": False,  # the first of two evaluations comes after an epoch or more, not from the untrained model
        "train_at_val_min": train_at_first,
        "train_end": curves.train.end,
        "points": 2,
        **two_evaluations_evidence(curves),
    }
    return [Finding(CODE, WARNING, int(steps[0]), int(steps[1]), evidence, certainty(2, change / SHORT_ONE_POINT_RISE_OF_LEVEL))]


def _training_logs(curves: RunCurves) -> int:
    """How many finite training-loss points were logged (too few to make a curve of)."""
    return len(curves.train_loss.finite_only()) if curves.train_loss is not None else 0


def _rose_without_training(curves: RunCurves) -> List[Finding]:
    """A validation loss that improved, then rose clearly and lastingly, in a run that logs no training loss (or under 3 points of it).

    (An evaluation-only log, e.g. a Trainer whose logging_steps exceed its
    steps.) That training kept falling cannot be checked, and the text says so.
    A rise from the very first evaluation counts too (the first checkpoint was
    the best); a long steady climb from there is divergence's, which overrules this.
    """
    rise = curves.val_rise
    if rise is None:
        return []
    return [
        Finding(
            CODE,
            WARNING,
            rise.min_step,
            rise.end_step,
            {**rise.evidence(), "train_logged": False, "train_points": _training_logs(curves), "points": rise.points},
            certainty(rise.points, rise.margin),
        )
    ]
