"""Read a logdir through TensorBoard's Rust data server, started as `tensorboard --load_fast` starts it.

The server is a child process: we keep its PID, capture its stderr (its
warnings name the files it could not parse) and stop it by that PID.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
import time
import types
from typing import Callable, Dict, List, Optional

from .provider import SCALARS_PLUGIN

# Loading is asynchronous: poll until the server says its one load cycle is done
# (it logs this with --verbose, as under `tensorboard --verbosity 0`). The
# listing is polled now and then: a server that logs no cycles is taken as
# loaded once it has not grown for QUIET_SECONDS; one that logs them and has
# not grown for STALL_SECONDS has failed.
POLL_SECONDS = 0.02
LISTING_SECONDS = 1.0
QUIET_SECONDS = 3.0
STALL_SECONDS = 120.0
_STARTED, _LOADED = b"Starting load cycle", b"Finished load cycle"
_PANIC = b"panicked at"
# The server's own warning for a record it could not parse (it then reads on).
# The path may hold ": "; the error is a Rust value such as `InvalidProto(...)`.
_READ_ERROR = re.compile(r"Read error in (?P<path>.+): (?P<error>[A-Z][A-Za-z]*\(.*)$")
_START_LOCK = threading.Lock()


def _line_of(log: bytes, needle: bytes) -> str:
    """The log line holding `needle`, from it on, as text."""
    line = log[log.index(needle) :].split(b"\n", 1)[0]
    return line.decode("utf-8", "replace").strip()


class ServerFailed(Exception):
    """The Rust data server is missing, would not start, or died while loading."""


class RustServer:
    """A running data server over one logdir; use as a context manager, or call `stop()`."""

    def __init__(self, logdir: str, verbose: bool = False):
        from tensorboard.data import server_ingester
        from tensorboard.util import grpc_util

        self.logdir = logdir
        self._verbose = verbose
        self._stderr = tempfile.TemporaryFile()
        self._popen: Optional[subprocess.Popen] = None
        try:
            binary = server_ingester.get_server_binary()
        except server_ingester.NoDataServerError as error:
            raise ServerFailed(str(error) or "no data server binary") from None
        ingester = server_ingester.SubprocessServerDataIngester(
            binary,
            logdir,
            reload_interval=0,
            channel_creds_type=grpc_util.ChannelCredsType.LOCAL,
            samples_per_plugin={SCALARS_PLUGIN: 0},
            extra_flags=["--verbose"],
        )
        try:
            self._start(server_ingester, ingester)
        except Exception as error:
            self.stop()
            raise ServerFailed(self._death_reason() or str(error) or type(error).__name__) from None
        self.provider = ingester.data_provider

    def _start(self, server_ingester, ingester) -> None:
        """`ingester.start()`, keeping the child's Popen so it can be stopped by its own PID."""
        started: List[subprocess.Popen] = []

        def popen(args, **kwargs):
            child = subprocess.Popen(args, stderr=self._stderr, **kwargs)
            started.append(child)
            return child

        with _START_LOCK:
            real = server_ingester.subprocess
            server_ingester.subprocess = types.SimpleNamespace(Popen=popen, PIPE=subprocess.PIPE)
            try:
                ingester.start()
            finally:
                server_ingester.subprocess = real
                self._popen = started[0] if started else None

    @property
    def pid(self) -> Optional[int]:
        return self._popen.pid if self._popen else None

    def alive(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def wait_loaded(self, ctx, cancelled: Callable[[], bool] = lambda: False) -> None:
        """Block until the server has loaded the logdir once; ServerFailed if it dies or
        panics first, or when `cancelled()` turns true.

        Done when the server logs the end of its load cycle; a server that does
        not log its cycles is done when the listing has stopped growing.
        """
        previous, grown_at, looked_at = None, time.monotonic(), 0.0
        while True:
            log = self._stderr_bytes()
            if _LOADED in log:
                return
            if not self.alive():
                raise ServerFailed(self._death_reason() or "data server exited while loading")
            if _PANIC in log:  # a loader thread died: the load cycle will never finish
                raise ServerFailed("data server " + _line_of(log, _PANIC))
            if cancelled():
                raise ServerFailed("data server no longer needed")
            now = time.monotonic()
            if now - looked_at >= LISTING_SECONDS:  # listing thousands of runs costs the server time
                snapshot, looked_at = self._snapshot(ctx), now
                if snapshot != previous:
                    previous, grown_at = snapshot, now
                elif _STARTED not in log and now - grown_at >= QUIET_SECONDS:
                    return
                elif now - grown_at > STALL_SECONDS:
                    raise ServerFailed(f"data server made no progress for {STALL_SECONDS:.0f} s")
            time.sleep(POLL_SECONDS)

    def _snapshot(self, ctx) -> tuple:
        """What the listing holds so far, to tell progress from a stall."""
        try:
            runs = self.provider.list_runs(ctx, experiment_id="")
            listing = self.provider.list_scalars(ctx, experiment_id="", plugin_name=SCALARS_PLUGIN)
        except Exception as error:
            raise ServerFailed(self._death_reason() or f"data server stopped answering: {error}") from None
        steps = sum(t.max_step for tags in listing.values() for t in tags.values())
        times = sum(t.max_wall_time for tags in listing.values() for t in tags.values())
        return len(runs), len(listing), steps, times

    def read_errors(self) -> Dict[str, List[str]]:
        """Event file path (as the server names it) → records the server could not parse."""
        found: Dict[str, List[str]] = {}
        for line in self._stderr_lines():
            match = _READ_ERROR.search(line)
            if match:
                found.setdefault(match["path"], []).append(match["error"])
        return found

    def _stderr_bytes(self) -> bytes:
        self._stderr.seek(0)
        return self._stderr.read()

    def _stderr_lines(self) -> List[str]:
        return self._stderr_bytes().decode("utf-8", "replace").splitlines()

    def _death_reason(self) -> str:
        """Why the server exited, from its exit status and last stderr line."""
        if self._popen is None or self._popen.poll() is None:
            return ""
        lines = [line for line in self._stderr_lines() if line.strip()]
        last = lines[-1].strip() if lines else ""
        status = self._popen.returncode
        how = f"killed by signal {-status}" if status < 0 else f"exited with status {status}"
        return f"data server {how}" + (f": {last}" if last else "")

    def stop(self) -> None:
        """Stop the server by its own PID (closing its stdin first asks it to exit)."""
        child = self._popen
        if child is None or child.returncode is not None:
            return
        if child.stdin and not child.stdin.closed:
            child.stdin.close()
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def close(self) -> None:
        """Stop the server; with `verbose`, pass on what it wrote to stderr."""
        self.stop()
        if self._verbose:
            os.write(2, self._stderr_bytes())
        self._stderr.close()

    def __enter__(self) -> "RustServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
