"""Read a CSV log in long format: one row per (split, step), the split named in a column of its own.

`epoch,set,step,loss,...` with `set` = train or val: training and validation
rows share the value columns. They are read as the Keras callback would have
written them: a run per split (`train`, and the split's own name, e.g. `val`),
tags `epoch_<column>`. Training keeps every row, on the step column where it
counts up across epochs, else on the training rows' own count; another split
logged many rows per epoch gives its epoch's mean, at the last training step of
that epoch (a validation pass measures the whole set once per epoch).
"""

from __future__ import annotations

from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from .curves import SPLIT_WORDS, TRAIN_WORDS, tokens
from .log_table import KERAS_CSV, LogTable, as_step

# Column names under which a long-format log writes the split of each row.
SPLIT_COLUMNS = ("set", "split", "phase", "mode", "stage", "subset", "partition")

ValueOf = Callable[[str], Optional[float]]


def split_column(lowered: Sequence[str], rows: List[List[str]]) -> Optional[int]:
    """The column naming each row's split, when every filled cell of it is one split word, else None."""
    for col, name in enumerate(lowered):
        if name not in SPLIT_COLUMNS:
            continue
        cells = {row[col].strip().lower() for row in rows if len(row) > col and row[col].strip()}
        if len(cells) >= 2 and all(tokens(c) and all(w in SPLIT_WORDS for w in tokens(c)) for c in cells):
            return col
    return None


def read_long_format(
    columns: Sequence[str], rows: List[List[str]], split_col: int, value_of: ValueOf, base: float
) -> LogTable:
    """The scalars of a long-format log, one sub-run per split."""
    lowered = [c.lower() for c in columns]
    epoch_col = lowered.index("epoch") if "epoch" in lowered else None
    step_col = lowered.index("step") if "step" in lowered else None
    values = [col for col in range(len(columns)) if col not in (split_col, epoch_col, step_col)]
    table = LogTable(KERAS_CSV)
    complete = [row for row in rows if len(row) == len(columns) and row[split_col].strip()]
    if len(complete) < len(rows):
        dropped = len(rows) - len(complete)
        table.problems.append(f"{dropped} row{'s' if dropped > 1 else ''} without a split or with the wrong number of cells left out")
    # Each row's value cells as numbers, parsed once; a filled cell that is no number is counted and left out.
    numbers = [{col: v for col in values if (v := value_of(row[col].strip())) is not None} for row in complete]
    unread = sum(1 for row in complete for col in values if row[col].strip()) - sum(len(n) for n in numbers)
    if unread:
        table.problems.append(f"{unread} non-numeric cell{'s' if unread > 1 else ''} left out")
    is_training = [_is_training(row[split_col]) for row in complete]
    training = [i for i, flag in enumerate(is_training) if flag]
    steps = _training_steps([complete[i] for i in training], step_col)
    end_of_epoch: Dict[int, int] = {}
    for number, (i, step) in enumerate(zip(training, steps)):
        if epoch_col is not None and (epoch := as_step(complete[i][epoch_col].strip())) is not None:
            end_of_epoch[epoch] = step
        for col, value in numbers[i].items():
            table.add("train", "epoch_" + columns[col], step, base + number * 1e-3, value)
    others = [i for i, flag in enumerate(is_training) if not flag]
    for number, (split, epoch, means) in enumerate(_epoch_means(complete, numbers, others, split_col, epoch_col)):
        step = end_of_epoch.get(epoch, epoch)
        for col, mean in means.items():
            table.add(split, "epoch_" + columns[col], step, base + (len(training) + number) * 1e-3, mean)
    return table


def _is_training(cell: str) -> bool:
    return tokens(cell)[0] in TRAIN_WORDS


def _training_steps(training: List[List[str]], step_col: Optional[int]) -> List[int]:
    """The step column where it counts up across the whole run, else each training row's position."""
    if step_col is not None:
        steps = [as_step(row[step_col].strip()) for row in training]
        if all(s is not None for s in steps) and all(b > a for a, b in zip(steps, steps[1:])):
            return steps  # type: ignore[return-value]
    return list(range(len(training)))


def _epoch_means(
    rows: List[List[str]], numbers: List[Dict[int, float]], indices: List[int], split_col: int, epoch_col: Optional[int]
) -> Iterator[Tuple[str, int, Dict[int, float]]]:
    """(split, epoch, column → mean) per split and epoch over the rows at `indices`, in the order they first appear."""
    groups: Dict[Tuple[str, int], Dict[int, List[float]]] = {}
    for number, i in enumerate(indices):
        epoch = as_step(rows[i][epoch_col].strip()) if epoch_col is not None else number
        if epoch is None:
            continue
        group = groups.setdefault((rows[i][split_col].strip().lower(), epoch), {})
        for col, value in numbers[i].items():
            group.setdefault(col, []).append(value)
    for (split, epoch), cells in groups.items():
        yield split, epoch, {col: sum(v) / len(v) for col, v in cells.items()}
