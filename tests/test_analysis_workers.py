"""Worker processes build the same documents as one process, on event files written by tensorboardX
and read through TensorBoard's Rust data server, and recover from a worker that dies."""

from __future__ import annotations

import json
import os
import signal
import time

import numpy as np
import pytest

from tb_lossdoc.analysis import READ_ALL, Analyzer, Options
from tb_lossdoc import analysis_workers
from tb_lossdoc.analysis_workers import MIN_RUNS, AnalysisWorkers
from tb_lossdoc.read.curves import TagPatterns, find_training_runs
from tb_lossdoc.read.provider import RUST, list_scalars, open_logdir, read_series
from tb_lossdoc.run_entry import build_run_result

import writers

RUNS = MIN_RUNS + 16
STEPS = np.arange(0, 600, 10)


def curves(index: int):
    """(train, val) values of run `index`: overfits, converges, diverges, stalls, holds a NaN, or is too short."""
    rng = np.random.default_rng(index)
    t = STEPS / STEPS[-1]
    train = 2.0 * np.exp(-(2 + index % 5) * t) + 0.1 + rng.normal(0, 0.02, t.size)
    kind = index % 6
    if kind == 0:
        val = 0.5 + 1.5 * (t - 0.4) ** 2 + rng.normal(0, 0.01, t.size)
    elif kind == 1:
        val = train + 0.05
    elif kind == 2:
        train = 0.5 + 3.0 * t**2 + rng.normal(0, 0.02, t.size)
        val = train + 0.1
    elif kind == 3:
        train = np.full(t.size, 2.3) + rng.normal(0, 0.001, t.size)
        val = train + 0.01
    elif kind == 4:
        train[t.size // 2] = float("nan")
        val = train * 1.1
    else:
        return train[:3], train[:3] + 0.1
    return train, val


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    for index in range(RUNS):
        train, val = curves(index)
        points = lambda values: [(int(s), float(v)) for s, v in zip(STEPS, values)]  # noqa: E731
        writers.tbx_scalars(str(root / f"run_{index:03d}"), {"loss/train": points(train), "loss/val": points(val)})
    return root


@pytest.fixture(scope="module")
def opened(logdir):
    with open_logdir(str(logdir), reader=RUST) as opened:
        yield opened


def document(opened, workers=None, lang="en"):
    analyzer = Analyzer(Options(lang=lang), workers=workers)
    return json.dumps(analyzer.document(opened.provider, opened.ctx, "", lang=lang, file_problems=opened.problems))


def test_workers_build_the_document_one_process_builds(opened):
    workers = AnalysisWorkers(count=1)
    try:
        for lang in ("en", "zh"):
            assert document(opened, workers, lang) == document(opened, None, lang)
        assert workers.running == 1
        assert len(json.loads(document(opened, workers))["runs"]) == RUNS
    finally:
        workers.close()
    assert workers.running == 0


def training_runs_and_reader(opened):
    """Every training run of the logdir, and a reader of their series through the provider."""
    listing = list_scalars(opened.provider, opened.ctx, "")

    def read(runs):
        wanted = sorted({(ref.run, ref.tag) for t in runs for ref in t.refs})
        return read_series(opened.provider, opened.ctx, "", wanted, READ_ALL)

    return find_training_runs(listing, TagPatterns())[0], read


def test_a_small_batch_starts_no_worker(opened):
    training_runs, read = training_runs_and_reader(opened)
    training_runs = training_runs[: MIN_RUNS - 1]
    workers = AnalysisWorkers(count=1)
    expected = [build_run_result(t, read(training_runs)) for t in training_runs]
    assert workers.build(training_runs, read, 0) == expected
    assert workers.running == 0


def test_unchanged_runs_start_no_worker(opened):
    workers = AnalysisWorkers(count=1)
    analyzer = Analyzer(workers=workers)
    first = analyzer.document(opened.provider, opened.ctx, "")
    assert workers.running == 1  # every run was new
    workers.close()
    assert analyzer.document(opened.provider, opened.ctx, "") == first
    assert workers.running == 0


def test_a_killed_worker_changes_nothing_and_is_replaced(opened):
    expected = document(opened)
    workers = AnalysisWorkers(count=1)
    try:
        assert document(opened, workers) == expected
        (pid,) = workers.pids
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while pid in workers.pids and time.monotonic() < deadline:
            time.sleep(0.05)
        assert document(opened, workers) == expected
        assert workers.running == 1 and workers.pids != [pid]
    finally:
        workers.close()


def test_no_worker_on_one_core(opened):
    workers = AnalysisWorkers(count=0)
    assert document(opened, workers) == document(opened)
    assert workers.running == 0


def test_a_worker_that_dies_unanswered_changes_nothing(opened, monkeypatch):
    monkeypatch.setattr(analysis_workers, "_WORKER_CODE", "import sys; sys.exit(3)  # %r")
    workers = AnalysisWorkers(count=1)
    assert document(opened, workers) == document(opened)
    assert workers.running == 0


def test_an_error_in_a_worker_is_raised_by_the_caller(opened):
    training_runs, read = training_runs_and_reader(opened)
    workers = AnalysisWorkers(count=1)
    try:
        with pytest.raises(TypeError):  # a sample limit that is no number, as in one process
            workers.build(training_runs, read, "1000")
        assert workers.running == 1  # the worker answered with its error and lives on
        series = read(training_runs)
        assert workers.build(training_runs, read, 0) == [build_run_result(t, series) for t in training_runs]
    finally:
        workers.close()


def test_a_worker_that_cannot_start_changes_nothing(opened, monkeypatch):
    expected = document(opened)
    monkeypatch.setattr(analysis_workers.sys, "executable", "/nonexistent/python")
    workers = AnalysisWorkers(count=1)
    assert document(opened, workers) == expected
    assert workers.running == 0
