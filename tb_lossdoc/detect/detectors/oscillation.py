"""Loss bouncing strongly around its trend (mild minibatch noise is normal)."""

from __future__ import annotations

from typing import List

import numpy as np

from ..profile import median, robust_sigma, rolling_median
from .base import WARNING, Finding, RunCurves, certainty
from .problem_shapes import SUSTAINED_ZIGZAG_MOVE_OF_LEVEL, ZIGZAG_MOVE_OF_LEVEL, SWING_MIN_TRIPS, SWING_RISE, swing_trips, sustained_zigzag_ratio, zigzag_ratio
from .spike import spike_mask

CODE = "oscillation"
NEEDS_HISTORY = True

# Bounce (robust spread around the trend, second half of the run) as a share of
# what the loss gained: normal minibatch noise stays far below this.
MIN_BOUNCE_OF_GAIN = 0.12
# Validation is evaluated on the same data each time, so it has no minibatch
# noise: its bounce is judged against the smaller of its spread and its level
# (its spread, not its gain: an overfitting validation curve gains little and
# rises a lot, and bounces that are small beside that rise are not oscillation).
# A small validation set scatters by a few percent from one evaluation to the
# next; that is not an optimiser bouncing.
MIN_VAL_BOUNCE = 0.08
# ...and an optimiser bouncing throws at least one evaluation of the second half
# this far off the trend (same yardstick), spikes included.
MIN_VAL_LARGEST_SWING = 0.25
# A learning rate that decayed to this share of its peak cannot drive the
# bounce that remains: what is left is minibatch noise (warm-up then cosine).
DECAYED_LR_SHARE = 0.2
# The bounce is measured on at least this many points of the second half that are not spikes or beside one.
MIN_CALM_POINTS = 4


def detect(curves: RunCurves) -> List[Finding]:
    findings = []
    for role, profile in curves.loss_profiles():
        if profile.short:
            findings.extend(_short_zigzag(profile, role, curves))
            continue
        # A training loss that reverses at every log swings with the data order or
        # the optimiser; a validation curve doing so by a little is its small set's scatter.
        zigzag = sustained_zigzag_ratio(profile) if role == "train_loss" else None
        if zigzag is not None:
            findings.append(_zigzag_finding(profile, role, zigzag, SUSTAINED_ZIGZAG_MOVE_OF_LEVEL, max(0, profile.n // 2 - 1)))
            continue  # however the learning rate ended: a swing at every log is no minibatch noise
        gain = profile.drop
        if gain <= 0 or gain < 0.05 * profile.magnitude:
            continue  # nothing learned: not_learning speaks for it
        if role == "train_loss" and _lr_decayed(curves):
            continue
        half = profile.n // 2
        # Spikes are their own finding: the bounce is what the curve does between them.
        calm = ~spike_mask(profile, curves)[half:]
        if calm.sum() < MIN_CALM_POINTS:
            continue  # the spikes and their neighbours are most of the second half: nothing left to bounce
        bounce = robust_sigma(profile.residuals[half:][calm])
        if role == "val_loss":
            yardstick = _val_yardstick(profile)
            if _largest_swing(profile) < MIN_VAL_LARGEST_SWING * yardstick:
                continue  # a steady wobble of a few percent: a small validation set, not an optimiser bouncing
            ratio, needed = bounce / yardstick, MIN_VAL_BOUNCE
        else:
            ratio, needed = bounce / gain, MIN_BOUNCE_OF_GAIN
        if ratio < needed:
            continue
        if role == "train_loss" and (_minibatch_scatter(curves, profile, bounce) or _validation_calm(curves)):
            continue  # the batches' noise: validation, on fixed data, held steady, so the weights did not swing
        averaged = None
        if role == "train_loss" and profile.n >= AVERAGED_MIN_POINTS and not _validation_swings(curves):
            averaged = _averaged_bounce(profile) / gain
        evidence = {
            "role": role,
            "tag": profile.series.tag,
            "bounce": bounce,
            "gain": gain,
            "bounce_ratio": ratio,
            "lr_at_end": float(curves.lr.values[np.isfinite(curves.lr.values)][-1])
            if curves.lr is not None and np.isfinite(curves.lr.values).any()
            else None,
            "points": profile.n,
        }
        if averaged is not None and averaged < needed:
            evidence["averaged_bounce_ratio"] = averaged  # the batches' noise: it averages out
        elif role == "train_loss" and _minibatch_scatter(curves, profile, bounce, BATCH_SCATTER_OF_LEVEL) and _logged_apart(curves) is None:
            evidence["unchecked_by_validation"] = True  # no evaluations to tell moving weights from the batches' noise
        first, last = int(profile.steps[half]), int(profile.steps[-1])
        findings.append(Finding(CODE, WARNING, first, last, evidence, certainty(profile.n, ratio / needed)))
    if curves.val is not None and not any(f.evidence["role"] == "val_loss" for f in findings):
        findings.extend(_swings_finding(curves.val))
    return findings


def _swings_finding(val) -> List[Finding]:
    """A validation loss that jumped and fell back SWING_MIN_TRIPS times or more, in any part of the run."""
    trips = swing_trips(val)
    if len(trips) < SWING_MIN_TRIPS:
        return []
    first, last = int(val.steps[trips[0]]), int(val.steps[min(trips[-1] + 2, val.n - 1)])
    evidence = {
        "role": "val_loss",
        "tag": val.series.tag,
        "swinging": True,
        "swings": len(trips),
        "swing_rise": SWING_RISE - 1.0,
        "points": val.n,
    }
    return [Finding(CODE, WARNING, first, last, evidence, certainty(val.n, len(trips) / SWING_MIN_TRIPS))]


# A training loss logged per step that scatters by under this share of its
# level is showing its batches' noise: an optimiser bouncing moves the loss by a
# large part of its level.
MINIBATCH_SCATTER_OF_LEVEL = 0.05


# A loss of one sample scatters about as much as its mean, so the mean over a
# batch of 16 or more scatters by under a quarter of the level: a per-step
# training loss bouncing by less may be nothing but its batches.
BATCH_SCATTER_OF_LEVEL = 0.25


def _minibatch_scatter(curves: RunCurves, profile, bounce: float, share_of_level: float = MINIBATCH_SCATTER_OF_LEVEL) -> bool:
    """A per-step training loss whose bounce is under `share_of_level` of its later level."""
    return curves.train_logged_per_step and bounce < share_of_level * _later_level(profile)


def _val_yardstick(profile) -> float:
    """What a validation loss's bounce is judged against: the smaller of its spread and its later level."""
    return max(min(profile.amplitude, _later_level(profile)), 1e-12 * profile.magnitude)


def _later_level(profile) -> float:
    """The size of the trend's typical value over the second half of the run."""
    return abs(median(profile.trend[len(profile.trend) // 2 :]))


def _largest_swing(profile) -> float:
    """The farthest a point of the second half strays from the trend."""
    return float(np.max(np.abs(profile.residuals[profile.n // 2 :])))


# Minibatch noise is in the batches, not the weights: it averages out over a
# stretch of the run and leaves the validation loss (fixed data) steady. A
# training loss logged at AVERAGED_MIN_POINTS points or more is also measured on
# the medians of AVERAGED_BLOCKS consecutive stretches (shares of the run, not
# counts of logs, so that TensorBoard's sample of a long curve reads the same).
AVERAGED_MIN_POINTS = 200
AVERAGED_BLOCKS = 40
AVERAGED_TREND_WINDOW = 5


def _averaged_bounce(profile) -> float:
    """The bounce of the medians of fortieths of the run around their own trend, over the second half."""
    medians = np.array([median(block) for block in np.array_split(profile.values, AVERAGED_BLOCKS)])
    residuals = medians - rolling_median(medians, AVERAGED_TREND_WINDOW)
    return robust_sigma(residuals[AVERAGED_BLOCKS // 2 :])


def _validation_swings(curves: RunCurves) -> bool:
    """A separately logged validation loss that bounces over the second half as moving weights make it (by its own yardstick)."""
    val = _logged_apart(curves)
    return val is not None and _swings(val, val.n // 2)


def _validation_calm(curves: RunCurves) -> bool:
    """A separately logged validation loss, long enough to judge, that swung at no point of the run."""
    val = _logged_apart(curves)
    return val is not None and not _swings(val, 0)


def _logged_apart(curves: RunCurves):
    """The validation loss when it is logged apart from the loss the run is judged by and is long enough to judge, else None."""
    val = curves.val
    return None if val is None or val is curves.main or val.short else val


def _swings(val, first: int) -> bool:
    """From point `first` on, the validation loss strays far from its trend and bounces around it (by its own yardstick)."""
    residuals = val.residuals[first:]
    yardstick = _val_yardstick(val)
    return float(np.max(np.abs(residuals))) >= MIN_VAL_LARGEST_SWING * yardstick and robust_sigma(residuals) >= MIN_VAL_BOUNCE * yardstick


def _short_zigzag(profile, role: str, curves: RunCurves) -> List[Finding]:
    """A few-point curve that swings up and down, every move reversing the last, by half its level or more."""
    ratio = zigzag_ratio(profile)
    if ratio is None or ratio < ZIGZAG_MOVE_OF_LEVEL:
        return []
    return [_zigzag_finding(profile, role, ratio, ZIGZAG_MOVE_OF_LEVEL, 0)]


def _zigzag_finding(profile, role: str, ratio: float, needed: float, first: int) -> Finding:
    """An oscillation whose every move from point `first` on reverses the one before."""
    moves = np.abs(np.diff(profile.values[first:]))
    return Finding(
        CODE,
        WARNING,
        int(profile.steps[first]),
        int(profile.steps[-1]),
        {
            "role": role,
            "tag": profile.series.tag,
            "bounce": float(median(moves)),
            "gain": profile.drop,
            "bounce_ratio": ratio,
            "zigzag": True,
            "lr_at_end": None,
            "points": profile.n,
        },
        certainty(profile.n, ratio / needed),
    )


def _lr_decayed(curves: RunCurves) -> bool:
    """The logged learning rate ended at a small share of its peak."""
    if curves.lr is None:
        return False
    lr = curves.lr.finite_only().values
    if lr.size < 2 or float(np.max(lr)) <= 0:
        return False
    return float(lr[-1]) <= DECAYED_LR_SHARE * float(np.max(lr))
