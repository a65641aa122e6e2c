"""A long stall that the loss later leaves downward, not explained by an LR decay;
a stall that starts when the learning rate collapses, which it never leaves; a
loss that froze at one value for the end of the run; or a validation loss that
never improves on its first evaluation while training learns."""

from __future__ import annotations

from collections import deque
from typing import List, Optional, Tuple

import numpy as np

from ..profile import Profile, median
from .base import INFO, WARNING, Evidence, Finding, RunCurves, certainty
from .problem_shapes import STUCK_MIN_DROP_AFTER, stuck_until_lr_cut

CODE = "plateau"
NEEDS_HISTORY = True

# The stall covers at least this share of the run's steps...
MIN_LENGTH_SHARE = 0.2
# ...with the trend inside a band of this share of the curve's spread...
BAND_OF_SPREAD = 0.06
# ...and afterwards the loss falls below it by this share of the spread.
MIN_DROP_AFTER = 0.2


# The learning rate collapsed: it fell below this share of its peak...
COLLAPSE_OF_PEAK = 1e-3
# ...before this fraction of the run, so a long stretch follows...
LATEST_COLLAPSE = 0.75
# ...in which the loss gains less than this share of its spread...
MAX_GAIN_AFTER_COLLAPSE = 0.05
# ...although just before (over this fraction of the run) it was still falling by this share.
BEFORE_COLLAPSE = 0.15
MIN_FALL_BEFORE_COLLAPSE = 0.05


# Validation stalled from the start: over at least this many evaluations...
VAL_STALL_MIN_POINTS = 5
# ...it never gains this share of its level...
VAL_STALL_MAX_GAIN = 0.1
# ...while from its second evaluation on the training loss falls by this share of its level.
VAL_STALL_TRAIN_FALL = 0.25


def detect(curves: RunCurves) -> List[Finding]:
    stall = validation_stall(curves)
    if stall is not None:
        val = curves.val
        margin = min(stall["train_fall_share"] / VAL_STALL_TRAIN_FALL, VAL_STALL_MAX_GAIN / max(stall["val_gain_share"], 1e-3))
        return [Finding(CODE, WARNING, int(val.steps[0]), int(val.steps[-1]), stall, certainty(val.n, margin))]
    main = curves.main
    if main is None or main.amplitude <= 0:
        return []
    cuts = [c.step for c in curves.lr_changes if c.is_decrease]
    stuck = stuck_until_lr_cut(main, cuts[0] if cuts else None)
    if stuck is not None and not stuck["rose_before_cut"]:  # a rise is divergence's
        first_step, last_step = stuck.pop("first_step"), stuck.pop("last_step")
        evidence = {"tag": main.series.tag, **stuck, "lr_constant": curves.lr_constant_between(first_step, last_step), "points": main.n}
        return [Finding(CODE, WARNING, first_step, last_step, evidence, certainty(main.n, stuck["drop_after_of_spread"] / STUCK_MIN_DROP_AFTER))]
    if main.short:
        return []
    collapse = collapsed_lr_stall(curves)
    if collapse is not None:
        first = int(collapse["collapse_step"])
        return [Finding(CODE, WARNING, first, int(main.steps[-1]), collapse, certainty(main.n, collapse.pop("margin")))]
    frozen = frozen_end(main)
    if frozen is not None:
        first = int(frozen["frozen_from_step"])
        evidence = {**frozen, "lr_constant": curves.lr_constant_between(first, int(main.steps[-1]))}
        return [Finding(CODE, WARNING, first, int(main.steps[-1]), evidence, certainty(main.n, frozen["length_share"] / FROZEN_MIN_SHARE))]
    for first, last in sorted(_flat_stretches(main), key=lambda s: s[0] - s[1]):
        level = median(main.trend[first : last + 1])
        drop_after = (level - float(np.min(main.trend[last:]))) / main.amplitude
        if drop_after < MIN_DROP_AFTER:
            continue
        if _creeps_down(main, first, last):
            continue  # flat only beside a huge first drop: it kept losing a share of its own level
        first_step, last_step = int(main.trend_steps[first]), int(main.trend_steps[last])
        if _lr_decay_ends_it(curves, last_step, main):
            continue  # the schedule ended the stall: a step decay doing its job
        if _lr_warmup_ends_it(curves, first_step, last_step):
            continue  # the rate was still too small to move the loss: a slow warm-up, not a stall
        if _drop_stays_in_training(curves, last_step):
            continue  # e.g. the drop at each new epoch of a fine-tune: memorising, not learning again
        if _validation_gains_through(curves, first_step, last_step):
            continue  # the model kept learning: only the per-step training loss looked flat
        return [
            Finding(
                CODE,
                INFO,
                first_step,
                last_step,
                {
                    "tag": main.series.tag,
                    "level": level,
                    "length_share": (last_step - first_step) / max(main.span, 1),
                    "drop_after_of_spread": drop_after,
                    "lr_constant": curves.lr_constant_between(first_step, last_step),
                },
                certainty(main.n, drop_after / MIN_DROP_AFTER),
            )
        ]
    return []


# A stretch whose trend kept falling at a typical pace (the median of its moves,
# on the log scale) that adds up over the stretch to this share of its level was
# still making progress (a loss bounded by zero), however flat it looks beside a
# huge first drop; a real stall's typical move is nil, whatever led into it.
MAX_FALL_OF_LEVEL = 0.1


def _creeps_down(main: Profile, first: int, last: int) -> bool:
    """The stretch's trend kept falling: its typical move, times its length, exceeds MAX_FALL_OF_LEVEL of its level."""
    trend = main.trend[first : last + 1]
    if float(np.min(main.values)) < 0 or float(np.min(trend)) <= 0 or trend.size < 2:
        return False
    pace = -median(np.diff(np.log(trend)))
    return pace * (trend.size - 1) > MAX_FALL_OF_LEVEL


# The loss ends within this share of one value over at least this many points and
# this share of them, after a stretch whose every move was larger than that: the
# model stopped changing (a learning rate of 0, frozen weights, gradients gone, a
# collapse to one answer), which the noise of a model still learning never looks like.
FROZEN_OF_LEVEL = 1e-4
FROZEN_MIN_POINTS = 10
FROZEN_MIN_SHARE = 0.2
FROZEN_CHANGING_BEFORE = 5


def frozen_end(main: Profile) -> Optional[Evidence]:
    """Evidence of a loss frozen at one value for the end of the run after it had been moving, else None."""
    values = main.values
    tolerance = FROZEN_OF_LEVEL * abs(float(values[-1]))
    moved = np.abs(values - values[-1]) > tolerance
    same = int(np.argmax(moved[::-1])) if np.any(moved) else values.size
    if same < max(FROZEN_MIN_POINTS, FROZEN_MIN_SHARE * values.size) or tolerance <= 0:
        return None
    before = values[: values.size - same][-FROZEN_CHANGING_BEFORE - 1 :]
    if before.size <= FROZEN_CHANGING_BEFORE or np.any(np.abs(np.diff(before)) <= tolerance):
        return None  # still before it froze, or logged too coarsely to show its moves
    first = values.size - same
    return {
        "tag": main.series.tag,
        "level": float(values[-1]),
        "frozen": True,
        "frozen_from_step": int(main.steps[first]),
        "frozen_points": same,
        "length_share": same / values.size,
        "points": main.n,
    }


def collapsed_lr_stall(curves: RunCurves) -> Optional[Evidence]:
    """Evidence of a loss stuck since its learning rate collapsed while it was still falling, else None.

    A decay that ends a run (cosine or linear to zero) reaches the collapse
    level only at the very end, and a loss that had already flattened was
    finished, not stopped: neither counts.
    """
    main = curves.main
    if curves.lr is None or main is None or main.short or main.amplitude <= 0:
        return None
    lr = curves.lr.finite_only()
    if len(lr) < 2 or float(np.max(lr.values)) <= 0:
        return None
    peak_index = int(np.argmax(lr.values))
    peak = float(lr.values[peak_index])
    low = np.flatnonzero(lr.values[peak_index:] <= COLLAPSE_OF_PEAK * peak)
    if low.size == 0:
        return None
    index = peak_index + int(low[0])
    step = int(lr.steps[index])
    if step > main.fraction_step(LATEST_COLLAPSE) or float(np.max(lr.values[index:])) > 10 * COLLAPSE_OF_PEAK * peak:
        return None
    at_collapse = main.trend_at(step)
    before = main.trend_at(max(float(main.steps[0]), step - BEFORE_COLLAPSE * main.span))
    fall_before = (before - at_collapse) / main.amplitude
    after = main.trend[main.trend_steps >= step]
    if after.size < 2 or fall_before < MIN_FALL_BEFORE_COLLAPSE:
        return None
    gain_after = (at_collapse - float(np.min(after))) / main.amplitude
    if gain_after > MAX_GAIN_AFTER_COLLAPSE:
        return None
    return {
        "tag": main.series.tag,
        "level": median(after),
        "length_share": (int(main.steps[-1]) - step) / max(main.span, 1),
        "lr_collapsed": True,
        "lr_peak": peak,
        "lr_after": float(lr.values[-1]),
        "collapse_step": step,
        "fall_before_share": fall_before,
        "lr_constant": False,
        "margin": min(fall_before / MIN_FALL_BEFORE_COLLAPSE, MAX_GAIN_AFTER_COLLAPSE / max(gain_after, 1e-3)),
    }


def validation_stall(curves: RunCurves) -> Optional[Evidence]:
    """Evidence of a validation loss that never improved on its first evaluation while training kept learning, else None.

    The model fits its training data better and better but none of it carries
    over: validation sits where it started (a rise is overfitting, not this).
    Computed once per run: several detectors ask.
    """
    key = ("validation_stall",)
    if key not in curves.shared:
        curves.shared[key] = _validation_stall(curves)
    stall = curves.shared[key]
    return dict(stall) if stall is not None else None


def _validation_stall(curves: RunCurves) -> Optional[Evidence]:
    train, val = curves.train, curves.val
    if train is None or val is None or val.n < VAL_STALL_MIN_POINTS or curves.val_rise is not None:
        return None
    # From the second evaluation on: an epoch-level training loss's first point
    # averages the untrained start, so the fall up to the first evaluation is not
    # a fall validation could have followed.
    at_second_eval = train.trend_at(float(val.steps[1]))
    if at_second_eval <= 0 or float(np.min(train.values)) < 0:
        return None  # shares of the level need a loss bounded by zero
    train_fall = (at_second_eval - train.end) / at_second_eval
    # A share of validation's level, not of its spread: a blow-up that came back widens the spread, not the stall.
    val_gain = (val.start - min(val.trend_min, val.end)) / max(abs(val.start), abs(val.end), 1e-300)
    if train_fall < VAL_STALL_TRAIN_FALL or val_gain >= VAL_STALL_MAX_GAIN:
        return None
    return {
        "tag": val.series.tag,
        "level": median(val.values),
        "val_start": val.start,
        "val_best": float(np.min(val.values)),
        "val_gain_share": max(val_gain, 0.0),
        "train_fall_share": train_fall,
        "length_share": 1.0,
        "val_stalled": True,
        "lr_constant": curves.lr_constant_between(val.steps[0], val.steps[-1]),
        "points": val.n,
    }


def _flat_stretches(profile: Profile) -> List[Tuple[int, int]]:
    """Maximal stretches of trend points whose range fits in the band, long enough to matter.

    Two pointers over the trend with monotonic queues for its running min and max
    (on Python floats: at most COARSE_POINTS of them, cheaper than numpy scalars).
    """
    band = BAND_OF_SPREAD * profile.amplitude
    # A stretch ending where the trend never again falls (MIN_DROP_AFTER - BAND_OF_SPREAD)
    # of the spread below it cannot be left by MIN_DROP_AFTER (its level is at most a band
    # above its last point): the scan stops one point after the last end that can.
    ends = _possible_ends(profile.trend, (MIN_DROP_AFTER - BAND_OF_SPREAD) * profile.amplitude)
    if ends < 0:
        return []
    trend, steps = profile.trend[: ends + 2].tolist(), profile.trend_steps[: ends + 2].tolist()
    min_length = MIN_LENGTH_SHARE * max(profile.span, 1)
    lows: deque = deque()
    highs: deque = deque()
    lefts = []
    left = 0
    for right, value in enumerate(trend):
        while lows and trend[lows[-1]] >= value:
            lows.pop()
        lows.append(right)
        while highs and trend[highs[-1]] <= value:
            highs.pop()
        highs.append(right)
        while trend[highs[0]] - trend[lows[0]] > band:
            left += 1
            if lows[0] < left:
                lows.popleft()
            if highs[0] < left:
                highs.popleft()
        lefts.append(left)
    stretches = []
    for right, left in enumerate(lefts[: ends + 1]):
        maximal = right == len(lefts) - 1 or lefts[right + 1] > left
        if maximal and right - left + 1 >= 5 and steps[right] - steps[left] >= min_length:
            stretches.append((left, right))
    return stretches


def _possible_ends(trend: np.ndarray, drop: float) -> int:
    """The last index after which the trend still falls by more than `drop` (a hair less, for rounding), or -1."""
    later_min = np.minimum.accumulate(trend[::-1])[::-1]
    possible = np.flatnonzero(trend - later_min >= drop * (1 - 1e-9))
    return int(possible[-1]) if possible.size else -1


# The drop after a training-loss stall must carry over to validation: it gains
# at least this share of its own gain over the run after the stall.
MIN_VAL_GAIN_AFTER_STALL = 0.1


def _drop_stays_in_training(curves: RunCurves, last_step: int) -> bool:
    """The training loss left its stall, but the validation loss logged beside it did not move after the stall."""
    val = curves.val
    if val is None or val is curves.main or curves.main is not curves.train:
        return False
    after = val.values[val.steps > last_step]
    if after.size < 2:
        return False
    gain = max(val.start - val.trend_min, 1e-300)
    at_end_of_stall = val.trend_at(last_step)
    return (at_end_of_stall - float(np.min(after))) < MIN_VAL_GAIN_AFTER_STALL * gain


# A validation loss logged beside a training-loss stall that gains this share of
# its whole gain between the stall's ends was improving all along.
MIN_VAL_GAIN_THROUGH_STALL = 0.1


def _validation_gains_through(curves: RunCurves, first_step: int, last_step: int) -> bool:
    """The validation loss, logged apart from the stalled training loss, fell through the stall."""
    val = curves.val
    if val is None or val is curves.main or curves.main is not curves.train or val.n < 3:
        return False
    if not (val.steps[0] <= first_step and last_step <= val.steps[-1]):
        return False  # the stall lies (partly) outside the evaluations: nothing to read it against
    gain = max(val.start - val.trend_min, 1e-300)
    return (val.trend_at(first_step) - val.trend_at(last_step)) >= MIN_VAL_GAIN_THROUGH_STALL * gain


def _lr_decay_ends_it(curves: RunCurves, last_step: int, profile: Profile) -> bool:
    """An LR decrease near the stall's end (within a tenth of the run)."""
    margin = 0.1 * max(profile.span, 1)
    return any(
        change.is_decrease and last_step - margin <= change.step <= last_step + margin
        for change in curves.lr_changes
    )


# A learning rate that grew this many times over a stall, rising at this share
# of its logged points, was warming up through it (a rate held too low and then
# raised in one step is a plateau's cause, not a warm-up).
WARMUP_GROWTH = 2.0
WARMUP_RISING_SHARE = 0.8


def _lr_warmup_ends_it(curves: RunCurves, first_step: int, last_step: int) -> bool:
    """The logged learning rate rose gradually through the stall, to at least WARMUP_GROWTH times where it began."""
    if curves.lr is None:
        return False
    lr = curves.lr.finite_only()
    inside = (lr.steps >= first_step) & (lr.steps <= last_step)
    rates = lr.values[inside]
    if rates.size < 2 or float(rates[0]) <= 0:
        return False
    moves = np.diff(rates)
    return bool(np.all(moves >= 0) and np.mean(moves > 0) >= WARMUP_RISING_SHARE and float(rates[-1]) >= WARMUP_GROWTH * float(rates[0]))
