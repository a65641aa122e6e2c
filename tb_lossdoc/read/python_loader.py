"""Read a logdir through TensorBoard's Python multiplexer, one run at a time.

The fallback when the Rust data server cannot be used. Each run is loaded on
its own, so a record that fails to parse costs only the rest of that run, not
every run loaded after it (TensorBoard's own reload thread stops there).
"""

from __future__ import annotations

import logging
import os
from typing import Dict, List, Tuple

from .provider import SCALARS_PLUGIN


def load(logdir: str) -> Tuple[object, Dict[str, List[str]]]:
    """A `MultiplexerDataProvider` over every run, and run → why part of it could not be read."""
    from tensorboard.backend.event_processing import data_provider as tb_data_provider
    from tensorboard.backend.event_processing import directory_watcher
    from tensorboard.backend.event_processing import plugin_event_multiplexer as tb_mux

    from .eventfiles import run_name

    multiplexer = tb_mux.EventMultiplexer(tensor_size_guidance={SCALARS_PLUGIN: 0})
    problems: Dict[str, List[str]] = {}
    with _QuietStops() as stops:
        multiplexer.AddRunsFromDirectory(logdir)
        for run in sorted(multiplexer.Runs()):
            try:
                multiplexer.GetAccumulator(run).Reload()
            except directory_watcher.DirectoryDeletedError:
                problems.setdefault(run, []).append("the run's folder was deleted while reading")
            except Exception as error:  # a parse error stops this run only
                problems.setdefault(run, []).append(f"stopped reading at an unreadable record ({_describe(error)})")
    for path, why in stops.found:
        if "crc32" in why:  # truncations are reported by the framing check already
            problems.setdefault(run_name(logdir, os.path.dirname(path)), []).append(
                f"{os.path.basename(path)}: stopped at a record whose checksum does not match (the rest of the file is not read)"
            )
    return tb_data_provider.MultiplexerDataProvider(multiplexer, logdir), problems


class _QuietStops(logging.Handler):
    """Collects the files TensorBoard's Python loader stops reading without a word.

    Its record reader raises on a checksum mismatch and the loader swallows it,
    logging only at debug level ("Truncated record in PATH (ERROR)"). Within the
    block, TensorBoard's logger passes debug records to this handler alone; what
    it would have shown anyway still reaches the root logger's handlers.
    """

    _MESSAGE = "Truncated record in %s (%s)"

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.found: List[Tuple[str, str]] = []
        self._logger = logging.getLogger("tensorboard")

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == self._MESSAGE and len(record.args) == 2:
            self.found.append((str(record.args[0]), str(record.args[1])))
        elif record.levelno >= self._shown:
            logging.getLogger().handle(record)

    def __enter__(self) -> "_QuietStops":
        self._saved = (self._logger.level, self._logger.propagate)
        self._shown = self._logger.getEffectiveLevel()
        self._logger.setLevel(logging.DEBUG)
        self._logger.propagate = False
        self._logger.addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        self._logger.removeHandler(self)
        self._logger.setLevel(self._saved[0])
        self._logger.propagate = self._saved[1]


def _describe(error: Exception) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
