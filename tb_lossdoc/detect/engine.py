"""Run every detector on one training run and choose its verdict and best step."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

from .detectors import CODES, DETECTORS, HEALTHY_CODES, INFO, OVERRULES, SEVERITY_RANK, is_harmless_beside_a_healthy_ending, is_told_by_another
from .detectors.base import Finding, RunCurves

INSUFFICIENT_DATA = "insufficient_data"


@dataclass
class Verdict:
    """The outcome for one run: its findings, the most important one, and where to stop."""

    verdict: str
    severity: str
    best_step: Optional[int]
    findings: List[Finding] = field(default_factory=list)


def diagnose(curves: RunCurves) -> Verdict:
    """Diagnose one run. Too few points to judge a shape gives `insufficient_data`."""
    enough = curves.main is not None
    findings: List[Finding] = []
    # Values near the float limits (1e300) overflow in intermediate statistics;
    # a test that meets inf or NaN there simply does not hold, and the run's
    # report should not be buried in numpy warnings.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for detector in DETECTORS:
            if enough or not detector.NEEDS_HISTORY:
                findings.extend(detector.detect(curves))
    overruled = {code for f in findings for code in OVERRULES.get(f.code, ())}
    findings = [f for f in findings if f.code not in overruled]
    codes_found = {f.code for f in findings}
    findings = [f for f in findings if not is_told_by_another(f, codes_found)]
    if any(f.code in HEALTHY_CODES for f in findings):
        for f in findings:
            if is_harmless_beside_a_healthy_ending(f):
                f.severity = INFO
    findings.sort(key=_importance)
    if findings:
        verdict, severity = findings[0].code, findings[0].severity
    else:
        verdict, severity = INSUFFICIENT_DATA, INFO
    return Verdict(verdict, severity, best_step(curves), findings)


def _importance(finding: Finding):
    return (-SEVERITY_RANK[finding.severity], CODES.index(finding.code))


def best_step(curves: RunCurves) -> Optional[int]:
    """The step with the lowest finite validation loss: the checkpoint to keep."""
    series = curves.val_loss
    if series is None:
        return None
    finite = series.finite_only()
    if len(finite) == 0:
        return None
    return int(finite.steps[int(np.argmin(finite.values))])
