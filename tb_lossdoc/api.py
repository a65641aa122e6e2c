"""The Python API: diagnose a logdir, a training-log file or a folder of them in one call."""

from __future__ import annotations

import contextlib

from .analysis import Analyzer, Options
from .read.provider import RUST, open_logdir
from .read.sources import open_path

EXPERIMENT_ID = ""
FILES = "files"


def diagnose(logdir: str, lang: str = "en", options: Options = None, reader: str = RUST, verbose: bool = False) -> dict:
    """The diagnosis document (docs/json-format.md) for every run under `logdir`, reading every point.

    `logdir` may also be a trainer_state.json, a Keras/Lightning/Ultralytics
    CSV log, or a folder holding such files (with or without event files).
    `reader` is "rust" (TensorBoard's Rust data server, what the tab uses by
    default; TensorBoard's Python multiplexer when the server fails) or "python".
    Raises `tb_lossdoc.LogdirError` when nothing there can be read at all.
    """
    options = options or Options(lang=lang)
    with contextlib.ExitStack() as stack:
        events = []

        def open_events(path: str):
            opened = stack.enter_context(open_logdir(path, reader=reader, verbose=verbose))
            events.append(opened)
            return opened.provider, opened.ctx, opened.problems

        provider, ctx, problems = open_path(logdir, open_events)
        try:
            document = Analyzer(options).document(provider, ctx, EXPERIMENT_ID, lang=lang, file_problems=problems)
        except Exception as error:
            if not events or events[0].reader != RUST:
                raise
            # Salvage what the Rust server could not finish with TensorBoard's Python loader.
            events[0].use_python(f"data server failed while reading: {error}")
            salvaged = (events[0].provider, events[0].ctx, events[0].problems)
            provider, ctx, problems = open_path(logdir, lambda _path: salvaged)
            document = Analyzer(options).document(provider, ctx, EXPERIMENT_ID, lang=lang, file_problems=problems)
    document["reader"] = events[0].reader if events else FILES
    return document
