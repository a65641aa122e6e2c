"""A fixed-seed fuzz of damaged event files, through both readers of the command.

Each mutant is its own run next to clean runs. Whatever the damage, the
command must finish without a traceback, a hang or a word on stderr, with
exit status 0 or 1, every run in `runs` or `skipped`, every clean run
diagnosed, and a reason for each damage it can see.
"""

from __future__ import annotations

import glob
import json
import os
import struct
import subprocess
import sys

import numpy as np
import pytest
import writers

from tb_lossdoc.detect import synthetic

SEED = 20261202
MUTANTS = 120
CLEAN_RUNS = 4
HUGE_LENGTHS = (1 << 32, 1 << 40, (1 << 63) - 1, (1 << 64) - 1)
EXTREME_STEPS = (-(1 << 63), (1 << 63) - 1, -1, 0)
EXTREME_VALUES = (float("nan"), float("inf"), float("-inf"), 3.4e38)


def _masked_crc(data: bytes) -> int:
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    return masked_crc32c(data)


def _frame(payload: bytes, length: int = None) -> bytes:
    """One record: length, CRC of the length, payload, CRC of the payload (all CRCs valid)."""
    header = struct.pack("<Q", len(payload) if length is None else length)
    return header + struct.pack("<I", _masked_crc(header)) + payload + struct.pack("<I", _masked_crc(payload))


def _records(data: bytes):
    """Split an event file into its framed records; whatever does not frame is one last chunk."""
    records, offset = [], 0
    while offset + 16 <= len(data):
        (length,) = struct.unpack_from("<Q", data, offset)
        if offset + 16 + length > len(data):
            break
        records.append(data[offset : offset + 16 + length])
        offset += 16 + length
    return records + ([data[offset:]] if offset < len(data) else [])


def _extreme_event(rng) -> bytes:
    """A valid Event at a step at the edge of int64 with a NaN/Inf/huge value."""
    from tensorboard.compat.proto import event_pb2, summary_pb2

    step = EXTREME_STEPS[int(rng.integers(len(EXTREME_STEPS)))]
    value = EXTREME_VALUES[int(rng.integers(len(EXTREME_VALUES)))]
    summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="loss", simple_value=value)])
    return event_pb2.Event(wall_time=1e9, step=step, summary=summary).SerializeToString()


def _mutate(data: bytes, kind: str, rng):
    """The mutated file, and whether the damage is one every reader must report."""
    records = _records(data)
    cut = int(rng.integers(1, max(2, len(records))))
    head, tail = b"".join(records[:cut]), b"".join(records[cut:])
    if kind == "flip":
        raw = bytearray(data)
        for position in rng.integers(0, len(raw), size=int(rng.integers(1, 9))):
            raw[position] ^= 1 << int(rng.integers(0, 8))
        return bytes(raw), False
    if kind == "truncate":
        size = int(rng.integers(1, len(data)))
        boundaries = set(np.cumsum([len(r) for r in records]).tolist())
        return data[:size], size not in boundaries
    if kind == "duplicate":
        first = int(rng.integers(0, len(records)))
        last = int(rng.integers(first + 1, len(records) + 1))
        return b"".join(records[:last] + records[first:last] + records[last:]), False
    if kind == "zero_tail":
        zeros = int(rng.integers(1, 80))
        return (data + bytes(zeros) if rng.random() < 0.5 else data[:-zeros] + bytes(zeros)), False
    if kind == "huge":
        length = HUGE_LENGTHS[int(rng.integers(len(HUGE_LENGTHS)))]
        return head + _frame(rng.bytes(int(rng.integers(0, 64))), length=length) + tail, True
    if kind == "garbage":
        payload = b"\xff\xff" + rng.bytes(int(rng.integers(0, 200)))  # wire type 7: never a valid proto
        return head + _frame(payload) + tail, True
    if kind == "extreme":
        return head + b"".join(_frame(_extreme_event(rng)) for _ in range(int(rng.integers(1, 5)))) + tail, False
    raise ValueError(kind)


KINDS = ("flip", "truncate", "duplicate", "zero_tail", "huge", "garbage", "extreme")


@pytest.fixture(scope="module")
def fuzz_logdir(tmp_path_factory):
    """CLEAN_RUNS clean runs and MUTANTS damaged ones, from files written by real writers."""
    root = tmp_path_factory.mktemp("fuzz")
    bases = []
    steps, values = synthetic.decay(120, noise=0.05)
    val_steps, val = synthetic.u_shape(24, every=5)
    series = {"train_loss": writers.points(steps, values), "val_loss": writers.points(val_steps, val)}
    writers.torch_scalars(str(root / "base_torch"), series)
    writers.tbx_scalars(str(root / "base_tbx"), series)
    extreme = series["train_loss"][:40] + [(-(1 << 63), float("nan")), ((1 << 63) - 1, float("inf"))]
    writers.torch_scalars(str(root / "base_extreme"), {"loss": extreme})
    for name in ("base_torch", "base_tbx", "base_extreme"):
        (path,) = glob.glob(str(root / name / "*tfevents*"))
        with open(path, "rb") as handle:
            bases.append(handle.read())
    clean = [name for name in ("base_torch", "base_tbx")]
    for index in range(CLEAN_RUNS - len(clean)):
        writers.torch_scalars(str(root / f"clean{index}"), series)
        clean.append(f"clean{index}")
    rng = np.random.default_rng(SEED)
    must_report = {}
    for index in range(MUTANTS):
        kind = KINDS[index % len(KINDS)]
        data, reportable = _mutate(bases[int(rng.integers(0, len(bases)))], kind, rng)
        if rng.random() < 0.2:  # a second damage on top, which may hide or undo the first
            data, _ = _mutate(data, ("flip", "zero_tail", "extreme")[int(rng.integers(3))], rng)
            reportable = False
        name = f"m{index:03d}_{kind}"
        os.makedirs(root / name)
        (root / name / f"events.out.tfevents.{index}.fuzz").write_bytes(data)
        must_report[name] = reportable
    return root, clean, must_report


@pytest.mark.parametrize("reader", ["rust", "python"])
def test_fuzzed_logdir(fuzz_logdir, reader):
    root, clean, must_report = fuzz_logdir
    result = subprocess.run(
        [sys.executable, "-m", "tb_lossdoc", str(root), "--format", "json", "--reader", reader],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stderr == ""
    assert result.returncode in (0, 1)
    document = json.loads(result.stdout)
    assert document["reader"] == reader
    diagnosed = {run["run"]: run for run in document["runs"]}
    skipped = {skip["run"]: skip for skip in document["skipped"]}
    names = [r["run"] for r in document["runs"]] + [s["run"] for s in document["skipped"]]
    expected = sorted(["base_extreme", *clean, *must_report])
    assert sorted(names) == expected  # every run once, none missing
    for name in clean:
        assert diagnosed[name]["verdict"] not in ("insufficient_data",), name
        assert diagnosed[name]["notes"] == [], name
    for name, reportable in must_report.items():
        if not reportable:
            continue
        reason = " ".join(diagnosed[name]["notes"]) if name in diagnosed else skipped[name]["reason"]
        assert reason.strip(), name
    json.dumps(document, allow_nan=False)
