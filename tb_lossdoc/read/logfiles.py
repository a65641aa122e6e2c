"""Find the training-log files under a path and turn them into runs, once each.

Runs are named like TensorBoard names runs: by their folder relative to the
given path ("." for the path itself). Two rules keep a run from being counted
twice (a Hugging Face output folder holds event files under runs/, a
trainer_state.json and a copy in every checkpoint-N/):

- a trainer_state.json in `checkpoint-N/` belongs to the run of the folder
  above, and of a run's copies only the latest (largest global_step) is read;
- a log file whose run folder holds event files where its framework's
  TensorBoard writer puts them (the folder itself; `runs/<date>_<host>/` for
  the Trainer; `train/` or `validation/` for Keras) is left to those event files.

Several other log files in one folder are separate runs, named `folder/<file stem>`.
"""

from __future__ import annotations

import math
import os
import posixpath
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

from . import csv_logs, hf_state
from .eventfiles import is_event_file
from .log_table import LogFileError, LogTable

_CHECKPOINT = re.compile(r"^checkpoint-\d+$")
# Log files known by name: an unreadable one is reported rather than ignored.
KNOWN_NAMES = (hf_state.FILE_NAME, "training.log", "metrics.csv", "results.csv")
# Where, below a log file's run folder, event files of the same run are written.
_SAME_RUN_EVENTS = re.compile(r"^(runs/[^/]+|train|validation)$")


class NotALogFile(Exception):
    """A file given on its own that is no log LossDoc reads."""


@dataclass
class LogRun:
    """One run read from a log file; `table` is None when nothing could be read."""

    name: str
    source: str
    table: Optional[LogTable]
    problems: List[str] = field(default_factory=list)


@dataclass
class Found:
    """The log-file runs under a path, whether it holds event files, and the files left to them."""

    runs: List[LogRun]
    has_event_files: bool
    left_to_event_files: List[str]


def read_log_file(path: str) -> LogTable:
    """Read a trainer_state.json or a CSV log; raises LogFileError with the reason it cannot."""
    if os.path.basename(path) == hf_state.FILE_NAME or path.lower().endswith(".json"):
        return hf_state.read_trainer_state(path)
    return csv_logs.read_csv_log(path)


def is_log_file(path: str) -> bool:
    """A file the folder scan reads: a trainer_state.json, a CSV log with a header we know, or a
    file with a log's name that is damaged (empty, binary); a table with other columns is not ours."""
    name = os.path.basename(path)
    if name == hf_state.FILE_NAME:
        return True
    if not name.lower().endswith(csv_logs.SUFFIXES):
        return False
    columns = csv_logs.header_columns(path)
    if columns and csv_logs.kind_of_header(columns):
        return True
    return name in KNOWN_NAMES and not (columns and len(columns) > 1)


def find_log_runs(path: str) -> Found:
    """The runs of the log files at `path` (one file, or a folder scanned recursively)."""
    if os.path.isfile(path):
        return Found([_read_single(path)], False, [])
    event_folders: Set[str] = set()
    candidates: List[Tuple[str, str]] = []  # (run folder, relative file path)
    for folder, dirs, files in os.walk(path):
        dirs.sort()
        rel = os.path.relpath(folder, path).replace(os.sep, "/")
        for name in sorted(files):
            if is_event_file(name):
                event_folders.add(rel)
            elif is_log_file(os.path.join(folder, name)):
                candidates.append((_run_folder(rel, name), posixpath.normpath(posixpath.join(rel, name))))
    by_folder: Dict[str, List[str]] = {}
    for run_folder, rel_file in candidates:
        by_folder.setdefault(run_folder, []).append(rel_file)
    runs: List[LogRun] = []
    left: List[str] = []
    for run_folder, files in sorted(by_folder.items()):
        if _has_events_of_its_own(run_folder, event_folders):
            left.extend(files)
            continue
        runs.extend(_runs_of_folder(path, run_folder, files, event_folders))
    return Found(runs, bool(event_folders), left)


def _read_single(path: str) -> LogRun:
    """A file given on its own is the run "." (as its folder would be to TensorBoard)."""
    name = os.path.basename(path)
    readable_name = name == hf_state.FILE_NAME or name.lower().endswith(csv_logs.SUFFIXES + (".json",))
    if is_event_file(name):
        raise NotALogFile(f"{path} is an event file: give the folder that holds it, as to tensorboard --logdir")
    if not readable_name and csv_logs.sniff(path) is None:
        raise NotALogFile(f"{path}: not a log LossDoc reads (trainer_state.json, or a Keras/Lightning/Ultralytics CSV log)")
    return _read(path, ".", name)


def _read(path: str, run: str, shown: str) -> LogRun:
    try:
        table = read_log_file(path)
    except LogFileError as error:
        return LogRun(run, path, None, [f"{shown}: {error}"])
    return LogRun(run, path, table, [f"{shown}: {p}" for p in table.problems])


def _run_folder(rel_folder: str, file_name: str) -> str:
    """The folder that names a log file's run: a checkpoint's Trainer state belongs to the folder above."""
    leaf = posixpath.basename(rel_folder)
    if file_name == hf_state.FILE_NAME and _CHECKPOINT.match(leaf):
        return posixpath.dirname(rel_folder) or "."
    return rel_folder


def _has_events_of_its_own(run_folder: str, event_folders: Set[str]) -> bool:
    """Whether the framework's TensorBoard writer left event files for this run folder."""
    prefix = "" if run_folder == "." else run_folder + "/"
    for folder in event_folders:
        if folder == run_folder:
            return True
        below = folder if run_folder == "." else (folder[len(prefix):] if folder.startswith(prefix) else None)
        if below is not None and _SAME_RUN_EVENTS.match(below):
            return True
    return False


def _runs_of_folder(root: str, run_folder: str, files: List[str], event_folders: Set[str]) -> List[LogRun]:
    """The runs one folder's log files make: the latest Trainer state, and each other file.

    Several runs in one folder are named `folder/<file stem>`, or `folder/<file name>`
    when stems repeat or an event-file run already has that name.
    """
    states = [f for f in files if posixpath.basename(f) == hf_state.FILE_NAME]
    others = [f for f in files if f not in states]
    runs: List[LogRun] = []
    if states:
        runs.append(_latest_state(root, run_folder, states))
    for rel_file in others:
        runs.append(_read(os.path.join(root, rel_file), run_folder, rel_file))
    if len(runs) > 1:
        prefix = "" if run_folder == "." else run_folder + "/"
        stems = [prefix + posixpath.splitext(posixpath.basename(r.source))[0] for r in runs]
        taken = any(f == stem or f.startswith(stem + "/") for stem in stems for f in event_folders)
        unique = len(set(stems)) == len(stems) and not taken
        for run, stem in zip(runs, stems):
            run.name = stem if unique else prefix + posixpath.basename(run.source)
    return runs


def _latest_state(root: str, run_folder: str, states: List[str]) -> LogRun:
    """The readable copy that got furthest (ties: the one in the run folder itself); copies that
    cannot be read become notes when another copy can."""
    read = [_read(os.path.join(root, rel), run_folder, rel) for rel in states]
    good = [r for r in read if r.table is not None]
    if not good:
        return LogRun(run_folder, read[0].source, None, [p for r in read for p in r.problems])
    best = max(good, key=lambda r: (r.table.last_step or 0, _CHECKPOINT.match(_parent_leaf(r.source)) is None))
    best.problems = best.problems + [p for r in read if r.table is None for p in r.problems]
    shown = os.path.relpath(best.source, root)
    others = [r for r in good if r is not best]
    latest = _points(best.table) if others else {}
    best.problems += [
        f"{os.path.relpath(r.source, root)}: another training (its values differ from {shown}'s at the same steps);"
        f" only {shown}, which got furthest, is read"
        for r in others
        if _differs(r.table, latest)
    ]
    return best


def _points(table: LogTable) -> Dict[Tuple[str, str, int], float]:
    """(sub-run, tag, step) → value of every point of a log."""
    return {(sub, tag, step): value for sub, tags in table.scalars.items() for tag, series in tags.items() for step, _, value in series}


def _differs(copy: LogTable, points: Dict[Tuple[str, str, int], float]) -> bool:
    """Whether an earlier copy of a Trainer state logged other values than the latest (its `points`) at the
    same steps: a checkpoint of one training holds the same history up to its step; one of a training
    started over in the same output folder does not."""
    for sub, tags in copy.scalars.items():
        for tag, series in tags.items():
            for step, _, value in series:
                other = points.get((sub, tag, step))
                if other is not None and not math.isclose(value, other, rel_tol=1e-6, abs_tol=1e-12) and not (math.isnan(value) and math.isnan(other)):
                    return True
    return False


def _parent_leaf(path: str) -> str:
    return os.path.basename(os.path.dirname(path))
