"""The Python API: diagnose a logdir, a training-log file or a folder of them in one call."""

from __future__ import annotations

import contextlib
from typing import List, Optional

from .analysis import Analyzer, Options
from .read.provider import RUST, OpenLogdir, open_logdir
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
        events: List[OpenLogdir] = []

        def open_events(path: str):
            events.append(stack.enter_context(open_logdir(path, reader=reader, verbose=verbose)))
            return events[0].provider, events[0].ctx, events[0].problems

        opened_path = open_path(logdir, open_events)
        if events:
            return document_of(logdir, events[0], options, lang, opened_path)
        document = _document(*opened_path, options, lang)
    document["reader"] = FILES
    return document


def document_of(path: str, opened: OpenLogdir, options: Options, lang: str, opened_path: Optional[tuple] = None) -> dict:
    """The document of `path`, whose event files `opened` loaded; if the Rust server dies mid-read,
    what it could not finish is salvaged with TensorBoard's Python loader.

    `opened_path` is `open_path(path, ...)`'s answer when the caller has it already.
    """

    def events(_path: str):
        return opened.provider, opened.ctx, opened.problems

    try:
        document = _document(*(opened_path or open_path(path, events)), options, lang)
    except Exception as error:
        if opened.reader != RUST:
            raise
        opened.use_python(f"data server failed while reading: {error}")
        document = _document(*open_path(path, events), options, lang)
    document["reader"] = opened.reader
    return document


def _document(provider, ctx, problems, options: Options, lang: str) -> dict:
    return Analyzer(options).document(provider, ctx, EXPERIMENT_ID, lang=lang, file_problems=problems)
