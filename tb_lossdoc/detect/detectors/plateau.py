"""A long stall that the loss later leaves downward, not explained by an LR decay;
or a stall that starts when the learning rate collapses, which it never leaves."""

from __future__ import annotations

from collections import deque
from typing import List, Optional, Tuple

import numpy as np

from ..profile import Profile, median
from .base import INFO, WARNING, Evidence, Finding, RunCurves, certainty

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


def detect(curves: RunCurves) -> List[Finding]:
    main = curves.main
    if main is None or main.short or main.amplitude <= 0:
        return []
    collapse = collapsed_lr_stall(curves)
    if collapse is not None:
        first = int(collapse["collapse_step"])
        return [Finding(CODE, WARNING, first, int(main.steps[-1]), collapse, certainty(main.n, collapse.pop("margin")))]
    for first, last in sorted(_flat_stretches(main), key=lambda s: s[0] - s[1]):
        level = median(main.trend[first : last + 1])
        drop_after = (level - float(np.min(main.trend[last:]))) / main.amplitude
        if drop_after < MIN_DROP_AFTER:
            continue
        first_step, last_step = int(main.trend_steps[first]), int(main.trend_steps[last])
        if _lr_decay_ends_it(curves, last_step, main):
            continue  # the schedule ended the stall: a step decay doing its job
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
        "length_share": (main.steps[-1] - step) / max(main.span, 1),
        "lr_collapsed": True,
        "lr_peak": peak,
        "lr_after": float(lr.values[-1]),
        "collapse_step": step,
        "fall_before_share": fall_before,
        "lr_constant": False,
        "margin": min(fall_before / MIN_FALL_BEFORE_COLLAPSE, MAX_GAIN_AFTER_COLLAPSE / max(gain_after, 1e-3)),
    }


def _flat_stretches(profile: Profile) -> List[Tuple[int, int]]:
    """Maximal stretches of trend points whose range fits in the band, long enough to matter.

    Two pointers over the trend with monotonic queues for its running min and max
    (on Python floats: at most COARSE_POINTS of them, cheaper than numpy scalars).
    """
    trend, steps = profile.trend.tolist(), profile.trend_steps.tolist()
    band = BAND_OF_SPREAD * profile.amplitude
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
    for right, left in enumerate(lefts):
        maximal = right == len(lefts) - 1 or lefts[right + 1] > left
        if maximal and right - left + 1 >= 5 and steps[right] - steps[left] >= min_length:
            stretches.append((left, right))
    return stretches


def _lr_decay_ends_it(curves: RunCurves, last_step: int, profile: Profile) -> bool:
    """An LR decrease near the stall's end (within a tenth of the run)."""
    margin = 0.1 * max(profile.span, 1)
    return any(
        change.is_decrease and last_step - margin <= change.step <= last_step + margin
        for change in curves.lr_changes
    )
