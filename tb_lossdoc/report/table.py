"""The command's table: one line per run, CJK-aware columns, colour only when asked."""

from __future__ import annotations

import unicodedata
from typing import List

from ..detect.detectors import SEVERITY_RANK
from . import messages
from .safe_text import printable

_COLOURS = {"ok": "32", "info": "36", "warning": "33", "critical": "31"}


def format_table(document: dict, lang: str, colour: bool, min_confidence: float = 0.5) -> str:
    """One line per run: run, verdict, best step, one-line reason; then skipped runs.

    A verdict whose finding is less sure than `min_confidence` is marked.
    """
    rows: List[List[str]] = []
    for run in sorted(document["runs"], key=lambda r: (-SEVERITY_RANK[r["severity"]], r["run"])):
        label = messages.LABELS[run["verdict"]][lang] + _confidence_mark(run, lang, min_confidence)
        best = "-" if run["best_step"] is None else str(run["best_step"])
        rows.append([printable(run["run"]), label, best, _reason(run, lang), run["severity"]])
    headers = ["run", "verdict", "best step", "reason"] if lang == "en" else ["运行", "诊断", "最佳步", "原因"]
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers[:3])]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers[:3], widths)) + "  " + headers[3]]
    for run, label, best, reason, severity in rows:
        verdict = _pad(label, widths[1])
        if colour:
            verdict = f"\033[{_COLOURS[severity]}m{verdict}\033[0m"
        lines.append(f"{_pad(run, widths[0])}  {verdict}  {_pad(best, widths[2])}  {reason}")
    for skip in document["skipped"]:
        skipped = "skipped" if lang == "en" else "已跳过"
        lines.append(f"{_pad(printable(skip['run']), widths[0])}  {_pad(skipped, widths[1])}  {_pad('-', widths[2])}  {skip['reason']}")
    if not rows and not document["skipped"]:
        lines.append("no runs found" if lang == "en" else "没有找到任何运行")
    return "\n".join(lines) + "\n"


def _confidence_mark(run: dict, lang: str, min_confidence: float) -> str:
    """The low-confidence mark when the verdict's finding is less sure than asked, else nothing."""
    finding = next((f for f in run["findings"] if f["code"] == run["verdict"]), None)
    return messages.LOW_CONFIDENCE[lang] if finding is not None and finding.get("confidence", 1.0) < min_confidence else ""


def _reason(run: dict, lang: str) -> str:
    """The verdict's one-line summary, then the run's file problems, so a damaged file is never hidden."""
    reason = run["summary"][lang]
    notes = run.get("notes") or []
    if notes:
        label = "file problem" if lang == "en" else "文件问题"
        reason += f"  [! {label}: {'; '.join(printable(n) for n in notes)}]"
    return reason


def _width(text: str) -> int:
    """Columns a terminal gives the text (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))
