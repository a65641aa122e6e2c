"""The Python API: diagnose a logdir in one call."""

from __future__ import annotations

import numpy as np

from .analysis import Analyzer, Options
from .read.provider import RUST, OpenLogdir, open_logdir

EXPERIMENT_ID = ""


def diagnose(logdir: str, lang: str = "en", options: Options = None, reader: str = RUST, verbose: bool = False) -> dict:
    """The DESIGN.md §3 document for every run under `logdir`, reading every point.

    `reader` is "rust" (TensorBoard's Rust data server, what the tab uses by
    default; TensorBoard's Python multiplexer when the server fails) or "python".
    Raises `tb_lossdoc.LogdirError` when the logdir cannot be read at all.
    """
    options = options or Options(lang=lang)
    with open_logdir(logdir, reader=reader, verbose=verbose) as opened:
        return document_of(opened, options, lang)


def document_of(opened: OpenLogdir, options: Options, lang: str) -> dict:
    """The document of an opened logdir; if the Rust server dies mid-read, salvage with Python."""
    try:
        return _document(opened, options, lang)
    except Exception as error:
        if opened.reader != RUST:
            raise
        opened.use_python(f"data server failed while reading: {error}")
        return _document(opened, options, lang)


def _document(opened, options: Options, lang: str) -> dict:
    # Steps span all of int64 in damaged or odd logs; the detectors' int64 step
    # arithmetic may wrap there, which must not print numpy warnings to the user.
    with np.errstate(over="ignore"):
        document = Analyzer(options).document(opened.provider, opened.ctx, EXPERIMENT_ID, lang=lang, file_problems=opened.problems)
    document["reader"] = opened.reader
    return document
