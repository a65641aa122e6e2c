"""Validation loss turns up after a minimum while training loss keeps falling."""

from __future__ import annotations

from typing import List

import numpy as np

from .base import INFO, WARNING, Finding, RunCurves, certainty
from .overconfidence import accuracy_holds
from .shapes import MEMORISATION_GAP, SHORT_ONE_POINT_RISE_OF_LEVEL, memorisation_gap, two_evaluations, two_evaluations_change, two_evaluations_evidence

CODE = "overfitting"
NEEDS_HISTORY = True


def detect(curves: RunCurves) -> List[Finding]:
    if curves.val is None:
        return _second_evaluation_worse(curves)  # none unless a training loss sits beside two evaluations
    if curves.train is None:
        return _rose_without_training(curves)
    rise = curves.val_rise
    if rise is None:
        return _memorised(curves)
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
