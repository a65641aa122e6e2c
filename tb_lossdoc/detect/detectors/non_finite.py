"""NaN or Inf in a loss: needs no history, so it runs even on the shortest run."""

from __future__ import annotations

from typing import List

import numpy as np

from .base import CRITICAL, Finding, RunCurves

CODE = "non_finite"
NEEDS_HISTORY = False


def detect(curves: RunCurves) -> List[Finding]:
    findings = []
    for role, series in (("train_loss", curves.train_loss), ("val_loss", curves.val_loss)):
        if series is None or len(series) == 0:
            continue
        bad = ~series.finite
        if not bad.any():
            continue
        first = int(np.flatnonzero(bad)[0])
        value = series.values[first]
        findings.append(
            Finding(
                CODE,
                CRITICAL,
                int(series.steps[first]),
                int(series.steps[bad][-1]),
                {
                    "role": role,
                    "tag": series.tag,
                    "first_bad_step": int(series.steps[first]),
                    "first_bad_value": "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf"),
                    "bad_points": int(bad.sum()),
                    "points": len(series),
                    "last_finite_value": float(series.values[first - 1]) if first > 0 and np.isfinite(series.values[first - 1]) else None,
                },
            )
        )
    if len(findings) == 2:  # one finding per run: the series that broke first
        findings.sort(key=lambda f: f.first_step)
        findings = findings[:1]
    return findings
