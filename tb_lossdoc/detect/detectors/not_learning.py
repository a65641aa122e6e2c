"""Training loss barely moves from its starting level, sits at chance level (or started there and barely left it),
is pinned at one level with no scatter, a binary classifier answers only the majority class, or a detector finds nothing."""

from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np

from ...read.series import Series
from ..profile import Profile, median, robust_sigma
from .base import CRITICAL, Finding, RunCurves, certainty
from .problem_shapes import never_improved
from .still_improving import is_still_improving
from .shapes import (
    FLAT_SHARE,
    PINNED_SCATTER,
    PINNED_SHARE,
    Chance,
    Pinned,
    accuracy_at_chance,
    barely_above_chance,
    chance_level,
    improves_clearly,
    is_flat,
    moves_consistently,
    pinned_level,
    predicts_the_prior,
    relative_change,
)

CODE = "not_learning"
NEEDS_HISTORY = True


# An accuracy at chance says nothing yet while the loss, still falling clearly,
# is more than this many times the loss of a uniform guess (a loss falling
# towards that level with chance accuracy is a model learning only the prior).
FAR_ABOVE_CHANCE = 2.0

# A level that itself names the cause (a uniform guess, the class prior) adds
# this much to a finding's margin.
LEVEL_MARGIN = 1.0


def detect(curves: RunCurves) -> List[Finding]:
    main = curves.main
    if main is None:
        return []
    if curves.train is None and curves.val_rise is not None:
        return []  # a validation loss that clearly rose after its best is overfitting's or divergence's story
    named = _answers_the_prior(curves) or _barely_above_chance(curves)
    if named is not None:
        loss, chance = named
        return [_finding(curves, loss, chance, 1.0 + LEVEL_MARGIN)]
    score = _finds_nothing(curves)
    if score is not None:
        return [_finds_nothing_finding(curves, score)]
    accuracy = curves.val_accuracy if curves.val_accuracy is not None else curves.train_accuracy
    # A level read off the training loss is confirmed by the training accuracy where it is logged:
    # a training loss falling through ln K while training accuracy climbs is learning, whatever validation does.
    same_split = curves.train_accuracy if main is curves.train and curves.train_accuracy is not None else accuracy
    chance = chance_level(main, same_split)
    flat = is_flat(main) or never_improved(main)
    after_first = None if flat else _flat_after_first_log(curves)
    if after_first is not None:
        return [_after_first_log_finding(curves, after_first)]
    pinned = None if flat else pinned_level(curves.train)
    if chance is not None and chance.accuracy is None and not flat and pinned is None:
        # A loss that fell and settled near ln K: one of many levels a converged loss lands near by
        # coincidence. Only a loss that never moved from it, or one pinned there without the scatter
        # of a learning model, is guessing (an accuracy at 1/K beside it needs neither).
        chance = None
    if chance is None:
        chance = accuracy_at_chance(accuracy, main)
        guessing = chance is not None
        if guessing and main.end > FAR_ABOVE_CHANCE * chance.value and is_still_improving(curves):
            return []  # far worse than a uniform guess and still falling fast: the accuracy has not caught up yet
    else:
        guessing = False
    if chance is not None:
        pinned = None  # the chance level is the explanation
    if not flat and chance is None and pinned is None:
        # A training loss that moved, beside answers that never changed: it learnt nothing that carries over.
        same = _same_answers(curves)
        return [_same_answers_finding(curves, same)] if same is not None else []
    if chance is None and pinned is None and accuracy_rises(accuracy):
        return []  # a loss that barely moved beside an accuracy that kept rising: it learns
    if not guessing and curves.train is not None and curves.val is not None and improves_clearly(curves.val):
        return []  # validation improves: that pattern has its own code (unless it still only guesses)
    margin = _flat_margin(main) if flat else 1.0
    if chance is not None:
        margin += LEVEL_MARGIN
    if pinned is not None:
        margin = min(pinned.share / PINNED_SHARE, PINNED_SCATTER / max(pinned.scatter, 1e-3 * PINNED_SCATTER))
    return [_finding(curves, main, chance, margin, pinned)]


def _flat_margin(profile: Profile) -> float:
    """How far under FLAT_SHARE the loss's best improvement stayed (>= 1 for a flat loss)."""
    return FLAT_SHARE / max(relative_change(profile), 1e-3 * FLAT_SHARE)


def _finding(curves: RunCurves, main: Profile, chance: Optional[Chance], margin: float, pinned: Optional[Pinned] = None) -> Finding:
    """The not_learning finding on `main`, with the chance level or pinned level that explains it."""
    return Finding(
        CODE,
        CRITICAL,
        int(main.steps[0]),
        int(main.steps[-1]),
        {
            "tag": main.series.tag,
            "start_value": main.start,
            "end_value": main.end,
            "best_change": relative_change(main),
            "lr_constant": curves.lr_constant_between(main.steps[0], main.steps[-1]),
            "points": main.n,
            **(chance.evidence() if chance is not None else {}),
            **(pinned.evidence() if pinned is not None else {}),
        },
        certainty(main.n, margin),
    )


# An accuracy rises when it gains this share of its level, with (nearly) every
# move of a few evaluations, or by this many noise units on a longer curve.
ACCURACY_RISE_OF_LEVEL = 0.01
ACCURACY_RISE_IN_NOISE = 3.0


def accuracy_rises(accuracy: Optional[Profile]) -> bool:
    """The logged accuracy ended clearly above where it started."""
    if accuracy is None or accuracy.end <= 0:
        return False
    gain = accuracy.end - accuracy.start
    if gain < ACCURACY_RISE_OF_LEVEL * accuracy.end:
        return False
    if accuracy.short:
        return moves_consistently(accuracy.values, falling=False)
    return gain >= ACCURACY_RISE_IN_NOISE * accuracy.noise


def _answers_the_prior(curves: RunCurves) -> Optional[Tuple[Profile, Chance]]:
    """(loss, Chance) when an accuracy pinned at a majority share sits beside a loss at that prior's entropy."""
    for loss, accuracy in ((curves.val, curves.val_accuracy), (curves.train, curves.train_accuracy)):
        if loss is not None and accuracy is not None:
            chance = predicts_the_prior(loss, accuracy, curves.train)
            if chance is not None:
                return loss, chance
    return None


def _barely_above_chance(curves: RunCurves) -> Optional[Tuple[Profile, Chance]]:
    """(loss, Chance) when a loss and the accuracy (validation's, else training's) started at a uniform guess and
    barely left it. (A run whose main loss never moved is stuck, at chance level or not: the checks below say so.)"""
    if is_flat(curves.main):
        return None
    accuracy = curves.val_accuracy if curves.val_accuracy is not None else curves.train_accuracy
    for loss in (curves.train, curves.val):
        if loss is not None:
            chance = barely_above_chance(loss, accuracy)
            if chance is not None:
                return loss, chance
    return None


# A detector whose validation mAP50 stayed under this (a tenth of a perfect score)
# over at least this many evaluations has not learned to find its objects,
# whatever its losses did: its box losses fall as it learns where boxes tend to
# be, while it still finds none of them reliably.
NO_DETECTIONS_SCORE = 0.1
NO_DETECTIONS_MIN_EVALS = 5


def _finds_nothing(curves: RunCurves) -> Optional[Profile]:
    """The validation mAP50 when it never reached NO_DETECTIONS_SCORE over enough evaluations, else None."""
    score = curves.val_detection_score
    if score is None or score.n < NO_DETECTIONS_MIN_EVALS or float(np.max(score.values)) >= NO_DETECTIONS_SCORE:
        return None
    return score


def _finds_nothing_finding(curves: RunCurves, score: Profile) -> Finding:
    """not_learning on the run's main loss, citing the detection score that never rose."""
    best = float(np.max(score.values))
    finding = _finding(curves, curves.main, None, NO_DETECTIONS_SCORE / max(best, 0.1 * NO_DETECTIONS_SCORE))
    finding.evidence.update({"no_detections": True, "score_tag": score.series.tag, "score_best": best, "score_points": score.n})
    return finding


# An evaluation accuracy that keeps one value to within this (a fraction of the
# set), at this many evaluations or more, short of SAME_ANSWERS_MAX_ACCURACY (a
# saturated classifier keeps its answers too), beside a validation loss that
# moved by under FLAT_SHARE: the model gives the same answers from the first
# evaluation to the last, and the loss says it learnt nothing meanwhile.
SAME_ANSWERS_SPREAD = 0.002
SAME_ANSWERS_MIN_EVALS = 5
SAME_ANSWERS_MAX_ACCURACY = 0.9


def _same_answers(curves: RunCurves) -> Optional[Profile]:
    """The validation accuracy when it never moved and the validation loss stayed flat, else None."""
    val, accuracy = curves.val, curves.val_accuracy
    if val is None or accuracy is None or accuracy.n < SAME_ANSWERS_MIN_EVALS:
        return None
    spread = float(accuracy.values.max()) - float(accuracy.values.min())
    if spread >= SAME_ANSWERS_SPREAD or float(accuracy.values.max()) > SAME_ANSWERS_MAX_ACCURACY:
        return None
    return accuracy if relative_change(val) < FLAT_SHARE and not improves_clearly(val, FLAT_SHARE) else None


def _same_answers_finding(curves: RunCurves, accuracy: Profile) -> Finding:
    """not_learning on the validation loss, citing the accuracy that never moved."""
    val = curves.val
    finding = _finding(curves, val, None, _flat_margin(val))
    finding.evidence.update({"same_answers": True, "same_answers_accuracy": float(median(accuracy.values)), "accuracy_points": accuracy.n})
    return finding


# A training loss logged this often whose whole fall lies before its second log,
# flat from there on, beside a validation loss that is flat too (or not logged
# apart): whatever the first steps taught (the output format, the mean target),
# nothing was learned after them. Fewer logs leave too little to call flat.
FIRST_LOG_MIN_POINTS = 20
# The first log stands at most this many units of the band's own scatter above
# it: a fall that dwarfs the scatter (a loss that converged inside one logging
# interval) is learning, however early.
FIRST_LOG_MAX_FALL_IN_SCATTER = 8.0


def _flat_after_first_log(curves: RunCurves) -> Optional[Profile]:
    """The training loss without its first log, when only that first log stood above a flat curve, else None."""
    main = curves.main
    if main is not curves.train or main.n < FIRST_LOG_MIN_POINTS or not (curves.val is None or is_flat(curves.val)):
        return None
    values = main.values[1:]
    scatter = robust_sigma(values)
    # Cheap bound first (a flat curve ends within its scatter or a twentieth of its level of where it began).
    if median(values[:5]) - main.end > max(3 * scatter, FLAT_SHARE * float(np.max(np.abs(values)))):
        return None
    rest = Profile(Series.from_points(main.steps[1:], values, tag=main.series.tag))
    fall = float(main.values[0]) - rest.start
    if fall <= 0 or fall > FIRST_LOG_MAX_FALL_IN_SCATTER * scatter or not is_flat(rest):
        return None
    return rest


def _after_first_log_finding(curves: RunCurves, rest: Profile) -> Finding:
    """not_learning on the training loss from its second log on, citing the first log it fell from."""
    finding = _finding(curves, rest, None, _flat_margin(rest))
    first = curves.main
    finding.evidence.update({"after_first_log": True, "first_value": float(first.values[0]), "first_log_step": int(first.steps[0])})
    return finding
