"""Time the Diagnosis tab's routes against TensorBoard's own `scalars/tags`, on sweeps of 1,000 and 3,000 runs.

    python benchmarks/route_timing.py [--runs 1000 3000] [--steps 300] [--load_fast true] [--repeats 5]
    python benchmarks/route_timing.py --logdir demo_logs
    python benchmarks/route_timing.py --runs 1000 --profile

For each size, writes (once, cached under the system's temp folder) a sweep of
runs with `--steps` points of training and validation loss in varied shapes,
starts the real `tensorboard` on 127.0.0.1 (free port), waits until its listing
holds every run, then times on that one server: the first `diagnoses` request
(cold), warm `diagnoses` requests (while the plugin reuses its listing, and
once it has to list again), a 304 revalidation, one `run` request, and
`scalars/tags`; it prints medians, the list document's size and the ratios.
The server is stopped by its own PID. `--profile` instead splits one cold
document's time, in this process, into listing, reading and analysing. Needs the package installed
(`pip install .`) so TensorBoard finds the plugin.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import TensorBoard  # noqa: E402  (the same server helper the end-to-end tests use)

DIAGNOSES = "/data/plugin/lossdoc/diagnoses"
RUN = "/data/plugin/lossdoc/run?run="
TAGS = "/data/plugin/scalars/tags"
RUNS_LISTING = "/data/runs"
SWEEPS = Path(tempfile.gettempdir()) / "lossdoc_bench"


# ---- A sweep of runs, written by TensorBoard's own event writer ------------------


def shapes(index: int, steps: int):
    """(train, val) loss values of run `index`: a mix of the shapes a sweep holds."""
    from tb_lossdoc.detect import synthetic

    kind = index % 6
    train = synthetic.decay(steps, rate=3 + index % 5, noise=0.03, seed=index)[1]
    if kind == 0:  # overfits
        val = synthetic.u_shape(steps, at=0.3 + 0.05 * (index % 4), seed=index)[1]
    elif kind == 1:  # still improving
        train = synthetic.decay(steps, rate=1.0, noise=0.02, seed=index)[1]
        val = train * 1.05
    elif kind == 2:  # bounces
        train = synthetic.bouncing(steps, seed=index)[1]
        val = train * 1.1
    elif kind == 3:  # a spike in training
        train = synthetic.with_spikes((np.arange(steps), train), (steps // 2,), height=4.0)[1]
        val = train * 1.02 + 0.05
    elif kind == 4:  # stalls, then drops
        train = synthetic.stall_then_drop(steps, seed=index)[1]
        val = train + 0.1
    else:  # converged
        val = train + 0.05
    return train, val


def write_run(folder: Path, train, val, first_step: int = 0) -> None:
    """One run's event file: `loss/train` and `loss/val` at each step, via TensorBoard's EventFileWriter."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(folder))
    wall = time.time()
    for offset, (t, v) in enumerate(zip(train, val)):
        step = first_step + offset
        for tag, value in (("loss/train", t), ("loss/val", v)):
            summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=float(value))])
            writer.add_event(event_pb2.Event(wall_time=wall + step, step=step, summary=summary))
    writer.close()


def sweep(runs: int, steps: int) -> Path:
    """The logdir of `runs` runs x `steps` steps, written once and reused."""
    logdir = SWEEPS / f"sweep_{runs}x{steps}"
    done = logdir / "COMPLETE"
    if done.exists():
        return logdir
    started = time.perf_counter()
    for index in range(runs):
        train, val = shapes(index, steps)
        write_run(logdir / f"lr{index % 10}" / f"run_{index:05d}", train, val)
    done.write_text("%d runs x %d steps\n" % (runs, steps))
    print(f"wrote {logdir} ({runs} runs x {steps} steps) in {time.perf_counter() - started:.1f} s", flush=True)
    return logdir


# ---- Timing against a real tensorboard --------------------------------------------


def fetch(server: TensorBoard, path: str, headers=None):
    """(seconds, status, body bytes as sent, headers) of one GET that accepts gzip, as a browser does."""
    request = urllib.request.Request(server.url + path, headers={"Accept-Encoding": "gzip", **(headers or {})})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            body, status, got = response.read(), response.status, response.headers
    except urllib.error.HTTPError as err:
        body, status, got = err.read(), err.code, err.headers
    return time.perf_counter() - started, status, body, got


def _after_listing_expired(server: TensorBoard) -> float:
    """A warm `diagnoses` once the plugin's listing has aged out: it lists again, finds nothing changed."""
    from tb_lossdoc.serve.plugin import MAX_LISTING_AGE

    time.sleep(MAX_LISTING_AGE + 0.1)
    return fetch(server, DIAGNOSES)[0]


def wait_until_loaded(server: TensorBoard, runs: int, timeout: float = 900) -> float:
    """Seconds until TensorBoard lists every run (its loading is asynchronous)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        listed = json.loads(server.get(RUNS_LISTING))
        if len(listed) >= runs:
            return time.perf_counter() - started
        time.sleep(0.5)
    raise RuntimeError(f"tensorboard listed {len(listed)} of {runs} runs after {timeout} s")


def measure(logdir: Path, runs: int, load_fast: str, repeats: int) -> None:
    with TensorBoard(logdir, load_fast=load_fast, extra_args=["--reload_interval", "5"]) as server:
        loaded = wait_until_loaded(server, runs)
        time.sleep(6)  # a full reload pass after the last run appeared: the listing is settled
        tags = statistics.median(fetch(server, TAGS)[0] for _ in range(repeats))
        cold, status, body, headers = fetch(server, DIAGNOSES)
        assert status == 200, status
        document = json.loads(gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body)
        warm = statistics.median(fetch(server, DIAGNOSES)[0] for _ in range(repeats))
        relisted = statistics.median(_after_listing_expired(server) for _ in range(repeats))
        revalidate = [fetch(server, DIAGNOSES, {"If-None-Match": headers["ETag"]}) for _ in range(repeats)]
        not_modified = statistics.median(t for t, *_ in revalidate)
        name = document["runs"][len(document["runs"]) // 2]["run"]
        one_run = statistics.median(fetch(server, RUN + urllib.parse.quote(name))[0] for _ in range(repeats))
    statuses = sorted({status for _, status, *_ in revalidate})
    print(
        f"{runs} runs, load_fast={load_fast}: loaded in {loaded:.1f} s; "
        f"{len(document['runs'])} diagnosed, {len(document['skipped'])} skipped; "
        f"list document {len(body) / 1e6:.2f} MB gzipped"
    )
    print(f"  scalars/tags        {1000 * tags:8.1f} ms")
    print(f"  diagnoses cold      {1000 * cold:8.1f} ms   {cold / tags:6.1f}x scalars/tags")
    print(f"  diagnoses warm      {1000 * warm:8.1f} ms   {warm / tags:6.1f}x scalars/tags (listing reused)")
    print(f"  diagnoses relisted  {1000 * relisted:8.1f} ms   {relisted / tags:6.1f}x scalars/tags (listing taken again, nothing changed)")
    print(f"  diagnoses 304       {1000 * not_modified:8.1f} ms   {not_modified / tags:6.1f}x scalars/tags (statuses {statuses})")
    print(f"  run (one run)       {1000 * one_run:8.1f} ms", flush=True)


# ---- Where the cold request's time goes ---------------------------------------------


def rust_provider(logdir: Path, runs: int):
    """TensorBoard's Rust data server on `logdir`, started as TensorBoard starts it, once every run is listed."""
    from tensorboard import context as tb_context
    from tensorboard.data import server_ingester
    from tensorboard.util import grpc_util

    ingester = server_ingester.SubprocessServerDataIngester(
        server_ingester.get_server_binary(),
        str(logdir),
        reload_interval=0,
        channel_creds_type=grpc_util.ChannelCredsType.LOCAL,
        samples_per_plugin={"scalars": 0},
    )
    ingester.start()
    provider, ctx = ingester.data_provider, tb_context.RequestContext()
    deadline = time.monotonic() + 600
    while len(provider.list_runs(ctx, experiment_id="")) < runs and time.monotonic() < deadline:
        time.sleep(0.2)
    return provider, ctx


def profile(logdir: Path, runs: int) -> None:
    """Split one cold list document, built as the `diagnoses` route builds it, into its stages; then the top of a profile."""
    import cProfile
    import pstats

    from tb_lossdoc.analysis import READ_ALL, Analyzer, _wanted, take_listing
    from tb_lossdoc.analysis_workers import AnalysisWorkers
    from tb_lossdoc.read.curves import find_training_runs
    from tb_lossdoc.read.provider import read_series
    from tb_lossdoc.run_entry import build_run_result
    from tb_lossdoc.serve import views
    from tb_lossdoc.serve.render import DocumentRenderer

    provider, ctx = rust_provider(logdir, runs)
    stages = []

    def timed(name, work):
        started = time.perf_counter()
        value = work()
        stages.append((name, time.perf_counter() - started))
        return value

    listing = timed("listing", lambda: take_listing(provider, ctx, ""))
    training_runs = timed("finding curves", lambda: find_training_runs(listing.scalars, Analyzer().options.patterns)[0])

    def read(runs):
        return read_series(provider, ctx, "", sorted({pair for t in runs for pair in _wanted(t)}), READ_ALL)

    series = timed("reading every point", lambda: read(training_runs))
    timed("analysing in one process", lambda: [build_run_result(t, series) for t in training_runs])
    workers = AnalysisWorkers()
    timed(f"reading, analysing, {workers.count} worker(s) started", lambda: workers.build(training_runs, read, 0))
    timed(f"reading, analysing, {workers.count} worker(s) running", lambda: workers.build(training_runs, read, 0))
    document = timed(
        "whole document, as the tab builds it", lambda: Analyzer(workers=workers).document(provider, ctx, "", listing=listing)
    )
    listed = timed("list view", lambda: views.list_view(document))
    body = timed("JSON + gzip", lambda: DocumentRenderer().document(listed))
    print(f"{runs} runs in-process over the Rust data server ({len(training_runs)} training runs, list body {len(body.gzipped) / 1e6:.2f} MB gzipped):")
    for name, seconds in stages:
        print(f"  {name:36s} {1000 * seconds:8.0f} ms  ({1000 * seconds / max(1, len(training_runs)):.3f} ms per run)")
    profiler = cProfile.Profile()
    profiler.enable()
    DocumentRenderer().document(views.list_view(Analyzer(workers=workers).document(provider, ctx, "", listing=listing)))
    profiler.disable()
    workers.close()
    print("profile of one cold list document, this thread only (tottime, top 25):")
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--logdir", default=None, help="time this logdir instead of generated sweeps")
    parser.add_argument("--load_fast", default="true", choices=("true", "false"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="split a cold document's time in-process instead")
    args = parser.parse_args()
    if args.logdir:
        logdir = Path(args.logdir).resolve()
        runs = sum(1 for folder, _, files in os.walk(logdir) if any("tfevents" in f for f in files))
        measure(logdir, runs, args.load_fast, args.repeats)
        return
    for runs in args.runs:
        if args.profile:
            profile(sweep(runs, args.steps), runs)
        else:
            measure(sweep(runs, args.steps), runs, args.load_fast, args.repeats)


if __name__ == "__main__":
    main()
