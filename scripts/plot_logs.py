#!/usr/bin/env python
"""Render every run's scalar curves in a TensorBoard log directory to PNG files.

Usage: python scripts/plot_logs.py LOGDIR OUTDIR [--filter SUBSTRING]

Event files are read with TensorBoard's own EventMultiplexer (so orphaned steps
of resumed runs are purged and series are reservoir-sampled exactly as
TensorBoard does by default). Runs that belong together are drawn in one
figure: Keras ``X/train`` + ``X/validation``, torch ``add_scalars`` siblings
``X/loss_train`` + ``X/loss_val`` and tensorboardX nested ``X/loss/train`` +
``X/loss/val`` are grouped under ``X``. The first panel shows every loss-like
series (tag containing "loss", single-point series and Keras's
``evaluation_*_vs_iterations`` excluded: their step axis is iterations), the second the
same on a log scale; every other tag gets its own small panel. Non-finite
values are marked with red crosses at the top of the loss panels.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

SPLIT_NAMES = {"train", "training", "validation", "val", "valid", "eval", "test"}


def load(logdir):
    """{run: {tag: (steps, values)}} for every scalar series."""
    from tensorboard.backend.event_processing import plugin_event_multiplexer as pem
    from tensorboard.util import tensor_util

    mux = pem.EventMultiplexer(tensor_size_guidance={"scalars": 1000})
    mux.AddRunsFromDirectory(str(logdir))
    mux.Reload()
    data = {}
    for run in sorted(mux.Runs()):
        tags = mux.PluginRunToTagToContent("scalars").get(run, {})
        series = {}
        for tag in sorted(tags):
            events = mux.Tensors(run, tag)
            steps = np.array([e.step for e in events])
            vals = np.array([float(tensor_util.make_ndarray(e.tensor_proto).item()) for e in events])
            order = np.argsort(steps, kind="stable")
            series[tag] = (steps[order], vals[order])
        data[run] = series
    return data


def group_key(run, tags):
    """The logical training run a TensorBoard run belongs to."""
    parts = run.split("/")
    if len(parts) >= 2 and parts[-1] in SPLIT_NAMES:
        # Keras train/validation, tensorboardX nested add_scalars (X/loss/train)
        if len(parts) >= 3 and len(tags) >= 1 and parts[-2] in tags:
            return "/".join(parts[:-2]) or "."
        return "/".join(parts[:-1]) or "."
    if len(parts) >= 2 and len(tags) == 1:
        (tag,) = tags
        if parts[-1].startswith(tag.replace("/", "_") + "_"):  # torch add_scalars sibling
            return "/".join(parts[:-1]) or "."
    return run


def is_loss(tag):
    return "loss" in tag.lower()


def plot_group(key, members, outdir):
    loss_series, other = [], defaultdict(list)
    for run, series in members:
        suffix = run[len(key):].strip("/") if run != key else ""
        for tag, (s, v) in series.items():
            label = f"{suffix}:{tag}" if suffix else tag
            if is_loss(tag) and len(s) > 1 and "vs_iterations" not in tag:
                loss_series.append((label, s, v))
            else:
                other[tag].append((suffix or ".", s, v))
    n_other = len(other)
    ncols = 3
    nrows = 2 + math.ceil(n_other / ncols)
    fig = plt.figure(figsize=(15, 4.2 * 2 + 2.6 * math.ceil(n_other / ncols)))
    gs = fig.add_gridspec(nrows, ncols, height_ratios=[4.2, 4.2] + [2.6] * (nrows - 2))
    ax_lin = fig.add_subplot(gs[0, :])
    ax_log = fig.add_subplot(gs[1, :])
    for ax, logscale in ((ax_lin, False), (ax_log, True)):
        for label, s, v in loss_series:
            fin = np.isfinite(v)
            style = "-" if len(s) > 60 else ".-"
            ax.plot(s[fin], v[fin], style, lw=0.9, ms=3, label=f"{label} ({len(s)} pts)")
            if (~fin).any():
                top = np.nanmax(v[fin]) if fin.any() else 1.0
                ax.plot(s[~fin], np.full((~fin).sum(), top), "rx", ms=6)
        if logscale:
            pos = [v[np.isfinite(v)] for _, _, v in loss_series]
            if pos and all((p > 0).all() for p in pos if len(p)):
                ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.set_xlabel("step")
    ax_lin.set_title(f"{key}: loss series" + ("" if loss_series else " (none)"))
    ax_log.set_title("same, log scale")
    if loss_series:
        ax_lin.legend(fontsize=8)
    for i, (tag, lst) in enumerate(sorted(other.items())):
        ax = fig.add_subplot(gs[2 + i // ncols, i % ncols])
        for suffix, s, v in lst:
            ax.plot(s, v, ".-" if len(s) < 80 else "-", ms=3, lw=0.9, label=suffix)
        ax.set_title(tag, fontsize=9)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
        if len(lst) > 1:
            ax.legend(fontsize=7)
    fig.tight_layout()
    fname = re.sub(r"[^A-Za-z0-9_.-]+", "__", key) + ".png"
    fig.savefig(outdir / fname, dpi=70)
    plt.close(fig)
    return outdir / fname


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("logdir")
    ap.add_argument("outdir")
    ap.add_argument("--filter", default="", help="only groups whose name contains this")
    args = ap.parse_args(argv)
    outdir = Path(args.outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    data = load(args.logdir)
    groups = defaultdict(list)
    for run, series in data.items():
        groups[group_key(run, set(series))].append((run, series))
    for key in sorted(groups):
        if args.filter and args.filter not in key:
            continue
        path = plot_group(key, groups[key], outdir)
        npts = {f"{r}:{t}": len(s) for r, ser in groups[key] for t, (s, _) in ser.items()}
        print(f"{path}  max points/series={max(npts.values()) if npts else 0}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
