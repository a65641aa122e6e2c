"""Bad input gets a clear answer and nothing is lost: every run is in `runs` or `skipped`."""

from __future__ import annotations

import glob
import json
import os
import signal
import struct
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest
import writers

import tb_lossdoc
from tb_lossdoc.detect import synthetic

HEALTHY = writers.points(*synthetic.decay(60, every=5))


def _all_runs(document):
    return [r["run"] for r in document["runs"]] + [s["run"] for s in document["skipped"]]


def _event_file(run_dir):
    (path,) = glob.glob(os.path.join(run_dir, "events.out.tfevents.*"))
    return path


def test_empty_event_file_is_skipped_with_reason(tmp_path):
    writers.torch_scalars(str(tmp_path / "good"), {"loss": HEALTHY})
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "events.out.tfevents.1.host").write_bytes(b"")
    document = tb_lossdoc.diagnose(str(tmp_path))
    skipped = {s["run"]: s["reason"] for s in document["skipped"]}
    assert "empty event file" in skipped["empty"]
    assert [r["run"] for r in document["runs"]] == ["good"]


def test_corrupt_event_file_is_skipped_with_reason(tmp_path):
    writers.torch_scalars(str(tmp_path / "good"), {"loss": HEALTHY})
    (tmp_path / "garbage").mkdir()
    (tmp_path / "garbage" / "events.out.tfevents.1.host").write_bytes(np.random.default_rng(0).bytes(400))
    document = tb_lossdoc.diagnose(str(tmp_path))
    skipped = {s["run"]: s["reason"] for s in document["skipped"]}
    assert "corrupt" in skipped["garbage"] or "truncated" in skipped["garbage"]
    assert sorted(_all_runs(document)) == ["garbage", "good"]


def test_truncated_event_file_is_diagnosed_from_what_was_read_and_says_so(tmp_path):
    writers.torch_scalars(str(tmp_path / "cut"), {"loss": writers.points(*synthetic.decay(400))})
    path = _event_file(tmp_path / "cut")
    data = open(path, "rb").read()
    open(path, "wb").write(data[: len(data) * 2 // 3])
    (run,) = tb_lossdoc.diagnose(str(tmp_path))["runs"]
    assert 100 < run["series"]["train_loss"]["points"] < 400
    assert any("truncated" in note for note in run["notes"])


def test_one_point_and_all_nan_runs(tmp_path):
    writers.torch_scalars(str(tmp_path / "one"), {"loss": [(0, 2.3)]})
    writers.torch_scalars(str(tmp_path / "nan"), {"loss": [(s, float("nan")) for s in range(30)]})
    writers.torch_scalars(str(tmp_path / "inf"), {"loss": [(0, 2.0), (1, 1.5), (2, float("inf"))]})
    runs = {r["run"]: r for r in tb_lossdoc.diagnose(str(tmp_path))["runs"]}
    assert runs["one"]["verdict"] == "insufficient_data"
    assert runs["nan"]["verdict"] == "non_finite"
    assert runs["nan"]["findings"][0]["first_step"] == 0
    assert runs["inf"]["verdict"] == "non_finite"
    assert runs["inf"]["findings"][0]["evidence"]["first_bad_value"] == "inf"
    json.dumps(runs, allow_nan=False)  # the document stays valid JSON


def test_nan_gradients_behind_a_filtered_loss_are_non_finite(tmp_path):
    """The Hugging Face Trainer drops NaN step losses from the loss it logs: 0.0 beside a NaN grad_norm is a broken run."""
    steps, values = synthetic.decay(60)
    broken_from = 20
    loss = [(int(s), float(v) if i < broken_from else 0.0) for i, (s, v) in enumerate(zip(steps, values))]
    norms = [(int(s), 1.5 if i < broken_from else float("nan")) for i, s in enumerate(steps)]
    writers.torch_scalars(str(tmp_path / "broken"), {"train/loss": loss, "train/grad_norm": norms})
    # Mixed precision's loss scaler skips the odd step with an inf gradient and goes on: not broken.
    skipped = [(int(s), float("inf") if i in (3, 31) else 1.5) for i, s in enumerate(steps)]
    writers.torch_scalars(str(tmp_path / "amp"), {"train/loss": writers.points(steps, values), "train/grad_norm": skipped})
    runs = {r["run"]: r for r in tb_lossdoc.diagnose(str(tmp_path))["runs"]}
    assert runs["broken"]["verdict"] == "non_finite"
    evidence = runs["broken"]["findings"][0]["evidence"]
    assert (evidence["tag"], evidence["first_bad_step"]) == ("train/grad_norm", int(steps[broken_from]))
    assert "logging_nan_inf_filter" in runs["broken"]["findings"][0]["text"]["en"]["detail"]
    assert "non_finite" not in {f["code"] for f in runs["amp"]["findings"]}


def test_one_training_log_beside_many_evaluations_is_judged_by_validation(tmp_path):
    """A Trainer with a large logging_steps logs the training loss once but evaluates often: not insufficient_data."""
    steps, values = synthetic.decay(40)
    writers.torch_scalars(
        str(tmp_path / "run"),
        {"train/loss": [(390, 0.4)], "eval/loss": writers.points((s * 10 for s in steps), values)},
    )
    (run,) = tb_lossdoc.diagnose(str(tmp_path))["runs"]
    assert run["verdict"] == "converged"
    assert run["findings"][0]["evidence"]["tag"] == "eval/loss"


def test_duplicate_steps_after_a_restart(tmp_path):
    """Crash at step 300, resume from the checkpoint at step 200: the resumed values win."""
    steps, values = synthetic.decay(500)
    first = writers.points(steps[:300], values[:300] + 1.0)  # a worse first attempt
    writers.torch_scalars(str(tmp_path / "run"), {"loss": first})
    writers.next_second()
    writers.torch_scalars(str(tmp_path / "run"), {"loss": writers.points(steps[200:], values[200:])})
    (run,) = tb_lossdoc.diagnose(str(tmp_path))["runs"]
    assert run["series"]["train_loss"]["points"] == 500
    assert run["verdict"] == "converged"


@pytest.mark.parametrize(
    "name",
    ["with spaces", "ünïcödé/运行", "<img src=x onerror=alert(1)>", "quote'\"&amp;", "semi;colon|pipe"],
)
def test_hostile_run_names(tmp_path, name):
    writers.torch_scalars(str(tmp_path / name), {"loss": HEALTHY})
    document = tb_lossdoc.diagnose(str(tmp_path))
    assert _all_runs(document) == [name]
    result = subprocess.run(
        [sys.executable, "-m", "tb_lossdoc", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert name.split("/")[0] in result.stdout


def test_every_run_appears_once(tmp_path):
    writers.torch_scalars(str(tmp_path / "a"), {"loss": HEALTHY})
    writers.torch_scalars(str(tmp_path / "b"), {"accuracy": [(0, 0.1)]})
    writers.torch_add_scalars(str(tmp_path / "c"), "loss", {"train": HEALTHY, "val": HEALTHY})
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "events.out.tfevents.1.host").write_bytes(b"")
    names = _all_runs(tb_lossdoc.diagnose(str(tmp_path)))
    assert sorted(names) == ["a", "b", "c", "d"]


# --- Damaged files under both readers (the Rust data server and the Python multiplexer) ---

READERS = ("rust", "python")


def _masked_crc(data: bytes) -> int:
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    return masked_crc32c(data)


def _record(payload: bytes, length=None) -> bytes:
    """A record whose header and payload CRCs are both valid."""
    header = struct.pack("<Q", len(payload) if length is None else length)
    return header + struct.pack("<I", _masked_crc(header)) + payload + struct.pack("<I", _masked_crc(payload))


def _append(run_dir, data: bytes) -> None:
    with open(_event_file(run_dir), "ab") as handle:
        handle.write(data)


@pytest.fixture(scope="module")
def damaged_logdir(tmp_path_factory):
    """Twenty clean runs, one file with a 1 TiB header (valid CRC), one CRC-valid garbage record."""
    root = tmp_path_factory.mktemp("damaged")
    for index in range(20):
        writers.torch_scalars(str(root / f"clean{index:02d}"), {"loss": HEALTHY})
    writers.torch_scalars(str(root / "huge_header"), {"loss": HEALTHY})
    _append(root / "huge_header", _record(b"x" * 40, length=1 << 40))
    writers.torch_scalars(str(root / "garbage_record"), {"loss": HEALTHY})
    _append(root / "garbage_record", _record(b"\xff\xff not an event"))
    writers.torch_scalars(str(root / "garbage_record"), {"loss": HEALTHY})  # a second file after the bad one
    return root


@pytest.mark.parametrize("reader", READERS)
def test_two_damaged_files_cost_only_their_runs(damaged_logdir, reader):
    result = subprocess.run(
        [sys.executable, "-m", "tb_lossdoc", str(damaged_logdir), "--format", "json", "--reader", reader],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1) and result.stderr == ""
    document = json.loads(result.stdout)
    assert document["reader"] == reader
    runs = {r["run"]: r for r in document["runs"]}
    assert sorted(runs) == sorted([f"clean{i:02d}" for i in range(20)] + ["garbage_record", "huge_header"])
    assert all(runs[f"clean{i:02d}"]["verdict"] == "converged" for i in range(20))
    assert "corrupt record header" in " ".join(runs["huge_header"]["notes"])
    assert runs["huge_header"]["series"]["train_loss"]["points"] == len(HEALTHY)  # the good prefix is read
    assert "unreadable record" in " ".join(runs["garbage_record"]["notes"])


def test_missing_or_failing_data_server_falls_back_to_python(damaged_logdir, tmp_path):
    for binary in (str(tmp_path / "no-such-binary"), "/bin/false"):
        env = {**os.environ, "TENSORBOARD_DATA_SERVER_BINARY": binary}
        result = subprocess.run(
            [sys.executable, "-m", "tb_lossdoc", str(damaged_logdir), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )
        assert result.returncode in (0, 1)
        document = json.loads(result.stdout)
        assert document["reader"] == "python"
        assert len(document["runs"]) == 22
        assert "Python loader" in result.stderr  # one line saying why, no traceback
        assert "Traceback" not in result.stderr


def test_data_server_dying_mid_read_is_salvaged_and_never_left_running(damaged_logdir):
    from tb_lossdoc import api
    from tb_lossdoc.analysis import Options
    from tb_lossdoc.read.provider import open_logdir

    with open_logdir(str(damaged_logdir)) as opened:
        assert opened.reader == "rust"
        pid = opened._server.pid
        os.kill(pid, signal.SIGKILL)
        document = api.document_of(str(damaged_logdir), opened, Options(), "en")
    assert document["reader"] == "python"
    assert len(document["runs"]) == 22
    with open_logdir(str(damaged_logdir)) as opened:
        pid = opened._server.pid
        assert _alive(pid)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


HOSTILE = "evil\x1b[2J\x9b31m\u202eexe.txt\u2066"


def test_hostile_file_and_run_names_never_reach_the_terminal_raw(tmp_path):
    writers.torch_scalars(str(tmp_path / "ok"), {"loss": HEALTHY})
    (tmp_path / HOSTILE).mkdir()
    (tmp_path / HOSTILE / f"events.out.tfevents.{HOSTILE}").write_bytes(b"\x01\x02\x03")
    writers.torch_scalars(str(tmp_path / f"run{HOSTILE}"), {"loss": HEALTHY})
    table = subprocess.run([sys.executable, "-m", "tb_lossdoc", str(tmp_path)], capture_output=True, timeout=120)
    assert table.returncode == 0, table.stderr
    text = table.stdout.decode("utf-8")
    assert not [c for c in text if not c.isprintable() and c != "\n"], text
    assert "\\x1b[2J" in text and "\\u202e" in text
    raw = subprocess.run(
        [sys.executable, "-m", "tb_lossdoc", str(tmp_path), "--format", "json"], capture_output=True, timeout=120
    ).stdout.decode("utf-8")
    for char in ("\x1b", "\x9b", "\u202e", "\u2066"):
        assert char not in raw
    assert "\\u009b" in raw and "\\u202e" in raw
    document = json.loads(raw)
    assert sorted(_all_runs(document)) == sorted(["ok", HOSTILE, f"run{HOSTILE}"])  # lossless


@pytest.mark.parametrize("reader", READERS)
def test_steps_at_the_edges_of_int64_without_warnings(tmp_path, reader):
    steps, values = synthetic.decay(60, noise=0.05)
    top, bottom = (1 << 63) - 1, -(1 << 63)
    writers.torch_scalars(str(tmp_path / "high"), {"loss": [(top - (59 - i) * (1 << 56), float(v)) for i, v in enumerate(values)]})
    span_steps = [bottom + i * ((1 << 64) // 61) for i in range(len(values))]
    writers.torch_scalars(str(tmp_path / "span"), {"loss": list(zip(span_steps, map(float, values)))})
    writers.torch_scalars(str(tmp_path / "edges"), {"loss": [(bottom, float("nan")), (0, 1.0), (top, float("inf"))]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # TensorBoard's own ingester lets its port-file TemporaryDirectory be collected.
        warnings.simplefilter("ignore", ResourceWarning)
        document = tb_lossdoc.diagnose(str(tmp_path), reader=reader)
    runs = {r["run"]: r for r in document["runs"]}
    assert sorted(runs) == ["edges", "high", "span"]
    assert runs["high"]["findings"][0]["last_step"] == top
    for finding in runs["span"]["findings"]:  # no wrap-around: the steps stay ordered and in range
        assert span_steps[0] <= finding["first_step"] <= finding["last_step"] <= span_steps[-1]


@pytest.mark.parametrize("reader", READERS)
def test_a_fifo_named_like_an_event_file_does_not_hang_either_reader(tmp_path, reader):
    writers.torch_scalars(str(tmp_path / "good"), {"loss": HEALTHY})
    (tmp_path / "pipe").mkdir()
    os.mkfifo(tmp_path / "pipe" / "events.out.tfevents.1.host")
    result = subprocess.run(
        [sys.executable, "-m", "tb_lossdoc", str(tmp_path), "--format", "json", "--reader", reader],
        capture_output=True,
        text=True,
        timeout=120,
    )
    document = json.loads(result.stdout)
    assert [r["run"] for r in document["runs"]] == ["good"]
    assert "not a regular file" in document["skipped"][0]["reason"]


def test_a_record_failing_its_checksum(tmp_path):
    """TensorBoard's Python loader stops at such a record without a word: the document says so.
    The Rust server verifies a payload's checksum only when it fails to parse, so it reads the
    record (the tab shows the same)."""
    writers.torch_scalars(str(tmp_path / "good"), {"loss": HEALTHY})
    writers.torch_scalars(str(tmp_path / "flipped"), {"loss": writers.points(*synthetic.decay(100))})
    path = _event_file(tmp_path / "flipped")
    data = bytearray(open(path, "rb").read())
    offset = 0
    for _ in range(52):  # past the file version and about half the values
        offset += 16 + struct.unpack_from("<Q", data, offset)[0]
    data[offset + 14] ^= 0x10  # inside the payload, so its CRC no longer matches
    open(path, "wb").write(bytes(data))
    documents = {}
    for reader in READERS:  # fresh processes: this one has TensorFlow's record reader loaded
        result = subprocess.run(
            [sys.executable, "-m", "tb_lossdoc", str(tmp_path), "--format", "json", "--reader", reader],
            capture_output=True,
            text=True,
            timeout=120,
        )
        documents[reader] = {r["run"]: r for r in json.loads(result.stdout)["runs"]}
    python, rust = documents["python"], documents["rust"]
    assert python["good"]["notes"] == [] and rust["good"]["notes"] == []
    assert "checksum does not match" in " ".join(python["flipped"]["notes"])
    assert 40 <= python["flipped"]["series"]["train_loss"]["points"] < 100
    assert rust["flipped"]["series"]["train_loss"]["points"] == 100


def test_sigterm_stops_the_data_server_by_its_pid():
    demo_logs = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "demo_logs")
    command = subprocess.Popen(
        [sys.executable, "-m", "tb_lossdoc", demo_logs, "--format", "json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    children = []
    deadline = time.monotonic() + 60
    while not children and command.poll() is None and time.monotonic() < deadline:
        try:
            with open(f"/proc/{command.pid}/task/{command.pid}/children") as handle:
                children = [int(pid) for pid in handle.read().split()]
        except OSError:
            pass
        time.sleep(0.01)
    if not children:
        command.wait()
        pytest.skip("the command finished before its data server could be seen")
    command.send_signal(signal.SIGTERM)
    assert command.wait(timeout=60) == 128 + signal.SIGTERM
    assert command.stderr.read() == b""
    assert not any(_alive(pid) for pid in children)
