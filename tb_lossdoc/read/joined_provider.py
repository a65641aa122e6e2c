"""One DataProvider over two: event files TensorBoard loaded, and runs read from log files.

Each run lives in exactly one of them (the log-file reader leaves to the event
files every run they hold), so calls are split by run and the answers merged.
"""

from __future__ import annotations

from tensorboard.data import provider as tb_provider

from .memory_provider import MemoryDataProvider


class JoinedDataProvider(tb_provider.DataProvider):
    """Event-file runs from `events`, log-file runs from `logs`; `ctx` is the events' context."""

    def __init__(self, events: tb_provider.DataProvider, logs: MemoryDataProvider):
        self._events = events
        self._logs = logs
        self._log_runs = frozenset(logs.run_names())

    def _split(self, run_tag_filter):
        """(filter for the event files or None to skip them, filter for the logs or None)."""
        runs = None if run_tag_filter is None else run_tag_filter.runs
        tags = None if run_tag_filter is None else run_tag_filter.tags
        if runs is None:
            return run_tag_filter, run_tag_filter
        event_runs = [r for r in runs if r not in self._log_runs]
        log_runs = [r for r in runs if r in self._log_runs]
        return (
            tb_provider.RunTagFilter(runs=event_runs, tags=tags) if event_runs else None,
            tb_provider.RunTagFilter(runs=log_runs, tags=tags) if log_runs else None,
        )

    def _merged(self, method: str, ctx, run_tag_filter, **kwargs):
        event_filter, log_filter = self._split(run_tag_filter)
        result = {}
        if event_filter is not None or run_tag_filter is None:
            answer = getattr(self._events, method)(ctx, run_tag_filter=event_filter, **kwargs)
            result.update({run: tags for run, tags in answer.items() if run not in self._log_runs})
        if log_filter is not None or run_tag_filter is None:
            result.update(getattr(self._logs, method)(ctx, run_tag_filter=log_filter, **kwargs))
        return result

    def list_runs(self, ctx=None, *, experiment_id):
        event_runs = [r for r in self._events.list_runs(ctx, experiment_id=experiment_id) if r.run_name not in self._log_runs]
        return event_runs + self._logs.list_runs(ctx, experiment_id=experiment_id)

    def list_scalars(self, ctx=None, *, experiment_id, plugin_name, run_tag_filter=None):
        return self._merged("list_scalars", ctx, run_tag_filter, experiment_id=experiment_id, plugin_name=plugin_name)

    def read_scalars(self, ctx=None, *, experiment_id, plugin_name, downsample=None, run_tag_filter=None):
        return self._merged(
            "read_scalars", ctx, run_tag_filter, experiment_id=experiment_id, plugin_name=plugin_name, downsample=downsample
        )

    def read_last_scalars(self, ctx=None, *, experiment_id, plugin_name, run_tag_filter=None):
        return self._merged("read_last_scalars", ctx, run_tag_filter, experiment_id=experiment_id, plugin_name=plugin_name)
