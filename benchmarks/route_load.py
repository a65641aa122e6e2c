"""The Diagnosis tab under load: 16 clients polling `diagnoses` while runs are being written.

    python benchmarks/route_load.py [--runs 1000] [--clients 16] [--seconds 60]

Copies a generated sweep (`route_timing.sweep`, `--runs` runs x 300 steps) to a
fresh folder, starts the real `tensorboard --load_fast=true` on 127.0.0.1 (free
port) and warms it with one `diagnoses` request. Then, for `--seconds`:

- a writer process appends one point a second to each of 20 live runs
  (tensorboardX `SummaryWriter`, flushed every second) and creates a new run
  every 3 s (30 points, then closed);
- `--clients` threads request `diagnoses` back to back (accepting gzip, without
  `If-None-Match`: every answer is a full document, the worst case);
- one more thread polls `diagnoses` every 0.5 s and notes when each new run
  first appears in it (in `runs` or `skipped`).

Prints the clients' p50/p99 latency, the count of 5xx answers, and how long new
runs took to appear after the writer flushed them. The server is stopped by its
own PID.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import TensorBoard  # noqa: E402
from route_timing import DIAGNOSES, sweep, wait_until_loaded  # noqa: E402

LIVE_RUNS = 20
NEW_RUN_EVERY = 3.0
NEW_RUN_POINTS = 30
POLL_EVERY = 0.5


# ---- The writer (a child process, so its work does not share the clients' GIL) --------


def write_live(logdir: str, seconds: float) -> None:
    """Append to 20 runs every second and start a new run every 3 s; print `NEW <run> <time>` once flushed."""
    import math

    from tensorboardX import SummaryWriter

    live = [SummaryWriter(f"{logdir}/live/run_{i:02d}", flush_secs=1) for i in range(LIVE_RUNS)]
    started = time.time()
    step = 0
    next_new = started + NEW_RUN_EVERY
    created = 0
    while time.time() - started < seconds:
        for index, writer in enumerate(live):
            loss = 2.0 * math.exp(-step / (50 + index)) + 0.1
            writer.add_scalar("loss/train", loss, step)
            writer.add_scalar("loss/val", loss * 1.1, step)
            writer.flush()
        step += 1
        if time.time() >= next_new:
            name = f"new/run_{created:03d}"
            writer = SummaryWriter(f"{logdir}/{name}")
            for s in range(NEW_RUN_POINTS):
                writer.add_scalar("loss/train", 2.0 * math.exp(-s / 10) + 0.1, s)
                writer.add_scalar("loss/val", 2.2 * math.exp(-s / 10) + 0.1, s)
            writer.close()
            print(f"NEW {name} {time.time():.3f}", flush=True)
            created += 1
            next_new += NEW_RUN_EVERY
        time.sleep(max(0.0, started + step - time.time()))
    for writer in live:
        writer.close()


# ---- The clients -----------------------------------------------------------------------


def get(url: str):
    """(seconds, status, decoded JSON or None) of one GET accepting gzip."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body, status, encoding = response.read(), response.status, response.headers.get("Content-Encoding")
    except urllib.error.HTTPError as err:
        return time.perf_counter() - started, err.code, None
    except (urllib.error.URLError, OSError):
        return time.perf_counter() - started, 0, None
    elapsed = time.perf_counter() - started
    return elapsed, status, (body, encoding)


def client(url: str, stop: threading.Event, latencies: list, statuses: list) -> None:
    while not stop.is_set():
        elapsed, status, _ = get(url)
        latencies.append(elapsed)
        statuses.append(status)


def watcher(url: str, stop: threading.Event, first_seen: dict) -> None:
    """Note when each run name first appears in `diagnoses`."""
    while not stop.is_set():
        _, status, payload = get(url)
        if status == 200 and payload is not None:
            body, encoding = payload
            document = json.loads(gzip.decompress(body) if encoding == "gzip" else body)
            now = time.time()
            for entry in document["runs"] + document["skipped"]:
                first_seen.setdefault(entry["run"], now)
        stop.wait(POLL_EVERY)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--writer", nargs=2, metavar=("LOGDIR", "SECONDS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        write_live(args.writer[0], float(args.writer[1]))
        return

    workdir = Path(tempfile.mkdtemp(prefix="lossdoc_load_"))
    logdir = workdir / "logs"
    shutil.copytree(sweep(args.runs, args.steps), logdir)
    try:
        with TensorBoard(logdir, load_fast="true", extra_args=["--reload_interval", "5"]) as server:
            wait_until_loaded(server, args.runs)
            url = server.url + DIAGNOSES
            warm_up = get(url)
            print(f"{args.runs} runs loaded; first diagnoses {1000 * warm_up[0]:.0f} ms (status {warm_up[1]})", flush=True)

            stop = threading.Event()
            latencies, statuses, first_seen = [], [], {}
            threads = [threading.Thread(target=client, args=(url, stop, latencies, statuses)) for _ in range(args.clients)]
            threads.append(threading.Thread(target=watcher, args=(url, stop, first_seen)))
            created = {}
            writer = subprocess.Popen(
                [sys.executable, __file__, "--writer", str(logdir), str(args.seconds)],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            )
            for thread in threads:
                thread.start()
            for line in writer.stdout:
                if line.startswith("NEW "):
                    _, name, at = line.split()
                    created[name] = float(at)
            writer.wait()
            time.sleep(10)  # let the last new runs appear (or not) before judging
            stop.set()
            for thread in threads:
                thread.join()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    ordered = sorted(latencies)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    server_errors = sum(1 for s in statuses if s >= 500 or s == 0)
    delays = [first_seen[name] - at if name in first_seen else float("inf") for name, at in created.items()]
    print(
        f"{args.clients} clients, {args.seconds:.0f} s, writer on {LIVE_RUNS} live runs + a new run every {NEW_RUN_EVERY:.0f} s "
        f"over {args.runs} runs: {len(latencies)} requests"
    )
    print(f"  diagnoses p50 {1000 * p50:.0f} ms, p99 {1000 * p99:.0f} ms, max {1000 * ordered[-1]:.0f} ms")
    print(f"  5xx or failed: {server_errors}; statuses {sorted(set(statuses))}")
    if delays:
        missing = sum(1 for d in delays if d == float("inf"))
        seen = sorted(d for d in delays if d != float("inf"))
        worst = f"{max(seen):.1f}" if seen else "-"
        median = f"{statistics.median(seen):.1f}" if seen else "-"
        print(f"  new runs: {len(delays)} created, appeared after median {median} s, worst {worst} s, never: {missing}")


if __name__ == "__main__":
    main()
