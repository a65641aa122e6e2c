"""Read the CSV logs Keras, Lightning and Ultralytics write, named as their TensorBoard writers name them.

- Keras `CSVLogger` (`epoch,loss,val_loss,...`, one row per 0-based epoch):
  the TensorBoard callback writes runs `train` and `validation` with tags
  `epoch_<metric>` (`val_` dropped on the validation run), step = epoch.
- Lightning `CSVLogger` `metrics.csv` (`epoch,step,...`, sparse rows, one
  metric group per row): tags are the column names, step = the `step` column
  (Lightning 0.x wrote no step but a `created_at` timestamp: step = the epoch).
- Ultralytics `results.csv` (`epoch,train/box_loss,...,lr/pg0`, names and
  values padded with spaces in YOLOv5): tags are the column names, step = the
  0-based epoch (Ultralytics 8 numbers epochs from 1; both are put on 0-based).

A training log printed by Keras and transcribed as `epoch,loss,val_loss,...`
reads as a Keras CSV, and so does a Keras `History` saved with pandas
(`pd.DataFrame(history.history).to_csv(...)`: a `loss` column and no epoch
column, one row per epoch), or the history a hand-written training loop saves
the same way (`train_loss`, `val_loss`, ... columns): its epoch is pandas'
index column where it was written, else the row's number from 0.
"""

from __future__ import annotations

import csv
import math
import os
import re
from typing import Dict, List, Optional, Sequence, Set

from . import long_format
from .curves import ACCURACY_WORDS, SPLIT_WORDS, TRAIN_WORDS, VAL_WORDS, tag_tokens, tokens
from .log_table import KERAS_CSV, LIGHTNING_CSV, YOLO_CSV, LogFileError, LogTable, as_step, read_bytes

SUFFIXES = (".csv", ".log", ".tsv", ".txt")
_DELIMITERS = ",;\t"
_YOLO_PREFIXES = ("train/", "val/", "metrics/")
# What an Ultralytics validation writes: its losses and its metrics.
_VALIDATOR_PREFIXES = ("val/", "metrics/")
# The header is all the sniffing needs; CSVLogger headers are far shorter.
_HEADER_BYTES = 65536


def _delimiter(header: str) -> str:
    return max(_DELIMITERS, key=header.count)


def _columns(header: str) -> List[str]:
    return [c.strip() for c in next(csv.reader([header], delimiter=_delimiter(header)))]


def _header_index(lines: Sequence[str]) -> int:
    """Where the header is: the first line, or the second after a title line that holds no delimiter
    (a file named in its own first line, as some hand-saved histories are)."""
    if len(lines) > 1 and not any(d in lines[0] for d in _DELIMITERS) and any(d in lines[1] for d in _DELIMITERS):
        return 1
    return 0


# Lightning 0.x's CSV logger stamped each row with the time it was written, and logged no step (its epoch is the step).
_LIGHTNING_TIMESTAMP = "created_at"


# The header pandas gives the index column it writes by default (blank), as read back and saved again.
_PANDAS_INDEX = ("", "unnamed: 0")


def kind_of_header(columns: Sequence[str]) -> Optional[str]:
    """Which framework wrote a CSV with these columns, or None if none of ours did."""
    lowered = [c.lower() for c in columns]
    if "epoch" not in lowered:  # a Keras History, or a training loop's loss history, saved with pandas
        return KERAS_CSV if any(c == "loss" or c.endswith("_loss") for c in lowered) else None
    if len(columns) < 2:
        return None
    if "step" in lowered or _LIGHTNING_TIMESTAMP in lowered:  # Lightning logs a step column (0.x: a timestamp); Ultralytics and Keras never do
        return LIGHTNING_CSV
    if any(c.startswith(_YOLO_PREFIXES) for c in lowered):
        return YOLO_CSV
    return KERAS_CSV


def header_columns(path: str) -> Optional[List[str]]:
    """The column names of a text file's header line, or None for an unreadable, empty or binary file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEADER_BYTES)
    except OSError:
        return None
    if b"\0" in head:
        return None
    lines = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[:2]
    line = lines[_header_index(lines)] if lines else ""
    return _columns(line) if line.strip() else None


def sniff(path: str) -> Optional[str]:
    """The kind of a CSV log from its first line, without reading the rest (None: not one of ours)."""
    columns = header_columns(path)
    return kind_of_header(columns) if columns else None


# A torch tensor written with str(): `tensor(3.1304, device='cuda:0', grad_fn=<DivBackward0>)`.
_TENSOR_CELL = re.compile(r"^tensor\(\s*([^,\s)]+)")


def _value(cell: str) -> Optional[float]:
    """A cell as a float (nan, inf and -inf included; a scalar torch tensor written as text too),
    or None for an empty or non-numeric cell."""
    try:
        return float(cell)
    except ValueError:
        pass
    tensor = _TENSOR_CELL.match(cell)  # only for the cells float() refused: off the common path
    try:
        return float(tensor.group(1)) if tensor else None
    except ValueError:
        return None


def read_csv_log(path: str) -> LogTable:
    """The scalars of one CSV log; raises LogFileError when there are none to read."""
    raw = read_bytes(path)
    if b"\0" in raw:
        raise LogFileError("binary data, not a CSV log")
    lines = raw.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    lines = lines[_header_index(lines) :]
    header = lines[0]
    columns = _columns(header)
    kind = kind_of_header(columns)
    if kind is None:
        raise LogFileError(f"header {header.strip()[:80]!r} is not a Keras, Lightning or Ultralytics log (needs an epoch or a loss column)")
    rows = [row for row in csv.reader(lines[1:], delimiter=_delimiter(header)) if any(c.strip() for c in row)]
    if not rows:
        raise LogFileError("a header and no rows")
    lowered = [c.lower() for c in columns]
    split_col = long_format.split_column(lowered, rows)
    if split_col is not None:
        return _checked(long_format.read_long_format(columns, rows, split_col, _value, os.path.getmtime(path)))
    table = LogTable(kind)
    epoch_col = _epoch_column(lowered)
    step_col = lowered.index("step") if kind == LIGHTNING_CSV and "step" in lowered else epoch_col
    stamp_col = lowered.index(_LIGHTNING_TIMESTAMP) if kind == LIGHTNING_CSV and _LIGHTNING_TIMESTAMP in lowered else None
    offset = _epoch_offset(rows, epoch_col) if kind == YOLO_CSV else 0
    base = os.path.getmtime(path)
    bad_rows: List[int] = []
    bad_cells = 0
    placeholders = 0
    # Every cell of a well-formed row as a number (None: empty or not one), parsed once for all the checks below.
    parsed = {number: [_value(cell.strip()) for cell in row] for number, row in enumerate(rows) if len(row) == len(columns)}
    validation_losses = [col for col, name in enumerate(columns) if _is_validation_loss(name)] if kind == YOLO_CSV else []
    uncomputed = _uncomputed_validation_losses(parsed, columns, validation_losses)
    stale = _stale_rows(rows, parsed, validation_losses)
    validator = {col for col, name in enumerate(columns) if name.lower().startswith(_VALIDATOR_PREFIXES)}
    validation_columns = _validation_columns(columns, path) if kind == KERAS_CSV else set()
    saved_by_pandas = kind == KERAS_CSV and ("epoch" not in lowered or lowered[0] in _PANDAS_INDEX)
    never_written = _never_written_losses(rows, columns) if saved_by_pandas else set()
    for number, row in enumerate(rows):
        cells = [c.strip() for c in row]
        if cells == columns:  # a header repeated by an appending logger
            continue
        if len(cells) != len(columns):
            step = None
        else:
            step = number if step_col is None else as_step(cells[step_col])
        if step is None:
            bad_rows.append(number + 2)
            continue
        step -= offset
        values = parsed[number]
        unvalidated = bool(validation_losses) and all(values[col] == 0.0 for col in validation_losses)
        for col, (name, cell) in enumerate(zip(columns, cells)):
            value = math.nan if col in never_written else values[col]  # pandas writes NaN as an empty cell
            if col in (step_col, stamp_col) or not (cell or col in never_written):  # (Lightning's epoch column is a value, as in its TensorBoard logs)
                continue
            if value is None:
                bad_cells += 1
                continue
            if unvalidated and col in validation_losses:
                placeholders += 1
                continue
            if col in uncomputed or (number in stale and col in validator):
                continue
            subrun, tag = _tag(kind, name, name in validation_columns)
            table.add(subrun, tag, step, base + number * 1e-3, value)
    table.problems.extend(_left_out(columns, bad_rows, bad_cells, placeholders, never_written, stale, uncomputed))
    return _checked(table)


def _counted(count: int, thing: str, things: str) -> str:
    return f"{count} {thing if count == 1 else things}"


def _left_out(
    columns: Sequence[str], bad_rows: List[int], bad_cells: int, placeholders: int, never_written: Set[int], stale: Set[int], uncomputed: Set[int]
) -> List[str]:
    """What the reader left out of a CSV log or read otherwise than written, and why, one line each (the run's notes)."""
    notes = []
    if bad_rows:
        notes.append(f"{_counted(len(bad_rows), 'malformed row', 'malformed rows')} left out (first at line {bad_rows[0]})")
    if bad_cells:
        notes.append(f"{_counted(bad_cells, 'non-numeric cell', 'non-numeric cells')} left out")
    if placeholders:
        notes.append(
            f"{_counted(placeholders, 'validation-loss cell', 'validation-loss cells')} left out: rows whose validation"
            " losses are all 0 (validation not run, or its losses not computed, as YOLOv9 and YOLOv10 write them)"
        )
    notes += [f"{columns[col]}: empty in every row, read as NaN (pandas writes NaN as an empty cell)" for col in sorted(never_written)]
    if stale:
        notes.append(
            f"{_counted(len(stale), 'row repeats', 'rows repeat')} the validation losses of the row before, digit for"
            " digit (no validation that epoch; Ultralytics then writes the last one again): their validation values left out"
        )
    notes += [
        f"{columns[col]} left out: 0 on every validated row while its training part is not (a term validation does not"
        " compute, as YOLO26's rle_loss)"
        for col in sorted(uncomputed)
    ]
    return notes


def _checked(table: LogTable) -> LogTable:
    """The table, unless it holds no number at all."""
    if not table.scalars:
        raise LogFileError("no numeric values" + (f"; {table.problems[0]}" if table.problems else ""))
    return table


def _is_validation_loss(column: str) -> bool:
    """An Ultralytics validation-loss column (`val/box_loss`, `val/cls_om`). A row whose validation losses are
    all exactly 0 holds placeholders, not losses: one part may be 0 for real (the class loss of a one-class
    model), never all of them on real validation data."""
    return column.lower().startswith("val/")


def _never_written_losses(rows, columns: Sequence[str]) -> Set[int]:
    """Loss columns of a history saved with pandas (a value in every row) that are empty in every row: a loss that
    was NaN from the first epoch (`to_csv` writes NaN as an empty cell), not a loss never logged."""
    width = len(columns)
    complete = [row for row in rows if len(row) == width]
    return {
        col for col, name in enumerate(columns)
        if any(w == "loss" or w.endswith("loss") for w in tag_tokens(name)) and complete and not any(row[col].strip() for row in complete)
    }  # fmt: skip


def _stale_rows(rows, parsed: Dict[int, List[Optional[float]]], validation_losses: Sequence[int]) -> Set[int]:
    """Rows whose validation losses, all finite and not all 0, are those of the row before as written: a copy of the
    last validation, not a new one (real losses of several parts never repeat to the last digit)."""
    stale: Set[int] = set()
    if len(validation_losses) < 2:
        return stale  # one loss may repeat to the last digit by chance
    previous = None
    for number in sorted(parsed):
        cells = tuple(rows[number][col].strip() for col in validation_losses)
        values = [parsed[number][col] for col in validation_losses]
        if any(v is None or not math.isfinite(v) for v in values) or not any(values):
            previous = None
            continue
        if cells == previous:
            stale.add(number)
        previous = cells
    return stale


def _uncomputed_validation_losses(
    parsed: Dict[int, List[Optional[float]]], columns: Sequence[str], validation_losses: Sequence[int]
) -> Set[int]:
    """Validation-loss columns that are 0 on every row where another one is not, while the training part of
    the same name is not: a term only training computes, which would make the two sums add different terms."""
    training = {name.lower()[len("train/"):]: col for col, name in enumerate(columns) if name.lower().startswith("train/")}
    validated = [values for values in parsed.values() if any(values[col] for col in validation_losses)]
    uncomputed: Set[int] = set()
    for col in validation_losses:
        part = training.get(columns[col].lower()[len("val/"):])
        if part is None or not validated or any(values[col] != 0.0 for values in validated):
            continue
        if any(values[part] for values in parsed.values()):
            uncomputed.add(col)
    return uncomputed


def _epoch_column(lowered: Sequence[str]) -> Optional[int]:
    """The column that numbers the epochs: `epoch`, else pandas' index column, else None (the row's number)."""
    if "epoch" in lowered:
        return lowered.index("epoch")
    return 0 if lowered[0] in _PANDAS_INDEX else None


def _epoch_offset(rows, epoch_col: int) -> int:
    """1 when an Ultralytics 8 file numbers its epochs from 1, else 0."""
    epochs = [as_step(r[epoch_col].strip()) for r in rows if len(r) > epoch_col]
    first = min((e for e in epochs if e is not None), default=0)
    return 1 if first == 1 else 0


def _validation_columns(columns: Sequence[str], path: str) -> Set[str]:
    """Columns naming no split that hold validation values all the same: every one in a file its name says is
    validation's (`val_log.csv`), and an accuracy (`top1`, `accuracy`) beside `train_...` and `val_...` columns:
    Keras calls training's `accuracy`, a loop that names its training columns logs its evaluation's bare."""
    stem = tokens(os.path.splitext(os.path.basename(path))[0])
    validation_file = any(w in VAL_WORDS for w in stem) and not any(w in TRAIN_WORDS for w in stem)
    words = {column: tag_tokens(column) for column in columns}
    both_splits_named = any(c.startswith("val_") for c in columns) and any(any(w in TRAIN_WORDS for w in ws) for ws in words.values())
    return {
        column for column, ws in words.items()
        if not any(w in SPLIT_WORDS for w in ws) and (validation_file or (both_splits_named and any(w in ACCURACY_WORDS for w in ws)))
    }  # fmt: skip


def _tag(kind: str, column: str, validation: bool = False):
    """(sub-run, tag) the framework's TensorBoard writer gives a column."""
    if kind != KERAS_CSV:
        return "", column
    if column.startswith("val_"):
        return "validation", "epoch_" + column[len("val_"):]
    return ("validation" if validation else "train"), "epoch_" + column
