"""How far two independent labelling passes of the field corpus agree: the ceiling any detector can claim.

    python benchmarks/field/agreement.py [--first A] [--second B]

Each pass is the union of `benchmarks/field/labels/<pass>.*.json`. The second
pass is scored against the first with the rules of `benchmarks/accuracy.py`
(its required codes are the "prediction"; the first pass's required and
acceptable codes are the truth), and the other way round; runs labelled by only
one pass are left out. The same figures follow for each half of the corpus
(dev, held-out: `accuracy.split_of`), the human yardstick beside the engine's
figures for that half. Disagreeing runs are listed for resolution.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import accuracy  # noqa: E402  (benchmarks/accuracy.py)
import build  # noqa: E402  (benchmarks/field/build.py)


def load_pass(name: str) -> dict:
    """run_id -> label, over every file of one labelling pass."""
    runs = {}
    for path in sorted((HERE / "labels").glob(f"{name}.*.json")):
        runs.update(json.loads(path.read_text(encoding="utf-8"))["runs"])
    return runs


def as_document(labels: dict) -> dict:
    """A pass's labels dressed as a diagnosis document: its required codes are what it 'predicts'."""
    runs = []
    for run_id, label in labels.items():
        codes = list(label["required"])
        runs.append({
            "run": run_id,
            "verdict": codes[0] if codes else None,
            "severity": "ok",
            "best_step": label.get("best_step"),
            "findings": [{"code": c, "severity": "ok"} for c in codes],
        })
    return {"runs": runs, "skipped": []}


def compare(truth: dict, other: dict) -> dict:
    shared = sorted(set(truth) & set(other))
    labels = {"runs": {r: truth[r] for r in shared}}
    return accuracy.evaluate(labels, as_document({r: other[r] for r in shared}))


def halves(run_ids) -> dict:
    """dev / held_out → the run_ids of that half, by the source repository of each run."""
    repo_of = {s.run_id: s.repo for s in build.read_sources()}
    out = {accuracy.DEV: [], accuracy.HELD_OUT: []}
    for run in run_ids:
        if run in repo_of:
            out[accuracy.split_of(repo_of[run])].append(run)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", default="A")
    parser.add_argument("--second", default="B")
    args = parser.parse_args(argv)
    first, second = load_pass(args.first), load_pass(args.second)
    shared = sorted(set(first) & set(second))
    if not shared:
        print(f"no run is labelled by both {args.first} and {args.second}")
        return 1
    exact = sum(set(first[r]["required"]) == set(second[r]["required"]) for r in shared)
    forward, backward = compare(first, second), compare(second, first)
    print(f"runs labelled by both passes: {len(shared)}")
    print(f"exact agreement on required codes: {exact}/{len(shared)} = {exact / len(shared):.2f}")
    print(f"macro-F1 of {args.second} against {args.first}: {forward['macro_f1']:.2f}")
    print(f"macro-F1 of {args.first} against {args.second}: {backward['macro_f1']:.2f}")
    print(f"median best-step difference (share of the run): {forward['best_step']['median_error']}")
    for half, runs in halves(shared).items():
        one = {r: first[r] for r in runs}
        other = {r: second[r] for r in runs}
        print(f"{half} half, {len(runs)} runs: macro-F1 of {args.second} against {args.first} "
              f"{compare(one, other)['macro_f1']:.2f}, of {args.first} against {args.second} {compare(other, one)['macro_f1']:.2f}")
    print("\ndisagreements (required codes):")
    for run in shared:
        a, b = set(first[run]["required"]), set(second[run]["required"])
        if a != b:
            print(f"  {run}: {args.first}={sorted(a)} {args.second}={sorted(b)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
