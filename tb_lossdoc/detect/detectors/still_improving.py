"""Losses still clearly falling when training stopped: it ended too early."""

from __future__ import annotations

from typing import List, Optional

import numpy as np

from ...read.series import Series
from ..profile import Profile
from .base import OK, Finding, RunCurves, certainty
from .plateau import validation_stall
from .shapes import FLAT_SHARE, falls_steadily, improves_clearly, relative_change, tail_slope, two_evaluations_evidence, two_evaluations_fall

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


# A loss whose last fifth brought this share of all it gained, clearly (this
# many standard errors), is still improving though its whole fall is small: it
# has only just started to learn.
STARTING_RECENT_SHARE = 0.4
STARTING_IN_ERRORS = 2.0


def just_started(profile) -> bool:
    """Not flat, and falling fastest at the very end (the last fifth holds most of the gain)."""
    return (
        not profile.short
        and relative_change(profile) >= FLAT_SHARE
        and recent_gain_share(profile) >= STARTING_RECENT_SHARE
        and recent_fall_in_errors(profile) >= STARTING_IN_ERRORS
    )


# A validation loss bounded by zero whose last fifth took a fifth off its
# own current level, clearly (this many standard errors), is still falling on
# the log scale practitioners read it on, however small that is beside a huge
# first drop.
VAL_RECENT_SHARE_OF_LEVEL = 0.2
VAL_LEVEL_IN_ERRORS = 3.0


def recent_fall_of_level(profile) -> float:
    """The last fifth's fitted fall as a share of where the loss ended (0 unless the loss is bounded by zero)."""
    if float(profile.values.min()) < 0 or profile.end <= 0:
        return 0.0
    slope, _ = tail_slope(profile, LAST_PART)
    return -slope * LAST_PART * max(profile.span, 1) / profile.end


def validation_falls_steeply(curves: RunCurves) -> bool:
    """A separately logged validation loss still loses a fifth of its level per fifth of the run, clearly, beside a training loss that fell."""
    main, val = curves.main, curves.val
    if val is None or val is main or not (falls_steadily(main) if main.short else improves_clearly(main)):
        return False
    at_its_lowest = float(val.values[-1]) <= float(val.values.min()) + val.noise  # still making new lows
    return (
        at_its_lowest
        and recent_fall_of_level(val) >= VAL_RECENT_SHARE_OF_LEVEL
        and recent_fall_in_errors(val) >= VAL_LEVEL_IN_ERRORS
    )


# A few evaluations whose last move took off less than this share of the level,
# and less than this share of the move before it, have stopped falling.
STOPPED_SHARE_OF_LEVEL = 0.01
STOPPED_SHARE_OF_PREVIOUS = 0.25


def stopped_at_the_end(profile) -> bool:
    """A short curve whose last move barely moved, after a real one: it has flattened."""
    values = profile.values
    last, previous = values[-2] - values[-1], values[-3] - values[-2]
    return abs(last) < STOPPED_SHARE_OF_LEVEL * abs(values[-1]) and abs(last) < STOPPED_SHARE_OF_PREVIOUS * previous


# A decaying learning rate that, continued at its average pace since its peak,
# would reach zero only after the run had gone on at least as long again: the
# run was stopped before half of its schedule.
MAX_SCHEDULE_DONE = 0.5
# Below its peak by at least this share: a decay, not a constant or rounded LR.
MIN_DECAY_OF_PEAK = 0.01


def schedule_share_done(lr: Optional[Series]) -> Optional[float]:
    """The share of a decaying LR schedule the run got through, by a straight line from the peak to the last value; None without one."""
    if lr is None:
        return None
    finite = lr.finite_only()
    if finite.values.size < 3:
        return None
    peak_index = int(np.argmax(finite.values))
    peak, last = float(finite.values[peak_index]), float(finite.values[-1])
    if peak <= 0 or last < 0 or last > (1.0 - MIN_DECAY_OF_PEAK) * peak:
        return None
    first_step, peak_step, last_step = (int(finite.steps[i]) for i in (0, peak_index, -1))
    if last_step <= peak_step:
        return None
    remaining = (last_step - peak_step) * last / (peak - last)  # steps until a straight line hits zero
    return (last_step - first_step) / (last_step - first_step + remaining)


def making_new_lows(profile) -> bool:
    """The curve fell overall, its last point is its lowest (within its noise) and its last fifth falls clearly."""
    values = profile.values
    return bool(
        values[-1] < values[0]
        and values[-1] <= float(values.min()) + profile.noise
        and (profile.short or recent_fall_in_errors(profile) >= MIN_RECENT_IN_ERRORS)
    )


def stopped_early_in_schedule(curves: RunCurves) -> bool:
    """The LR schedule had not run half its course and the loss a run is judged by still made new lows.

    That loss is validation where it is logged apart (the training loss must
    have fallen too), else training. Computed once per run: the verdict and its evidence ask.
    """
    key = ("stopped_early_in_schedule",)
    if key not in curves.shared:
        curves.shared[key] = _stopped_early_in_schedule(curves)
    return curves.shared[key]


def _stopped_early_in_schedule(curves: RunCurves) -> bool:
    share = schedule_share_done(curves.lr)
    if share is None or share > MAX_SCHEDULE_DONE:
        return False
    main, val = curves.main, curves.val
    if val is not None and val is not main:
        return making_new_lows(val) and main.end < main.start and validation_stall(curves) is None
    return making_new_lows(main)


def is_still_improving(curves: RunCurves) -> bool:
    """Still falling at the end: a few evaluations decide alone; otherwise the loss a run is judged by, and validation with it.

    Computed once per run: still_improving, converged and not_learning ask.
    """
    key = ("still_improving",)
    if key not in curves.shared:
        curves.shared[key] = _still_improving(curves)
    return curves.shared[key]


def _still_improving(curves: RunCurves) -> bool:
    main = curves.main
    if main is None:
        return False
    if validation_falls_steeply(curves) or stopped_early_in_schedule(curves):
        return True
    val = curves.val
    if not (_short_training_fell(main, val) if main.short else improves_clearly(main) or just_started(main)):
        return False
    two = two_evaluations_fall(curves)
    if two is not None:
        return two
    if main.short and (val is None or val is main):
        # A few training points alone: read as their plot reads, or still taking a tenth off the level at the last
        # move, as long as that move is no crumb of the whole fall (as a long curve's last fifth must bring).
        last = last_move_of_fall(main)
        return last >= SHORT_LAST_MOVE_OF_FALL or (last >= MIN_RECENT_SHARE and last_move_of_level(main) >= SHORT_LAST_MOVE_OF_LEVEL)
    if val is not None and val is not main:
        if validation_stall(curves) is not None:
            return False  # training falls, validation never moved: more of it buys nothing
        if val.short:
            # A few evaluations must fall with (nearly) every one of them, to the
            # last; they decide however noisy the per-step training loss's end is.
            return falls_steadily(val) and not stopped_at_the_end(val)
    if (recent_gain_share(main) < MIN_RECENT_SHARE or recent_fall_in_errors(main) < MIN_RECENT_IN_ERRORS) and not fifths_still_fall(main):
        return False
    # Validation must still be falling too: once it has flattened, more training
    # buys nothing on new data, however much the training loss still falls...
    if val is None or val is main:
        return True
    # ...and clearly (a zig-zagging validation curve's last points fall by chance half the time).
    return recent_gain_share(val) > MIN_VAL_RECENT_SHARE and recent_fall_in_errors(val) >= MIN_RECENT_IN_ERRORS


# A noisy per-step loss read as practitioners read it: the medians of its
# fifths. Still falling when the last three fall in turn, the last step taking
# this share of the level, clearly (this many standard errors of a difference of
# two fifth medians), and at this share of the step before it at least: a loss
# closing in on its floor slows fifth by fifth, and has converged. A multi-epoch
# run's loss steps down at each new epoch, which a line through its last fifth
# (one flat step) misses.
FIFTHS_MIN_POINTS = 50
FIFTHS_LAST_FALL_OF_LEVEL = 0.03
FIFTHS_FALL_IN_ERRORS = 3.0
FIFTHS_KEEPS_PACE = 0.5
# A median's standard error is this many times the mean's (normal noise).
MEDIAN_ERROR_FACTOR = float(np.sqrt(np.pi / 2))


def fifths_still_fall(profile: Profile) -> bool:
    """The medians of the curve's last three fifths fall in turn, the last fall clearly and at pace (a loss bounded by zero)."""
    if profile.n < FIFTHS_MIN_POINTS or float(np.min(profile.values)) < 0:
        return False
    third, fourth, fifth = (profile.level(i / 5, (i + 1) / 5) for i in (2, 3, 4))
    fall = fourth - fifth
    error = MEDIAN_ERROR_FACTOR * profile.noise * np.sqrt(2.0 / (profile.n / 5))  # of the difference of two fifths' medians
    return (
        third > fourth > fifth > 0
        and fall >= max(FIFTHS_LAST_FALL_OF_LEVEL * fifth, FIFTHS_FALL_IN_ERRORS * error, FIFTHS_KEEPS_PACE * (third - fourth))
    )


# A few training points that fell steadily are still falling when their last move
# is at least this share of their whole fall: on a plot of the run, still sloping
# down at the end (the level of the last few points lags a curve this short).
SHORT_LAST_MOVE_OF_FALL = 0.1
# ...or when that last move still takes this share off the level it moved from (a convex decay's
# last move is small beside its first drop, and still steep on the log scale practitioners read).
SHORT_LAST_MOVE_OF_LEVEL = 0.1


def last_move_of_level(profile: Profile) -> float:
    """The last move down as a share of the level it moved from (0 for a loss that may go below zero)."""
    values = profile.values
    if float(np.min(values)) < 0 or values[-2] <= 0:
        return 0.0
    return float(values[-2] - values[-1]) / float(values[-2])


def last_move_of_fall(profile: Profile) -> float:
    """The last move down as a share of the whole fall from the first point to the lowest (0 without a fall)."""
    values = profile.values
    fall = float(values[0] - np.min(values))
    return float(values[-2] - values[-1]) / fall if fall > 0 else 0.0


def _short_training_fell(main: Profile, val: Optional[Profile]) -> bool:
    """A few training points that fell with (nearly) every move, or fell clearly overall beside
    a few evaluations that did (training on augmented batches zig-zags where validation does not)."""
    if falls_steadily(main):
        return True
    return val is not None and val is not main and val.short and falls_steadily(val) and improves_clearly(main)


def detect(curves: RunCurves) -> List[Finding]:
    if not is_still_improving(curves):
        return []
    main = curves.main
    share = recent_gain_share(main)
    evidence = {"tag": main.series.tag, "recent_gain_share": share, "end_value": main.end, "points": main.n}
    if curves.val is not None and curves.val is not main:
        evidence["val_recent_gain_share"] = recent_gain_share(curves.val)
    evidence.update(two_evaluations_evidence(curves))
    if stopped_early_in_schedule(curves):
        evidence["schedule_done_share"] = schedule_share_done(curves.lr)
    confidence = certainty(main.n, min(share / MIN_RECENT_SHARE, recent_fall_in_errors(main) / SURE_RECENT_IN_ERRORS + 1.0))
    return [Finding(CODE, OK, int(main.steps[0]), int(main.steps[-1]), evidence, confidence)]
