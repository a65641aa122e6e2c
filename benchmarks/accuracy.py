"""Diagnosis accuracy on labelled logs (by default the demo logs).

    python benchmarks/accuracy.py [LABELS] [LOGDIR] [--json] [--fail-under F1]
    python benchmarks/accuracy.py --field [--built LOGDIR] [--list-held-out] [--json] [--fail-under F1]

LABELS defaults to demo_logs/labels.json and LOGDIR to demo_logs. The engine
is run through its public API, ``tb_lossdoc.diagnose(logdir)``, which returns
the diagnosis document (docs/json-format.md); ``evaluate(labels, document)`` compares that
document with the labels (written by scripts/make_demo_logs.py):

- predicted codes of a run = the codes of its findings, plus its verdict
  (so ``insufficient_data``, which has no finding, counts too);
- per code: TP = predicted and required; FP = predicted and neither required
  nor acceptable; FN = required and not predicted; precision, recall, F1 and
  support (number of runs that require the code); macro-F1 over the codes with
  support > 0;
- verdict rate: the share of labelled runs whose verdict (the one code a
  user reads first) is required or acceptable;
- false-alarm rate on healthy runs: a healthy run has a false alarm when a
  finding has severity warning/critical, or when a predicted code is outside
  required ∪ acceptable (``converged``/``still_improving`` excepted);
- best-step error: |predicted - labelled| / (max_step - min_step) of the run,
  median over the runs that have a labelled best step (a missing prediction
  counts as an error of 1.0 and is listed);
- coverage: every labelled run must appear in ``runs`` and every labelled
  skipped run in ``skipped``; a labelled run missing from the document counts
  as predicting nothing.

Every run whose prediction does not match its label is listed with what was
expected and what was found (for the field corpus's held-out half, only with
``--list-held-out``: whoever tunes detectors should not read those runs). ``--json`` prints the metrics as one JSON object (the held-out half's per-run entries, too, only with ``--list-held-out``).

``--field`` scores the field corpus (benchmarks/field/README.md): it builds
the corpus as event files with benchmarks/field/build.py (into a temporary
folder, or into ``--built LOGDIR``, which is reused when it already holds
event files), takes the labels from benchmarks/field/labels.json (the resolved
labels; while that file does not exist, the first pass labels/A.*.json
merged), gives a labelled run_id the document run that equals it or starts with
``run_id + "/"``, and reports every metric above for the dev half and the
held-out half, split by source repository (``split_of``), each macro-F1 with
a 95% interval (and one for their difference) from resampling whole
repositories: runs of one repository are not independent. ``--fail-under``
then applies to the held-out half.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FIELD = ROOT / "benchmarks" / "field"
DEV, HELD_OUT = "dev", "held_out"

HEALTHY_CODES = {"converged", "still_improving"}
ALARM_SEVERITIES = {"warning", "critical"}


def _ratio(num, den):
    return None if den == 0 else num / den


def _f1(p, r):
    if p is None or r is None or p + r == 0:
        return 0.0
    return 2 * p * r / (p + r)


# The interval of a macro-F1: runs of one repository share a model, data and
# author, so whole repositories are resampled (a cluster bootstrap).
INTERVAL_DRAWS = 2000
INTERVAL_LEVEL = 0.95


def macro_f1_draws(metrics: dict, labels: dict, group_of: dict, draws: int = INTERVAL_DRAWS, seed: int = 0):
    """Macro-F1 of `draws` resamplings of the labelled runs, whole groups (repositories) at a time."""
    runs = sorted(metrics["per_run"])
    codes = sorted(metrics["per_code"])
    # per run and code: true positive, false positive, false negative, support
    outcome = np.zeros((len(runs), len(codes), 4))
    for i, run in enumerate(runs):
        required = set(labels["runs"][run].get("required", []))
        entry = metrics["per_run"][run]
        for j, code in enumerate(codes):
            outcome[i, j] = (code in required and code not in entry["missing"], code in entry["unexpected"],
                             code in entry["missing"], code in required)
    groups = sorted({group_of[run] for run in runs})
    group_index = np.array([groups.index(group_of[run]) for run in runs], dtype=np.int64)
    picks = np.random.default_rng(seed).integers(0, len(groups), size=(draws, len(groups)))
    times = np.stack([np.bincount(p, minlength=len(groups)) for p in picks])  # draws x groups
    weights = times[:, group_index].astype(float)  # draws x runs: how often each run's repository was drawn
    tp, fp, fn, support = (np.einsum("dr,rc->dc", weights, outcome[:, :, k]) for k in range(4))
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    present = support > 0
    return np.where(present.any(axis=1), (f1 * present).sum(axis=1) / np.maximum(present.sum(axis=1), 1), np.nan)


def interval(draws) -> list:
    """The central INTERVAL_LEVEL interval of bootstrap draws."""
    tail = (1 - INTERVAL_LEVEL) / 2 * 100
    return [float(np.nanpercentile(draws, tail)), float(np.nanpercentile(draws, 100 - tail))]


def predicted_codes(doc_run: dict) -> set:
    codes = {f.get("code") for f in doc_run.get("findings", []) if f.get("code")}
    if doc_run.get("verdict"):
        codes.add(doc_run["verdict"])
    return codes


# Confidence bands for reading what a finding's confidence means in practice.
CONFIDENCE_BANDS = ((0.0, 0.5), (0.5, 0.8), (0.8, 1.01))


def _band(confidence: float) -> str:
    low, high = next(b for b in CONFIDENCE_BANDS if b[0] <= confidence < b[1])
    return f"{low:.1f}-{min(high, 1.0):.1f}"


def _sure_findings(doc_run: dict) -> dict:
    """code -> the highest confidence among the run's findings of that code (findings without one count as 1)."""
    out: dict = {}
    for f in doc_run.get("findings", []):
        if f.get("code"):
            out[f["code"]] = max(out.get(f["code"], 0.0), float(f.get("confidence", 1.0)))
    return out


def _step_span(label: dict, doc_run: dict):
    """(min_step, max_step) of the run: from the labels, else from the findings."""
    steps = label.get("steps")
    if steps and len(steps) == 2:
        return steps[0], steps[1]
    firsts = [f.get("first_step") for f in doc_run.get("findings", []) if f.get("first_step") is not None]
    lasts = [f.get("last_step") for f in doc_run.get("findings", []) if f.get("last_step") is not None]
    if firsts and lasts:
        return min(firsts), max(lasts)
    return None


def evaluate(labels: dict, document: dict) -> dict:
    """Compare a §3 document with the labels; returns the metrics as a JSON-able dict."""
    label_runs = labels.get("runs", {})
    label_skipped = labels.get("skipped", {})
    doc_runs = {r.get("run"): r for r in document.get("runs", [])}
    doc_skipped = {s.get("run"): s for s in document.get("skipped", [])}

    missing_runs = sorted(r for r in label_runs if r not in doc_runs)
    missing_skipped = sorted(r for r in label_skipped if r not in doc_skipped)
    skipped_but_diagnosed = sorted(r for r in label_skipped if r in doc_runs)
    unlabelled = sorted(r for r in list(doc_runs) + list(doc_skipped)
                        if r not in label_runs and r not in label_skipped)

    counts: dict[str, dict] = {}

    def bump(code, key):
        counts.setdefault(code, {"tp": 0, "fp": 0, "fn": 0, "support": 0})[key] += 1

    healthy_total = healthy_alarms = 0
    verdicts_acceptable = 0
    step_errors = []
    best_step_missing = []
    by_confidence = {_band(low): {"findings": 0, "right": 0} for low, _ in CONFIDENCE_BANDS}
    mismatches = []
    per_run = {}

    for name, label in sorted(label_runs.items()):
        doc_run = doc_runs.get(name, {})
        required = set(label.get("required", []))
        allowed = required | set(label.get("acceptable", []))
        predicted = predicted_codes(doc_run)
        verdicts_acceptable += doc_run.get("verdict") in allowed
        for code in required:
            bump(code, "support")
        tp = predicted & required
        fp = predicted - allowed
        fn = required - predicted
        for code in tp:
            bump(code, "tp")
        for code in fp:
            bump(code, "fp")
        for code in fn:
            bump(code, "fn")
        for code, confidence in _sure_findings(doc_run).items():
            band = by_confidence[_band(confidence)]
            band["findings"] += 1
            band["right"] += code in allowed

        alarm_reasons = []
        if label.get("healthy"):
            healthy_total += 1
            for f in doc_run.get("findings", []):
                if f.get("severity") in ALARM_SEVERITIES:
                    alarm_reasons.append(f"{f.get('code')} ({f.get('severity')})")
            for code in sorted(fp - HEALTHY_CODES):
                if not any(r.startswith(code + " ") for r in alarm_reasons):
                    alarm_reasons.append(code)
            if alarm_reasons:
                healthy_alarms += 1

        step_error = None
        if label.get("best_step") is not None and name in doc_runs:
            span = _step_span(label, doc_run)
            pred = doc_run.get("best_step")
            if pred is None:
                step_error = 1.0
                best_step_missing.append(name)
            elif span and span[1] > span[0]:
                step_error = abs(pred - label["best_step"]) / (span[1] - span[0])
            else:
                step_error = 0.0 if pred == label["best_step"] else 1.0
            step_errors.append(step_error)

        found = [
            {"code": f.get("code"), "severity": f.get("severity"),
             "first_step": f.get("first_step"), "last_step": f.get("last_step")}
            for f in doc_run.get("findings", [])
        ]
        per_run[name] = {
            "verdict": doc_run.get("verdict"),
            "predicted": sorted(predicted),
            "missing": sorted(fn),
            "unexpected": sorted(fp),
            "false_alarm": alarm_reasons,
            "best_step": {"label": label.get("best_step"), "predicted": doc_run.get("best_step"),
                          "error": step_error},
        }
        if fn or fp or alarm_reasons or name not in doc_runs:
            mismatches.append({
                "run": name,
                "in_document": name in doc_runs,
                "expected": {"required": sorted(required), "acceptable": sorted(label.get("acceptable", []))},
                "found": {"verdict": doc_run.get("verdict"), "findings": found},
                "missing": sorted(fn),
                "unexpected": sorted(fp),
                "false_alarm": alarm_reasons,
            })

    per_code = {}
    for code, c in sorted(counts.items()):
        p = _ratio(c["tp"], c["tp"] + c["fp"])
        r = _ratio(c["tp"], c["tp"] + c["fn"])
        per_code[code] = {**c, "precision": p, "recall": r, "f1": _f1(p, r) if c["support"] or c["tp"] else None}
    supported = [v["f1"] for v in per_code.values() if v["support"] > 0]
    return {
        "runs_labelled": len(label_runs),
        "runs_in_document": len(doc_runs),
        "per_code": per_code,
        "macro_f1": statistics.fmean(supported) if supported else None,
        "by_confidence": by_confidence,
        "verdict_acceptable": verdicts_acceptable,
        "verdict_acceptable_rate": _ratio(verdicts_acceptable, len(label_runs)),
        "healthy_runs": healthy_total,
        "healthy_false_alarms": healthy_alarms,
        "false_alarm_rate": _ratio(healthy_alarms, healthy_total),
        "best_step": {
            "runs": len(step_errors),
            "median_error": statistics.median(step_errors) if step_errors else None,
            "mean_error": statistics.fmean(step_errors) if step_errors else None,
            "missing_prediction": best_step_missing,
        },
        "coverage": {
            "missing_runs": missing_runs,
            "missing_skipped": missing_skipped,
            "skipped_but_diagnosed": skipped_but_diagnosed,
            "unlabelled": unlabelled,
            "ok": not (missing_runs or missing_skipped or skipped_but_diagnosed),
        },
        "mismatches": mismatches,
        "per_run": per_run,
    }


def _fmt(x):
    return "   -" if x is None else f"{x:.2f}"


def render(metrics: dict, list_mismatches: bool = True) -> str:
    out = []
    out.append(f"{'code':26s} {'supp':>4s} {'TP':>3s} {'FP':>3s} {'FN':>3s}  {'prec':>5s} {'rec':>5s} {'F1':>5s}")
    for code, c in metrics["per_code"].items():
        out.append(f"{code:26s} {c['support']:4d} {c['tp']:3d} {c['fp']:3d} {c['fn']:3d}  "
                   f"{_fmt(c['precision']):>5s} {_fmt(c['recall']):>5s} {_fmt(c['f1']):>5s}")
    out.append("")
    out.append(f"macro-F1 (codes with support > 0): {_fmt(metrics['macro_f1'])}")
    out.append(f"verdict (the headline code) required or acceptable: {metrics['verdict_acceptable']}/{metrics['runs_labelled']}"
               f" (rate {_fmt(metrics['verdict_acceptable_rate'])})")
    out.append(f"false alarms on healthy runs: {metrics['healthy_false_alarms']}/{metrics['healthy_runs']}"
               f" (rate {_fmt(metrics['false_alarm_rate'])})")
    bands = metrics.get("by_confidence", {})
    out.append("findings that are a required or acceptable reading, by confidence: "
               + ", ".join(f"{band} {b['right']}/{b['findings']}" for band, b in bands.items() if b["findings"]))
    bs = metrics["best_step"]
    out.append(f"best step: median error {_fmt(bs['median_error'])} of the run's step span over {bs['runs']} runs"
               + (f"; no prediction for {', '.join(bs['missing_prediction'])}" if bs["missing_prediction"] else ""))
    cov = metrics["coverage"]
    out.append(f"coverage: {metrics['runs_in_document']} runs in the document, {metrics['runs_labelled']} labelled"
               + ("" if cov["ok"] else " -- PROBLEMS"))
    for key in ("missing_runs", "missing_skipped", "skipped_but_diagnosed", "unlabelled"):
        if cov[key]:
            out.append(f"  {key}: {', '.join(cov[key])}")
    if metrics["mismatches"] and not list_mismatches:
        out.append("")
        out.append(f"mismatching runs: {len(metrics['mismatches'])} (listed with --list-held-out)")
    elif metrics["mismatches"]:
        out.append("")
        out.append(f"mismatching runs ({len(metrics['mismatches'])}):")
        for m in metrics["mismatches"]:
            out.append(f"- {m['run']}" + ("" if m["in_document"] else "  (NOT IN THE DOCUMENT)"))
            exp = m["expected"]
            out.append(f"    expected: required {exp['required']}"
                       + (f", acceptable {exp['acceptable']}" if exp["acceptable"] else ""))
            found = ", ".join(f"{f['code']}[{f['severity']}] {f['first_step']}-{f['last_step']}"
                              for f in m["found"]["findings"]) or "no findings"
            out.append(f"    found:    verdict {m['found']['verdict']}; {found}")
            if m["missing"]:
                out.append(f"    missing:  {m['missing']}")
            if m["unexpected"]:
                out.append(f"    unexpected: {m['unexpected']}")
            if m["false_alarm"]:
                out.append(f"    false alarm on a healthy run: {', '.join(m['false_alarm'])}")
    return "\n".join(out)


def split_of(repo: str) -> str:
    """The half a source repository belongs to: sha1 of its lower-case owner/name, even → dev, odd → held-out."""
    digest = hashlib.sha1(repo.strip().lower().encode("utf-8")).hexdigest()
    return DEV if int(digest, 16) % 2 == 0 else HELD_OUT


def field_labels(field_dir: Path = FIELD) -> tuple:
    """(labels, where they came from): the resolved labels.json, else the first pass A.*.json merged."""
    resolved = field_dir / "labels.json"
    if resolved.exists():
        with open(resolved, encoding="utf-8") as f:
            return json.load(f), str(resolved)
    paths = sorted(glob.glob(str(field_dir / "labels" / "A.*.json")))
    merged = {"runs": {}}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            merged["runs"].update(json.load(f).get("runs", {}))
    return merged, " + ".join(paths) or "no labels"


def by_run_id(document: dict, run_ids) -> tuple:
    """The document with each run renamed to the run_id it belongs to (equal, or under `run_id/`),
    and the document runs that no run_id claims or that a run_id already had."""
    ids = set(run_ids)

    def owner(name):
        parts = name.split("/")
        return next(("/".join(parts[:i]) for i in range(1, len(parts) + 1) if "/".join(parts[:i]) in ids), None)

    taken, extra, runs, skipped = set(), [], [], []
    for key, out in (("runs", runs), ("skipped", skipped)):
        for entry in document.get(key, []):
            run_id = owner(entry.get("run", ""))
            if run_id is None or run_id in taken:
                extra.append(entry.get("run"))
                continue
            taken.add(run_id)
            out.append({**entry, "run": run_id})
    return {**document, "runs": runs, "skipped": skipped}, extra


def _built_logdir(built, field_build) -> str:
    """The field logdir to diagnose: `built` when it already holds event files, else a fresh build."""
    if built and any("tfevents" in n for _, _, names in os.walk(built) for n in names):
        return built
    out = built or tempfile.mkdtemp(prefix="lossdoc-field-")
    report = field_build.build(out)
    for run_id, reason in sorted(report.failed.items()):
        print(f"build: FAILED {run_id}: {reason}", file=sys.stderr)
    return out


def evaluate_field(document: dict, labels: dict, sources) -> dict:
    """Metrics of each half of the field corpus, as `evaluate` computes them."""
    repo_of = {s.run_id: s.repo for s in sources}
    renamed, extra = by_run_id(document, repo_of)
    halves, draws = {}, {}
    for half in (DEV, HELD_OUT):
        ids = {run_id for run_id, repo in repo_of.items() if split_of(repo) == half}
        half_labels = {key: {k: v for k, v in labels.get(key, {}).items() if k in ids} for key in ("runs", "skipped")}
        half_doc = {key: [r for r in renamed[key] if r["run"] in ids] for key in ("runs", "skipped")}
        metrics = evaluate(half_labels, half_doc)
        metrics["repositories"] = len({repo_of[i] for i in half_labels["runs"]})
        draws[half] = macro_f1_draws(metrics, half_labels, repo_of)
        metrics["macro_f1_interval"] = interval(draws[half])
        halves[half] = metrics
    return {
        "split_rule": "sha1(lower-case owner/name of the source repository): even -> dev, odd -> held_out",
        "unlisted_labels": sorted(set(labels.get("runs", {})) - set(repo_of)),
        "unclaimed_document_runs": extra,
        DEV: halves[DEV],
        HELD_OUT: halves[HELD_OUT],
        "dev_minus_held_out_interval": interval(draws[DEV] - draws[HELD_OUT]),
    }


def without_held_out_names(result: dict) -> dict:
    """The field result with the held-out half's per-run entries left out (their count kept):
    `--json` must not name the runs `render_field` hides from whoever tunes."""
    held = {k: v for k, v in result[HELD_OUT].items() if k not in ("mismatches", "per_run")}
    held["mismatch_count"] = len(result[HELD_OUT]["mismatches"])
    return {**result, HELD_OUT: held}


def render_field(result: dict, labels_from: str, list_held_out: bool = False) -> str:
    """Both halves' metrics; the held-out half's runs by name only when asked (whoever tunes should not read them)."""
    out = [f"labels: {labels_from}", f"split: {result['split_rule']}"]
    for half, title in ((DEV, "dev half"), (HELD_OUT, "held-out half")):
        m = result[half]
        listed = half == DEV or list_held_out
        out += ["", f"== {title}: {m['runs_labelled']} labelled runs from {m['repositories']} repositories", render(m, listed)]
    dev, held = result[DEV]["macro_f1"], result[HELD_OUT]["macro_f1"]
    if dev is not None and held is not None:
        (dl, dh), (hl, hh), (gl, gh) = result[DEV]["macro_f1_interval"], result[HELD_OUT]["macro_f1_interval"], result["dev_minus_held_out_interval"]
        out += [
            "",
            f"macro-F1 dev {dev:.2f} [{dl:.2f}, {dh:.2f}], held-out {held:.2f} [{hl:.2f}, {hh:.2f}]"
            f" (dev - held-out = {dev - held:+.2f} [{gl:+.2f}, {gh:+.2f}])",
            f"[...]: {INTERVAL_LEVEL:.0%} intervals from {INTERVAL_DRAWS} resamplings of whole repositories",
        ]
    if result["unlisted_labels"]:
        out.append(f"labelled runs in no SOURCES file (not scored): {', '.join(result['unlisted_labels'])}")
    if result["unclaimed_document_runs"]:
        out.append(f"document runs no run_id claims (not scored): {', '.join(result['unclaimed_document_runs'])}")
    return "\n".join(out)


def field_main(args) -> int:
    sys.path.insert(0, str(FIELD))
    import build as field_build
    import tb_lossdoc

    labels, labels_from = field_labels()
    logdir = _built_logdir(args.built, field_build)
    document = tb_lossdoc.diagnose(logdir)
    result = evaluate_field(document, labels, field_build.read_sources())
    if args.json:
        print(json.dumps(result if args.list_held_out else without_held_out_names(result), indent=2))
    else:
        print(render_field(result, labels_from, args.list_held_out))
    held = result[HELD_OUT]
    if args.fail_under is not None and (not held["coverage"]["ok"] or (held["macro_f1"] or 0.0) < args.fail_under):
        return 1
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="LossDoc diagnosis accuracy on labelled logs")
    ap.add_argument("labels", nargs="?", default=str(ROOT / "demo_logs" / "labels.json"))
    ap.add_argument("logdir", nargs="?", default=None, help="defaults to the labels file's folder")
    ap.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ap.add_argument("--fail-under", type=float, default=None, metavar="F1",
                    help="exit 1 when macro-F1 is below this (or coverage is incomplete)")
    ap.add_argument("--field", action="store_true", help="score the field corpus, dev and held-out halves")
    ap.add_argument("--built", metavar="LOGDIR", default=None,
                    help="with --field: where the built corpus is (reused if it holds event files) or goes")
    ap.add_argument("--list-held-out", action="store_true",
                    help="with --field: also list the held-out half's mismatching runs by name (not while tuning)")
    args = ap.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the working tree's engine, not an installed copy
    if args.field:
        return field_main(args)
    labels_path = Path(args.labels)
    logdir = args.logdir or str(labels_path.parent)
    with open(labels_path, encoding="utf-8") as f:
        labels = json.load(f)

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the working tree's engine, not an installed copy
    import tb_lossdoc

    document = tb_lossdoc.diagnose(logdir)
    metrics = evaluate(labels, document)
    if args.json:
        print(json.dumps(metrics, indent=2))
    else:
        print(render(metrics))
    if args.fail_under is not None:
        if not metrics["coverage"]["ok"] or (metrics["macro_f1"] or 0.0) < args.fail_under:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
