"""The Python API: diagnose a logdir in one call."""

from __future__ import annotations

from .analysis import Analyzer, Options
from .read.eventfiles import problems_by_run
from .read.provider import open_logdir

EXPERIMENT_ID = ""


def diagnose(logdir: str, lang: str = "en", options: Options = None) -> dict:
    """The DESIGN.md §3 document for every run under `logdir`, reading every point.

    Raises `tb_lossdoc.LogdirError` when the logdir cannot be read at all.
    """
    options = options or Options(lang=lang)
    provider, ctx = open_logdir(logdir)
    problems = problems_by_run(logdir)
    return Analyzer(options).document(provider, ctx, EXPERIMENT_ID, lang=lang, file_problems=problems)
