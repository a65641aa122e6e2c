"""Loss rising persistently, from the start or after a minimum, until the end; a training loss that climbed and came only partly back while validation rose with it; or a loss that only rose until the learning rate was cut."""

from __future__ import annotations

from typing import List, Optional

import numpy as np

from ..profile import Profile
from .base import CRITICAL, Finding, RunCurves, certainty
from .problem_shapes import STUCK_RISE_OF_MAGNITUDE, stuck_until_lr_cut
from .shapes import FLAT_SHARE, improves_clearly, is_flat, moves_consistently

CODE = "divergence"
NEEDS_HISTORY = True

# The end must sit above the best level by this share of the curve's scale...
MIN_RISE_OF_MAGNITUDE = 0.15
# ...and give back at least this share of what the run had gained.
MIN_RISE_OF_DROP = 0.2
# The rise must last: the minimum lies before this fraction of the run.
LATEST_MINIMUM = 0.85


def detect(curves: RunCurves) -> List[Finding]:
    findings = []
    for role, profile in curves.loss_profiles():
        if role == "val_loss" and curves.train is not None and (findings or _training_fell(curves.train)):
            break  # validation rising while training falls is overfitting, not divergence; beside a diverging training loss it adds nothing
        if role == "val_loss" and curves.train is None and _trained_below(curves, profile):
            break  # the training loss, logged too seldom to judge, ended below validation's best: it fit its data
        if role == "val_loss" and curves.train is None and _improved_first(profile):
            break  # evaluations alone that improved and then turned up: overfitting's shape (told as unchecked)
        # The partial recovery is the more telling story when the loss also held part of its rise.
        finding = (_recovered_partway(curves) if role == "train_loss" else None) or _diverges(
            profile, role, step_counts=role != "train_loss" or _validation_agrees(curves)
        )
        if finding is not None and role == "val_loss" and curves.train is not None:
            finding.evidence["train_never_fell"] = True  # the run got worse; it did not memorise
        if finding is not None:
            findings.append(finding)
    if not findings:
        findings.extend(_rose_until_lr_cut(curves))
    return findings


def _training_fell(train) -> bool:
    """The training loss ended below where it started (by more than flat): what overfitting needs."""
    return not is_flat(train) and improves_clearly(train, FLAT_SHARE)


def _improved_first(val: Profile) -> bool:
    """The validation loss gained more than a flat curve's share before its minimum: it learned, then turned."""
    return (val.start - val.trend_min) / val.magnitude >= FLAT_SHARE


def _trained_below(curves: RunCurves, val: Profile) -> bool:
    """The training loss was logged (too few points for a curve) and its last value lies below validation's best."""
    if curves.train_loss is None:
        return False
    logged = curves.train_loss.finite_only().values
    return logged.size > 0 and float(logged[-1]) < min(val.trend_min, float(np.min(val.values)))


def _rose_until_lr_cut(curves: RunCurves) -> List[Finding]:
    """A loss that only got worse at the first learning rate and fell once the rate was cut: that rate was too high."""
    main = curves.main
    if main is None or main.amplitude <= 0:
        return []
    cuts = [c.step for c in curves.lr_changes if c.is_decrease]
    stuck = stuck_until_lr_cut(main, cuts[0] if cuts else None)
    if stuck is None or not stuck["rose_before_cut"]:
        return []
    rise = stuck["before_cut_value"] - stuck["start_value"]
    evidence = {
        "role": "train_loss" if main is curves.train else "val_loss",
        "tag": main.series.tag,
        "start_value": stuck["start_value"],
        "min_value": stuck["start_value"],
        "min_step": stuck["first_step"],
        "peak_value": stuck["before_cut_value"],
        "peak_step": stuck["last_step"],
        "end_value": main.recent,
        "rise_ratio": rise / main.magnitude,
        "rose_until_lr_cut": True,
        "lr_cut_step": stuck["lr_cut_step"],
        "points": main.n,
    }
    margin = rise / (STUCK_RISE_OF_MAGNITUDE * main.magnitude)
    return [Finding(CODE, CRITICAL, stuck["first_step"], stuck["last_step"], evidence, certainty(main.n, margin))]


# A training loss that climbed and came partway back still diverged when the
# climb was this long (share of the run's steps)...
MIN_CLIMB_SHARE = 0.15
# ...it came back by at least this share of its climb, and still holds this
# share of it at the end...
MIN_BACK_OF_CLIMB = 0.25
MIN_KEPT_OF_CLIMB = 0.25
# ...and the validation loss logged beside it rose with it and did not come back.


def _recovered_partway(curves: RunCurves) -> Optional[Finding]:
    """Training loss that climbed well above its minimum for a long stretch and only partly came back,
    while validation rose and stayed up: the model was damaged (e.g. by too high a learning rate)."""
    train = curves.train
    if train is None or train.short or curves.val is None or curves.val is train or curves.val_rise is None:
        return None
    lowest = train.trend_min_index
    peak_index = lowest + int(np.argmax(train.trend[lowest:]))
    peak = float(train.trend[peak_index])
    climb = peak - train.trend_min
    needed = max(
        MIN_RISE_OF_MAGNITUDE * train.magnitude,
        MIN_RISE_OF_DROP * train.drop,
        4 * train.noise / np.sqrt(max(1, train.n // 10)),
    )
    climb_steps = train.trend_steps[peak_index] - train.trend_steps[lowest]
    if climb < needed or climb_steps < MIN_CLIMB_SHARE * max(train.span, 1):
        return None
    if (train.trend_min_step - int(train.steps[0])) / max(train.span, 1) > LATEST_MINIMUM:
        return None
    if np.mean(np.diff(train.trend[lowest : peak_index + 1]) > 0) < 0.6:
        return None
    kept = train.recent - train.trend_min
    if kept < MIN_KEPT_OF_CLIMB * climb or peak - float(train.trend[-1]) < MIN_BACK_OF_CLIMB * climb:
        return None
    return Finding(
        CODE,
        CRITICAL,
        train.trend_min_step,
        int(train.steps[-1]),
        {
            "role": "train_loss",
            "tag": train.series.tag,
            "start_value": train.start,
            "min_value": train.trend_min,
            "min_step": train.trend_min_step,
            "peak_value": peak,
            "peak_step": int(round(train.trend_steps[peak_index])),
            "end_value": train.recent,
            "rise_ratio": kept / train.magnitude,
            "recovered_partway": True,
            "val_min": curves.val_rise.min_value,
            "val_end": curves.val_rise.end_value,
            "points": train.n,
        },
        certainty(train.n, min(climb / needed, kept / (MIN_KEPT_OF_CLIMB * climb))),
    )


def _validation_agrees(curves: RunCurves) -> bool:
    """No separately logged validation loss, or one that rose too: a training loss that stepped up is then believed."""
    return curves.val is None or curves.val is curves.train or curves.val_rise is not None


def _diverges(profile, role: str, step_counts: bool = True):
    """A loss that rose persistently after its minimum; a sudden step up that held counts when `step_counts`."""
    now = profile.recent
    rise = now - profile.trend_min
    if rise <= 0:
        return None
    # The minimum must come early enough for the rise to be a trend, not a blip.
    min_pos = (profile.trend_min_step - int(profile.steps[0])) / max(profile.span, 1)
    if min_pos > LATEST_MINIMUM:
        return None
    needed = max(
        MIN_RISE_OF_MAGNITUDE * profile.magnitude,
        MIN_RISE_OF_DROP * profile.drop,
        4 * profile.noise / np.sqrt(max(1, profile.n // 10)),
    )
    if rise < needed:
        return None
    if profile.short and not _rises_from_lowest_point(profile.values):
        return None
    # Persistent: the last quarter stays up, and the trend climbs after the
    # minimum, or stepped up at once and held the whole rise (a run that broke
    # and collapsed to a worse level, e.g. a uniform guess, never recovers;
    # believed of a training loss only when validation, if logged, rose too).
    climbing = np.mean(np.diff(profile.trend[profile.trend_min_index :]) > 0)
    held = profile.level(0.75, 1.0) - profile.trend_min
    if held < 4 * profile.noise / np.sqrt(max(1, profile.n // 4)):
        return None
    if climbing < 0.6 and not (step_counts and held >= needed):
        return None
    return Finding(
        CODE,
        CRITICAL,
        profile.trend_min_step,
        int(profile.steps[-1]),
        {
            "role": role,
            "tag": profile.series.tag,
            "start_value": profile.start,
            "min_value": profile.trend_min,
            "min_step": profile.trend_min_step,
            "end_value": now,
            "rise_ratio": rise / profile.magnitude,
            "points": profile.n,
        },
        certainty(profile.n, rise / needed),
    )


def _rises_from_lowest_point(values: np.ndarray) -> bool:
    """A few-point curve whose moves from its lowest point on (at least two) clearly go up."""
    after = values[int(np.argmin(values)) :]
    return after.size >= 3 and moves_consistently(after, falling=False)
