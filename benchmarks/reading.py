"""Reading speed and memory: the command against TensorBoard's Rust data server and its Python multiplexer.

    python benchmarks/reading.py [--cache DIR] [--sizes 100x2000,1000x300] [--repeats 3]

Generates the logdirs once with a real writer (torch's SummaryWriter; two
tags per run, `train_loss` and `val_loss`, every step), then
in one run times, each in a fresh process, median of `--repeats`:

- the floor: a Python process that starts the Rust data server as TensorBoard
  does (every scalar point kept), waits for it to load, and reads every point
  through `GrpcDataProvider.read_scalars`; from process start to last point;
- the command: `tb-lossdoc LOGDIR --format json` (Rust reader);
- the Python multiplexer: `tb-lossdoc LOGDIR --format json --reader python`;

and prints ratios and peak memory (the largest process by `/usr/bin/time`, and the sum
over the process tree sampled every 10 ms: the command plus its data server). Then one
in-process breakdown of the command's time: opening (framing scan, server
load), the analysis, and inside it the detectors' share.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from typing import Dict, List, Tuple

# The floor, run as its own process: start the server as TensorBoard does, read every point.
FLOOR = r"""
import sys, time
from tensorboard import context
from tensorboard.data import provider as tb_provider, server_ingester
from tensorboard.util import grpc_util

logdir, stderr_path = sys.argv[1], sys.argv[2]
ingester = server_ingester.SubprocessServerDataIngester(
    server_ingester.get_server_binary(), logdir, reload_interval=0,
    channel_creds_type=grpc_util.ChannelCredsType.LOCAL, samples_per_plugin={"scalars": 0},
    extra_flags=["--verbose"])
# The server logs "Finished load cycle" (with --verbose) when its one load is done.
import subprocess
real_popen = subprocess.Popen
stderr = open(stderr_path, "wb")
subprocess.Popen = lambda args, **kw: real_popen(args, stderr=stderr, **kw)
ingester.start()
subprocess.Popen = real_popen
ctx = context.RequestContext()
provider = ingester.data_provider
while b"Finished load cycle" not in open(stderr_path, "rb").read():
    provider.list_scalars(ctx, experiment_id="", plugin_name="scalars")
    time.sleep(0.02)
listing = provider.list_scalars(ctx, experiment_id="", plugin_name="scalars")
runs = sorted(listing)
tags = sorted({tag for t in listing.values() for tag in t})
data = provider.read_scalars(ctx, experiment_id="", plugin_name="scalars", downsample=2**31 - 1,
                             run_tag_filter=tb_provider.RunTagFilter(runs=runs, tags=tags))
points = sum(len(p) for t in data.values() for p in t.values())
print(points)
"""


def generate(logdir: str, runs: int, steps: int) -> None:
    """Write the logdir with torch's SummaryWriter, once (a marker file says it is complete)."""
    marker = os.path.join(logdir, ".complete")
    if os.path.exists(marker):
        return
    from torch.utils.tensorboard import SummaryWriter

    import numpy as np

    rng = np.random.default_rng(0)
    for index in range(runs):
        writer = SummaryWriter(os.path.join(logdir, f"run{index:04d}"))
        base = 0.3 + rng.random()
        noise = rng.normal(0.0, 0.02, steps)
        for step in range(steps):
            loss = base * np.exp(-step / (steps / 3)) + 0.1 + noise[step]
            writer.add_scalar("train_loss", float(loss), step)
            writer.add_scalar("val_loss", float(loss * 1.1 + 0.05 * step / steps), step)
        writer.close()
    open(marker, "w").close()


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants, in kB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{current}/task/{current}/children") as handle:
                todo.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return total


def timed(argv: List[str]) -> Tuple[float, int, int]:
    """Wall seconds, peak RSS of its largest process (kB, from /usr/bin/time), peak tree RSS (kB)."""
    started = time.perf_counter()
    child = subprocess.Popen(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss_kb(child.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = child.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    lines = err.decode().strip().splitlines()
    if child.returncode not in (0, 1) or not lines:
        raise RuntimeError(f"{argv} failed ({child.returncode}): {err.decode()[-500:]}")
    return elapsed, int(lines[-1]), peak[0]


def measure(logdir: str, repeats: int) -> Dict[str, Tuple[float, int, int]]:
    """Median wall time and peak tree RSS of the floor, the command and the Python path."""
    python = sys.executable
    stderr_file = os.path.join(tempfile.mkdtemp(prefix="floor_"), "stderr")
    commands = {
        "floor (Rust server, read_scalars)": [python, "-c", FLOOR, logdir, stderr_file],
        "tb-lossdoc (rust reader)": [python, "-m", "tb_lossdoc", logdir, "--format", "json"],
        "tb-lossdoc --reader python": [python, "-m", "tb_lossdoc", logdir, "--format", "json", "--reader", "python"],
    }
    results = {}
    for name, argv in commands.items():
        runs = [timed(argv) for _ in range(repeats if "python" not in name else 1)]
        results[name] = (statistics.median(r[0] for r in runs), max(r[1] for r in runs), max(r[2] for r in runs))
    return results


def breakdown(logdir: str) -> None:
    """One in-process run of the command's work, phase by phase."""
    import numpy as np

    from tb_lossdoc import analysis, run_entry
    from tb_lossdoc.read.provider import open_logdir

    detector_time = [0.0]
    real_diagnose = run_entry.diagnose

    def timed_diagnose(curves):
        started = time.perf_counter()
        try:
            return real_diagnose(curves)
        finally:
            detector_time[0] += time.perf_counter() - started

    run_entry.diagnose = timed_diagnose
    try:
        started = time.perf_counter()
        with open_logdir(logdir) as opened, np.errstate(over="ignore"):
            opened_at = time.perf_counter()
            document = analysis.Analyzer().document(opened.provider, opened.ctx, "", file_problems=opened.problems)
            analysed_at = time.perf_counter()
    finally:
        run_entry.diagnose = real_diagnose
    runs = len(document["runs"])
    analysis_s = analysed_at - opened_at
    print(
        f"  in-process: open {opened_at - started:.3f} s (framing scan + server load, reader {opened.reader}), "
        f"analysis {analysis_s:.3f} s for {runs} runs = {1e3 * analysis_s / max(runs, 1):.2f} ms/run, of which "
        f"detectors {detector_time[0]:.3f} s ({1e3 * detector_time[0] / max(runs, 1):.2f} ms/run) and "
        f"listing + read + Series + document {analysis_s - detector_time[0]:.3f} s "
        f"({1e3 * (analysis_s - detector_time[0]) / max(runs, 1):.2f} ms/run)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "tb_lossdoc_reading_bench"))
    parser.add_argument("--sizes", default="100x2000,1000x300", help="RUNSxSTEPS, comma-separated")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    for size in args.sizes.split(","):
        runs, steps = (int(x) for x in size.split("x"))
        logdir = os.path.join(args.cache, f"{runs}x{steps}")
        started = time.perf_counter()
        generate(logdir, runs, steps)
        points = runs * steps * 2
        print(f"\n{runs} runs x {steps} steps ({points:,} points; logdir ready in {time.perf_counter() - started:.1f} s)")
        results = measure(logdir, args.repeats)
        floor = results["floor (Rust server, read_scalars)"][0]
        command = results["tb-lossdoc (rust reader)"][0]
        for name, (seconds, largest_kb, tree_kb) in results.items():
            print(
                f"  {name:36s} {seconds:7.3f} s  {seconds / floor:5.2f}x floor  "
                f"peak {largest_kb / 1024:5.0f} MB largest process, {tree_kb / 1024:5.0f} MB process tree"
            )
        python = results["tb-lossdoc --reader python"][0]
        print(f"  command / floor = {command / floor:.2f}x; python multiplexer / command = {python / command:.1f}x")
        breakdown(logdir)


if __name__ == "__main__":
    main()
