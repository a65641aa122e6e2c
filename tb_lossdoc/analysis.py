"""Diagnose every training run behind a TensorBoard data provider.

This is the one path from data to the diagnosis document (docs/json-format.md), shared by the
command (over a multiplexer it loads) and the plugin (over TensorBoard's own
provider). Results are cached per training run and recomputed only when one of
its series has a new last step or write time.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from .report import compare, messages
from .read.align import epochs_on_step_axis
from .read.curves import LEARNING_RATE, TRAIN_ACC, TRAIN_LOSS, VAL_ACC, VAL_LOSS, TagPatterns, TrainingRun, find_training_runs, set_of_tag
from .read.derived import components_tag, resolved, summed
from .detect.detectors import CODES, SEVERITY_RANK, Finding
from .detect.engine import Verdict
from .detect.detectors.base import MIN_POINTS, RunCurves
from .forecast.document import forecast_field
from .detect.engine import INSUFFICIENT_DATA, diagnose
from .read.provider import SeriesInfo, list_runs, list_scalars, read_series
from .read.series import Series

DOCUMENT_VERSION = 1
# Read everything that was loaded: sampling is TensorBoard's decision, not ours.
# Both providers return a series unchanged when it is shorter than this.
READ_ALL = 2**31 - 1
NO_LOSS = "no loss-like scalar"
NO_SCALARS = "no scalar data"


def _skip_reason(reason: str, problems: Optional[List[str]]) -> str:
    return f"{reason} ({'; '.join(problems)})" if problems else reason


@dataclass(frozen=True)
class Listing:
    """What TensorBoard lists for an experiment at one moment: every scalar series and every run.

    `fingerprint` changes whenever a series gains a step or a write, or a run
    comes or goes: equal fingerprints mean an equal document.
    """

    scalars: Dict[str, Dict[str, SeriesInfo]]
    runs: Tuple[str, ...]
    fingerprint: str


def take_listing(provider, ctx, experiment_id: str, previous: Optional[Listing] = None) -> Listing:
    """List the experiment's scalar series and runs (at most two provider calls, no values read).

    With `previous`, its run list is reused while no run gained or lost scalars:
    listing runs costs the Rust data server more than listing scalars does.
    """
    scalars = list_scalars(provider, ctx, experiment_id)
    if previous is not None and scalars.keys() == previous.scalars.keys():
        runs = previous.runs
    else:
        runs = tuple(sorted(list_runs(provider, ctx, experiment_id)))
    digest = hashlib.sha1(repr(runs).encode("utf-8", "surrogatepass"))
    for run in sorted(scalars):
        series = sorted((tag, info.max_step, info.max_wall_time) for tag, info in scalars[run].items())
        digest.update(repr((run, series)).encode("utf-8", "surrogatepass"))
    return Listing(scalars, runs, digest.hexdigest())


@dataclass(frozen=True)
class Options:
    """How to find and describe curves."""

    lang: str = "en"
    patterns: TagPatterns = TagPatterns()
    # TensorBoard's reservoir size for scalars (0 = keeps every point).
    sample_limit: int = 0


class Analyzer:
    """Diagnoses an experiment; keeps per-run results while their data is unchanged."""

    def __init__(self, options: Options = Options()):
        self.options = options
        self._cache: Dict[str, Tuple[tuple, dict]] = {}
        # Single flight: one request at a time finds and recomputes the changed
        # runs; the others wait, then find them in the cache.
        self._flight = threading.Lock()
        self._found: Tuple[str, Tuple[List[TrainingRun], Dict[str, List[str]], Dict[str, str]]] = ("", ([], {}, {}))

    def document(
        self,
        provider,
        ctx,
        experiment_id: str,
        lang: Optional[str] = None,
        file_problems: Optional[Dict[str, List[str]]] = None,
        listing: Optional[Listing] = None,
    ) -> dict:
        """The diagnosis document (docs/json-format.md) for every run of the experiment.

        `file_problems` (run → problems of its event files) turns into notes on
        diagnosed runs and reasons for skipped ones. `listing` is a recent
        `take_listing` of the experiment, taken here when not given.
        """
        lang = lang or self.options.lang
        file_problems = file_problems or {}
        listing = listing or take_listing(provider, ctx, experiment_id)
        training_runs, unused, reasons = self._training_runs(listing)
        results = self._results(provider, ctx, experiment_id, training_runs, listing.scalars)
        runs = []
        for training_run, result in zip(training_runs, results):
            members = set(training_run.runs) | {training_run.name}
            notes = [p for run in sorted(members) for p in file_problems.get(run, [])]
            runs.append({**_in_language(result, lang), "notes": notes})
        skipped = [
            {"run": run, "reason": _skip_reason(reasons.get(run, NO_LOSS), file_problems.get(run)), "tags": tags}
            for run, tags in sorted(unused.items())
        ]
        no_scalars = set(listing.runs) | set(file_problems)
        no_scalars -= set(listing.scalars) | {t.name for t in training_runs}
        skipped += [
            {"run": run, "reason": _skip_reason(NO_SCALARS, file_problems.get(run)), "tags": []}
            for run in sorted(no_scalars)
        ]
        return {
            "version": DOCUMENT_VERSION,
            "lang": lang,
            "sampling": {"limit": self.options.sample_limit or None},
            "runs": runs,
            "skipped": skipped,
        }

    def curves(
        self, provider, ctx, experiment_id: str, name: str, max_points: int, listing: Optional[Listing] = None
    ) -> Optional[dict]:
        """The points a training run's charts need, or None for an unknown run."""
        listing = listing or take_listing(provider, ctx, experiment_id)
        training_runs, _, _ = self._training_runs(listing)
        match = next((t for t in training_runs if t.name == name), None)
        if match is None:
            return None
        series = read_series(provider, ctx, experiment_id, _wanted(match), max_points)
        curves = _run_curves(match, series)
        sets = _validation_set_outcomes(match, series, curves)
        if sets:
            curves = _with_set(curves, sets[_most_severe(sets)][0])
        return {
            "run": name,
            "series": {
                role: {
                    "run": s.run,
                    "tag": s.tag,
                    "points": [[int(step), float(v) if v == v and abs(v) != float("inf") else None] for step, v in zip(s.steps, s.values)],
                }
                for role, s in curves.items()
            },
        }

    def _training_runs(self, listing: Listing) -> Tuple[List[TrainingRun], Dict[str, List[str]], Dict[str, str]]:
        """`find_training_runs` of the listing, remembered for the latest fingerprint."""
        fingerprint, found = self._found
        if fingerprint != listing.fingerprint:
            found = find_training_runs(listing.scalars, self.options.patterns)
            self._found = (listing.fingerprint, found)
        return found

    def _results(self, provider, ctx, experiment_id: str, training_runs: List[TrainingRun], listing) -> List[dict]:
        """Each run's result: from the cache while its data is unchanged, else
        recomputed (once, however many callers wait), with the data of every
        changed run fetched in one read."""
        keys = [_cache_key(t, listing) for t in training_runs]
        with self._flight:
            cached = [self._cache.get(t.name) for t in training_runs]
            stale = [t for t, c, k in zip(training_runs, cached, keys) if c is None or c[0] != k]
            wanted = sorted({pair for t in stale for pair in _wanted(t)})
            series = read_series(provider, ctx, experiment_id, wanted, READ_ALL)
            results = []
            for training_run, entry, key in zip(training_runs, cached, keys):
                if entry is None or entry[0] != key:
                    entry = (key, build_run_result(training_run, series, self.options.sample_limit))
                results.append(entry[1])
            self._cache = {t.name: (k, r) for t, k, r in zip(training_runs, keys, results)}
        return results


def _wanted(training_run: TrainingRun) -> List[Tuple[str, str]]:
    return sorted({(ref.run, ref.tag) for ref in training_run.refs})


def _cache_key(training_run: TrainingRun, listing: Dict[str, Dict[str, SeriesInfo]]) -> tuple:
    return tuple(
        (run, tag, listing[run][tag].max_step, listing[run][tag].max_wall_time) for run, tag in _wanted(training_run)
    )


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
    for role in (VAL_LOSS, VAL_ACC):
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


def _in_language(result: dict, lang: str) -> dict:
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

