"""How well the forecast predicts the end of real runs: cut each field run at half its steps.

    python benchmarks/forecast.py [--json]

For every run of the field corpus (`benchmarks/field/`), the curve the forecast
uses (validation loss where logged, else training loss) is cut at 50% of its
steps (the learning rate too), forecast at the run's last step, and compared
with what happened there (the median of the run's last 5% of points).
Errors are relative to the curve's own range before the cut (5th to 95th
percentile), so scale and sign do not matter. Two baselines: the last value
before the cut, and a straight line through the last quarter before the cut.
Reported per split (dev / held-out, by source repository): median errors,
the 80% interval's coverage and median width, the refusals by reason, and the
forecast's cost per run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "field"))
sys.path.insert(0, str(HERE.parent))

from accuracy import split_of  # noqa: E402
from build import read_sources  # noqa: E402

from tb_lossdoc.analysis import Analyzer  # noqa: E402
from tb_lossdoc.forecast.forecast import predict  # noqa: E402
from tb_lossdoc.read.curves import find_training_runs  # noqa: E402
from tb_lossdoc.read.provider import list_scalars  # noqa: E402
from tb_lossdoc.read.series import Series  # noqa: E402
from tb_lossdoc.read.sources import open_path  # noqa: E402

MIN_POINTS = 16  # a curve needs this many finite points to be cut in half and still be forecast


def _no_event_files(path):
    raise RuntimeError(f"the field corpus holds log files only: {path}")


def curves_of(raw_dir: Path):
    """(loss series, lr series or None) of each training run in a raw corpus folder."""
    provider, ctx, _ = open_path(str(raw_dir), _no_event_files)
    runs = find_training_runs(list_scalars(provider, ctx, ""))[0]
    analyzer = Analyzer()
    for run in runs:
        chart = analyzer.curves(provider, ctx, "", run.name, 2**31 - 1)["series"]
        role = "val_loss" if len(chart.get("val_loss", {}).get("points", [])) >= MIN_POINTS else "train_loss"
        if role not in chart:
            continue
        yield _series(chart[role]), (_series(chart["lr"]) if "lr" in chart else None)


def _series(entry) -> Series:
    points = [(s, v) for s, v in entry["points"] if v is not None]
    return Series(np.array([s for s, _ in points], dtype=np.int64), np.array([v for _, v in points]), tag=entry["tag"])


def _level(values: np.ndarray) -> float:
    return float(np.median(values[-max(1, min(values.size // 20, 20)):]))


def _linear(steps: np.ndarray, values: np.ndarray, horizon: int) -> float:
    quarter = steps >= steps[0] + 0.75 * (steps[-1] - steps[0])
    if quarter.sum() < 2:
        return float(values[-1])
    slope, intercept = np.polyfit(steps[quarter].astype(float), values[quarter], 1)
    return float(slope * horizon + intercept)


def evaluate_run(loss: Series, lr) -> dict:
    """One run cut at half its steps: the forecast, the baselines and the outcome."""
    if len(loss) < MIN_POINTS:
        return {"refused": "too_short_to_cut"}
    first, last = int(loss.steps[0]), int(loss.steps[-1])
    cut = loss.steps <= first + (last - first) // 2
    seen = Series(loss.steps[cut], loss.values[cut], tag=loss.tag)
    seen_lr = None if lr is None else Series(lr.steps[lr.steps <= seen.steps[-1]], lr.values[lr.steps <= seen.steps[-1]])
    started = time.perf_counter()
    p = predict(seen, horizon_step=last, lr=seen_lr)
    cost = time.perf_counter() - started
    if p.refused:
        return {"refused": p.refused, "cost": cost}
    actual = _level(loss.values)
    low, high = np.percentile(seen.values, [5, 95])
    scale = max(float(high - low), 1e-12)
    return {
        "refused": None,
        "cost": cost,
        "error": abs(p.expected - actual) / scale,
        "last_value_error": abs(_level(seen.values) - actual) / scale,
        "linear_error": abs(_linear(seen.steps, seen.values, last) - actual) / scale,
        "covered": p.low <= actual <= p.high,
        "width": (p.high - p.low) / scale,
    }


def summarise(results) -> dict:
    done = [r for r in results if r["refused"] is None]
    med = lambda key: statistics.median(r[key] for r in done) if done else None  # noqa: E731
    return {
        "runs": len(results),
        "forecast": len(done),
        "refused": dict(Counter(r["refused"] for r in results if r["refused"])),
        "median_error": med("error"),
        "median_error_last_value": med("last_value_error"),
        "median_error_linear": med("linear_error"),
        "coverage80": statistics.fmean(r["covered"] for r in done) if done else None,
        "median_width": med("width"),
        "cost_ms_median": 1e3 * statistics.median(r["cost"] for r in results if "cost" in r) if results else None,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    halves = {"dev": [], "held_out": []}
    for source in read_sources():
        raw = HERE / "field" / "raw" / source.run_id
        if not raw.is_dir():
            continue
        for loss, lr in curves_of(raw):
            halves[split_of(source.repo)].append(evaluate_run(loss, lr))
    summary = {half: summarise(results) for half, results in halves.items()}
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    for half, s in summary.items():
        print(f"{half}: {s['forecast']} of {s['runs']} runs forecast; refused {s['refused']}")
        if s["forecast"]:
            print(
                f"  median error (share of the curve's range): forecast {s['median_error']:.3f}, "
                f"last value {s['median_error_last_value']:.3f}, linear {s['median_error_linear']:.3f}"
            )
            print(f"  80% interval: coverage {s['coverage80']:.2f}, median width {s['median_width']:.3f} of the range")
        print(f"  cost per run: {s['cost_ms_median']:.3f} ms (median)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
