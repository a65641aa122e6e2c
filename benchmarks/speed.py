"""Engine speed: diagnosis time for 1e3…1e6 points, and TensorBoard's own loading time.

    python benchmarks/speed.py [--logdir demo_logs]

Prints the engine's time per series size (linear growth shows as a constant
time per point) and, on a logdir, the time TensorBoard's multiplexer takes to
load it against the time LossDoc takes to diagnose what was loaded, in the
same process, as a ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

from tb_lossdoc.detect import synthetic
from tb_lossdoc.detect.detectors.base import RunCurves
from tb_lossdoc.detect.engine import diagnose
from tb_lossdoc.read.series import Series


def _best_of(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def engine_scaling() -> None:
    print(f"{'points':>10}  {'train only (s)':>14}  {'train+val (s)':>13}  {'µs/point':>9}")
    for n in (1_000, 10_000, 100_000, 1_000_000):
        steps, values = synthetic.with_spikes(synthetic.decay(n, noise=0.1), (n // 3,), height=20)
        val_steps, val = synthetic.u_shape(max(10, n // 100), every=100)
        train = Series.from_points(steps, values)
        validation = Series.from_points(val_steps, val)
        alone = _best_of(3, lambda: diagnose(RunCurves(train_loss=train)))
        both = _best_of(3, lambda: diagnose(RunCurves(train_loss=train, val_loss=validation)))
        print(f"{n:>10}  {alone:>14.4f}  {both:>13.4f}  {1e6 * both / n:>9.2f}")


def against_tensorboard(logdir: str) -> None:
    from tb_lossdoc.analysis import Analyzer
    from tb_lossdoc.read.provider import open_logdir

    load = []
    analyse = []
    for _ in range(3):
        started = time.perf_counter()
        with open_logdir(logdir, reader="python") as opened:
            load.append(time.perf_counter() - started)
            started = time.perf_counter()
            document = Analyzer().document(opened.provider, opened.ctx, "")
            analyse.append(time.perf_counter() - started)
    load_s, analyse_s = statistics.median(load), statistics.median(analyse)
    print(f"logdir {logdir}: {len(document['runs'])} runs diagnosed, {len(document['skipped'])} skipped")
    print(f"  TensorBoard multiplexer load (all points): {load_s:.3f} s")
    print(f"  LossDoc read + diagnose of every run:      {analyse_s:.3f} s  (ratio {analyse_s / load_s:.2f}x TensorBoard's load)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--logdir", default=None)
    args = parser.parse_args()
    engine_scaling()
    if args.logdir:
        against_tensorboard(args.logdir)


if __name__ == "__main__":
    main()
