"""`tb-lossdoc LOGDIR`: diagnose every run from a terminal or a CI job."""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
from typing import Optional, Sequence

from .report import messages, safe_text
from .report.safe_text import printable
from .read.provider import READERS, RUST
from .analysis import Options
from .read.curves import TagPatterns
from .detect.detectors import CODES, SEVERITY_RANK, WARNING
from .report.markdown import format_markdown
from .report.table import format_table
from .tf_stub import use_tensorflow_stub

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
DEFAULT_MIN_CONFIDENCE = 0.5
SKIPPED, EMPTY, ANY = "skipped", "empty", "any"
GATES = (ANY, SKIPPED, EMPTY)

_EPILOG = f"""\
diagnosis codes (for --fail-on):
  critical: non_finite, divergence, not_learning
  warning:  overfitting, oscillation, spike, train_flat_val_improving
  info:     plateau, overconfidence
  ok:       still_improving, converged
  verdict only: insufficient_data (too few points to judge)
  also: {SKIPPED} (a run was skipped), {EMPTY} (nothing diagnosed), {ANY} (warning or worse, or {EMPTY})

exit status:
  0  diagnosed; nothing named by --fail-on holds
  1  something named by --fail-on holds
  2  the input cannot be read at all, or the arguments are wrong

examples:
  tb-lossdoc runs/                       table of every run
  tb-lossdoc runs/ --format json         the full document (docs/json-format.md)
  tb-lossdoc runs/ --fail-on any         a CI gate
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tb-lossdoc",
        description="Diagnose the loss curves of every training run in a TensorBoard logdir. "
        "`tb-lossdoc convert SRC OUT` writes training-log files as event files.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "logdir",
        help="a TensorBoard logdir (any path tensorboard --logdir accepts), a trainer_state.json, "
        "a Keras/Lightning/Ultralytics CSV log, or a folder holding them",
    )
    parser.add_argument("--format", choices=("table", "json", "markdown"), default="table",
        help="output format (default: table; markdown: a report for a CI summary or a pull-request comment)")
    parser.add_argument("--lang", choices=messages.LANGUAGES, default="en", help="language of explanations")
    parser.add_argument(
        "--fail-on",
        default="",
        metavar="CODES",
        help="exit with status 1 when any of these comma-separated words holds: a diagnosis code (see below), "
        "'skipped' (a run was skipped), 'empty' (no run could be diagnosed), or 'any' "
        "(a warning or critical finding, or nothing diagnosed)",
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
    parser.add_argument(
        "--reader",
        choices=READERS,
        default=RUST,
        help="data layer: TensorBoard's Rust data server (default; falls back to python when it fails) or its Python multiplexer",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show TensorBoard's and its data server's own log messages")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    use_tensorflow_stub()  # our own process: TensorFlow would only cost seconds of start-up
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["convert"]:  # `tb-lossdoc convert SRC OUT`; a logdir named convert is ./convert
        from .convert import main as convert_main

        return convert_main(argv[1:])
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
    elif args.format == "table":
        colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
        sys.stdout.write(format_table(safe_text.printable_document(document), args.lang, colour, args.min_confidence))
    else:
        sys.stdout.write(format_markdown(document, args.lang))
    return EXIT_FINDINGS if failing(document, fail_codes, args.min_confidence) else EXIT_OK


def _unit_interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"not a number from 0 to 1: {text!r}")
    return value


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


def _fail_codes(text: str) -> frozenset:
    """The words of --fail-on, checked: codes, `insufficient_data`, and the gates any/skipped/empty."""
    words = frozenset(w.strip() for w in text.split(",") if w.strip())
    unknown = sorted(w for w in words if w not in CODES and w != "insufficient_data" and w not in GATES)
    if unknown:
        known = ", ".join((*GATES, *CODES, "insufficient_data"))
        raise ValueError(f"--fail-on: unknown code(s) {', '.join(unknown)}; known: {known}")
    return words


def failing(document: dict, words: frozenset, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> bool:
    """Whether the document holds something the user asked to fail on; findings count when at least `min_confidence` sure."""
    diagnosed = [run for run in document["runs"] if run["verdict"] != "insufficient_data"]
    if words & {ANY, EMPTY} and not diagnosed:
        return True
    if SKIPPED in words and document["skipped"]:
        return True
    for run in document["runs"]:
        found = {f["code"]: f["severity"] for f in run["findings"] if f.get("confidence", 1.0) >= min_confidence}
        if ANY in words and any(SEVERITY_RANK[s] >= SEVERITY_RANK[WARNING] for s in found.values()):
            return True
        if words & (set(found) | ({run["verdict"]} if run["verdict"] == "insufficient_data" else set())):
            return True
    return False
