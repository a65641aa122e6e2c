"""Training loss barely moves from its starting level."""

from __future__ import annotations

from typing import List

from .base import CRITICAL, Finding, RunCurves
from .shapes import improves_clearly, is_flat, relative_change

CODE = "not_learning"
NEEDS_HISTORY = True


def detect(curves: RunCurves) -> List[Finding]:
    main = curves.main
    if main is None or not is_flat(main):
        return []
    if curves.train is not None and curves.val is not None and improves_clearly(curves.val):
        return []  # validation improves: that pattern has its own code
    return [
        Finding(
            CODE,
            CRITICAL,
            int(main.steps[0]),
            int(main.steps[-1]),
            {
                "tag": main.series.tag,
                "start_value": main.start,
                "end_value": main.end,
                "best_change": relative_change(main),
                "lr_constant": curves.lr_constant_between(main.steps[0], main.steps[-1]),
            },
        )
    ]
