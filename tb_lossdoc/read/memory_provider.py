"""A TensorBoard DataProvider over scalars held in memory, for runs read from log files.

The analysis reads it exactly like the providers TensorBoard builds over event
files (same listing, same `ScalarTimeSeries`/`ScalarDatum` objects), so a run
read from a trainer_state.json or a CSV log takes the same path to the document.
"""

from __future__ import annotations

from typing import Dict, Iterator, List, Mapping, Tuple

from tensorboard.data import provider as tb_provider

from .log_table import Point

SCALARS_PLUGIN = "scalars"
# run → tag → points in write order
Scalars = Mapping[str, Mapping[str, List[Point]]]


def _admits(run_tag_filter, run: str, tag: str) -> bool:
    if run_tag_filter is None:
        return True
    return (run_tag_filter.runs is None or run in run_tag_filter.runs) and (
        run_tag_filter.tags is None or tag in run_tag_filter.tags
    )


def _downsampled(points: List[Point], limit: int) -> List[Point]:
    """At most `limit` points, evenly spread, always keeping the last (as TensorBoard keeps it)."""
    if limit <= 0:
        return []
    if len(points) <= limit:
        return points
    if limit == 1:
        return points[-1:]
    stride = (len(points) - 1) / (limit - 1)
    return [points[round(i * stride)] for i in range(limit)]


class MemoryDataProvider(tb_provider.DataProvider):
    """Scalars of an experiment given as run → tag → [(step, wall_time, value)]."""

    def __init__(self, scalars: Scalars, runs_without_scalars=()):
        self._scalars: Dict[str, Dict[str, List[Point]]] = {
            run: {tag: sorted(points, key=lambda p: p[1]) for tag, points in tags.items() if points}
            for run, tags in scalars.items()
        }
        self._empty_runs = sorted(set(runs_without_scalars) - set(self._scalars))

    def run_names(self) -> List[str]:
        return sorted(self._scalars) + self._empty_runs

    def list_runs(self, ctx=None, *, experiment_id):
        runs = []
        for name in self.run_names():
            times = [p[0][1] for p in self._scalars.get(name, {}).values()]
            runs.append(tb_provider.Run(run_id=name, run_name=name, start_time=min(times) if times else None))
        return runs

    def _admitted(self, plugin_name: str, run_tag_filter) -> Iterator[Tuple[str, str, List[Point]]]:
        """(run, tag, points) of every scalar series the filter admits; none for another plugin."""
        if plugin_name != SCALARS_PLUGIN:
            return
        for run, tags in self._scalars.items():
            for tag, points in tags.items():
                if _admits(run_tag_filter, run, tag):
                    yield run, tag, points

    def list_scalars(self, ctx=None, *, experiment_id, plugin_name, run_tag_filter=None):
        listing: Dict[str, dict] = {}
        for run, tag, points in self._admitted(plugin_name, run_tag_filter):
            listing.setdefault(run, {})[tag] = tb_provider.ScalarTimeSeries(
                max_step=max(p[0] for p in points),
                max_wall_time=max(p[1] for p in points),
                plugin_content=b"",
                description="",
                display_name=tag,
                last_value=points[-1][2],
            )
        return listing

    def read_scalars(self, ctx=None, *, experiment_id, plugin_name, downsample=None, run_tag_filter=None):
        limit = downsample if downsample is not None else 1000
        data: Dict[str, dict] = {}
        for run, tag, points in self._admitted(plugin_name, run_tag_filter):
            data.setdefault(run, {})[tag] = [
                tb_provider.ScalarDatum(step=s, wall_time=w, value=v) for s, w, v in _downsampled(points, limit)
            ]
        return data

    def read_last_scalars(self, ctx=None, *, experiment_id, plugin_name, run_tag_filter=None):
        last: Dict[str, dict] = {}
        for run, tag, points in self._admitted(plugin_name, run_tag_filter):
            step, wall_time, value = points[-1]
            last.setdefault(run, {})[tag] = tb_provider.ScalarDatum(step=step, wall_time=wall_time, value=value)
        return last
