"""Diagnose curves held in memory: Keras `History.history`, `trainer.state.log_history`, plain lists.

The arrays become one run of an in-memory TensorBoard data provider, so they take
exactly the path event files take and come back as the same per-run document.
"""

from __future__ import annotations

import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

from .analysis import Analyzer, Options
from .read.log_table import Point
from .read.memory_provider import MemoryDataProvider

# A curve: plain values indexed from 0, or (steps, values).
Curve = Union[Sequence[float], Tuple[Sequence[int], Sequence[float]]]
# The tag each curve is written under: the names TensorBoard users write by hand.
TAGS = {"train_loss": "train_loss", "val_loss": "val_loss", "lr": "learning_rate", "train_acc": "train_accuracy", "val_acc": "val_accuracy"}
EXPERIMENT_ID = ""


def _points(name: str, curve: Curve) -> List[Point]:
    """(step, wall time, value) triples; wall time follows the write order."""
    if isinstance(curve, tuple) and len(curve) == 2 and not isinstance(curve[0], (int, float)):
        steps, values = list(curve[0]), list(curve[1])
        if len(steps) != len(values):
            raise ValueError(f"{name}: {len(steps)} steps but {len(values)} values")
    else:
        values = list(curve)
        steps = list(range(len(values)))
    points = []
    for index, (step, value) in enumerate(zip(steps, values)):
        if isinstance(step, float) and not step.is_integer():
            raise ValueError(f"{name}: step {step} is not a whole number")
        points.append((int(step), float(index), float(value) if value is not None else math.nan))
    return points


def diagnose_curves(
    train_loss: Optional[Curve] = None,
    val_loss: Optional[Curve] = None,
    lr: Optional[Curve] = None,
    train_acc: Optional[Curve] = None,
    val_acc: Optional[Curve] = None,
    name: str = "run",
    lang: str = "en",
) -> dict:
    """The per-run document (docs/json-format.md) for curves given as arrays.

    Each curve is a sequence of values indexed from 0 (e.g. per epoch) or a
    `(steps, values)` pair, since per-step training and per-epoch validation
    differ. Raises ValueError when no loss is given.
    """
    given = {"train_loss": train_loss, "val_loss": val_loss, "lr": lr, "train_acc": train_acc, "val_acc": val_acc}
    if train_loss is None and val_loss is None:
        raise ValueError("give train_loss, val_loss or both")
    scalars: Dict[str, List[Point]] = {TAGS[role]: _points(role, curve) for role, curve in given.items() if curve is not None}
    provider = MemoryDataProvider({name: scalars})
    from tensorboard import context as tb_context

    document = Analyzer(Options(lang=lang)).document(provider, tb_context.RequestContext(), EXPERIMENT_ID, lang=lang)
    if not document["runs"]:
        reason = document["skipped"][0]["reason"] if document["skipped"] else "no loss-like curve"
        raise ValueError(f"cannot diagnose these curves: {reason}")
    return document["runs"][0]
