"""Bad input gets a clear answer and nothing is lost: every run is in `runs` or `skipped`."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys

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


def test_duplicate_steps_after_a_restart(tmp_path):
    """Crash at step 300, resume from the checkpoint at step 200: the resumed values win."""
    steps, values = synthetic.decay(500)
    first = writers.points(steps[:300], values[:300] + 1.0)  # a worse first attempt
    writers.torch_scalars(str(tmp_path / "run"), {"loss": first})
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
