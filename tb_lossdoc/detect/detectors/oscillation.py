"""Loss bouncing strongly around its trend (mild minibatch noise is normal)."""

from __future__ import annotations

from typing import List

import numpy as np

from ..profile import robust_sigma
from .base import WARNING, Finding, RunCurves

CODE = "oscillation"
NEEDS_HISTORY = True

# Bounce (robust spread around the trend, second half of the run) as a share of
# what the loss gained: normal minibatch noise stays far below this.
MIN_BOUNCE_OF_GAIN = 0.12
# Validation is evaluated on the same data each time, so it has no minibatch
# noise: its bounce is judged against the smaller of its gain and its level.
MIN_VAL_BOUNCE = 0.05


def detect(curves: RunCurves) -> List[Finding]:
    findings = []
    for role, profile in (("train_loss", curves.train), ("val_loss", curves.val)):
        if profile is None:
            continue
        gain = profile.drop
        if gain <= 0 or gain < 0.05 * profile.magnitude:
            continue  # nothing learned: not_learning speaks for it
        half = profile.n // 2
        bounce = robust_sigma(profile.residuals[half:])
        if role == "val_loss":
            level = abs(float(np.median(profile.trend[len(profile.trend) // 2 :])))
            ratio, needed = bounce / max(min(gain, level), 1e-12 * profile.magnitude), MIN_VAL_BOUNCE
        else:
            ratio, needed = bounce / gain, MIN_BOUNCE_OF_GAIN
        if ratio < needed:
            continue
        findings.append(
            Finding(
                CODE,
                WARNING,
                int(profile.steps[half]),
                int(profile.steps[-1]),
                {
                    "role": role,
                    "tag": profile.series.tag,
                    "bounce": bounce,
                    "gain": gain,
                    "bounce_ratio": ratio,
                    "lr_at_end": float(curves.lr.values[np.isfinite(curves.lr.values)][-1])
                    if curves.lr is not None and np.isfinite(curves.lr.values).any()
                    else None,
                },
            )
        )
    return findings
