"""How far two independent labelling passes of the field corpus agree: the ceiling any detector can claim.

    python benchmarks/field/agreement.py [--first A] [--second B]

Each pass is the union of `benchmarks/field/labels/<pass>.*.json`. The second
pass is scored against the first with the rules of `benchmarks/accuracy.py`
(its required codes are the "prediction"; the first pass's required and
acceptable codes are the truth), and the other way round; runs labelled by only
one pass are left out. The same figures follow for each half of the corpus
(dev, held-out: `accuracy.split_of`), the human yardstick beside the engine's
figures for that half, also on the engine's terms: macro-F1 over the codes the
resolved labels require in that half, false alarms on healthy runs, and each
code's F1. Disagreeing runs are listed for resolution.
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


def scored_codes(resolved: dict, runs) -> list:
    """The codes the resolved labels require somewhere in `runs`: those `benchmarks/accuracy.py` averages for that half."""
    labelled = resolved.get("runs", {})
    return sorted({code for run in runs if run in labelled for code in labelled[run]["required"]})


def macro_over(per_code: dict, codes) -> float:
    """Mean F1 over `codes`, leaving out a code neither pass requires anywhere (no F1 to average)."""
    scores = [per_code[c]["f1"] for c in codes if c in per_code and per_code[c]["f1"] is not None]
    return sum(scores) / len(scores) if scores else float("nan")


def print_like_the_engine(half: str, runs, resolved: dict, forward: dict, backward: dict, first: str, second: str) -> None:
    """One half's human figures on the engine's terms: macro-F1 over the codes the engine is scored on there
    (a code only one pass ever requires, e.g. `overconfidence`, drags the plain macro-F1 down for both),
    false alarms on healthy runs, and each code's F1 both ways."""
    codes = scored_codes(resolved, runs)
    print(f"  over the {len(codes)} codes benchmarks/accuracy.py scores on this half: macro-F1 "
          f"{macro_over(forward['per_code'], codes):.2f} ({second} against {first}), "
          f"{macro_over(backward['per_code'], codes):.2f} ({first} against {second})")
    print(f"  false alarms on healthy runs: {forward['healthy_false_alarms']}/{forward['healthy_runs']} "
          f"({second} against {first}), {backward['healthy_false_alarms']}/{backward['healthy_runs']} ({first} against {second})")
    for code in codes:
        f1 = [scores["per_code"].get(code, {}).get("f1") for scores in (forward, backward)]
        shown = " / ".join("-" if x is None else f"{x:.2f}" for x in f1)
        print(f"    {code:26} F1 {shown}")


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
    resolved, _ = accuracy.field_labels()
    for half, runs in halves(shared).items():
        one = {r: first[r] for r in runs}
        other = {r: second[r] for r in runs}
        forward_half, backward_half = compare(one, other), compare(other, one)
        print(f"{half} half, {len(runs)} runs: macro-F1 of {args.second} against {args.first} "
              f"{forward_half['macro_f1']:.2f}, of {args.first} against {args.second} {backward_half['macro_f1']:.2f}")
        print_like_the_engine(half, runs, resolved, forward_half, backward_half, args.first, args.second)
    print("\ndisagreements (required codes):")
    for run in shared:
        a, b = set(first[run]["required"]), set(second[run]["required"])
        if a != b:
            print(f"  {run}: {args.first}={sorted(a)} {args.second}={sorted(b)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
