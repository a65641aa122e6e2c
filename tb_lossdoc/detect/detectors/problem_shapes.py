"""Shapes of few-point curves that the problem detectors read (oscillation, divergence, not_learning)."""

from __future__ import annotations

from typing import List, Optional

import numpy as np

from ..profile import Profile, median

# A few-point curve zigzags when every move reverses the one before (at least
# this many moves)...
ZIGZAG_MIN_MOVES = 3
# ...and its typical move is at least this share of its typical level: swings a
# practitioner sees at a glance, not the scatter of a small validation set.
ZIGZAG_MOVE_OF_LEVEL = 0.5


def zigzag_ratio(profile: Profile) -> Optional[float]:
    """Typical move / typical level of a few-point curve whose every move reverses the previous one, else None."""
    moves = np.diff(profile.values)
    if moves.size < ZIGZAG_MIN_MOVES or np.any(moves == 0):
        return None
    if np.any(np.sign(moves[1:]) == np.sign(moves[:-1])):
        return None
    level = abs(median(profile.values))
    if level <= 0:
        return None
    return float(median(np.abs(moves))) / level


# A longer curve zigzags when every move of its later half reverses the one
# before, over at least this many moves (by chance, with noise around a trend,
# a run of alternations that long is rare)...
SUSTAINED_ZIGZAG_MIN_MOVES = 8
# ...by a typical move of at least this share of its level.
SUSTAINED_ZIGZAG_MOVE_OF_LEVEL = 0.1


def sustained_zigzag_ratio(profile: Profile) -> Optional[float]:
    """Typical move / typical level of the later half of a curve whose every move there reverses the previous one, else None.

    Computed once per curve: oscillation reports the zigzag and spike leaves its points alone.
    """
    key = ("sustained_zigzag",)
    if key not in profile.memo:
        profile.memo[key] = _sustained_zigzag_ratio(profile)
    return profile.memo[key]


def _sustained_zigzag_ratio(profile: Profile) -> Optional[float]:
    later = profile.values[max(0, profile.n // 2 - 1) :]
    moves = np.diff(later)
    if moves.size < SUSTAINED_ZIGZAG_MIN_MOVES or np.any(moves == 0):
        return None
    if np.any(np.sign(moves[1:]) == np.sign(moves[:-1])):
        return None
    level = abs(median(later))
    if level <= 0:
        return None
    ratio = float(median(np.abs(moves))) / level
    return ratio if ratio >= SUSTAINED_ZIGZAG_MOVE_OF_LEVEL else None


# A validation loss (fixed data: no batch noise) swings when it jumps to at
# least SWING_RISE times its last value and falls back below the jump's top by
# the same factor within two evaluations, at least SWING_MIN_TRIPS times
# anywhere in the run: one or two such round trips are spikes, more are the
# weights being thrown about (an early chaos that later settles included).
SWING_RISE = 1.25
SWING_MIN_TRIPS = 4
SWING_FALL_WITHIN = 2


def swing_trips(profile: Profile) -> List[int]:
    """Indices where a positive loss jumps by SWING_RISE and falls back by as much within SWING_FALL_WITHIN points.

    Computed once per curve: oscillation reports the swings and overfitting distrusts a best among them.
    """
    key = ("swing_trips",)
    if key not in profile.memo:
        profile.memo[key] = _swing_trips(profile.values)
    return profile.memo[key]


def _swing_trips(values: np.ndarray) -> List[int]:
    trips: List[int] = []
    if values.size < 3 or float(np.min(values)) <= 0:
        return trips
    resume = 0  # a round trip's fall ends it; the next may start there
    for i in np.flatnonzero(values[1:] >= SWING_RISE * values[:-1]).tolist():
        if i < resume:
            continue
        back = values[i + 2 : i + 2 + SWING_FALL_WITHIN] <= values[i + 1] / SWING_RISE
        if back.any():
            trips.append(i)
            resume = i + 2 + int(np.argmax(back))
    return trips


# A loss stuck from its first point until the first learning-rate cut: at least
# this many points before the cut...
STUCK_MIN_POINTS = 3
# ...none better than the first by this share of the curve's scale...
STUCK_MAX_GAIN = 0.05
# ...and after the cut the loss falls below that level by this share of its spread
# and of its scale (a flat curve's tiny spread makes any wiggle look like a fall).
STUCK_MIN_DROP_AFTER = 0.2
# A stuck loss that ended the first rate this share of its scale above its first
# point was getting worse: the rate was too high (divergence the cut rescued).
STUCK_RISE_OF_MAGNITUDE = 0.15


def stuck_until_lr_cut(profile: Profile, cut_step: Optional[int]) -> Optional[dict]:
    """Evidence of a loss that made no progress at the first learning rate and fell only after it was cut, else None.

    A run whose loss falls from the start and flattens before a step decay is a
    schedule at work; one that never improved on its first point was wasting
    its first learning rate (too high or too low for the model).
    """
    if cut_step is None:
        return None
    values, steps = profile.values, profile.steps
    before = values[steps < cut_step]
    after = values[steps >= cut_step]
    if before.size < STUCK_MIN_POINTS or after.size < 1 or profile.amplitude <= 0:
        return None
    first = float(before[0])
    if (first - float(np.min(before))) > STUCK_MAX_GAIN * profile.magnitude:
        return None
    level = median(before)
    drop_after = (level - float(np.min(after))) / profile.amplitude
    if drop_after < STUCK_MIN_DROP_AFTER or (level - float(np.min(after))) < STUCK_MIN_DROP_AFTER * profile.magnitude:
        return None
    return {
        "level": level,
        "start_value": first,
        "before_cut_value": float(before[-1]),
        "rose_before_cut": bool(before[-1] - first >= STUCK_RISE_OF_MAGNITUDE * profile.magnitude),
        "first_step": int(steps[0]),
        "last_step": int(steps[before.size - 1]),
        "length_share": (float(steps[before.size - 1]) - float(steps[0])) / max(profile.span, 1),
        "drop_after_of_spread": drop_after,
        "stuck_until_lr_cut": True,
        "lr_cut_step": int(cut_step),
    }


# A full-shape loss that never improved on its start by this share of its scale,
# and in its second half still comes back to within that share of its start,
# hops around where it started: it learned nothing (a steady climb is divergence).
NEVER_IMPROVED_SHARE = 0.05


def never_improved(profile: Profile) -> bool:
    """A loss (not a short curve) that never went clearly below its start and keeps coming back to it."""
    if profile.short:
        return False
    margin = NEVER_IMPROVED_SHARE * profile.magnitude
    improved = profile.start - min(profile.trend_min, profile.end) >= margin
    comes_back = float(np.min(profile.values[profile.n // 2 :])) <= profile.start + margin
    return not improved and comes_back
