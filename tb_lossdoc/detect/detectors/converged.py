"""Losses flattened at the end after real progress, with no rise."""

from __future__ import annotations

from typing import List

from .base import OK, Finding, RunCurves
from .still_improving import is_still_improving, recent_gain_share

CODE = "converged"
NEEDS_HISTORY = True


def detect(curves: RunCurves) -> List[Finding]:
    main = curves.main
    if main is None or is_still_improving(curves):
        return []
    evidence = {"tag": main.series.tag, "recent_gain_share": recent_gain_share(main), "end_value": main.end}
    if curves.val is not None and curves.val is not main:
        evidence["val_end"] = curves.val.end
        evidence["gap_of_train"] = (curves.val.end - main.end) / main.magnitude
    first = int(main.trend_steps[int(len(main.trend) * 0.8)])
    return [Finding(CODE, OK, first, int(main.steps[-1]), evidence)]
