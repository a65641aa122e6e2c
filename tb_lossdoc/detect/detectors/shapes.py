"""Shape tests shared by several detectors (flat, improving, validation turning up, a validation loss evaluated only twice)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Tuple

import numpy as np

from ..profile import Profile, median, robust_sigma

if TYPE_CHECKING:
    from ...read.series import Series
    from .base import RunCurves

# A loss that moved less than this share of its starting level did not learn.
FLAT_SHARE = 0.05
# The validation rise must be this share of what validation had gained...
MIN_VAL_RISE_OF_DROP = 0.07
# ...and stand this many noise units above the minimum.
MIN_VAL_RISE_IN_NOISE = 3.0
# A rise that jumped and then stayed keeps this share of itself.
HELD_SHARE_OF_RISE = 0.6
# For a loss bounded by zero, a rise of this share of its minimum is always
# large enough, however far the loss had fallen before (a huge first drop
# must not hide a clear later climb)...
MIN_VAL_RISE_OF_LEVEL = 0.05
# ...provided it is still a visible part of the curve (this share of the drop)...
MIN_VISIBLE_RISE_OF_DROP = 0.02
# ...and on a short curve one later point this far above the minimum is a rise.
SHORT_ONE_POINT_RISE_OF_LEVEL = 0.10

# A few evaluations after the minimum whose straight-line fit climbs by this
# many standard errors rise, though one of their moves went back a little;
# the fit needs this many points to have an error worth the name.
SHORT_CLIMB_IN_ERRORS = 3.0
SHORT_CLIMB_MIN_POINTS = 4


def _climbs_clearly(profile: Profile) -> bool:
    """The points from the minimum on climb along a line clearly steeper than their scatter."""
    after = profile.steps >= profile.trend_min_step
    if after.sum() < SHORT_CLIMB_MIN_POINTS:
        return False
    slope, error = line_fit(profile.steps[after], profile.values[after])
    return slope > 0 and slope >= SHORT_CLIMB_IN_ERRORS * error


def _all_held(profile: Profile, rise: float) -> bool:
    """Every point after the minimum stays at least half the rise above it (a jump that held)."""
    after = profile.values[profile.steps > profile.trend_min_step]
    return bool(after.size and np.min(after) >= profile.trend_min + 0.5 * rise)


def relative_change(profile: Profile) -> float:
    """Best improvement over the run as a share of the starting level (scale-free)."""
    return (profile.start - min(profile.trend_min, profile.end)) / profile.magnitude


# On a per-step curve (its start the median of FLAT_NOISE_START_POINTS points),
# a change within this many standard errors of the start level is no change:
# heavy minibatch noise hides a few percent. (Fewer points measure no noise
# worth the name: an oscillating epoch curve would pass for flat.)
FLAT_IN_START_ERRORS = 3.0
FLAT_NOISE_START_POINTS = 5


def is_flat(profile: Profile) -> bool:
    """The loss barely moved from where it started (up or down), by its scale or within its noise."""
    top = max(profile.end, float(np.max(profile.trend)))
    if profile.start_points < FLAT_NOISE_START_POINTS:
        return relative_change(profile) < FLAT_SHARE and (top - profile.start) / profile.magnitude < 0.25
    # A noisy trend dips with its noise; the best level the loss held is the lowest median of a tenth of the run.
    start_error = profile.noise / np.sqrt(profile.start_points)
    tolerance = max(FLAT_SHARE, FLAT_IN_START_ERRORS * start_error / profile.magnitude)
    held_best = min(profile.end, profile.lowest_tenth)
    return (profile.start - held_best) / profile.magnitude < tolerance and (top - profile.start) / profile.magnitude < 0.25


def improves_clearly(profile: Profile, share: float = 0.10) -> bool:
    """The loss ended well below where it started."""
    return (profile.start - profile.end) / profile.magnitude >= share


# A short curve whose every move agrees needs a smaller overall fall to count.
SHORT_IMPROVES_SHARE = 0.05


def falls_steadily(profile: Profile) -> bool:
    """A short curve that fell with (nearly) every move, by at least SHORT_IMPROVES_SHARE."""
    return improves_clearly(profile, SHORT_IMPROVES_SHARE) and moves_consistently(profile.values, falling=True)


# A short curve has a direction only when its steps agree: this share of its
# moves go that way, and the moves against it undo at most this much.
SHORT_AGREEING_MOVES = 0.75
SHORT_MAX_UNDONE = 0.2


def moves_consistently(values: np.ndarray, falling: bool) -> bool:
    """Every few-point curve wiggles; this says its point-to-point moves clearly go one way."""
    moves = np.diff(values) * (-1.0 if falling else 1.0)
    forward, backward = moves[moves > 0].sum(), -moves[moves < 0].sum()
    return bool(np.mean(moves > 0) >= SHORT_AGREEING_MOVES and backward <= SHORT_MAX_UNDONE * forward)


# The tail fit uses at least this many points (all of a shorter curve).
TAIL_FIT_POINTS = 3


def tail_slope(profile: Profile, share: float) -> Tuple[float, float]:
    """Least-squares slope of the raw values over the last `share` of the points (at least TAIL_FIT_POINTS), and its standard error.

    A fit over many points is steady where the trend's last point is not, so
    verdicts that hang on the end of a curve do not flip with its noise.
    """
    key = ("tail_slope", share)
    if key not in profile.memo:
        k = min(profile.n, max(TAIL_FIT_POINTS, int(round(share * profile.n))))
        profile.memo[key] = line_fit(profile.steps[-k:], profile.values[-k:])
    return profile.memo[key]


def line_fit(steps: np.ndarray, values: np.ndarray) -> Tuple[float, float]:
    """Least-squares slope of values over steps and its standard error (inf with two points or fewer)."""
    k = values.size
    x = steps.astype(np.float64)
    y = values
    x = x - x.mean()
    sxx = float(np.dot(x, x))
    if sxx <= 0:
        return 0.0, float("inf")
    mean = y.mean()
    slope = float(np.dot(x, y - mean) / sxx)
    if k <= 2:
        return slope, float("inf")
    fitted = mean + slope * x
    residual = float(np.dot(y - fitted, y - fitted))
    return slope, float(np.sqrt(residual / (k - 2) / sxx))


# Cross-entropy of a uniform guess is log(K); class counts seen in practice.
CHANCE_CLASSES = tuple(range(2, 21)) + (26, 32, 50, 64, 100, 200, 256, 1000)
# The loss must sit this close to log(K): tighter when no accuracy confirms it.
CHANCE_TOLERANCE = 0.01
CHANCE_TOLERANCE_WITH_ACCURACY = 0.03
# Accuracy at chance: within this share of 1/K.
CHANCE_ACCURACY_TOLERANCE = 0.3


# An accuracy names at most this many classes (a large vocabulary); a smaller one is no guess's score.
MAX_NAMED_CLASSES = 10**6


def chance_classes(accuracy: Optional[float]) -> Tuple[int, ...]:
    """The class counts to try: the usual ones, and the one an accuracy of 1/K names (a 525-class task at 0.0019)."""
    if accuracy is None or not 1.0 / MAX_NAMED_CLASSES <= accuracy <= 0.5:
        return CHANCE_CLASSES
    named = int(round(1.0 / accuracy))
    return CHANCE_CLASSES if named in CHANCE_CLASSES else CHANCE_CLASSES + (named,)


@dataclass(frozen=True)
class Chance:
    """A loss pinned at the cross-entropy of a uniform guess over `classes` classes."""

    classes: int
    base: str  # "ln" or "log2"
    value: float  # log(classes) in that base
    accuracy: Optional[float]  # the logged accuracy at the end, when it confirms
    # "loss": the loss sits at log(classes); "accuracy": the accuracy never left 1/classes;
    # "start": both started at a uniform guess and barely left it; "prior": a binary class prior
    seen_in: str = "loss"

    def evidence(self) -> dict:
        return {
            "chance_classes": self.classes,
            "chance_base": self.base,
            "chance_value": self.value,
            "chance_accuracy": self.accuracy,
            "chance_seen_in": self.seen_in,
        }


def chance_level(profile: Profile, accuracy: Optional[Profile]) -> Optional[Chance]:
    """The uniform-guess level the loss ended at, if it did; the accuracy, when logged, must agree.

    The natural log comes first (nearly every framework logs it); log2 only
    when no natural-log level fits.
    """
    level = profile.end
    if level <= 0:
        return None
    acc = accuracy.end if accuracy is not None else None
    tolerance = CHANCE_TOLERANCE if acc is None else CHANCE_TOLERANCE_WITH_ACCURACY
    candidates = chance_classes(acc)
    classes = np.array(candidates, dtype=np.float64)
    for base, log in (("ln", np.log), ("log2", np.log2)):
        values = log(classes)
        errors = np.abs(level - values) / values
        fits = errors <= tolerance
        if acc is not None:
            fits &= np.abs(acc - 1.0 / classes) <= CHANCE_ACCURACY_TOLERANCE / classes
        if fits.any():
            best = int(np.argmin(np.where(fits, errors, np.inf)))
            return Chance(candidates[best], base, float(values[best]), acc)
    return None


# An accuracy pinned at chance never leaves 1/K by more than this share of it
# (tight: without K, a loose band around 1/2 would take 0.6 on a 7-class task
# for guessing), while the loss stays above this share of ln K (below it,
# something was learned).
CHANCE_PINNED_ACCURACY = 0.12
CHANCE_LOSS_FLOOR = 0.9


def accuracy_at_chance(accuracy: Optional[Profile], loss: Profile) -> Optional[Chance]:
    """Accuracy that stayed at 1/K over the whole run, the loss never clearly below ln K: guessing."""
    if accuracy is None:
        return None
    low, high = float(np.min(accuracy.values)), float(np.max(accuracy.values))
    for classes in chance_classes(median(accuracy.values)):
        guess = 1.0 / classes
        if (1 - CHANCE_PINNED_ACCURACY) * guess <= low and high <= (1 + CHANCE_PINNED_ACCURACY) * guess:
            nats = float(np.log(classes))
            if loss.end >= CHANCE_LOSS_FLOOR * nats:
                return Chance(classes, "ln", nats, accuracy.end, "accuracy")
            return None
    return None


# Barely above chance: a loss that starts at a uniform guess over K classes
# (within CHANCE_TOLERANCE_WITH_ACCURACY of ln K) beside an accuracy that starts
# at 1/K (within CHANCE_ACCURACY_TOLERANCE of it) - together they name K - and
# that never gets more than this share below ln K...
BARELY_LOSS_GAIN = 0.1
# ...while the accuracy ends less than this share of the way from 1/K to 1.
BARELY_ACCURACY_GAIN = 0.25


def barely_above_chance(loss: Profile, accuracy: Optional[Profile]) -> Optional[Chance]:
    """A loss and an accuracy that both started at a uniform guess over K classes and barely left it."""
    if accuracy is None or accuracy.n < 2 or loss.n < 3:
        return None
    first_accuracy = float(accuracy.values[0])
    for classes in chance_classes(first_accuracy):
        nats, guess = float(np.log(classes)), 1.0 / classes
        if abs(loss.start - nats) > CHANCE_TOLERANCE_WITH_ACCURACY * nats or abs(first_accuracy - guess) > CHANCE_ACCURACY_TOLERANCE * guess:
            continue
        if min(loss.trend_min, loss.end) < (1.0 - BARELY_LOSS_GAIN) * nats or (accuracy.end - guess) / (1.0 - guess) > BARELY_ACCURACY_GAIN:
            return None
        return Chance(classes, "ln", nats, accuracy.end, "start")
    return None


# A binary classifier that always answers the majority class has an accuracy
# pinned at that class's share p (moving by under this share of the minority
# share 1 - p over the whole run: its answers do not change) and a
# cross-entropy at the prior's entropy H(p) (within this share of it)...
PRIOR_ACCURACY_BAND_OF_MINORITY = 0.1
PRIOR_ENTROPY_TOLERANCE = 0.03
# ...and a training loss, when logged apart, no lower than this share of H(p)
# (far below it, the model has learned the training data).
PRIOR_TRAIN_FLOOR = 0.5


def binary_entropy(p: float) -> float:
    """Cross-entropy (nats) of always predicting a binary class prior p: the prior's entropy."""
    return float(-(p * np.log(p) + (1.0 - p) * np.log(1.0 - p)))


def predicts_the_prior(loss: Profile, accuracy: Optional[Profile], train: Optional[Profile] = None) -> Optional[Chance]:
    """Accuracy pinned at one majority share p > 1/2 and the loss at H(p): the model answers the class prior."""
    if accuracy is None or accuracy.n < 2:
        return None
    share = float(accuracy.end)
    if not 0.5 < share < 1.0:
        return None
    if float(np.max(accuracy.values)) - float(np.min(accuracy.values)) > PRIOR_ACCURACY_BAND_OF_MINORITY * (1.0 - share):
        return None
    entropy = binary_entropy(share)
    if abs(loss.end - entropy) > PRIOR_ENTROPY_TOLERANCE * entropy:
        return None
    if train is not None and train is not loss and train.end < PRIOR_TRAIN_FLOOR * entropy:
        return None
    return Chance(2, "prior", entropy, share, "prior")


# Memorisation: training loss driven to this share of its start...
MEMORISED_TRAIN_SHARE = 0.05
# ...while validation kept at least this share of the untrained level (the
# higher of the two starts: evaluation often begins after training has gained)...
MEMORISED_VAL_KEPT = 0.3
# ...and ends this many times above training.
MEMORISATION_GAP = 10.0
# An untrained model's first evaluation sits within a few times the first
# training loss (logged over the first steps or epoch); one far above it blew
# up, and the yardstick is then this many times training's start.
UNTRAINED_VAL_OF_TRAIN = 3.0


def memorisation_gap(train: Profile, val: Profile) -> Optional[float]:
    """val end / train end when training was driven to ~0 while validation stayed far above, else None.

    Only for losses bounded below by zero (cross-entropy, MSE): there "~0" means
    the training set is memorised.
    """
    if float(np.min(train.values)) < 0 or float(np.min(val.values)) < 0 or train.start <= 0 or val.start <= 0:
        return None
    untrained = max(train.start, min(val.start, UNTRAINED_VAL_OF_TRAIN * train.start))
    if train.end > MEMORISED_TRAIN_SHARE * train.start or val.end < MEMORISED_VAL_KEPT * untrained:
        return None
    gap = val.end / max(train.end, 1e-12 * val.end)
    return gap if gap >= MEMORISATION_GAP else None


@dataclass(frozen=True)
class ValRise:
    """Validation loss passed a minimum and climbed afterwards."""

    min_step: int
    min_value: float
    end_value: float
    end_step: int
    rise_of_drop: Optional[float]  # None when validation never fell below its start: no gain to compare with
    train_at_min: Optional[float]
    train_end: Optional[float]
    margin: float  # the rise over the smallest rise that counts (>= 1)
    points: int  # validation points behind it
    best_at_start: bool  # the first evaluation was the best one

    def evidence(self) -> dict:
        """The numbers both overfitting and overconfidence cite."""
        return {
            "val_min": self.min_value,
            "val_min_step": self.min_step,
            "val_end": self.end_value,
            "val_rise_of_gain": self.rise_of_drop,
            "best_at_start": self.best_at_start,
        }


def _share_of_gain(rise: float, gain: float, magnitude: float) -> Optional[float]:
    """The rise as a share of what validation had gained before it; None without a gain worth the name."""
    return rise / gain if gain > 1e-9 * magnitude else None


def validation_rise(val: Profile, train: Optional[Profile]) -> Optional[ValRise]:
    """A clear, lasting rise of validation loss after its minimum, else None."""
    return _trend_rise(val, train) or _best_never_matched(val, train)


# The end of a steady descent that no later evaluation came within this share
# of (a loss bounded by zero), followed by this many evaluations over this share
# of the run, was the best checkpoint: validation got worse after it and stayed
# worse, however it zig-zagged (smoothing would average the lone best point away).
NEVER_MATCHED_SHARE = 0.1
NEVER_MATCHED_POINTS = 3
NEVER_MATCHED_SPAN = 0.3
# With this many later evaluations their own scatter is measured, and a gap of
# this many times it (never under this share of the best) already counts: a
# loss far from zero (a language model's ~5 nats) rarely moves by a tenth.
NEVER_MATCHED_SCATTER_POINTS = 5
NEVER_MATCHED_IN_SCATTER = 4.0
NEVER_MATCHED_MIN_SHARE = 0.03


def _best_never_matched(val: Profile, train: Optional[Profile]) -> Optional[ValRise]:
    """The lowest evaluation, reached by a steady descent well before the end, that every later one stayed clearly above."""
    best = int(np.argmin(val.values))
    low = float(val.values[best])
    later = val.values[best + 1 :]
    if low <= 0 or float(np.min(val.values)) < 0 or later.size < NEVER_MATCHED_POINTS:
        return None
    if int(val.steps[-1]) - int(val.steps[best]) < NEVER_MATCHED_SPAN * max(val.span, 1):
        return None
    if best > 0 and not moves_consistently(val.values[: best + 1], falling=True):
        return None  # a lucky dip in a zig-zag, not the end of a descent
    needed = NEVER_MATCHED_SHARE * low
    if later.size >= NEVER_MATCHED_SCATTER_POINTS:
        needed = min(needed, max(NEVER_MATCHED_MIN_SHARE * low, NEVER_MATCHED_IN_SCATTER * robust_sigma(later)))
    if float(np.min(later)) - low < needed:
        return None
    step = int(val.steps[best])
    rise = val.end - low
    return ValRise(
        step,
        low,
        val.end,
        int(val.steps[-1]),
        _share_of_gain(rise, float(val.values[0]) - low, val.magnitude),
        train.trend_at(step) if train is not None else None,
        train.end if train is not None else None,
        (float(np.min(later)) - low) / needed,
        val.n,
        best == 0,
    )


# The scatter a rise is judged against is measured from the minimum on when
# that many points follow it: a few evaluations across a steep first fall
# leave residuals that are the smoothing's, not the evaluations' noise.
NOISE_FROM_MINIMUM_POINTS = 4


def noise_from_minimum(val: Profile) -> float:
    """Scatter around the trend from the minimum on (the stretch the rise is read from), else over the whole curve."""
    after = val.residuals[val.steps >= val.trend_min_step]
    return robust_sigma(after) if after.size >= NOISE_FROM_MINIMUM_POINTS else val.noise


def _trend_rise(val: Profile, train: Optional[Profile]) -> Optional[ValRise]:
    """A rise of the smoothed validation loss after its minimum that is clear and lasting."""
    rise = val.end - val.trend_min
    drop = max(val.start - val.trend_min, 1e-300)
    after = val.trend_steps > val.trend_min_step
    bounded = float(np.min(val.values)) >= 0 and val.trend_min > 0
    of_level = MIN_VAL_RISE_OF_LEVEL * val.trend_min if bounded else float("inf")
    one_point_enough = val.short and bounded and rise >= SHORT_ONE_POINT_RISE_OF_LEVEL * val.trend_min
    if rise <= 0 or after.sum() < (1 if one_point_enough else 2):
        return None
    if (int(val.steps[-1]) - val.trend_min_step) < 0.1 * max(val.span, 1):
        return None
    noise = max(noise_from_minimum(val), 1e-12 * val.magnitude)
    needed = max(
        min(MIN_VAL_RISE_OF_DROP * drop, of_level),
        MIN_VISIBLE_RISE_OF_DROP * drop,
        min(0.02 * val.magnitude, of_level),
        MIN_VAL_RISE_IN_NOISE * noise,
    )
    if rise < needed:
        return None
    # Lasting: the trend after the minimum mostly climbs, or it jumped and
    # stayed at the worse level (the later half of what follows the minimum
    # holds most of the rise).
    tail = val.trend[val.trend_min_index :]
    after_values = val.values[val.steps > val.trend_min_step]
    held = median(after_values[after_values.size // 2 :]) - val.trend_min
    if np.mean(np.diff(tail) > 0) < 0.6 and held < HELD_SHARE_OF_RISE * rise:
        return None
    from_minimum = val.values[val.steps >= val.trend_min_step]
    if val.short and not (moves_consistently(from_minimum, falling=False) or _all_held(val, rise) or _climbs_clearly(val)):
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
        _share_of_gain(rise, drop, val.magnitude),
        train_at_min,
        train.end if train is not None else None,
        rise / needed,
        val.n,
        min_step == int(val.steps[0]),
    )


# A training loss pinned at one level: within this share of its final level...
PINNED_BAND = 0.01
# ...over at least this share of the run (after however fast a first drop)...
PINNED_SHARE = 0.6
# ...with a point-to-point scatter below this share of that level, logged at
# this many points at least (per-step logs: a model whose output depends on its
# input scatters by several percent from one batch to the next).
PINNED_SCATTER = 0.003
PINNED_MIN_POINTS = 50


@dataclass(frozen=True)
class Pinned:
    """A training loss that sits at one level with almost no scatter: the model's output ignores its input."""

    level: float
    since_step: int
    share: float  # of the run's steps spent there
    scatter: float  # robust scatter as a share of the level

    def evidence(self) -> dict:
        return {"pinned": True, "pinned_level": self.level, "pinned_since": self.since_step, "pinned_share": self.share, "pinned_scatter": self.scatter}


def pinned_level(train: Optional[Profile]) -> Optional[Pinned]:
    """A loss bounded by zero that, after its first drop, stays within PINNED_BAND of its end level
    for PINNED_SHARE of the run with a scatter below PINNED_SCATTER of it, else None."""
    if train is None or train.n < PINNED_MIN_POINTS or float(np.min(train.values)) < 0 or train.end <= 0:
        return None
    level = train.end
    away = np.flatnonzero(np.abs(train.trend - level) > PINNED_BAND * level)
    first = int(away[-1]) + 1 if away.size else 0
    if first >= train.trend.size:
        return None
    since = float(train.trend_steps[first])
    share = (float(train.steps[-1]) - since) / max(train.span, 1)
    if share < PINNED_SHARE:
        return None
    inside = train.steps >= since
    scatter = robust_sigma(train.residuals[inside]) / level
    if scatter >= PINNED_SCATTER:
        return None
    return Pinned(level, int(round(since)), share, scatter)


# Two evaluations are too few for a profile, but their one move is what a
# practitioner reads first: validation that lost this share of its level
# between them still gains on new data; one that lost less than the smaller
# share (or rose) has stopped gaining, however the training loss falls.
TWO_EVALS_STILL_FALLING = 0.10
TWO_EVALS_STOPPED = 0.05


def two_evaluations(curves: RunCurves) -> Optional[Series]:
    """The validation loss when it has exactly two finite evaluations (bounded by zero) beside a training loss, else None.

    Computed once per run: still_improving, converged and overfitting ask, several times each.
    """
    key = ("two_evaluations",)
    if key not in curves.shared:
        curves.shared[key] = _two_evaluations(curves)
    return curves.shared[key]


def _two_evaluations(curves: RunCurves) -> Optional[Series]:
    if curves.train is None or curves.val is not None or curves.val_loss is None:
        return None
    two = curves.val_loss.finite_only()
    if len(two) != 2 or float(two.values.min()) < 0 or two.values[0] <= 0:
        return None
    return two


def two_evaluations_change(curves: RunCurves) -> Optional[float]:
    """How far the second of two evaluations moved from the first, as a share of the first (negative: it fell), else None."""
    two = two_evaluations(curves)
    return None if two is None else float(two.values[1] / two.values[0] - 1.0)


def two_evaluations_fall(curves: RunCurves) -> Optional[bool]:
    """True when the second of two evaluations is TWO_EVALS_STILL_FALLING below the first, False when under
    TWO_EVALS_STOPPED below it (or above it), else (or without two evaluations) None."""
    change = two_evaluations_change(curves)
    if change is None:
        return None
    if -change >= TWO_EVALS_STILL_FALLING:
        return True
    return False if -change < TWO_EVALS_STOPPED else None


def two_evaluations_evidence(curves: RunCurves) -> dict:
    """The two evaluations and their relative change, for the verdict they decided (empty without them)."""
    if two_evaluations_fall(curves) is None:
        return {}
    two = two_evaluations(curves)
    return {"val_first": float(two.values[0]), "val_second": float(two.values[1]), "val_two_evaluations_change": two_evaluations_change(curves)}
