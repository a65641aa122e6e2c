"""Time the Diagnosis tab's `diagnoses` route against TensorBoard's own `scalars/tags`.

    python benchmarks/route_timing.py [LOGDIR] [--repeats 5]

Starts the real `tensorboard` (127.0.0.1, free port) once with
`--load_fast=false` and once with `--load_fast=true`, times the first
(cold) `diagnoses` request, then warm requests of both routes on the same
server, and prints medians and ratios. The server is stopped by its own PID.
Needs the package installed (`pip install .`) so TensorBoard finds the plugin.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import TensorBoard  # noqa: E402  (the same server helper the end-to-end tests use)

DIAGNOSES = "/data/plugin/lossdoc/diagnoses"
TAGS = "/data/plugin/scalars/tags"


def _timed(server: TensorBoard, path: str) -> float:
    started = time.perf_counter()
    server.get(path)
    return time.perf_counter() - started


def measure(logdir: str, load_fast: str, repeats: int) -> None:
    with TensorBoard(logdir, load_fast=load_fast) as server:
        server.get(TAGS)  # wait until TensorBoard has loaded the logdir
        cold = _timed(server, DIAGNOSES)
        warm = statistics.median(_timed(server, DIAGNOSES) for _ in range(repeats))
        tags = statistics.median(_timed(server, TAGS) for _ in range(repeats))
    print(
        f"load_fast={load_fast:5s}  diagnoses cold {1000 * cold:7.1f} ms  warm {1000 * warm:6.1f} ms  "
        f"scalars/tags {1000 * tags:6.1f} ms  warm/tags {warm / tags:5.1f}x  cold/tags {cold / tags:5.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logdir", nargs="?", default="demo_logs")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    for load_fast in ("false", "true"):
        measure(str(Path(args.logdir).resolve()), load_fast, args.repeats)


if __name__ == "__main__":
    main()
