"""Shape tests shared by several detectors (flat, improving, validation turning up)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..profile import Profile

# A loss that moved less than this share of its starting level did not learn.
FLAT_SHARE = 0.05
# The validation rise must be this share of what validation had gained...
MIN_VAL_RISE_OF_DROP = 0.08
# ...and stand this many noise units above the minimum.
MIN_VAL_RISE_IN_NOISE = 3.0


def relative_change(profile: Profile) -> float:
    """Best improvement over the run as a share of the starting level (scale-free)."""
    return (profile.start - min(profile.trend_min, profile.end)) / profile.magnitude


def is_flat(profile: Profile) -> bool:
    """The loss barely moved from where it started (up or down)."""
    top = max(profile.end, float(np.max(profile.trend)))
    return relative_change(profile) < FLAT_SHARE and (top - profile.start) / profile.magnitude < 0.25


def improves_clearly(profile: Profile, share: float = 0.10) -> bool:
    """The loss ended well below where it started."""
    return (profile.start - profile.end) / profile.magnitude >= share


@dataclass(frozen=True)
class ValRise:
    """Validation loss passed a minimum and climbed afterwards."""

    min_step: int
    min_value: float
    end_value: float
    end_step: int
    rise_of_drop: float
    train_at_min: Optional[float]
    train_end: Optional[float]

    def evidence(self) -> dict:
        """The numbers both overfitting and overconfidence cite."""
        return {
            "val_min": self.min_value,
            "val_min_step": self.min_step,
            "val_end": self.end_value,
            "val_rise_of_gain": self.rise_of_drop,
        }


def validation_rise(val: Profile, train: Optional[Profile]) -> Optional[ValRise]:
    """A clear, lasting rise of validation loss after its minimum, else None."""
    rise = val.end - val.trend_min
    drop = max(val.start - val.trend_min, 1e-300)
    after = val.trend_steps > val.trend_min_step
    if after.sum() < 2 or rise <= 0:
        return None
    if (val.steps[-1] - val.trend_min_step) < 0.1 * max(val.span, 1):
        return None
    if rise < MIN_VAL_RISE_OF_DROP * drop or rise < 0.02 * val.magnitude:
        return None
    noise = max(val.noise, 1e-12 * val.magnitude)
    if rise < MIN_VAL_RISE_IN_NOISE * noise:
        return None
    # Lasting: the trend after the minimum mostly climbs.
    tail = val.trend[val.trend_min_index :]
    if np.mean(np.diff(tail) > 0) < 0.6:
        return None
    # Report the logged minimum (the checkpoint a user can keep) when it lies
    # before the climb; the smoothed minimum only decides whether there is one.
    raw = int(np.argmin(val.values))
    if val.steps[raw] <= val.fraction_step(0.9):
        min_step, min_value = int(val.steps[raw]), float(val.values[raw])
    else:
        min_step, min_value = val.trend_min_step, val.trend_min
    train_at_min = train.trend_at(min_step) if train is not None else None
    return ValRise(
        min_step,
        min_value,
        val.end,
        int(val.steps[-1]),
        rise / drop,
        train_at_min,
        train.end if train is not None else None,
    )
