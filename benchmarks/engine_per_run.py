"""The engine's cost for one typical run: 300 training points, 30 validation points and a logged LR.

    python benchmarks/engine_per_run.py

Prints the CPU time of `diagnose` per run (the best of several batches, so
other processes on a shared machine count as little as possible). Issue 7
asks for at most 1 ms.
"""

from __future__ import annotations

import time

import numpy as np

from tb_lossdoc.detect import synthetic
from tb_lossdoc.detect.detectors.base import RunCurves
from tb_lossdoc.detect.engine import diagnose
from tb_lossdoc.read.series import Series

BATCHES, RUNS_PER_BATCH = 15, 40


def typical_run() -> RunCurves:
    """A fresh RunCurves (profiles are cached per instance, so each run pays for its own)."""
    steps, train = synthetic.decay(300, noise=0.1)
    val_steps, val = synthetic.u_shape(30, every=10)
    return RunCurves(
        train_loss=Series.from_points(steps, train),
        val_loss=Series.from_points(val_steps, val),
        lr=Series.from_points(steps, np.full(300, 1e-3)),
    )


def per_run_seconds() -> float:
    runs = [typical_run() for _ in range(BATCHES * RUNS_PER_BATCH)]
    best = float("inf")
    for batch in range(BATCHES):
        started = time.process_time()
        for run in runs[batch * RUNS_PER_BATCH : (batch + 1) * RUNS_PER_BATCH]:
            diagnose(run)
        best = min(best, (time.process_time() - started) / RUNS_PER_BATCH)
    return best


if __name__ == "__main__":
    print(f"engine per 300-point run (train 300 + val 30 + LR): {1e3 * per_run_seconds():.3f} ms CPU")
