"""NaN or Inf in a loss: needs no history, so it runs even on the shortest run."""

from __future__ import annotations

from typing import List, Optional

import numpy as np

from ...read.series import Series
from .base import CRITICAL, Finding, RunCurves

CODE = "non_finite"
NEEDS_HISTORY = False


def _first_step(series: Series, mask: np.ndarray) -> Optional[int]:
    return int(series.steps[np.flatnonzero(mask)[0]]) if mask.any() else None


def _finding(role: str, series: Series) -> Optional[Finding]:
    """The first bad point of one curve, and which kind (inf or NaN) came first and when the other did."""
    bad = ~series.finite
    if not bad.any():
        return None
    first = int(np.flatnonzero(bad)[0])
    last = int(np.flatnonzero(bad)[-1])
    value = series.values[first]
    return Finding(
        CODE,
        CRITICAL,
        int(series.steps[first]),
        int(series.steps[last]),
        {
            "role": role,
            "tag": series.tag,
            "first_bad_step": int(series.steps[first]),
            "first_bad_value": "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf"),
            "first_nan_step": _first_step(series, np.isnan(series.values)),
            "first_inf_step": _first_step(series, np.isinf(series.values)),
            "bad_points": int(bad.sum()),
            "finite_points": int(len(series) - bad.sum()),
            "points": len(series),
            "recovers": bool(last < len(series) - 1),
            "last_finite_value": float(series.values[first - 1]) if first > 0 and np.isfinite(series.values[first - 1]) else None,
        },
    )


def detect(curves: RunCurves) -> List[Finding]:
    findings = []
    for role, series in (("train_loss", curves.train_loss), ("val_loss", curves.val_loss)):
        if series is not None and len(series) > 0:
            finding = _finding(role, series)
            if finding is not None:
                findings.append(finding)
    if not findings:
        hidden = _hidden_by_loss_filter(curves.grad_norm)
        return [hidden] if hidden is not None else []
    # Of the curves that broke, only the first (the other most likely broke
    # because of it); a curve that was never finite did not break, and is
    # always reported.
    broke = sorted((f for f in findings if f.evidence["finite_points"]), key=lambda f: f.first_step)
    return broke[:1] + [f for f in findings if not f.evidence["finite_points"]]


# Gradient norms that stay NaN/inf: at least this many logs, and this share of
# the logs from the first bad one on. Mixed precision's loss scaler skips the
# odd step with an inf gradient and recovers; that is not a broken run.
MIN_BAD_GRAD_NORMS = 3
MIN_BAD_GRAD_SHARE = 0.5


def _hidden_by_loss_filter(grad_norm: Optional[Series]) -> Optional[Finding]:
    """Gradient norms that went NaN/inf for good beside finite losses: the loss logger filtered the bad steps out.

    The Hugging Face Trainer (`logging_nan_inf_filter`, on by default) logs the
    mean of the finite step losses only, so a run whose every step is NaN logs
    a loss of 0.0 or a frozen value while its `grad_norm` reads NaN.
    """
    if grad_norm is None or len(grad_norm) == 0:
        return None
    finding = _finding("grad_norm", grad_norm)
    if finding is None:
        return None
    bad = ~grad_norm.finite
    after_first = bad[int(np.flatnonzero(bad)[0]) :]
    if int(bad.sum()) < MIN_BAD_GRAD_NORMS or float(after_first.mean()) < MIN_BAD_GRAD_SHARE:
        return None
    finding.evidence["hidden_by_loss_filter"] = True
    return finding
