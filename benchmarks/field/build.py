"""Rebuild every run of the field corpus as TensorBoard event files.

    python benchmarks/field/build.py OUT

Each run listed in `benchmarks/field/SOURCES.*.tsv` is read from
`benchmarks/field/raw/<run_id>/` with the same readers `tb-lossdoc` uses
(`tb_lossdoc.read.logfiles`) and written by the same code as
`tb-lossdoc convert` (`tb_lossdoc.convert.write_run`) under `OUT/<run_id>`, in
the convention of the writer it came from (Keras: `OUT/<run_id>/train` and
`/validation`). The run the engine reports is therefore `<run_id>` or starts
with `<run_id>/`. Exit status 1 when any listed run could not be built, or holds
the same bytes as a run listed before it, line ends aside (one run counted twice).
"""

from __future__ import annotations

import argparse
import csv
import glob
import hashlib
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

FIELD = Path(__file__).resolve().parent
ROOT = FIELD.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the working tree's readers, not an installed copy

from tb_lossdoc.convert import write_run  # noqa: E402
from tb_lossdoc.read.log_table import KERAS_CSV  # noqa: E402
from tb_lossdoc.read.logfiles import find_log_runs  # noqa: E402

# SOURCES formats whose files read as another kind (a transcribed printed log is a Keras CSV).
READ_AS = {"printed_log": KERAS_CSV}


@dataclass
class Source:
    """One line of a SOURCES file."""

    run_id: str
    repo: str
    path: str
    commit: str
    format: str
    notes: str = ""


@dataclass
class BuildReport:
    """What the build wrote and what it could not."""

    built: Dict[str, List[str]] = field(default_factory=dict)  # run_id → document run names
    failed: Dict[str, str] = field(default_factory=dict)  # run_id → reason
    warnings: List[str] = field(default_factory=list)


def read_sources(field_dir: Path = FIELD) -> List[Source]:
    """Every run of every SOURCES.*.tsv, in file order."""
    sources = []
    for path in sorted(glob.glob(str(field_dir / "SOURCES.*.tsv"))):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if row.get("run_id"):
                    sources.append(Source(**{k: (row.get(k) or "").strip() for k in Source.__dataclass_fields__}))
    return sources


def build(out: str, field_dir: Path = FIELD) -> BuildReport:
    """Write every listed run under `out`, replacing what an earlier build left for it."""
    report = BuildReport()
    seen = set()
    first_with: Dict[str, str] = {}  # the raw folder's content → the run_id listed first with it
    for source in read_sources(field_dir):
        if source.run_id in seen:
            report.warnings.append(f"{source.run_id}: listed twice; built once")
            continue
        seen.add(source.run_id)
        raw = field_dir / "raw" / source.run_id
        if not raw.is_dir():
            report.failed[source.run_id] = f"no folder {raw.relative_to(field_dir)}"
            continue
        content = _content_hash(raw)
        if content in first_with:
            report.failed[source.run_id] = f"the same files as {first_with[content]}: one run, counted once"
            continue
        first_with[content] = source.run_id
        found = find_log_runs(str(raw))
        readable = [r for r in found.runs if r.table is not None]
        if not readable:
            reasons = "; ".join(p for r in found.runs for p in r.problems) or "no log file"
            report.failed[source.run_id] = reasons
            continue
        target = os.path.join(out, source.run_id)
        shutil.rmtree(target, ignore_errors=True)
        names = []
        for run in readable:
            expected = READ_AS.get(source.format, source.format)
            if run.table.kind != expected:
                report.warnings.append(f"{source.run_id}: SOURCES says {source.format}, the file reads as {run.table.kind}")
            write_run(run, os.path.normpath(os.path.join(target, run.name)))
            names.append(source.run_id if run.name == "." else f"{source.run_id}/{run.name}")
            report.warnings += [f"{source.run_id}: {p}" for p in run.problems]
        report.built[source.run_id] = names
    return report


def _content_hash(raw: Path) -> str:
    """SHA-1 over the bytes of every file under a raw folder, line ends aside (names aside too: a copy under another
    name, or committed elsewhere with Windows line ends, is the same run)."""
    digest = hashlib.sha1()
    for path in sorted(p for p in raw.rglob("*") if p.is_file()):
        digest.update(hashlib.sha1(path.read_bytes().replace(b"\r\n", b"\n")).digest())
    return digest.hexdigest()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Rebuild the field corpus as TensorBoard event files")
    parser.add_argument("out", help="logdir to write, one folder per run_id")
    args = parser.parse_args(argv)
    report = build(args.out)
    print(f"built {len(report.built)} runs under {args.out}; {len(report.failed)} failed")
    for run_id, reason in sorted(report.failed.items()):
        print(f"FAILED {run_id}: {reason}")
    for warning in report.warnings:
        print(f"note: {warning}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
