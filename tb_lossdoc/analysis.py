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

from .analysis_workers import AnalysisWorkers
from .read.curves import LOSS_ROLES, TagPatterns, TrainingRun, find_training_runs
from .read.provider import SeriesInfo, list_runs, list_scalars, read_series
from .run_entry import build_run_result, chart_curves, in_language

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

    def __init__(self, options: Options = Options(), workers: Optional[AnalysisWorkers] = None):
        """`workers` spread the building of many changed runs over the machine's cores."""
        self.options = options
        self._workers = workers
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
            notes = [p for run in sorted(members) for p in file_problems.get(run, [])] + restart_notes(result)
            runs.append({**in_language(result, lang), "notes": notes})
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
        curves = chart_curves(match, series)
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

            def read(runs: List[TrainingRun]):
                return read_series(provider, ctx, experiment_id, sorted({pair for t in runs for pair in _wanted(t)}), READ_ALL)

            if self._workers is not None:
                built = iter(self._workers.build(stale, read, self.options.sample_limit))
            else:
                series = read(stale)
                built = (build_run_result(t, series, self.options.sample_limit) for t in stale)
            results = []
            for entry, key in zip(cached, keys):
                if entry is None or entry[0] != key:
                    entry = (key, next(built))
                results.append(entry[1])
            self._cache = {t.name: (k, r) for t, k, r in zip(training_runs, keys, results)}
        return results


def _wanted(training_run: TrainingRun) -> List[Tuple[str, str]]:
    return sorted({(ref.run, ref.tag) for ref in training_run.refs})


def _cache_key(training_run: TrainingRun, listing: Dict[str, Dict[str, SeriesInfo]]) -> tuple:
    return tuple(
        (run, tag, listing[run][tag].max_step, listing[run][tag].max_wall_time) for run, tag in _wanted(training_run)
    )


def restart_notes(result: dict) -> List[str]:
    """A note per curve that lost points to a restart: a log that went back to an earlier step
    (a resumed run, or another run appended to the same file) keeps only what was written last,
    as TensorBoard shows it."""
    return [
        f"{role} ({entry['tag']}): {entry['replaced_after_restart']} points written before the log went back to an"
        " earlier step (a resumed run, or another run appended to the same file) were replaced by the later ones"
        for role, entry in sorted(result.get("series", {}).items())
        if role in LOSS_ROLES and entry.get("replaced_after_restart")
    ]
