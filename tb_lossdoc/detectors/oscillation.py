"""Loss bouncing strongly around its trend (mild minibatch noise is normal)."""

from __future__ import annotations

from typing import List

import numpy as np

from ..profile import robust_sigma
from .base import WARNING, Finding, RunCurves

CODE = "oscillation"
NEEDS_HISTORY = True

# Bounce (robust spread around the trend, second half of the run) as a share of
# what the loss gained: normal noise stays far below this.
MIN_BOUNCE_OF_GAIN = 0.12


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
        ratio = bounce / gain
        if ratio < MIN_BOUNCE_OF_GAIN:
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
                    "bounce_of_gain": ratio,
                    "lr_at_end": float(curves.lr.values[np.isfinite(curves.lr.values)][-1])
                    if curves.lr is not None and np.isfinite(curves.lr.values).any()
                    else None,
                },
            )
        )
    return findings
