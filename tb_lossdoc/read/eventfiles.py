"""Check event files' record framing, to say which files were empty, cut short or corrupt.

TensorBoard's loader stops quietly at a bad record; this check finds what it
skipped so the report can say so. It reads only record headers: each record is
a little-endian u64 length, a u32 CRC of it, the payload and a u32 CRC.
"""

from __future__ import annotations

import os
import struct
from typing import Dict, List

HEADER = 12
FOOTER = 4
# No TensorBoard record is anywhere near this long; a larger length is garbage.
MAX_RECORD = 1 << 31


def is_event_file(name: str) -> bool:
    return "tfevents" in name


def problem_of(path: str) -> str:
    """'' for a well-framed file, else a one-line description of what is wrong."""
    try:
        size = os.path.getsize(path)
        if size == 0:
            return "empty event file"
        with open(path, "rb") as handle:
            offset = records = 0
            while offset < size:
                header = handle.read(HEADER)
                if len(header) < HEADER:
                    return f"truncated after {records} records (incomplete header at byte {offset})"
                (length,) = struct.unpack("<Q", header[:8])
                if length > MAX_RECORD:
                    return f"corrupt record header at byte {offset}; {records} records before it were read"
                end = offset + HEADER + length + FOOTER
                if end > size:
                    return f"truncated after {records} records (record at byte {offset} cut short)"
                handle.seek(end)
                offset, records = end, records + 1
    except OSError as error:
        return f"unreadable: {error.strerror or error}"
    return ""


def problems_by_run(logdir: str) -> Dict[str, List[str]]:
    """run name (as TensorBoard names it) → problems of its event files, for a local logdir."""
    found: Dict[str, List[str]] = {}
    if "://" in logdir or not os.path.isdir(logdir):
        return found
    for folder, _, files in os.walk(logdir):
        for name in sorted(files):
            if not is_event_file(name):
                continue
            problem = problem_of(os.path.join(folder, name))
            run = os.path.relpath(folder, logdir).replace(os.sep, "/")
            found.setdefault(run, [])
            if problem:
                found[run].append(f"{name}: {problem}")
    return found
