"""Scalars read from one training-log file, named as the framework's own TensorBoard writer names them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

# (step, wall_time, value); wall times only keep the file's write order.
Point = Tuple[int, float, float]
# Steps TensorBoard (and numpy's int64) can hold.
MAX_STEP = 2**63 - 1

HF_TRAINER_STATE = "hf_trainer_state"
KERAS_CSV = "keras_csv"
LIGHTNING_CSV = "lightning_csv"
YOLO_CSV = "yolo_csv"


class LogFileError(Exception):
    """A log file that holds nothing readable; the message says why in one line."""


@dataclass
class LogTable:
    """One log file's scalars: sub-run → tag → points in write order.

    The sub-run is "" for frameworks that log into the run's own folder and
    "train"/"validation" for Keras, whose TensorBoard callback writes two runs.
    `problems` lists what was left out (malformed rows), for the run's notes.
    """

    kind: str
    scalars: Dict[str, Dict[str, List[Point]]] = field(default_factory=dict)
    problems: List[str] = field(default_factory=list)
    # How far training got (largest step), to pick the latest of several copies.
    last_step: Optional[int] = None

    def add(self, subrun: str, tag: str, step: int, wall_time: float, value: float) -> None:
        self.scalars.setdefault(subrun, {}).setdefault(tag, []).append((step, wall_time, value))
        if self.last_step is None or step > self.last_step:
            self.last_step = step


def as_step(value) -> Optional[int]:
    """A step or epoch number as an int, or None when it is not a whole number TensorBoard can hold."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or number != int(number) or not -MAX_STEP <= number <= MAX_STEP:
        return None
    return int(number)


def read_bytes(path: str) -> bytes:
    """A log file's bytes; raises LogFileError when it cannot be read or is empty."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise LogFileError(f"unreadable: {error.strerror or error}") from None
    if not raw.strip():
        raise LogFileError("empty file")
    return raw
