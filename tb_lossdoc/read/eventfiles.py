"""Check event files' record framing, to say which files were empty, cut short or corrupt.

TensorBoard's loaders stop quietly at a bad record, and the Rust data server
aborts outright on a header claiming an impossible length; this check finds
both before any reader runs. It reads only record headers: each record is a
little-endian u64 length, a u32 CRC of it, the payload and a u32 CRC.
"""

from __future__ import annotations

import mmap
import os
import stat
import struct
from dataclasses import dataclass, field
from typing import Dict, List

HEADER = 12
FOOTER = 4
# A header claiming more than this beyond the end of its file is garbage, and
# a reader that believed it would try to allocate it (the Rust server aborts).
MAX_RECORD = 64 << 20
_LENGTH = struct.Struct("<Q")


def is_event_file(name: str) -> bool:
    """TensorBoard's own rule: the basename contains `tfevents`."""
    return "tfevents" in name


@dataclass(frozen=True)
class FileHealth:
    """A file's framing: `problem` is '' when well framed; `good_bytes` is its readable prefix."""

    problem: str
    good_bytes: int
    # No reader may see it whole: a header claims a record no reader should try
    # to allocate, or it is no regular file (a FIFO would block both readers).
    unsafe: bool = False


def health_of(path: str) -> FileHealth:
    """Walk the record headers of one event file."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return FileHealth("not a regular file", 0, unsafe=True)
        size = info.st_size
        if size == 0:
            return FileHealth("empty event file", 0)
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _walk(data, size)
    except (OSError, ValueError) as error:
        return FileHealth(f"unreadable: {getattr(error, 'strerror', None) or error}", 0)


def _walk(data, size: int) -> FileHealth:
    unpack = _LENGTH.unpack_from
    offset = records = 0
    while offset < size:
        if size - offset < HEADER:
            return FileHealth(f"truncated after {records} records (incomplete header at byte {offset})", offset)
        (length,) = unpack(data, offset)
        end = offset + HEADER + length + FOOTER
        if end > size:
            if length > MAX_RECORD:
                problem = f"corrupt record header at byte {offset} (claims {length} bytes); {records} records before it were read"
                return FileHealth(problem, offset, unsafe=True)
            return FileHealth(f"truncated after {records} records (record at byte {offset} cut short)", offset)
        offset, records = end, records + 1
    return FileHealth("", size)


def problem_of(path: str) -> str:
    """'' for a well-framed file, else a one-line description of what is wrong."""
    return health_of(path).problem


@dataclass
class LogdirHealth:
    """Framing of every event file of a local logdir, by run as TensorBoard names runs."""

    problems: Dict[str, List[str]] = field(default_factory=dict)
    # path → readable prefix length, for files no reader may see whole.
    unsafe: Dict[str, int] = field(default_factory=dict)


def scan_logdir(logdir: str) -> LogdirHealth:
    """Check every event file under a local logdir (nothing for a remote one)."""
    health = LogdirHealth()
    if "://" in logdir or not os.path.isdir(logdir):
        return health
    for folder, _, files in os.walk(logdir):
        run = run_name(logdir, folder)
        for name in sorted(files):
            if not is_event_file(name):
                continue
            path = os.path.join(folder, name)
            found = health_of(path)
            problems = health.problems.setdefault(run, [])
            if found.problem:
                problems.append(f"{name}: {found.problem}")
            if found.unsafe:
                health.unsafe[path] = found.good_bytes
    return health


def problems_by_run(logdir: str) -> Dict[str, List[str]]:
    """run name (as TensorBoard names it) → problems of its event files, for a local logdir."""
    return scan_logdir(logdir).problems


def run_name(logdir: str, folder: str) -> str:
    """The run TensorBoard makes of a folder: its path relative to the logdir ('.' for the root)."""
    return os.path.relpath(folder, logdir).replace(os.sep, "/")
