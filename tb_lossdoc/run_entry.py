"""One training run's entry in the document: its curves picked, diagnosed, explained and compared.

Shared by the command and the plugin through `tb_lossdoc.analysis.Analyzer`; it
knows the document's shape, not where the series came from.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from .detect.detectors import CODES, SEVERITY_RANK, Finding
from .detect.detectors.base import MIN_POINTS, RunCurves
from .detect.engine import INSUFFICIENT_DATA, Verdict, diagnose
from .forecast.document import forecast_field
from .read.align import epochs_on_step_axis
from .read.curves import GRAD_NORM, LEARNING_RATE, TRAIN_ACC, TRAIN_LOSS, VAL_ACC, VAL_LOSS, VAL_SCORE, TrainingRun, set_of_tag
from .read.derived import components_tag, resolved, summed
from .read.series import Series
from .report import compare, messages


def chart_curves(training_run: TrainingRun, series: Dict[Tuple[str, str], Series]) -> Dict[str, Series]:
    """Role → series to chart: the curves the verdict was drawn from (with several
    validation sets, the one that decided it)."""
    curves = _run_curves(training_run, series)
    sets = _validation_set_outcomes(training_run, series, curves)
    if sets:
        curves = _with_set(curves, sets[_most_severe(sets)][0])
    return {role: s for role, s in curves.items() if role not in (GRAD_NORM, VAL_SCORE)}  # read for the detectors only, not charted


def _pick(refs, series: Dict[Tuple[str, str], Series]) -> Optional[Series]:
    """The first candidate with enough finite points, else the first one read."""
    present = [s for s in (resolved(ref, series) for ref in refs) if s is not None]
    enough = [s for s in present if len(s.finite_only()) >= MIN_POINTS]
    return (enough or present or [None])[0]


def _run_curves(training_run: TrainingRun, series: Dict[Tuple[str, str], Series]) -> Dict[str, Series]:
    """Role → series, with per-epoch validation moved onto the training step axis."""
    picked = {role: _pick(refs, series) for role, refs in training_run.candidates.items()}
    for role, parts in training_run.components.items():
        picked[role] = summed(parts, series) or picked.get(role)
    by_role = {role: s for role, s in picked.items() if s is not None}
    for role in (VAL_LOSS, VAL_ACC, VAL_SCORE):
        aligned = epochs_on_step_axis(by_role.get(TRAIN_LOSS), by_role.get(role))
        if aligned is not None:
            by_role[role] = aligned
    return by_role


def build_run_result(
    training_run: TrainingRun, series: Dict[Tuple[str, str], Series], sample_limit: int = 0
) -> dict:
    """Diagnose one training run from its series; the result holds both languages."""
    by_role = _run_curves(training_run, series)
    sets = _validation_set_outcomes(training_run, series, by_role)
    if sets:
        name = _most_severe(sets)
        by_role = _with_set(by_role, sets[name][0])
        outcome = sets[name][1]
        named = _findings_of_sets(sets, name)
    curves = _run_curves_of(by_role)
    if not sets:
        outcome = diagnose(curves)
        named = [(f, None) for f in outcome.findings]
    texts = [_naming_set(messages.all_texts(f), set_name) for f, set_name in named]
    if outcome.verdict == INSUFFICIENT_DATA:
        main = curves.train_loss if curves.train_loss is not None else curves.val_loss
        points = len(main.finite_only()) if main is not None else 0
        summary = messages.insufficient(points, MIN_POINTS)
    else:
        summary = messages.summaries(texts)
    return {
        "run": training_run.name,
        "verdict": outcome.verdict,
        "severity": outcome.severity,
        "best_step": outcome.best_step,
        "series": {role: _series_entry(training_run, role, s) for role, s in sorted(by_role.items())},
        "findings": [
            {
                "code": f.code,
                "severity": f.severity,
                "first_step": f.first_step,
                "last_step": f.last_step,
                "confidence": f.confidence,
                "evidence": _plain(f.evidence),
                "text": text,
                **({"set": set_name} if set_name else {}),
            }
            for (f, set_name), text in zip(named, texts)
        ],
        "summary": summary,
        "columns": compare.columns(curves.train_loss, curves.val_loss, curves.val_acc),
        "sparkline": compare.sparkline(curves.train_loss, curves.val_loss),
        "sampled": bool(sample_limit) and any(len(s) >= sample_limit for s in by_role.values()),
        "forecast": forecast_field(
            outcome.verdict,
            {f.code for f in outcome.findings},
            curves.val_loss,
            curves.train_loss,
            curves.lr,
            outcome.best_step,
        ),
        **({"val_sets": _val_sets_entry(sets)} if sets else {}),
        **_component_verdicts(training_run, series, by_role, outcome.verdict),
    }


def _series_entry(training_run: TrainingRun, role: str, series: Series) -> dict:
    """Where a curve came from; a sum names its `components`, a log-space
    perplexity its `transform`."""
    entry = {"run": series.run, "tag": series.tag, "points": len(series)}
    parts = training_run.components.get(role, ())
    if parts and series.tag == components_tag(parts):
        entry["components"] = [{"run": ref.run, "tag": ref.tag} for ref in parts]
    ref = next((r for r in training_run.candidates.get(role, ()) if (r.run, r.tag) == (series.run, series.tag)), None)
    if ref is not None and ref.transform:
        entry["transform"] = ref.transform
    if series.duplicates_dropped:
        entry["replaced_after_restart"] = int(series.duplicates_dropped)
    return entry


def _plain(evidence: dict) -> dict:
    """Evidence as JSON-safe plain values (no NaN, no numpy types)."""
    plain = {}
    for key, value in evidence.items():
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            value = None
        elif hasattr(value, "item"):
            value = value.item()
        plain[key] = value
    return plain


def in_language(result: dict, lang: str) -> dict:
    """A run result with each finding's title/detail/actions in `lang` at top level."""
    findings = []
    for finding in result["findings"]:
        words = finding["text"][lang]
        findings.append(
            {
                "code": finding["code"],
                "severity": finding["severity"],
                "first_step": finding["first_step"],
                "last_step": finding["last_step"],
                "confidence": finding["confidence"],
                "title": words["title"],
                "detail": words["detail"],
                "actions": words["actions"],
                "evidence": finding["evidence"],
                "text": finding["text"],
                **({"set": finding["set"]} if "set" in finding else {}),
            }
        )
    return {**result, "findings": findings}


def _component_verdicts(
    training_run: TrainingRun, series: Dict[Tuple[str, str], Series], by_role: Dict[str, Series], verdict: str
) -> Dict[str, Dict[str, dict]]:
    """`component_verdicts`: the loss components whose own diagnosis differs from
    their sum's ("cls overfits while box does not"); nothing when the sum was not used."""
    summed_roles = {
        role: {set_of_tag(ref.tag): ref for ref in parts}
        for role, parts in training_run.components.items()
        if role in by_role and by_role[role].tag == components_tag(parts)
    }
    if not summed_roles:
        return {}
    names = set.intersection(*(set(parts) for parts in summed_roles.values()))
    differing = {}
    for name in sorted(names):
        roles = {role: resolved(parts[name], series) for role, parts in summed_roles.items()}
        if VAL_LOSS in roles and roles[VAL_LOSS] is not None:
            roles[VAL_LOSS] = epochs_on_step_axis(roles.get(TRAIN_LOSS) or by_role.get(TRAIN_LOSS), roles[VAL_LOSS]) or roles[VAL_LOSS]
        outcome = diagnose(_run_curves_of({**by_role, **{r: s for r, s in roles.items() if s is not None}}))
        if outcome.verdict != verdict:
            tags = {role: parts[name].tag for role, parts in summed_roles.items()}
            differing[name] = {"verdict": outcome.verdict, "severity": outcome.severity, "best_step": outcome.best_step, "tags": tags}
    return {"component_verdicts": differing} if differing else {}


def _run_curves_of(by_role: Dict[str, Series]) -> RunCurves:
    return RunCurves(
        train_loss=by_role.get(TRAIN_LOSS),
        val_loss=by_role.get(VAL_LOSS),
        train_acc=by_role.get(TRAIN_ACC),
        val_acc=by_role.get(VAL_ACC),
        lr=by_role.get(LEARNING_RATE),
        grad_norm=by_role.get(GRAD_NORM),
        val_score=by_role.get(VAL_SCORE),
    )


def _importance(code: str, severity: str) -> Tuple[int, int]:
    """Most severe first; ties in the order of the codes (as the engine ranks findings)."""
    return (-SEVERITY_RANK[severity], CODES.index(code) if code in CODES else len(CODES))


def _validation_set_outcomes(
    training_run: TrainingRun, series: Dict[Tuple[str, str], Series], by_role: Dict[str, Series]
) -> Dict[str, Tuple[Dict[str, Series], Verdict]]:
    """Set name → (its validation series by role, its outcome), for a run that
    logs several validation sets of the same kind."""
    outcomes = {}
    for name, ref in training_run.val_sets.items():
        val = resolved(ref, series)
        if val is None:
            continue
        roles = {VAL_LOSS: epochs_on_step_axis(by_role.get(TRAIN_LOSS), val) or val}
        acc = next((resolved(r, series) for r in training_run.candidates.get(VAL_ACC, ()) if set_of_tag(r.tag) == name), None)
        if acc is not None:
            roles[VAL_ACC] = epochs_on_step_axis(by_role.get(TRAIN_LOSS), acc) or acc
        outcomes[name] = (roles, diagnose(_run_curves_of(_with_set(by_role, roles))))
    return outcomes


def _with_set(by_role: Dict[str, Series], set_roles: Dict[str, Series]) -> Dict[str, Series]:
    """The run's curves with one validation set's loss (and its accuracy, if logged)."""
    shared = {role: s for role, s in by_role.items() if role not in (VAL_LOSS, VAL_ACC)}
    return {**shared, **set_roles}


def _most_severe(sets: Dict[str, Tuple[Dict[str, Series], Verdict]]) -> str:
    return min(sets, key=lambda name: _importance(sets[name][1].verdict, sets[name][1].severity))


def _findings_of_sets(sets: Dict[str, Tuple[Dict[str, Series], Verdict]], chosen: str) -> List[Tuple[Finding, Optional[str]]]:
    """Every set's findings, each naming its set; a finding every set shares
    (it is about training) once, naming none. The chosen set comes first."""
    names = [chosen] + [n for n in sets if n != chosen]
    counts: Dict[tuple, int] = {}
    for name in names:
        for f in sets[name][1].findings:
            counts[_same_finding(f)] = counts.get(_same_finding(f), 0) + 1
    named, seen = [], set()
    for name in names:
        for f in sets[name][1].findings:
            shared = counts[_same_finding(f)] == len(sets)
            if shared and _same_finding(f) in seen:
                continue
            seen.add(_same_finding(f))
            named.append((f, None if shared else name))
    return sorted(named, key=lambda pair: _importance(pair[0].code, pair[0].severity))


def _same_finding(finding: Finding) -> tuple:
    """What makes two sets' findings the same one: code, steps and evidence."""
    return (finding.code, finding.first_step, finding.last_step, repr(sorted(finding.evidence.items())))


def _naming_set(texts: Dict[str, Dict[str, object]], set_name: Optional[str]) -> Dict[str, Dict[str, object]]:
    """A finding's texts with its validation set named in the title."""
    if not set_name:
        return texts
    return {lang: {**words, "title": f"{words['title']} ({set_name})"} for lang, words in texts.items()}


def _val_sets_entry(sets: Dict[str, Tuple[Dict[str, Series], Verdict]]) -> Dict[str, dict]:
    return {
        name: {"run": roles[VAL_LOSS].run, "tag": roles[VAL_LOSS].tag, "points": len(roles[VAL_LOSS]), "verdict": outcome.verdict, "best_step": outcome.best_step}
        for name, (roles, outcome) in sets.items()
    }

