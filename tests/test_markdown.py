"""`--format markdown`: a GitHub-flavoured report whose untrusted names cannot break out."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import writers

from tb_lossdoc.detect import synthetic
from tb_lossdoc.report.markdown import code_span, prose

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = [
    "pipe|in|name",
    "tick`s``",
    "<img src=x onerror=alert(1)>",
    "@octocat",
    "[link](javascript:alert(1))",
    "# heading",
]
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "tb_lossdoc", *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def hostile_logdir(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    steps, train = synthetic.decay(300, noise=0.1)
    val_steps, val = synthetic.u_shape(every=5)
    for name in HOSTILE:
        series = {"Loss/train": writers.points(steps, train), "Loss/validation": writers.points(val_steps, val)}
        writers.torch_scalars(str(root / name), series)
    return root


def _table_rows(text):
    return [line for line in text.splitlines() if line.startswith("| ")]


def test_every_run_is_one_four_cell_row(hostile_logdir):
    result = run_cli(hostile_logdir, "--format", "markdown")
    assert result.returncode == 0, result.stderr
    rows = _table_rows(result.stdout)
    assert len(rows) == 1 + len(HOSTILE)  # the header, then one row per run
    for row in rows:
        assert len(UNESCAPED_PIPE.split(row.strip())) == 6, row  # 4 cells between 5 pipes


def test_untrusted_names_stay_inert(hostile_logdir):
    text = run_cli(hostile_logdir, "--format", "markdown").stdout
    outside_code = re.sub(r"(`+) .*? \1|(`+)[^`]*?\2", "", text)
    assert "<img" not in outside_code
    assert "@octocat" not in outside_code
    assert "](javascript" not in outside_code
    for name in HOSTILE:
        assert code_span(name) in text


def test_prose_escapes_markup_and_mentions():
    assert prose("a|b") == "a\\|b"
    assert prose("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert "@octocat" not in prose("ping @octocat")
    assert prose("# not a heading").startswith("\\#")
    assert "\n" not in prose("line\nbreak")
    assert prose("2.303 = ln 10 (a guess)") == "2.303 = ln 10 (a guess)"


def test_code_span_holds_backticks():
    assert code_span("a`b") == "``a`b``"
    assert code_span("`x`") == "`` `x` ``"


def test_problem_runs_come_with_their_actions(hostile_logdir):
    text = run_cli(hostile_logdir, "--format", "markdown", "--lang", "zh").stdout
    assert "需要关注的发现" in text
    assert text.count("\n- ") >= len(HOSTILE)  # every overfitting run lists what to try


def test_committed_demo_report_is_current():
    """docs/demo-report.md is what the command prints on demo_logs/ (regenerate it when it changes)."""
    result = run_cli(ROOT / "demo_logs", "--format", "markdown")
    assert result.stdout == (ROOT / "docs" / "demo-report.md").read_text(encoding="utf-8")
