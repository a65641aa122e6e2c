"""Read a logdir through TensorBoard's Python multiplexer, one run at a time.

The fallback when the Rust data server cannot be used. Each run is loaded on
its own, so a record that fails to parse costs only the rest of that run, not
every run loaded after it (TensorBoard's own reload thread stops there).
"""

from __future__ import annotations

from typing import Dict, List, Tuple

from .provider import SCALARS_PLUGIN


def load(logdir: str) -> Tuple[object, Dict[str, List[str]]]:
    """A `MultiplexerDataProvider` over every run, and run → why part of it could not be read."""
    from tensorboard.backend.event_processing import data_provider as tb_data_provider
    from tensorboard.backend.event_processing import directory_watcher
    from tensorboard.backend.event_processing import plugin_event_multiplexer as tb_mux

    multiplexer = tb_mux.EventMultiplexer(tensor_size_guidance={SCALARS_PLUGIN: 0})
    multiplexer.AddRunsFromDirectory(logdir)
    problems: Dict[str, List[str]] = {}
    for run in sorted(multiplexer.Runs()):
        try:
            multiplexer.GetAccumulator(run).Reload()
        except directory_watcher.DirectoryDeletedError:
            problems.setdefault(run, []).append("the run's folder was deleted while reading")
        except Exception as error:  # a parse error stops this run only
            problems.setdefault(run, []).append(f"stopped reading at an unreadable record ({_describe(error)})")
    return tb_data_provider.MultiplexerDataProvider(multiplexer, logdir), problems


def _describe(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
