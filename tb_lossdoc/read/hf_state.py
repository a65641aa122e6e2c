"""Read a Hugging Face `Trainer`'s trainer_state.json as its TensorBoard callback would have logged it.

The callback (`transformers.integrations.TensorBoardCallback`) renames each
`log_history` key with `rewrite_logs` (`eval_x` → `eval/x`, `test_x` →
`test/x`, anything else → `train/x`) and writes every number at the entry's
`step`. The final entry's `train_loss` (a mean over the whole run) becomes the
single point `train/train_loss`, exactly as there; the curve finder prefers
`train/loss`.
"""

from __future__ import annotations

import json
import os

from .log_table import HF_TRAINER_STATE, LogFileError, LogTable, as_step, read_bytes

FILE_NAME = "trainer_state.json"
_PREFIXES = (("eval_", "eval/"), ("test_", "test/"))
# Keys of a log_history entry that are the entry's position, not a logged value.
_NOT_LOGGED = ("step",)


def tag_of(key: str) -> str:
    """The TensorBoard tag the Trainer's callback gives a log_history key."""
    for prefix, folder in _PREFIXES:
        if key.startswith(prefix):
            return folder + key[len(prefix):]
    return "train/" + key


def read_trainer_state(path: str) -> LogTable:
    """The scalars of one trainer_state.json; raises LogFileError when there are none to read."""
    raw = read_bytes(path)
    try:
        state = json.loads(raw.decode("utf-8", errors="replace"))
    except ValueError as error:
        raise LogFileError(f"not valid JSON ({error})") from None
    history = state.get("log_history") if isinstance(state, dict) else None
    if not isinstance(history, list):
        raise LogFileError("no log_history list: not a Trainer state")
    base = os.path.getmtime(path)
    table = LogTable(HF_TRAINER_STATE)
    bad = 0
    for index, entry in enumerate(history):
        step = as_step(entry.get("step")) if isinstance(entry, dict) else None
        if step is None:
            bad += 1
            continue
        for key, value in entry.items():
            # The callback logs ints and floats (bools are ints to it too) and warns on the rest.
            if key in _NOT_LOGGED or not isinstance(value, (int, float)):
                continue
            table.add("", tag_of(key), step, base + index * 1e-3, float(value))
    if bad:
        table.problems.append(f"{bad} log_history entr{'y' if bad == 1 else 'ies'} without a usable step left out")
    if not table.scalars:
        raise LogFileError("log_history holds no logged values" + (f"; {table.problems[0]}" if table.problems else ""))
    declared = as_step(state.get("global_step"))
    if declared is not None and (table.last_step is None or declared > table.last_step):
        table.last_step = declared
    return table
