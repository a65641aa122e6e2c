"""Shapes of few-point curves that the problem detectors read (oscillation, divergence, not_learning)."""

from __future__ import annotations

from typing import Optional

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
