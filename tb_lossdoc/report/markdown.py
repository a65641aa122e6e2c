"""The command's Markdown report: GitHub-flavoured, for a CI step summary or a pull-request comment.

Run names, tags and anything quoted from the logs are untrusted: names go into
code spans (no HTML, no links, no @mentions there), and prose is escaped so that
`|`, backticks, HTML and @mentions stay plain text.
"""

from __future__ import annotations

import re
from typing import Dict, List

from ..detect.detectors import SEVERITY_RANK
from . import messages
from .safe_text import printable

# The summary bar's groups, most urgent first: (key, icon, en, zh).
GROUPS = (
    ("critical", "🔴", "needs action", "需要处理"),
    ("warning", "🟠", "worth a look", "值得一看"),
    ("info", "🔵", "good to know", "供参考"),
    ("ok", "🟢", "fine", "正常"),
    ("not_judged", "⚪", "not judged", "未判断"),
)
_HEADERS = {
    "en": ("run", "verdict", "best step", "reason"),
    "zh": ("运行", "诊断", "最佳步", "原因"),
}
_WORDS = {
    "en": {"title": "LossDoc diagnosis", "runs": "runs", "problems": "Findings that need a look",
           "steps": "steps", "try": "What to try", "skipped": "skipped", "notes": "file problems",
           "none": "No runs found."},
    "zh": {"title": "LossDoc 诊断", "runs": "个运行", "problems": "需要关注的发现",
           "steps": "步", "try": "可以尝试", "skipped": "已跳过", "notes": "文件问题",
           "none": "没有找到任何运行。"},
}
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]|~])")
_BLOCK_START = re.compile(r"^(#|>|[-+=](?=\s|$)|\d+[.)](?=\s|$))")


def group_of(run: dict) -> str:
    """The summary group of a diagnosed run: its severity, or not judged for insufficient data."""
    return "not_judged" if run["verdict"] == "insufficient_data" else run["severity"]


def code_span(text: str) -> str:
    """Untrusted text as an inline code span that survives a table cell."""
    text = printable(text).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def prose(text: str) -> str:
    """Text that may quote the logs, as plain Markdown text: no HTML, no formatting, no @mentions."""
    text = printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _BLOCK_START.sub(r"\\\1", _INLINE_MARKUP.sub(r"\\\1", text))
    return text.replace("@", "@\u2060")  # a word joiner after @ keeps GitHub from mentioning anyone


def format_markdown(document: dict, lang: str) -> str:
    """Counts per group, one table row per run, then each problem run's findings with actions."""
    words = _WORDS[lang]
    runs = sorted(document["runs"], key=lambda r: (-SEVERITY_RANK[r["severity"]], r["run"]))
    counts: Dict[str, int] = {key: 0 for key, *_ in GROUPS}
    for run in runs:
        counts[group_of(run)] += 1
    counts["not_judged"] += len(document["skipped"])
    total = len(runs) + len(document["skipped"])
    lines: List[str] = [f"## {words['title']}: {total} {words['runs']}", ""]
    lines.append(" · ".join(
        f"{icon} {label_en if lang == 'en' else label_zh}: **{counts[key]}**"
        for key, icon, label_en, label_zh in GROUPS
    ))
    lines.append("")
    if not total:
        return "\n".join(lines + [words["none"], ""])
    icons = {key: icon for key, icon, *_ in GROUPS}
    lines += ["| " + " | ".join(_HEADERS[lang]) + " |", "|---|---|---:|---|"]
    for run in runs:
        best = "–" if run["best_step"] is None else str(run["best_step"])
        reason = prose(run["summary"][lang])
        if run.get("notes"):
            reason += f" ⚠ {words['notes']}: " + prose("; ".join(run["notes"]))
        verdict = f"{icons[group_of(run)]} {messages.LABELS[run['verdict']][lang]}"
        lines.append(f"| {code_span(run['run'])} | {verdict} | {best} | {reason} |")
    for skip in document["skipped"]:
        lines.append(f"| {code_span(skip['run'])} | {icons['not_judged']} {words['skipped']} | – | {prose(skip['reason'])} |")
    problems = [r for r in runs if r["severity"] in ("warning", "critical")]
    if problems:
        lines += ["", f"### {words['problems']}"]
    for run in problems:
        lines += ["", f"#### {code_span(run['run'])}"]
        for finding in run["findings"]:
            if finding["severity"] not in ("warning", "critical"):
                continue
            text = finding["text"][lang]
            span = _steps(finding, words["steps"])
            lines += ["", f"**{prose(text['title'])}**{span}", "", prose(text["detail"]), ""]
            lines += [f"- {prose(action)}" for action in text["actions"]]
    return "\n".join(lines) + "\n"


def _steps(finding: dict, word: str) -> str:
    first, last = finding.get("first_step"), finding.get("last_step")
    if first is None:
        return ""
    return f" ({word} {first}–{last})" if last is not None and last != first else f" ({word} {first})"
