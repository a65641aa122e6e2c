"""The Python API: diagnose a logdir in one call."""

from __future__ import annotations

from .analysis import Analyzer, Options
from .read.eventfiles import problems_by_run
from .read.provider import open_logdir
from .read.sources import open_path

EXPERIMENT_ID = ""


def diagnose(logdir: str, lang: str = "en", options: Options = None) -> dict:
    """The DESIGN.md §3 document for every run under `logdir`, reading every point.

    `logdir` may also be a trainer_state.json, a Keras/Lightning/Ultralytics
    CSV log, or a folder holding such files (with or without event files).
    Raises `tb_lossdoc.LogdirError` when the logdir cannot be read at all.
    """
    options = options or Options(lang=lang)
    provider, ctx, problems = open_path(logdir, _open_event_files)
    return Analyzer(options).document(provider, ctx, EXPERIMENT_ID, lang=lang, file_problems=problems)


def _open_event_files(logdir: str):
    """Provider, context and damaged-file problems for the event files under `logdir`."""
    provider, ctx = open_logdir(logdir)
    return provider, ctx, problems_by_run(logdir)
