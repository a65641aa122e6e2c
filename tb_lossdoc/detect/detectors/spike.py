"""Sudden upward jumps that recover: a bad batch, an unstable step; validation blow-ups that come back, and training bursts a hundredfold that do."""

from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np

from ..profile import MAD_TO_SIGMA, Profile, median, quantile, rolling_median, row_medians
from .base import INFO, WARNING, Finding, RunCurves, certainty
from .problem_shapes import sustained_zigzag_ratio

CODE = "spike"
NEEDS_HISTORY = True

# A jump must clear the local noise by this factor...
MIN_JUMP_IN_NOISE = 8.0
# ...and clear this multiple of the usual largest excursions (a 99% quantile;
# on short curves no higher than the third largest, so that one or two bad
# points are not their own yardstick)...
USUAL_QUANTILE = 0.99
SPARED_TOP_POINTS = 2
# Up to this many points, as many as MAX_EVENTS jumps that clear all the rest
# by CLEAR_JUMP_GAP are spared too, one per SPARED_POINTS_PER_JUMP points.
SPARE_CLEAR_JUMPS_MAX_POINTS = 1000
CLEAR_JUMP_GAP = 4.0
SPARED_POINTS_PER_JUMP = 10
TAIL_FACTOR = 2.5
# ...and be this share of the curve's own spread, and (for a loss bounded by
# zero) this share of the level it jumped from: a blip of a few percent during
# the early fall is not a spike, however small the spread.
MIN_JUMP_OF_AMPLITUDE = 0.1
MIN_JUMP_OF_LEVEL = 0.25
# A training loss logged per step is one batch's loss: a hard batch scores well
# above the level, so a spike there must at least double it.
MIN_BATCH_JUMP_OF_LEVEL = 1.0
# Many jumps are no longer spikes but oscillation.
MAX_EVENTS_SHARE = 0.02
MAX_EVENTS = 8
# Points right after a learning-rate increase (warm restart) are expected to jump.
LR_GRACE_POINTS = 3
# No stretch of a curve is quieter than this share of its typical local noise.
NOISE_FLOOR_OF_TYPICAL = 0.5
# An epoch-level curve of this many points shows a single bad epoch by its
# noise; from SHORT_MIN_POINTS_FOR_SPIKES on, one point that clearly stands out
# of an otherwise orderly curve does (a few epochs carry no noise estimate).
MIN_POINTS_FOR_SPIKES = 10
SHORT_MIN_POINTS_FOR_SPIKES = 5


def detect(curves: RunCurves) -> List[Finding]:
    findings = []
    for role, profile in curves.loss_profiles():
        events = spikes_of(profile, curves)
        if not events:
            continue
        peaks = [step for step, _, _ in events]
        warmup_end = warmup_end_step(curves)
        in_warmup = warmup_end is not None and peaks[-1] <= warmup_end
        findings.append(
            Finding(
                CODE,
                INFO if in_warmup else WARNING,  # the warm-up's turbulence is expected, not a fault
                peaks[0],
                peaks[-1],
                {
                    "role": role,
                    "tag": profile.series.tag,
                    "count": len(events),
                    "steps": peaks[:20],
                    "largest_jump_of_spread": max(size for _, size, _ in events),
                    "in_warmup": in_warmup,
                    "points": profile.n,
                },
                certainty(profile.n, max(margin for _, _, margin in events)),
            )
        )
    return findings


# The learning-rate warm-up: the first logged points over which the rate moves
# by more than a tenth at every point, or its rise to a peak within this share of the run.
LATEST_WARMUP_PEAK = 0.25


def warmup_end_step(curves: RunCurves):
    """The last step of the learning rate's warm-up, or None when no warm-up was logged (computed once per run)."""
    key = ("warmup_end",)
    if key not in curves.shared:
        curves.shared[key] = _warmup_end_step(curves)
    return curves.shared[key]


def _warmup_end_step(curves: RunCurves):
    if curves.lr is None:
        return None
    lr = curves.lr.finite_only()
    values, steps = lr.values, lr.steps
    if values.size < 3 or float(np.max(values)) <= 0:
        return None
    moved = np.abs(np.diff(np.log(np.maximum(values, 1e-300)))) > np.log(1.1)  # a rate of 0 moves from anything
    ends = []
    if moved[0]:
        still = np.flatnonzero(~moved)
        ends.append(int(steps[still[0]] if still.size else steps[-1]))
    peak = int(np.argmax(values))
    span = max(int(steps[-1]) - int(steps[0]), 1)
    if peak > 0 and values[0] < 0.5 * values[peak] and int(steps[peak]) - int(steps[0]) <= LATEST_WARMUP_PEAK * span:
        ends.append(int(steps[peak]))
    return max(ends) if ends else None


def spikes_of(profile: Profile, curves: RunCurves) -> List[Tuple[int, float, float]]:
    """The spike events of a curve, or none when there are too many to be spikes (computed once per run)."""
    key = ("spikes", id(profile))
    if key not in curves.shared:
        if profile is curves.train and sustained_zigzag_ratio(profile) is not None:
            events = []  # every other point is up: a zigzag (oscillation's), not jumps
        elif profile.n >= MIN_POINTS_FOR_SPIKES:
            events = _jumps(profile, curves)
            if profile is curves.val:
                events = _with_blow_ups(events, _recovered_blow_ups(profile, BLOW_UP_OF_LEVEL))
            elif profile is curves.train:
                events = _with_blow_ups(events, _recovered_blow_ups(profile, TRAIN_BLOW_UP_OF_LEVEL))
        else:
            events = _lone_jump(profile) if profile.n >= SHORT_MIN_POINTS_FOR_SPIKES else []
        if len(events) > max(MAX_EVENTS, MAX_EVENTS_SHARE * profile.n):
            events = []
        if events:
            negligible = NEGLIGIBLE_OF_RUN_SCALE * _run_scale(curves)
            events = [event for event in events if event[1] * profile.amplitude >= negligible]
        curves.shared[key] = events
    return curves.shared[key]


# A jump smaller than this share of the largest level any of the run's losses
# reached is invisible on their plot and harmless, however large beside its own
# near-zero level (a task solved early, whose loss then blips around 1e-5).
NEGLIGIBLE_OF_RUN_SCALE = 1e-3


def _run_scale(curves: RunCurves) -> float:
    """The largest size any of the run's loss trends reached."""
    return max((float(np.max(np.abs(profile.trend))) for _, profile in curves.loss_profiles()), default=0.0)


def spike_mask(profile: Profile, curves: RunCurves) -> np.ndarray:
    """True at the points of the curve's spikes and their immediate neighbours."""
    mask = np.zeros(profile.n, dtype=bool)
    for step, _, _ in spikes_of(profile, curves):
        index = int(np.searchsorted(profile.steps, step))
        mask[max(0, index - 1) : index + 2] = True
    return mask


def _local_window(profile: Profile) -> int:
    return int(max(5, min(51, (profile.n // 50) | 1)))


def _jumps(profile: Profile, curves: RunCurves) -> List[Tuple[int, float, float]]:
    """(peak step, jump as a share of spread, jump over its threshold) for each spike event."""
    values = profile.values
    window = _local_window(profile)
    baseline = _baseline(values, window)
    residual = values - baseline
    # Minibatch noise shrinks as the loss falls: judge each jump by its neighbours.
    local = _local_noise(residual, 4 * window)
    # A block whose rolling median passes through most of its points (a short epoch-level
    # curve) measures no noise at all; it gets a share of the curve's typical noise instead.
    noise = np.maximum(local, max(NOISE_FLOOR_OF_TYPICAL * _typical_noise(local), 1e-12 * profile.magnitude))
    spread = max(profile.amplitude, 1e-12 * profile.magnitude)
    # Heavy-tailed noise (a high learning rate) makes large excursions ordinary:
    # a spike must also stand well clear of the curve's usual largest ones.
    # The warm-up's turbulence is expected: it sets no yardstick for the jumps of the rest of the run.
    warmup_end = warmup_end_step(curves)
    settled = profile.steps > warmup_end if warmup_end is not None else np.ones(profile.n, dtype=bool)
    if np.count_nonzero(settled) < MIN_POINTS_FOR_SPIKES:
        settled = np.ones(profile.n, dtype=bool)
    usual = _usual_excursion((np.abs(residual) / noise)[settled], values[settled])
    in_noise = max(MIN_JUMP_IN_NOISE, TAIL_FACTOR * usual)
    threshold = np.maximum(in_noise * noise, MIN_JUMP_OF_AMPLITUDE * spread)
    if float(np.min(values)) >= 0:
        of_level = MIN_BATCH_JUMP_OF_LEVEL if profile is curves.train and curves.train_logged_per_step else MIN_JUMP_OF_LEVEL
        threshold = np.maximum(threshold, of_level * baseline)
    candidates = np.flatnonzero(residual > threshold)
    candidates = candidates[candidates > 0]
    lr_up = np.array([c.step for c in curves.lr_changes if not c.is_decrease], dtype=np.int64)
    events: List[Tuple[int, float]] = []
    for group in _groups(candidates):
        start, stop = int(group[0]), int(group[-1])
        if stop - start + 1 > max(3, window // 2):
            continue  # a long excursion is a level change, not a spike
        peak = start + int(np.argmax(values[start : stop + 1]))
        before = median(values[max(0, start - window) : start])
        after = _level_after(values, stop, window)
        height = values[peak] - max(before, after if after is not None else before)
        if height <= threshold[peak]:
            continue
        if _just_after(lr_up, profile.steps, start):
            continue
        events.append((int(profile.steps[peak]), float(height / spread), float(height / threshold[peak])))
    return events


# A validation stretch of at least two points above this multiple of the level just
# before it, that comes back within RETURN_OF_LEVEL of that level, is a blow-up that
# recovered, however many points it lasts: a spike, not the level change a long rise
# that stays up is. (One point alone is the jump test's.)
BLOW_UP_OF_LEVEL = 2.0
RETURN_OF_LEVEL = 1.25
LEVEL_POINTS = 5
# A curve that doubles its level more often than this (single points included) does so
# by habit (a small, noisy validation set; oscillation): its blow-ups are not spikes.
MAX_BLOW_UPS = 3
# A training loss scatters with its batches, doubling by habit; one that blows up a
# hundredfold for a few steps and comes back has broken and recovered: a spike too.
TRAIN_BLOW_UP_OF_LEVEL = 100.0


def _recovered_blow_ups(profile: Profile, factor: float) -> List[Tuple[int, float, float]]:
    """(peak step, height as a share of spread, height over the blow-up) of each stretch of two or more points that
    rose above `factor` times the level before it and came back to it; none for a curve that may go below zero, or does so too often."""
    values = profile.values
    if float(np.min(values)) <= 0 or not np.any(values[1:] > factor * np.minimum.accumulate(values)[:-1]):
        return []  # no point clears even the lowest level before it (the common case, without medians)
    levels = _levels_before(values)
    above = values[1:] > factor * levels
    spread = max(profile.amplitude, 1e-12 * profile.magnitude)
    events = []
    blow_ups = 0
    i = 1
    while i < values.size:
        if not above[i - 1]:
            i += 1
            continue
        level = float(levels[i - 1])
        stop = i
        while stop < values.size and values[stop] > factor * level:
            stop += 1
        blow_ups += 1
        after = values[stop : stop + max(LEVEL_POINTS, stop - i)]
        if stop - i >= 2 and after.size and float(np.min(after)) <= RETURN_OF_LEVEL * level:
            peak = i + int(np.argmax(values[i:stop]))
            height = float(values[peak]) - level
            events.append((int(profile.steps[peak]), height / spread, height / ((factor - 1) * level)))
        i = stop
    return events if blow_ups <= MAX_BLOW_UPS else []


def _levels_before(values: np.ndarray) -> np.ndarray:
    """For each point from the second on, the median of the (up to) LEVEL_POINTS points just before it."""
    first = [median(values[:i]) for i in range(1, min(LEVEL_POINTS, values.size))]
    if values.size <= LEVEL_POINTS:
        return np.array(first)
    windows = np.lib.stride_tricks.sliding_window_view(values[:-1], LEVEL_POINTS)
    return np.concatenate([first, np.median(windows, axis=1)])


def _with_blow_ups(jumps: List[Tuple[int, float, float]], blow_ups: List[Tuple[int, float, float]]) -> List[Tuple[int, float, float]]:
    """The jumps, and the blow-ups whose peak is none of theirs, in step order."""
    seen = {step for step, _, _ in jumps}
    return sorted(jumps + [b for b in blow_ups if b[0] not in seen])


def _usual_excursion(ratios: np.ndarray, values: np.ndarray) -> float:
    """The curve's usual largest excursion, in noise units: a high quantile of them.

    Up to one point in SPARED_POINTS_PER_JUMP (and MAX_EVENTS) is left out when
    each stands CLEAR_JUMP_GAP times above all the rest, alone (two points on
    either side well below it): a few bad evaluations are jumps, not the noise's
    own tail; a high point beside another is a swing, and spares nothing.
    """
    n = ratios.size
    share = min(USUAL_QUANTILE, 1.0 - SPARED_TOP_POINTS / max(n - 1, 1))
    if n <= SPARE_CLEAR_JUMPS_MAX_POINTS:
        order = np.argsort(ratios)
        for spared in range(min(MAX_EVENTS, n // SPARED_POINTS_PER_JUMP), SPARED_TOP_POINTS, -1):
            top = order[n - spared :]
            rest = quantile(ratios[order[: n - spared]], share)
            if ratios[order[n - spared]] > CLEAR_JUMP_GAP * rest and all(_alone(values, int(i)) for i in top):
                return rest
    return quantile(ratios, share)


def _alone(values: np.ndarray, index: int) -> bool:
    """No point within two of this one comes near it (a lone high point, not part of a swing)."""
    near = np.concatenate([values[max(0, index - 2) : index], values[index + 1 : index + 3]])
    return near.size > 0 and float(np.max(near)) < 0.5 * (float(values[index]) + float(np.min(near)))


# On a few points, the jump must reach the curve's median move
# (without the jump), and no other rise may reach this share of the jump.
LONE_JUMP_OF_MEDIAN_MOVE = 1.0
LONE_JUMP_OTHER_RISE_SHARE = 0.5


def _lone_jump(profile: Profile) -> List[Tuple[int, float, float]]:
    """The one interior point of a few-point loss that jumps by a quarter of its level above both neighbours
    while the rest of the curve moves in small, orderly steps; none when several do (that is a zigzag)."""
    values = profile.values
    if float(np.min(values)) < 0:
        return []
    spread = max(profile.amplitude, 1e-12 * profile.magnitude)
    events = []
    for i in range(1, values.size - 1):
        shoulder = max(float(values[i - 1]), float(values[i + 1]))
        height = float(values[i]) - shoulder
        needed = MIN_JUMP_OF_LEVEL * shoulder
        if height <= needed:
            continue
        moves = np.diff(np.delete(values, i))
        if height < LONE_JUMP_OF_MEDIAN_MOVE * median(np.abs(moves)):
            continue
        if float(np.max(moves, initial=0.0)) > LONE_JUMP_OTHER_RISE_SHARE * height:
            continue
        events.append((int(profile.steps[i]), height / spread, height / needed if needed > 0 else LONE_JUMP_OF_MEDIAN_MOVE))
    return events if len(events) == 1 else []


def _typical_noise(local: np.ndarray) -> float:
    """The median noise of the blocks that measured any: a block the rolling median passes
    through (a smooth stretch) measures none and must not drag the typical noise to zero."""
    measured = local[local > 0]
    return median(measured) if measured.size else 0.0


def _local_noise(residual: np.ndarray, block: int) -> np.ndarray:
    """Robust noise of each point's block of `block` neighbours."""
    n = residual.size
    blocks = -(-n // block)
    padded = np.full(blocks * block, np.nan)
    padded[:n] = residual
    grid = padded.reshape(blocks, block)
    centre = row_medians(grid)[:, None]
    sigma = MAD_TO_SIGMA * row_medians(np.abs(grid - centre))
    return np.repeat(sigma, block)[:n]


def _baseline(values: np.ndarray, window: int) -> np.ndarray:
    if values.size <= 5000:
        return rolling_median(values, window)
    # Long curves: median of the neighbouring blocks, linear in the point count.
    block = window
    n_blocks = values.size // block
    trimmed = values[: n_blocks * block].reshape(n_blocks, block)
    medians = np.median(trimmed, axis=1)
    centres = np.arange(n_blocks) * block + block / 2
    return np.interp(np.arange(values.size), centres, rolling_median(medians, 3))


def _level_after(values: np.ndarray, stop: int, window: int) -> Optional[float]:
    tail = values[stop + 1 : stop + 1 + window]
    return median(tail) if tail.size else None


def _groups(indices: np.ndarray) -> List[np.ndarray]:
    """Split sorted indices into runs with gaps of at most one point."""
    if indices.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(indices) > 2) + 1
    return np.split(indices, breaks)


def _just_after(lr_up: np.ndarray, steps: np.ndarray, index: int) -> bool:
    if lr_up.size == 0:
        return False
    first = steps[max(0, index - LR_GRACE_POINTS)]
    return bool(((lr_up >= first) & (lr_up <= steps[index])).any())
