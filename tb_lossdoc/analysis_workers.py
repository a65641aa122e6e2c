"""Build many runs' results at once on every core: worker processes take chunks from the front, the caller from the back.

Diagnosing a run is ~1 ms of small NumPy operations that hold the GIL, so only
processes spread it. Workers are fresh interpreters (`python -c`, importing the
same `tb_lossdoc` as this process) fed pickled chunks over their stdin, never
forks of a process whose gRPC threads run. They start on the first large batch
and then wait on their pipe; they exit when it closes (this process ended).

Nothing a worker answers can differ from building in this process: a chunk whose
worker failed, raised or warned is built again here, so its exception or
warning reaches the caller exactly as without workers.
"""

from __future__ import annotations

import collections
import os
import pickle
import subprocess
import sys
import threading
import warnings
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .read.curves import TrainingRun
from .read.series import Series

# Below this many runs a batch is built in this process alone: starting workers costs more.
MIN_RUNS = 64
CHUNK_RUNS = 32
# The workers start on this share of the runs (at least two chunks each) while the rest is read.
LEAD_SHARE = 8
_PROTOCOL = pickle.HIGHEST_PROTOCOL
_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_WORKER_CODE = "import sys; sys.path.insert(0, %r); from tb_lossdoc.analysis_workers import serve; serve()"

Read = Dict[Tuple[str, str], Series]
# Reads the series of some runs.
Reader = Callable[[Sequence[TrainingRun]], Read]
Chunk = Tuple[List[TrainingRun], Read, int, dict]


def build_chunk(chunk: Chunk) -> List[dict]:
    """`build_run_result` of each run of a chunk, under the caller's NumPy error settings."""
    from .run_entry import build_run_result

    training_runs, series, sample_limit, errstate = chunk
    with np.errstate(**errstate):
        return [build_run_result(t, series, sample_limit) for t in training_runs]


def serve() -> None:
    """A worker's loop: a pickled chunk in on stdin, `(True, results)` out on stdout, or `(False, why)`."""
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed by accident may corrupt the answers
    while True:
        try:
            chunk = pickle.load(stdin)
        except EOFError:
            return
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                results = build_chunk(chunk)
            answer = (False, "warned") if caught else (True, results)
        except Exception as error:  # built again by the caller, where it raises for real
            answer = (False, repr(error))
        pickle.dump(answer, stdout, protocol=_PROTOCOL)
        stdout.flush()


class _Worker:
    """One worker process and its pipe."""

    def __init__(self):
        self._process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_CODE % _PACKAGE_PARENT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def build(self, chunk: Chunk) -> Optional[List[dict]]:
        """The chunk's results, or None if the worker failed, raised or warned (it is then stopped)."""
        try:
            pickle.dump(chunk, self._process.stdin, protocol=_PROTOCOL)
            self._process.stdin.flush()
            done, results = pickle.load(self._process.stdout)
        except Exception:  # a dead or garbled worker
            self.close()
            return None
        return results if done else None

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            try:
                pipe.close()
            except OSError:
                pass


class AnalysisWorkers:
    """Worker processes (one per core but the caller's) that build run results in chunks, beside the caller."""

    def __init__(self, count: Optional[int] = None):
        self._count = max(0, _cores() - 1) if count is None else count
        self._workers: List[_Worker] = []
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        """How many worker processes run beside the caller during a large batch."""
        return self._count

    @property
    def running(self) -> int:
        """How many worker processes are alive now."""
        return len(self.pids)

    @property
    def pids(self) -> List[int]:
        """The process ids of the live workers."""
        with self._lock:
            return [w.pid for w in self._workers if w.alive]

    def build(self, training_runs: Sequence[TrainingRun], read: Reader, sample_limit: int) -> List[dict]:
        """`build_run_result` of every run, in order, built across the workers and this thread.

        `read(runs)` gives the series of some runs. With workers, the first runs'
        series are read first, so the workers build them while this thread reads the rest.
        """
        errstate = np.geterr()
        if self._count == 0 or len(training_runs) < MIN_RUNS:
            return build_chunk((list(training_runs), read(training_runs), sample_limit, errstate))
        with self._lock:
            workers = self._started()
            chunks = [list(training_runs[i : i + CHUNK_RUNS]) for i in range(0, len(training_runs), CHUNK_RUNS)]
            first = max(2 * len(workers), len(chunks) // LEAD_SHARE)
            results: List[Optional[List[dict]]] = [None] * len(chunks)
            parts = [read([t for chunk in chunks[:first] for t in chunk])]
            waiting = collections.deque(range(min(first, len(chunks))))
            all_waiting = threading.Event()

            def series_of(index: int) -> Read:
                return parts[0] if index < first else parts[1]

            def chunk_of(index: int) -> Chunk:
                runs, series = chunks[index], series_of(index)
                wanted = sorted({(ref.run, ref.tag) for t in runs for ref in t.refs})
                return (runs, {key: series[key] for key in wanted if key in series}, sample_limit, errstate)

            def feed(worker: _Worker) -> None:
                while worker.alive:
                    try:
                        index = waiting.popleft()
                    except IndexError:
                        if all_waiting.is_set() and not waiting:
                            return
                        all_waiting.wait()
                        continue
                    results[index] = worker.build(chunk_of(index))

            feeders = [threading.Thread(target=feed, args=(w,), daemon=True) for w in workers]
            for feeder in feeders:
                feeder.start()
            try:
                parts.append(read([t for chunk in chunks[first:] for t in chunk]) if first < len(chunks) else {})
                waiting.extend(range(first, len(chunks)))
                all_waiting.set()
                while True:
                    try:
                        index = waiting.pop()
                    except IndexError:
                        break
                    results[index] = build_chunk((chunks[index], series_of(index), sample_limit, errstate))
            finally:  # after an error here, each worker finishes its chunk and takes no other
                waiting.clear()
                all_waiting.set()
                for feeder in feeders:
                    feeder.join()
            # What a worker could not build (it failed, raised or warned) is built here.
            built = [
                part if part is not None else build_chunk((chunks[i], series_of(i), sample_limit, errstate))
                for i, part in enumerate(results)
            ]
        return [result for part in built for result in part]

    def _started(self) -> List[_Worker]:
        """The live workers, started (again) up to the count."""
        self._workers = [w for w in self._workers if w.alive]
        while len(self._workers) < self._count:
            try:
                self._workers.append(_Worker())
            except OSError:  # no process to be had now: this thread builds what is left
                break
        return self._workers

    def close(self) -> None:
        """Stop every worker."""
        with self._lock:
            for worker in self._workers:
                worker.close()
            self._workers = []


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1
