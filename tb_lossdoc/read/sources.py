"""Open any path the command accepts: a logdir, a training-log file, or a folder mixing both.

Log-file runs are served by a MemoryDataProvider; when event files exist too,
their provider (opened by the caller's `open_events`) is joined with it, so
the analysis sees one experiment either way.
"""

from __future__ import annotations

import os
import posixpath
from typing import Callable, Dict, List, Tuple

from .joined_provider import JoinedDataProvider
from .logfiles import LogRun, NotALogFile, find_log_runs
from .memory_provider import MemoryDataProvider
from .provider import LogdirError

# (provider, request context, run → problems of its files)
Opened = Tuple[object, object, Dict[str, List[str]]]


def run_path(run: str, subrun: str) -> str:
    """The TensorBoard run a log file's sub-run becomes ("." + "train" → "train")."""
    if not subrun:
        return run
    return subrun if run == "." else posixpath.join(run, subrun)


def memory_provider(runs: List[LogRun]) -> Tuple[MemoryDataProvider, Dict[str, List[str]]]:
    """A provider over the log-file runs, and each run's problems (notes, or the reason it is skipped)."""
    scalars = {}
    problems: Dict[str, List[str]] = {}
    for run in runs:
        if run.problems:
            problems[run.name] = list(run.problems)
        if run.table is None:
            continue
        for subrun, tags in run.table.scalars.items():
            scalars[run_path(run.name, subrun)] = tags
    empty = [run.name for run in runs if run.table is None or not run.table.scalars]
    return MemoryDataProvider(scalars, empty), problems


def open_path(path: str, open_events: Callable[[str], Opened]) -> Opened:
    """Provider, context and file problems for `path`; raises LogdirError when nothing there is readable."""
    from tensorboard import context as tb_context

    if "://" in path:
        return open_events(path)
    if not os.path.exists(path):
        raise LogdirError(f"logdir not found: {path}")
    try:
        found = find_log_runs(path)
    except NotALogFile as error:
        raise LogdirError(str(error)) from None
    if not found.runs:
        if not found.has_event_files:
            raise LogdirError(
                f"no TensorBoard event files and no training logs (trainer_state.json, Keras/Lightning/Ultralytics CSV) under {path}"
            )
        return open_events(path)
    logs, problems = memory_provider(found.runs)
    if not found.has_event_files:
        return logs, tb_context.RequestContext(), problems
    events, ctx, event_problems = open_events(path)
    return JoinedDataProvider(events, logs), ctx, {**event_problems, **problems}
