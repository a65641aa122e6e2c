"""Keep Python's cyclic garbage collector from walking TensorBoard's own objects while documents are built.

Building a cold document allocates hundreds of thousands of objects that live
on (the results), which makes Python run full collections; in a TensorBoard
process that has imported TensorFlow each one walks millions of objects that
live as long as the process (modules, classes, functions). Before the first
document is built they are moved to the collector's permanent generation
(`gc.freeze`), once per process: later collections walk only what came after.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Iterator

_lock = threading.Lock()
_frozen = False


def freeze_long_lived() -> None:
    """Move every object that exists now out of the collector's reach, the first time only."""
    global _frozen
    with _lock:
        if not _frozen:
            gc.freeze()
            _frozen = True


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Pause automatic cyclic collection for the block (if it was on)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
