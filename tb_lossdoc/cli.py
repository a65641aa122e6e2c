"""`tb-lossdoc LOGDIR`: diagnose every run from a terminal or a CI job."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import unicodedata
from typing import List, Optional, Sequence

from .report import messages
from .analysis import Options
from .read.curves import TagPatterns
from .detect.detectors import CODES, SEVERITY_RANK, WARNING

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEFAULT_MIN_CONFIDENCE = 0.5
_COLOURS = {"ok": "32", "info": "36", "warning": "33", "critical": "31"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tb-lossdoc",
        description="Diagnose the loss curves of every training run in a TensorBoard logdir.",
    )
    parser.add_argument("logdir", help="a TensorBoard logdir (any path tensorboard --logdir accepts)")
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    parser.add_argument("--lang", choices=messages.LANGUAGES, default="en", help="language of explanations")
    parser.add_argument(
        "--fail-on",
        default="",
        metavar="CODES",
        help="comma-separated codes that make the exit status 1 when found, or 'any' for any warning or worse",
    )
    parser.add_argument(
        "--min-confidence",
        type=_unit_interval,
        default=DEFAULT_MIN_CONFIDENCE,
        metavar="C",
        help="--fail-on counts only findings this sure or surer, 0..1 (default: %(default)s); the table marks less sure verdicts",
    )
    parser.add_argument("--train-loss-tag", metavar="REGEX", help="regular expression naming the training-loss tag")
    parser.add_argument("--val-loss-tag", metavar="REGEX", help="regular expression naming the validation-loss tag")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the table")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        options = Options(lang=args.lang, patterns=_patterns(args))
        fail_codes = _fail_codes(args.fail_on)
    except ValueError as error:
        print(f"tb-lossdoc: {error}", file=sys.stderr)
        return EXIT_ERROR
    try:
        from .api import diagnose

        document = diagnose(args.logdir, lang=args.lang, options=options)
    except Exception as error:  # one clear line, never a traceback
        print(f"tb-lossdoc: cannot read {args.logdir}: {error}", file=sys.stderr)
        return EXIT_ERROR
    if args.format == "json":
        json.dump(document, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        sys.stdout.write(format_table(document, args.lang, colour, args.min_confidence))
    return EXIT_FINDINGS if failing(document, fail_codes, args.min_confidence) else EXIT_OK


def _unit_interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"not a number from 0 to 1: {text!r}")
    return value


def _patterns(args) -> TagPatterns:
    def compile_(text: Optional[str], flag: str):
        if not text:
            return None
        try:
            return re.compile(text)
        except re.error as error:
            raise ValueError(f"{flag}: not a valid regular expression: {error}") from None

    return TagPatterns(compile_(args.train_loss_tag, "--train-loss-tag"), compile_(args.val_loss_tag, "--val-loss-tag"))


def _fail_codes(text: str) -> Optional[frozenset]:
    """None for 'any'; otherwise the set of codes (empty: never fail)."""
    words = [w.strip() for w in text.split(",") if w.strip()]
    if "any" in words:
        return None
    unknown = [w for w in words if w not in CODES and w != "insufficient_data"]
    if unknown:
        raise ValueError(f"--fail-on: unknown code(s) {', '.join(unknown)}; known: any, {', '.join(CODES)}, insufficient_data")
    return frozenset(words)


def failing(document: dict, codes: Optional[frozenset], min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> bool:
    """Whether the document holds a finding the user asked to fail on, at least `min_confidence` sure."""
    for run in document["runs"]:
        sure = [f for f in run["findings"] if f.get("confidence", 1.0) >= min_confidence]
        found = {f["code"]: f["severity"] for f in sure}
        if run["verdict"] == "insufficient_data":
            found["insufficient_data"] = "info"
        if codes is None:
            if any(SEVERITY_RANK[s] >= SEVERITY_RANK[WARNING] for s in found.values()):
                return True
        elif codes & set(found):
            return True
    return False


def format_table(document: dict, lang: str, colour: bool, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> str:
    """One line per run: run, verdict, best step, one-line reason; then skipped runs.

    A verdict whose finding is less sure than `min_confidence` is marked.
    """
    rows: List[List[str]] = []
    for run in sorted(document["runs"], key=lambda r: (-SEVERITY_RANK[r["severity"]], r["run"])):
        label = messages.LABELS[run["verdict"]][lang]
        verdict_finding = next((f for f in run["findings"] if f["code"] == run["verdict"]), None)
        if verdict_finding is not None and verdict_finding.get("confidence", 1.0) < min_confidence:
            label += messages.LOW_CONFIDENCE[lang]
        best = "-" if run["best_step"] is None else str(run["best_step"])
        rows.append([_printable(run["run"]), label, best, run["summary"][lang], run["severity"]])
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
        lines.append(f"{_pad(_printable(skip['run']), widths[0])}  {_pad(skipped, widths[1])}  {_pad('-', widths[2])}  {skip['reason']}")
    if not rows and not document["skipped"]:
        lines.append("no runs found" if lang == "en" else "没有找到任何运行")
    return "\n".join(lines) + "\n"


def _printable(text: str) -> str:
    """Run names are untrusted: show control characters escaped, not executed."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _width(text: str) -> int:
    """Columns a terminal gives the text (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))
