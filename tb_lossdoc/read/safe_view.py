"""A stand-in logdir that hides the parts of damaged event files no reader may see.

A header claiming 1 TiB makes the Rust data server abort and the Python loader
try to allocate it; a FIFO named like an event file blocks both. The view
mirrors the logdir with symbolic links (both readers follow them, and run
names stay the same) and, for such a file, a copy of its well-framed prefix
(empty for a FIFO). The user's logdir is never written to.
"""

from __future__ import annotations

import os
import tempfile
from typing import Dict

from .eventfiles import is_event_file

_COPY_CHUNK = 1 << 20


def build(logdir: str, prefixes: Dict[str, int]) -> tempfile.TemporaryDirectory:
    """The view, as a temporary directory; `prefixes` maps a file's path to the bytes to keep."""
    view = tempfile.TemporaryDirectory(prefix="tb_lossdoc_view_")
    for folder, dirs, files in os.walk(logdir):
        target = os.path.join(view.name, os.path.relpath(folder, logdir))
        os.makedirs(target, exist_ok=True)
        for name in dirs:
            source = os.path.join(folder, name)
            if os.path.islink(source):  # the Rust server follows linked folders: keep them linked
                os.symlink(os.path.realpath(source), os.path.join(target, name))
        for name in files:
            if not is_event_file(name):
                continue
            source = os.path.join(folder, name)
            if source in prefixes:
                _copy_prefix(source, os.path.join(target, name), prefixes[source])
            else:
                os.symlink(os.path.abspath(source), os.path.join(target, name))
    return view


def _copy_prefix(source: str, target: str, size: int) -> None:
    if size == 0:  # nothing to read (and a FIFO would block on open)
        open(target, "wb").close()
        return
    with open(source, "rb") as reader, open(target, "wb") as writer:
        left = size
        while left > 0:
            chunk = reader.read(min(left, _COPY_CHUNK))
            if not chunk:
                break
            writer.write(chunk)
            left -= len(chunk)
