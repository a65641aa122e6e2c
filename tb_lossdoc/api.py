"""The Python API: diagnose a logdir in one call."""

from __future__ import annotations

from .analysis import Analyzer, Options
from .read.provider import RUST, open_logdir

EXPERIMENT_ID = ""


def diagnose(logdir: str, lang: str = "en", options: Options = None, reader: str = RUST, verbose: bool = False) -> dict:
    """The DESIGN.md §3 document for every run under `logdir`, reading every point.

    `reader` is "rust" (TensorBoard's Rust data server, what the tab uses by
    default; TensorBoard's Python multiplexer when the server fails) or "python".
    Raises `tb_lossdoc.LogdirError` when the logdir cannot be read at all.
    """
    options = options or Options(lang=lang)
    with open_logdir(logdir, reader=reader, verbose=verbose) as opened:
        try:
            document = _document(opened, options, lang)
        except Exception as error:
            if opened.reader != RUST:
                raise
            opened.use_python(f"data server failed while reading: {error}")  # salvage what Rust could not finish
            document = _document(opened, options, lang)
    return document


def _document(opened, options: Options, lang: str) -> dict:
    document = Analyzer(options).document(opened.provider, opened.ctx, EXPERIMENT_ID, lang=lang, file_problems=opened.problems)
    document["reader"] = opened.reader
    return document
