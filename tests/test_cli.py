"""The `tb-lossdoc` command: table, JSON, exit codes, clear errors, no heavy imports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import writers

from tb_lossdoc.detect import synthetic


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "tb_lossdoc", *map(str, args)], capture_output=True, text=True, timeout=120, env=env
    )


@pytest.fixture(scope="module")
def logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("logs")
    steps, train = synthetic.decay(300, noise=0.1)
    val_steps, val = synthetic.u_shape(every=5)
    writers.torch_scalars(str(root / "overfit"), {"Loss/train": writers.points(steps, train), "Loss/validation": writers.points(val_steps, val)})
    writers.torch_scalars(str(root / "healthy"), {"loss": writers.points(*synthetic.decay(300, noise=0.1))})
    writers.torch_scalars(str(root / "nothing"), {"accuracy": [(0, 0.5)]})
    return root


def test_table_has_one_line_per_run(logdir):
    result = run_cli(logdir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].split()[:2] == ["run", "verdict"]
    assert any(l.startswith("overfit ") and "overfitting" in l for l in lines)
    assert any(l.startswith("healthy ") and "converged" in l for l in lines)
    assert any(l.startswith("nothing ") and "no loss-like scalar" in l for l in lines)
    assert "\033[" not in result.stdout  # no colour when not a terminal


def test_json_follows_the_contract(logdir):
    result = run_cli(logdir, "--format", "json")
    document = json.loads(result.stdout)
    assert document["version"] == 1
    run = next(r for r in document["runs"] if r["run"] == "overfit")
    assert run["verdict"] == "overfitting" and run["severity"] == "warning"
    assert isinstance(run["best_step"], int)
    finding = run["findings"][0]
    assert {"code", "severity", "first_step", "last_step", "title", "detail", "actions", "evidence"} <= set(finding)
    assert finding["text"]["zh"]["title"] != finding["text"]["en"]["title"]
    assert document["skipped"][0]["run"] == "nothing"


def test_chinese_table(logdir):
    result = run_cli(logdir, "--lang", "zh")
    assert "过拟合" in result.stdout


@pytest.mark.parametrize(
    "fail_on,code",
    [("", 0), ("any", 1), ("overfitting", 1), ("divergence,non_finite", 0), ("converged", 1), ("skipped", 1), ("empty", 0)],
)
def test_fail_on_gates_the_exit_code(logdir, fail_on, code):
    assert run_cli(logdir, "--fail-on", fail_on).returncode == code


@pytest.fixture(scope="module")
def broken_logging(tmp_path_factory):
    """A logdir whose only event file is empty: logging broke, nothing can be diagnosed."""
    root = tmp_path_factory.mktemp("broken")
    (root / "run").mkdir()
    (root / "run" / "events.out.tfevents.1700000000.host.1.0").write_bytes(b"")
    return root


@pytest.mark.parametrize("fail_on,code", [("", 0), ("any", 1), ("empty", 1), ("skipped", 1), ("overfitting", 0)])
def test_fail_on_catches_broken_logging(broken_logging, fail_on, code):
    result = run_cli(broken_logging, "--fail-on", fail_on)
    assert result.returncode == code, result.stderr
    assert "run" in result.stdout


def test_help_lists_every_code_and_the_exit_statuses():
    from tb_lossdoc.detect.detectors import CODES

    text = run_cli("--help").stdout
    for word in (*CODES, "insufficient_data", "skipped", "empty", "any"):
        assert word in text
    assert "exit status" in text and "  1  " in text and "  2  " in text


def test_table_shows_a_truncated_files_note(tmp_path):
    steps, values = synthetic.decay(300, noise=0.1)
    writers.torch_scalars(str(tmp_path / "cut"), {"loss": writers.points(steps, values)})
    (event_file,) = (tmp_path / "cut").iterdir()
    data = event_file.read_bytes()
    event_file.write_bytes(data[: len(data) - 7])
    result = run_cli(tmp_path)
    (line,) = [l for l in result.stdout.splitlines() if l.startswith("cut ")]
    assert "file problem" in line and "truncated" in line


@pytest.mark.parametrize(
    "args,message",
    [
        (["/no/such/logdir"], "not found: /no/such/logdir"),
        (["{empty}"], "no TensorBoard event files"),
        (["{logdir}", "--fail-on", "bogus"], "unknown code"),
        (["{logdir}", "--train-loss-tag", "("], "not a valid regular expression"),
    ],
)
def test_errors_are_one_clear_line(tmp_path, logdir, args, message):
    args = [a.format(empty=tmp_path, logdir=logdir) for a in args]
    result = run_cli(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_console_script_is_the_same_command(logdir):
    script = shutil.which("tb-lossdoc", path=os.path.dirname(sys.executable))
    assert script is not None
    assert subprocess.run([script, str(logdir), "--format", "json"], capture_output=True, text=True).stdout == run_cli(logdir, "--format", "json").stdout


def test_engine_imports_neither_tensorflow_nor_torch(logdir):
    code = (
        "import sys, tb_lossdoc, tb_lossdoc.cli; tb_lossdoc.diagnose(sys.argv[1]); "
        "print(sorted(m for m in ('tensorflow', 'torch', 'keras') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(logdir)], capture_output=True, text=True, timeout=120)
    assert result.stdout.strip() == "[]", result.stderr


def test_the_library_leaves_tensorflow_usable_in_the_callers_process():
    """Only the command stubs TensorFlow out; a notebook that diagnoses, then trains with Keras, must still work."""
    demo = os.path.join(os.path.dirname(__file__), "..", "demo_logs", "keras", "converged_digits")
    code = (
        "import sys, tb_lossdoc; "
        f"tb_lossdoc.diagnose({demo!r}, reader='python'); "
        "print('tensorboard.compat.notf' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.stdout.strip() == "False", result.stderr
