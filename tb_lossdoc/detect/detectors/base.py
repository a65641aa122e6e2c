"""What every detector receives and returns.

A detector is a module with `CODE` and `detect(curves) -> list[Finding]`; it
reads numbers only and leaves wording to `tb_lossdoc.messages`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import Dict, List, Optional, Tuple, Union

import numpy as np

from ..profile import FULL_SHAPE_POINTS, Profile
from ...read.series import Series
from .shapes import ValRise, validation_rise

OK, INFO, WARNING, CRITICAL = "ok", "info", "warning", "critical"
SEVERITY_RANK = {OK: 0, INFO: 1, WARNING: 2, CRITICAL: 3}

# A curve with this many finite points has a shape every detector can judge...
MIN_POINTS = FULL_SHAPE_POINTS
# ...while from this many on, the detectors that can read a short curve (the
# ones a practitioner judges at a glance: still falling, rising, flat, validation
# turning up) judge it, with a confidence that says how little it rests on.
SHORT_MIN_POINTS = 3

Evidence = Dict[str, Union[int, float, str, bool, None, List[int]]]


@dataclass
class Finding:
    """One pattern seen in a run, with the steps involved and the numbers that prove it."""

    code: str
    severity: str
    first_step: Optional[int]
    last_step: Optional[int]
    evidence: Evidence = field(default_factory=dict)
    # How sure the finding is, in [0, 1]: it grows with the points it rests on and
    # with how far its effect clears the detector's threshold (in noise units);
    # short or noisy runs stay below 0.5, a clear effect on a long run nears 1.
    confidence: float = 1.0


def certainty(points: int, margin: float) -> float:
    """A finding's confidence from the points behind it and its margin (effect / threshold, >= 1).

    Fewer than MIN_POINTS points keep it below 0.5 whatever the effect; a
    finding just at its threshold on a long curve gets 0.7.
    """
    from_points = 1.0 - 0.75 * np.exp(-(max(points, SHORT_MIN_POINTS) - SHORT_MIN_POINTS) / 6.0)
    from_margin = 0.7 + 0.3 * (1.0 - np.exp(-max(margin - 1.0, 0.0)))
    value = from_points * from_margin
    if points < MIN_POINTS:
        value = min(value, 0.45)
    return round(float(value), 3)


def profile_of(series: Optional[Series]) -> Optional[Profile]:
    """A profile of the finite points, or None when fewer than SHORT_MIN_POINTS remain."""
    if series is None:
        return None
    finite = series.finite_only()
    return Profile(finite) if len(finite) >= SHORT_MIN_POINTS else None


def accuracy_profile_of(series: Optional[Series]) -> Optional[Profile]:
    """profile_of an accuracy, as a fraction: one logged in percent (above 1, up to 100) is divided by 100."""
    if series is not None:
        finite = series.values[series.finite]
        if finite.size and 1.0 < float(finite.max()) <= 100.0 and float(finite.min()) >= 0:
            series = dataclasses.replace(series, values=series.values / 100.0)
    return profile_of(series)


# A training loss logged at least this many times per evaluation is logged per step (or per few), not per epoch.
PER_STEP_LOGS_PER_EVAL = 3


@dataclass
class RunCurves:
    """The series of one training run by role, raw and profiled."""

    train_loss: Optional[Series] = None
    val_loss: Optional[Series] = None
    train_acc: Optional[Series] = None
    val_acc: Optional[Series] = None
    lr: Optional[Series] = None
    grad_norm: Optional[Series] = None  # read only for NaN/inf a loss filter may hide
    val_score: Optional[Series] = None  # a detector's validation mAP50
    # Results several detectors need, computed once per run (keyed by their maker).
    shared: Dict[tuple, object] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def train(self) -> Optional[Profile]:
        return profile_of(self.train_loss)

    @cached_property
    def val(self) -> Optional[Profile]:
        return profile_of(self.val_loss)

    @cached_property
    def val_accuracy(self) -> Optional[Profile]:
        return accuracy_profile_of(self.val_acc)

    @cached_property
    def train_accuracy(self) -> Optional[Profile]:
        return accuracy_profile_of(self.train_acc)

    @cached_property
    def val_detection_score(self) -> Optional[Profile]:
        return accuracy_profile_of(self.val_score)

    @cached_property
    def val_rise(self) -> Optional[ValRise]:
        """Validation loss turning up after a minimum, shared by the detectors that need it."""
        return validation_rise(self.val, self.train) if self.val is not None else None

    def loss_profiles(self) -> List[Tuple[str, Profile]]:
        """(role, profile) of the training and the validation loss, those that are logged."""
        return [(role, p) for role, p in (("train_loss", self.train), ("val_loss", self.val)) if p is not None]

    @property
    def train_logged_per_step(self) -> bool:
        """The training loss is logged alone or at least PER_STEP_LOGS_PER_EVAL times per evaluation: per step (its batches' noise), not per epoch."""
        if self.train is None:
            return False
        return self.val_loss is None or self.train.n >= PER_STEP_LOGS_PER_EVAL * len(self.val_loss.finite_only())

    @property
    def main(self) -> Optional[Profile]:
        """The loss a run is judged by: training loss, else (not logged, or too few finite points) validation loss."""
        return self.train if self.train is not None else self.val

    @cached_property
    def lr_changes(self) -> List["LrChange"]:
        return lr_changes(self.lr)

    def lr_constant_between(self, first: float, last: float) -> Optional[bool]:
        """Whether the learning rate stayed put over [first, last]; None if not logged."""
        if self.lr is None or len(self.lr.finite_only()) == 0:
            return None
        return not any(first < c.step <= last for c in self.lr_changes)


@dataclass(frozen=True)
class LrChange:
    """A step where the logged learning rate moved by more than a tenth."""

    step: int
    ratio: float  # new / old

    @property
    def is_decrease(self) -> bool:
        return self.ratio < 1.0


def lr_changes(lr: Optional[Series]) -> List[LrChange]:
    if lr is None:
        return []
    finite = lr.finite_only()
    values = finite.values
    if values.size < 2:
        return []
    old, new = values[:-1], values[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(old != 0, new / old, np.inf)
    moved = np.abs(np.log(np.abs(ratio) + 1e-300)) > np.log(1.1)
    return [LrChange(int(finite.steps[i + 1]), float(ratio[i])) for i in np.flatnonzero(moved)]
