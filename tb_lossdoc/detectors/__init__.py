"""The detectors, one module per diagnosis code, in the order verdicts are chosen.

Each module has `CODE`, `NEEDS_HISTORY` and `detect(curves) -> list[Finding]`.
"""

from . import (
    converged,
    divergence,
    non_finite,
    not_learning,
    oscillation,
    overconfidence,
    overfitting,
    plateau,
    spike,
    still_improving,
    train_flat_val_improving,
)
from .base import CRITICAL, INFO, OK, SEVERITY_RANK, WARNING, Finding, RunCurves

# Priority among findings of equal severity: earlier wins the verdict.
DETECTORS = (
    non_finite,
    divergence,
    not_learning,
    train_flat_val_improving,
    overfitting,
    spike,
    oscillation,
    overconfidence,
    plateau,
    still_improving,
    converged,
)
CODES = tuple(d.CODE for d in DETECTORS)
HEALTHY_CODES = (still_improving.CODE, converged.CODE)
# When one of these holds, the run is not "converged" or "still improving".
OVERRULES_HEALTHY = (
    non_finite.CODE,
    divergence.CODE,
    not_learning.CODE,
    train_flat_val_improving.CODE,
    overfitting.CODE,
    overconfidence.CODE,
)

__all__ = [
    "CODES",
    "CRITICAL",
    "DETECTORS",
    "Finding",
    "HEALTHY_CODES",
    "INFO",
    "OK",
    "OVERRULES_HEALTHY",
    "RunCurves",
    "SEVERITY_RANK",
    "WARNING",
]
