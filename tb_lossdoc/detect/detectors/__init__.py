"""The detectors, one module per diagnosis code, in the order verdicts are chosen.

Each module has `CODE`, `NEEDS_HISTORY` and `detect(curves) -> list[Finding]`.
"""

from typing import AbstractSet

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
    overconfidence,
    overfitting,
    spike,
    oscillation,
    plateau,
    still_improving,
    converged,
)
CODES = tuple(d.CODE for d in DETECTORS)
HEALTHY_CODES = (still_improving.CODE, converged.CODE)
# A finding of the key code makes those of the listed codes moot: a run is not
# "converged" while something is wrong with it, and a run whose training broke
# (NaN, divergence) is not overfitting; once it hits NaN, only the jumps and the
# rise that led there still say something.
OVERRULES = {
    non_finite.CODE: tuple(c.CODE for c in DETECTORS if c not in (non_finite, divergence, spike)),
    divergence.CODE: (overfitting.CODE, overconfidence.CODE, plateau.CODE) + HEALTHY_CODES,
    not_learning.CODE: HEALTHY_CODES,
    train_flat_val_improving.CODE: (not_learning.CODE,) + HEALTHY_CODES,
    overfitting.CODE: HEALTHY_CODES,
    overconfidence.CODE: HEALTHY_CODES,
}


def is_told_by_another(finding: Finding, codes_found: AbstractSet[str]) -> bool:
    """A finding whose story another code of the run already tells: a validation loss that
    never improved on its first evaluation while training learned (a `plateau`) is, beside
    `overfitting`, the memorising that overfitting names and explains."""
    return finding.code == plateau.CODE and bool(finding.evidence.get("val_stalled")) and overfitting.CODE in codes_found


def is_harmless_beside_a_healthy_ending(finding: Finding) -> bool:
    """Validation bouncing around its trend (how a small evaluation set scatters), a
    training loss that alternates at every log (the order of the data), one whose
    bounce averages out over stretches of the run (the batches' noise), or a per-step
    one with no evaluations beside it to tell moving weights from the batches' noise:
    beside a healthy ending (converged, still improving) information rather than an
    alarm. A training loss that still bounces once averaged, beside a validation loss
    that swings too, is the optimiser's own instability and stays one."""
    if finding.code != oscillation.CODE:
        return False
    evidence = finding.evidence
    return (
        evidence.get("role") == "val_loss"
        or bool(evidence.get("zigzag"))
        or "averaged_bounce_ratio" in evidence
        or bool(evidence.get("unchecked_by_validation"))
    )


__all__ = [
    "CODES",
    "CRITICAL",
    "DETECTORS",
    "Finding",
    "HEALTHY_CODES",
    "INFO",
    "OK",
    "OVERRULES",
    "is_harmless_beside_a_healthy_ending",
    "is_told_by_another",
    "RunCurves",
    "SEVERITY_RANK",
    "WARNING",
]
