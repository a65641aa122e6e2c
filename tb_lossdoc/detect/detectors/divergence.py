"""Loss rising persistently, from the start or after a minimum, until the end."""

from __future__ import annotations

from typing import List

import numpy as np

from .base import CRITICAL, Finding, RunCurves, certainty
from .shapes import moves_consistently

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
    for role, profile in (("train_loss", curves.train), ("val_loss", curves.val)):
        if profile is None:
            continue
        if role == "val_loss" and curves.train is not None:
            break  # validation rising on its own is overfitting, not divergence
        finding = _diverges(profile, role)
        if finding is not None:
            findings.append(finding)
    return findings


def _diverges(profile, role: str):
    now = profile.recent
    rise = now - profile.trend_min
    if rise <= 0:
        return None
    # The minimum must come early enough for the rise to be a trend, not a blip.
    min_pos = (profile.trend_min_step - profile.steps[0]) / max(profile.span, 1)
    if min_pos > LATEST_MINIMUM:
        return None
    needed = max(
        MIN_RISE_OF_MAGNITUDE * profile.magnitude,
        MIN_RISE_OF_DROP * profile.drop,
        4 * profile.noise / np.sqrt(max(1, profile.n // 10)),
    )
    if rise < needed:
        return None
    if profile.short and not moves_consistently(profile.values, falling=False):
        return None
    # Persistent: the trend climbs after the minimum and the last quarter stays up.
    climbing = np.mean(np.diff(profile.trend[profile.trend_min_index :]) > 0)
    held = profile.level(0.75, 1.0) - profile.trend_min
    if climbing < 0.6 or held < 4 * profile.noise / np.sqrt(max(1, profile.n // 4)):
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
