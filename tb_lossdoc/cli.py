"""`tb-lossdoc LOGDIR`: diagnose every run from a terminal or a CI job."""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import unicodedata
from typing import List, Optional, Sequence

from .report import messages, safe_text
from .report.safe_text import printable
from .read.provider import READERS, RUST
from .analysis import Options
from .read.curves import TagPatterns
from .detect.detectors import CODES, SEVERITY_RANK, WARNING

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
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
    parser.add_argument("--train-loss-tag", metavar="REGEX", help="regular expression naming the training-loss tag")
    parser.add_argument("--val-loss-tag", metavar="REGEX", help="regular expression naming the validation-loss tag")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour the table")
    parser.add_argument(
        "--reader",
        choices=READERS,
        default=RUST,
        help="data layer: TensorBoard's Rust data server (default; falls back to python when it fails) or its Python multiplexer",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show TensorBoard's and its data server's own log messages")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:
        options = Options(lang=args.lang, patterns=_patterns(args))
        fail_codes = _fail_codes(args.fail_on)
    except ValueError as error:
        print(f"tb-lossdoc: {error}", file=sys.stderr)
        return EXIT_ERROR
    _logging(args.verbose)
    # On SIGTERM, unwind like Ctrl-C so the data server is stopped by its PID on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    try:
        from .api import diagnose

        document = diagnose(args.logdir, lang=args.lang, options=options, reader=args.reader, verbose=args.verbose)
    except Exception as error:  # one clear line, never a traceback
        reason = str(error).strip() or type(error).__name__
        print(printable(f"tb-lossdoc: cannot read {args.logdir}: {reason}"), file=sys.stderr)
        return EXIT_ERROR
    if args.format == "json":
        sys.stdout.write(safe_text.dumps(document) + "\n")
    else:
        colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        sys.stdout.write(format_table(safe_text.printable_document(document), args.lang, colour))
    return EXIT_FINDINGS if failing(document, fail_codes) else EXIT_OK


def _logging(verbose: bool) -> None:
    """TensorBoard's own messages (purges, reload errors, data-server start-up; some on the
    root logger) only with -v: the document reports what matters. Ours (a fallback to the
    Python loader) as one plain line on stderr."""
    import logging

    if verbose:
        logging.basicConfig(level=logging.INFO)
    else:
        logging.getLogger("tensorboard").setLevel(logging.CRITICAL)
        root = logging.getLogger()
        root.setLevel(logging.CRITICAL)
        if not root.handlers:  # else the first warning on the root logger installs a stderr handler
            root.addHandler(logging.NullHandler())
    ours = logging.getLogger("tb_lossdoc")
    ours.setLevel(logging.INFO)
    if not ours.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("tb-lossdoc: %(message)s"))
        ours.addHandler(handler)
        ours.propagate = False


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


def failing(document: dict, codes: Optional[frozenset]) -> bool:
    """Whether the document holds a finding the user asked to fail on."""
    for run in document["runs"]:
        found = {f["code"]: f["severity"] for f in run["findings"]}
        if codes is None:
            if any(SEVERITY_RANK[s] >= SEVERITY_RANK[WARNING] for s in found.values()):
                return True
        elif codes & (set(found) | {run["verdict"]}):
            return True
    return False


def format_table(document: dict, lang: str, colour: bool) -> str:
    """One line per run: run, verdict, best step, one-line reason; then skipped runs."""
    rows: List[List[str]] = []
    for run in sorted(document["runs"], key=lambda r: (-SEVERITY_RANK[r["severity"]], r["run"])):
        label = messages.LABELS[run["verdict"]][lang]
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
