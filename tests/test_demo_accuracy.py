"""The engine meets the labels of the real training runs in demo_logs/.

Labels say, per run, which codes a correct diagnosis must contain and which
are also acceptable, from how each run was produced (scripts/make_demo_logs.py).
When this fails, fix the detectors, never the labels.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import tb_lossdoc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
import accuracy  # noqa: E402  (benchmarks/accuracy.py, the same evaluation the benchmark prints)


@pytest.fixture(scope="module")
def metrics():
    labels = json.loads((ROOT / "demo_logs" / "labels.json").read_text(encoding="utf-8"))
    return accuracy.evaluate(labels, tb_lossdoc.diagnose(str(ROOT / "demo_logs")))


def test_every_required_code_is_found(metrics):
    missed = {code: row for code, row in metrics["per_code"].items() if row["fn"]}
    assert not missed, metrics["mismatches"]


def test_macro_f1_is_at_least_095(metrics):
    assert metrics["macro_f1"] >= 0.95, metrics["mismatches"]


def test_no_false_alarm_on_healthy_runs(metrics):
    assert metrics["healthy_runs"] >= 5
    assert metrics["healthy_false_alarms"] == 0, metrics["mismatches"]


def test_best_step_error_is_small(metrics):
    assert metrics["best_step"]["median_error"] <= 0.03


def test_every_run_is_accounted_for(metrics):
    assert metrics["coverage"]["ok"], metrics["coverage"]


def test_every_code_is_demonstrated_twice(metrics):
    from tb_lossdoc.detect.detectors import CODES

    for code in CODES:
        assert metrics["per_code"][code]["support"] >= 2, code


def test_field_json_names_no_held_out_run_unless_asked():
    """`--json` keeps the held-out half's runs to itself, as the text report does (whoever tunes should not read them)."""
    result = {
        "split_rule": "…",
        "dev": {"mismatches": [{"run": "owner__a__dev-run"}], "per_run": {"owner__a__dev-run": {}}},
        "held_out": {"macro_f1": 0.8, "mismatches": [{"run": "owner__b__held-run"}], "per_run": {"owner__b__held-run": {}}},
    }
    hidden = accuracy.without_held_out_names(result)
    assert "owner__b__held-run" not in json.dumps(hidden) and hidden["held_out"]["mismatch_count"] == 1
    assert "owner__a__dev-run" in json.dumps(hidden) and hidden["held_out"]["macro_f1"] == 0.8
    assert "owner__b__held-run" in json.dumps(result)  # the full result is left as it was


def field_half(outcomes: dict) -> tuple:
    """metrics, labels and repository of runs named `<repo>__<n>`, each `(required, predicted)`."""
    labels = {"runs": {run: {"required": sorted(req)} for run, (req, _) in outcomes.items()}}
    document = {"runs": [{"run": run, "verdict": None, "findings": [{"code": c, "severity": "ok"} for c in pred]}
                         for run, (_, pred) in outcomes.items()]}
    return accuracy.evaluate(labels, document), labels, {run: run.split("__")[0] for run in outcomes}


def test_the_macro_f1_interval_is_a_point_when_every_run_is_right():
    metrics, labels, repos = field_half({f"r{i}__{j}": ({"spike"}, {"spike"}) for i in range(6) for j in range(3)})
    assert accuracy.interval(accuracy.macro_f1_draws(metrics, labels, repos, draws=200)) == [1.0, 1.0]


def test_the_macro_f1_interval_resamples_whole_repositories():
    # Half the repositories always right, half always wrong: the interval is wide and holds the point estimate.
    outcomes = {f"r{i}__{j}": ({"spike"}, {"spike"} if i % 2 else {"converged"}) for i in range(8) for j in range(4)}
    metrics, labels, repos = field_half(outcomes)
    low, high = accuracy.interval(accuracy.macro_f1_draws(metrics, labels, repos, draws=500))
    assert low < metrics["macro_f1"] < high and high - low > 0.2
    # The same runs, each its own repository: the interval narrows.
    single = {run: run.replace("__", "-") + "__0" for run in outcomes}
    metrics2, labels2, _ = field_half({single[run]: v for run, v in outcomes.items()})
    narrow = accuracy.interval(accuracy.macro_f1_draws(metrics2, labels2, {r: r.split("__")[0] for r in single.values()}, draws=500))
    assert narrow[1] - narrow[0] < high - low


def test_the_verdict_rate_counts_a_headline_that_is_required_or_acceptable():
    labels = {"runs": {"a": {"required": ["overfitting"], "acceptable": ["overconfidence"]}, "b": {"required": ["spike"]}, "c": {"required": ["converged"]}}}
    document = {"runs": [
        {"run": "a", "verdict": "overconfidence", "findings": [{"code": "overconfidence", "severity": "info"}]},
        {"run": "b", "verdict": "converged", "findings": [{"code": "converged", "severity": "ok"}, {"code": "spike", "severity": "info"}]},
    ]}
    metrics = accuracy.evaluate(labels, document)
    assert metrics["verdict_acceptable"] == 1 and metrics["verdict_acceptable_rate"] == 1 / 3


def test_human_agreement_on_the_engines_terms_averages_only_the_codes_the_resolved_labels_score():
    """A code one labelling pass alone requires would drag both passes' macro-F1 down; the engine is never scored on it there."""
    sys.path.insert(0, str(ROOT / "benchmarks" / "field"))
    import agreement  # noqa: E402  (benchmarks/field/agreement.py)

    first = {"a": {"required": ["spike"]}, "b": {"required": ["converged"], "healthy": True}, "c": {"required": ["overconfidence"]}}
    second = {"a": {"required": ["spike"]}, "b": {"required": ["converged"], "healthy": True}, "c": {"required": ["overfitting"]}}
    resolved = {"runs": {"a": {"required": ["spike"]}, "b": {"required": ["converged"]}, "c": {"required": ["overfitting"]}}}
    codes = agreement.scored_codes(resolved, ["a", "b", "c"])
    assert codes == ["converged", "overfitting", "spike"]
    scores = agreement.compare(first, second)
    assert scores["macro_f1"] < 1.0  # overconfidence: required by the first pass, never found by the second
    # overfitting has no F1 against the first pass (neither required nor found there): left out, not counted as 0
    assert agreement.macro_over(scores["per_code"], codes) == 1.0
    assert scores["healthy_false_alarms"] == 0


def test_findings_are_counted_right_or_not_by_their_confidence_band():
    labels = {"runs": {"a": {"required": ["overfitting"], "acceptable": ["overconfidence"]}, "b": {"required": ["converged"]}}}
    document = {"runs": [
        {"run": "a", "verdict": "overfitting", "findings": [
            {"code": "overfitting", "severity": "warning", "confidence": 0.3},
            {"code": "overfitting", "severity": "warning", "confidence": 0.9},  # one finding per code: the surer one
            {"code": "overconfidence", "severity": "info", "confidence": 0.6},
        ]},
        {"run": "b", "verdict": "spike", "findings": [
            {"code": "spike", "severity": "warning", "confidence": 0.6},
            {"code": "converged", "severity": "ok", "confidence": 0.45},
        ]},
    ]}
    bands = accuracy.evaluate(labels, document)["by_confidence"]
    assert bands == {"0.0-0.5": {"findings": 1, "right": 1}, "0.5-0.8": {"findings": 2, "right": 1}, "0.8-1.0": {"findings": 1, "right": 1}}
