"""`tb-lossdoc convert SRC OUT`: write runs read from training-log files as TensorBoard event files.

The tab shows what TensorBoard loaded; converting a trainer_state.json or a
CSV log puts its run there too. Each run becomes `OUT/<run>` (Keras:
`OUT/<run>/train` and `OUT/<run>/validation`), with the tags the framework's
own TensorBoard writer uses, written by TensorBoard's own `EventFileWriter`
as `simple_value` summaries (no torch or TensorFlow needed).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
from dataclasses import dataclass
from typing import List, Optional, Sequence

from .read.eventfiles import is_event_file
from .report.safe_text import printable
from .read.logfiles import LogRun, NotALogFile, find_log_runs


@dataclass
class Converted:
    """What happened to one run: where it was written, or why not."""

    run: str
    out: Optional[str]
    points: int = 0
    reason: str = ""


def _event_file_writer():
    """TensorBoard's EventFileWriter (no TensorFlow needed)."""
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    return EventFileWriter


# Events waiting for the writer thread; a long queue keeps it from stalling the conversion.
_QUEUE = 100_000


def write_run(run: LogRun, folder: str) -> int:
    """Write one log-file run's scalars under `folder`; returns the number of points written.

    The values of one log row (one log_history entry, one CSV line) share a
    step and go into one event, as a `tf.summary` flush of several scalars would.
    """
    from tensorboard.compat.proto import event_pb2, summary_pb2

    writer_class = _event_file_writer()
    written = 0
    for subrun, tags in sorted(run.table.scalars.items()):
        points = sorted((w, s, tag, v) for tag, pts in tags.items() for s, w, v in pts)
        writer = writer_class(os.path.join(folder, subrun) if subrun else folder, max_queue_size=_QUEUE)
        for (wall_time, step), row in itertools.groupby(points, key=lambda p: (p[0], p[1])):
            values = [summary_pb2.Summary.Value(tag=tag, simple_value=value) for _, _, tag, value in row]
            writer.add_event(event_pb2.Event(wall_time=wall_time, step=step, summary=summary_pb2.Summary(value=values)))
            written += len(values)
        writer.close()
    return written


def _holds_event_files(folder: str) -> bool:
    return os.path.isdir(folder) and any(is_event_file(name) for name in os.listdir(folder))


def convert(src: str, out: str) -> List[Converted]:
    """Convert every log-file run under `src` into `out`; raises NotALogFile / OSError on unusable paths."""
    if not os.path.exists(src):
        raise FileNotFoundError(f"not found: {src}")
    found = find_log_runs(src)
    results = []
    for run in found.runs:
        target = os.path.normpath(os.path.join(out, run.name))
        if run.table is None:
            results.append(Converted(run.name, None, reason="; ".join(run.problems)))
        elif any(_holds_event_files(os.path.join(target, subrun)) for subrun in run.table.scalars):
            results.append(Converted(run.name, None, reason=f"{target} already holds event files (remove them to convert again)"))
        else:
            results.append(Converted(run.name, target, write_run(run, target)))
    results += [Converted(f, None, reason="left to the event files beside it") for f in found.left_to_event_files]
    return results


def main(argv: Sequence[str]) -> int:
    """`tb-lossdoc convert SRC OUT`; exit 0 when a run was written, 2 when none could be."""
    parser = argparse.ArgumentParser(
        prog="tb-lossdoc convert",
        description="Write the runs of a trainer_state.json, a Keras/Lightning/Ultralytics CSV log, or a folder of them "
        "as TensorBoard event files under OUT, so that TensorBoard and its Diagnosis tab show them.",
    )
    parser.add_argument("src", help="a log file or a folder holding log files")
    parser.add_argument("out", help="the logdir to write (one folder per run)")
    args = parser.parse_args(argv)
    try:
        results = convert(args.src, args.out)
    except (NotALogFile, OSError) as error:
        print(printable(f"tb-lossdoc convert: {error}"), file=sys.stderr)
        return 2
    for result in results:  # run and file names are untrusted: escaped before they reach a terminal
        if result.out:
            print(printable(f"{result.run}: wrote {result.points} points to {result.out}"))
        else:
            print(printable(f"{result.run}: not converted: {result.reason}"))
    if not results:
        print(printable(f"tb-lossdoc convert: no training logs under {args.src}"), file=sys.stderr)
    return 0 if any(r.out for r in results) else 2
