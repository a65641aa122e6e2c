"""Loss series derived from logged ones: perplexity in log space, the sum of loss components."""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import numpy as np

from .curves import SeriesRef
from .series import Series

Read = Dict[Tuple[str, str], Series]
_LOGS = {"ln": np.log, "log2": np.log2}


def resolved(ref: SeriesRef, series: Read) -> Optional[Series]:
    """The series a reference names, with its transform applied (ln/log2 of perplexity)."""
    read = series.get((ref.run, ref.tag))
    if read is None or not ref.transform:
        return read
    with np.errstate(divide="ignore", invalid="ignore"):
        values = _LOGS[ref.transform](read.values)
    return Series(read.steps, values, read.run, read.tag, read.duplicates_dropped)


def components_tag(refs: Sequence[SeriesRef]) -> str:
    """How a sum of components is named in `series`: "a + b + c"."""
    return " + ".join(ref.tag for ref in refs)


def summed(refs: Sequence[SeriesRef], series: Read) -> Optional[Series]:
    """The sum of loss components, or None unless every one was read and all share their steps."""
    parts = [series.get((ref.run, ref.tag)) for ref in refs]
    if not parts or any(p is None for p in parts):
        return None
    steps = parts[0].steps
    if any(p.steps.shape != steps.shape or not np.array_equal(p.steps, steps) for p in parts[1:]):
        return None
    total = np.sum([p.values for p in parts], axis=0)
    # The parts share their steps: the sum lost the points any of them lost to a restart, counted once.
    return Series(steps, total, parts[0].run, components_tag(refs), max(p.duplicates_dropped for p in parts))
