"""A long stall that the loss later leaves downward, not explained by an LR decay."""

from __future__ import annotations

from collections import deque
from typing import List, Tuple

import numpy as np

from ..profile import Profile
from .base import INFO, Finding, RunCurves

CODE = "plateau"
NEEDS_HISTORY = True

# The stall covers at least this share of the run's steps...
MIN_LENGTH_SHARE = 0.2
# ...with the trend inside a band of this share of the curve's spread...
BAND_OF_SPREAD = 0.06
# ...and afterwards the loss falls below it by this share of the spread.
MIN_DROP_AFTER = 0.2


def detect(curves: RunCurves) -> List[Finding]:
    main = curves.main
    if main is None or main.amplitude <= 0:
        return []
    for first, last in sorted(_flat_stretches(main), key=lambda s: s[0] - s[1]):
        level = float(np.median(main.trend[first : last + 1]))
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
            )
        ]
    return []


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
