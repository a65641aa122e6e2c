"""Helpers for end-to-end tests: a real `tensorboard` process and headless chromium.

The server is started as `python -m tensorboard.main` on a free port of
127.0.0.1 and always stopped by its own PID; with `--load_fast=true` it runs the
Rust data server as its child, which exits with it (`--die-after-stdin`): `stop()`
checks that no child outlives it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import List, Optional

CHROMIUM = "/usr/bin/chromium"
# Headless chromium without network side trips, plus a fresh profile per test (given to launch_persistent_context).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_missing_reason() -> Optional[str]:
    """Why the browser tests cannot run here, or None when they can."""
    if not os.path.exists(CHROMIUM):
        return "%s is missing (apt-get install -y chromium)" % CHROMIUM
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> List[int]:
    """PIDs of the direct children of `pid` (Linux /proc)."""
    found = []
    for task in os.listdir("/proc/%d/task" % pid) if os.path.isdir("/proc/%d/task" % pid) else []:
        try:
            with open("/proc/%d/task/%s/children" % (pid, task)) as handle:
                found += [int(p) for p in handle.read().split()]
        except OSError:
            pass
    return found


def alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie counts as gone)."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


class TensorBoard:
    """`tensorboard --logdir LOGDIR` on 127.0.0.1:<free port>; use as a context manager."""

    def __init__(self, logdir, load_fast: str = "false", extra_args=(), log_path=None):
        self.logdir = str(logdir)
        self.load_fast = load_fast
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.extra_args = list(extra_args)
        self.log_path = log_path
        self.proc: Optional[subprocess.Popen] = None
        self.children: List[int] = []
        self.stray: List[int] = []

    def start(self, timeout: float = 60.0) -> "TensorBoard":
        command = [
            sys.executable, "-m", "tensorboard.main",
            "--logdir", self.logdir,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--load_fast", self.load_fast,
        ] + self.extra_args
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}
        self._log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        # Not the repository's folder: `python -m` puts the working directory first on
        # sys.path, which would import the source tree instead of the installed package.
        self.proc = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=tempfile.gettempdir()
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("tensorboard exited with %s: %s" % (self.proc.returncode, self.log_tail()))
            if self.status("/data/plugins_listing") == 200:
                self.children = children_of(self.proc.pid)
                return self
            time.sleep(0.2)
        raise RuntimeError("tensorboard did not answer within %ss: %s" % (timeout, self.log_tail()))

    def status(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as err:
            return err.code
        except (urllib.error.URLError, OSError):
            return 0

    def get(self, path: str, timeout: float = 60) -> bytes:
        with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
            return response.read()

    def log_tail(self, limit: int = 3000) -> str:
        if not self.log_path or not os.path.exists(self.log_path):
            return "(no log)"
        with open(self.log_path, "rb") as handle:
            return handle.read()[-limit:].decode("utf-8", "replace")

    def stop(self) -> None:
        """Stops tensorboard by its PID, then checks that its children are gone too."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.children = sorted(set(self.children) | set(children_of(self.proc.pid)))
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        if self._log is not subprocess.DEVNULL:
            self._log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in self.children):
            time.sleep(0.1)
        self.stray = [pid for pid in self.children if alive(pid)]
        for pid in self.stray:  # started by our tensorboard: ours to end
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def __enter__(self) -> "TensorBoard":
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def launch_chromium(playwright, profile_dir, viewport=(1400, 900)):
    """A persistent context on a fresh profile: chromium refuses --user-data-dir in args."""
    shutil.rmtree(profile_dir, ignore_errors=True)
    return playwright.chromium.launch_persistent_context(
        str(profile_dir),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": viewport[0], "height": viewport[1]},
        locale="en-US",
    )
