"""Read scalars through TensorBoard's own data layer, so the command and the tab agree."""

from __future__ import annotations

import os
import sys
import types
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from .series import Series

SCALARS_PLUGIN = "scalars"


class LogdirError(Exception):
    """The logdir cannot be read at all (missing, not a directory, no event files)."""


@dataclass(frozen=True)
class SeriesInfo:
    """What the listing says of a series without reading it: enough to spot changes."""

    max_step: int
    max_wall_time: float


def _use_tensorflow_stub() -> None:
    """Make TensorBoard read event files with its own stub, never importing TensorFlow.

    TensorBoard imports TensorFlow for file access when it is installed unless the
    marker module `tensorboard.compat.notf` exists (its "no TensorFlow" build).
    The command has no use for TensorFlow, which would cost seconds at start-up.
    """
    sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))


def open_logdir(logdir: str):
    """Load every event file under `logdir` keeping every scalar point.

    Returns `(data_provider, request_context)` for the functions below.
    """
    _use_tensorflow_stub()
    from tensorboard import context as tb_context
    from tensorboard.backend.event_processing import data_provider as tb_data_provider
    from tensorboard.backend.event_processing import plugin_event_multiplexer as tb_mux
    from tensorboard.backend.event_processing import io_wrapper

    if "://" not in logdir:
        if not os.path.exists(logdir):
            raise LogdirError(f"logdir not found: {logdir}")
        if not os.path.isdir(logdir):
            raise LogdirError(f"logdir is not a directory: {logdir}")
        if not any(True for _ in io_wrapper.GetLogdirSubdirectories(logdir)):
            raise LogdirError(f"no TensorBoard event files under {logdir}")
    multiplexer = tb_mux.EventMultiplexer(tensor_size_guidance={SCALARS_PLUGIN: 0})
    multiplexer.AddRunsFromDirectory(logdir)
    multiplexer.Reload()
    provider = tb_data_provider.MultiplexerDataProvider(multiplexer, logdir)
    return provider, tb_context.RequestContext()


def list_scalars(provider, ctx, experiment_id: str) -> Dict[str, Dict[str, SeriesInfo]]:
    """run → tag → SeriesInfo for every scalar series."""
    listing = provider.list_scalars(ctx, experiment_id=experiment_id, plugin_name=SCALARS_PLUGIN)
    return {
        run: {tag: SeriesInfo(ts.max_step, ts.max_wall_time) for tag, ts in tags.items()}
        for run, tags in listing.items()
    }


def list_runs(provider, ctx, experiment_id: str) -> List[str]:
    """Every run TensorBoard knows, with or without scalars."""
    return [run.run_name for run in provider.list_runs(ctx, experiment_id=experiment_id)]


def read_series(
    provider,
    ctx,
    experiment_id: str,
    wanted: Sequence[Tuple[str, str]],
    downsample: int,
) -> Dict[Tuple[str, str], Series]:
    """Read the (run, tag) series named in `wanted`, cleaned, keyed by (run, tag)."""
    from tensorboard.data import provider as tb_provider

    if not wanted:
        return {}
    runs = sorted({run for run, _ in wanted})
    tags = sorted({tag for _, tag in wanted})
    data = provider.read_scalars(
        ctx,
        experiment_id=experiment_id,
        plugin_name=SCALARS_PLUGIN,
        downsample=downsample,
        run_tag_filter=tb_provider.RunTagFilter(runs=runs, tags=tags),
    )
    result: Dict[Tuple[str, str], Series] = {}
    for run, tag in wanted:
        points = data.get(run, {}).get(tag)
        if points is None:
            continue
        result[(run, tag)] = Series.from_points(
            [p.step for p in points],
            [p.value for p in points],
            [p.wall_time for p in points],
            run=run,
            tag=tag,
        )
    return result
