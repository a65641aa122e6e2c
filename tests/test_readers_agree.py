"""The Rust data server and TensorBoard's Python multiplexer give the command the same series.

Where TensorBoard's two loaders themselves disagree (a restart without
`purge_step`), the command follows the Rust server, which the tab uses by
default; the raw behaviour of both loaders is pinned here too.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import writers

import tb_lossdoc
from tb_lossdoc.read.provider import PYTHON, RUST, open_logdir, read_series
from tb_lossdoc.read.provider import SCALARS_PLUGIN

DEMO_LOGS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "demo_logs")


def _every_series(logdir: str, reader: str):
    """(run, tag) → Series for every scalar series, through the named reader; and the reader used."""
    with open_logdir(logdir, reader=reader) as opened:
        listing = opened.provider.list_scalars(opened.ctx, experiment_id="", plugin_name=SCALARS_PLUGIN)
        wanted = [(run, tag) for run, tags in listing.items() for tag in tags]
        return read_series(opened.provider, opened.ctx, "", wanted, 2**31 - 1), opened.reader


def _raw_steps(logdir: str, reader: str, run: str, tag: str):
    """Steps exactly as TensorBoard's loader returns them, before LossDoc's cleaning."""
    with open_logdir(logdir, reader=reader) as opened:
        data = opened.provider.read_scalars(
            opened.ctx, experiment_id="", plugin_name=SCALARS_PLUGIN, downsample=2**31 - 1
        )
        return [p.step for p in data[run][tag]]


def test_both_readers_give_the_same_series_on_demo_logs():
    rust, used_rust = _every_series(DEMO_LOGS, RUST)
    python, used_python = _every_series(DEMO_LOGS, PYTHON)
    assert (used_rust, used_python) == (RUST, PYTHON)
    assert len(rust) > 50 and sorted(rust) == sorted(python)
    for key, series in rust.items():
        other = python[key]
        np.testing.assert_array_equal(series.steps, other.steps, err_msg=str(key))
        # The Rust server keeps values as f32, like the event files; so does the multiplexer.
        np.testing.assert_array_equal(series.values, other.values, err_msg=str(key))


def test_both_readers_give_the_same_document_on_demo_logs():
    rust = tb_lossdoc.diagnose(DEMO_LOGS, reader=RUST)
    python = tb_lossdoc.diagnose(DEMO_LOGS, reader=PYTHON)
    assert (rust.pop("reader"), python.pop("reader")) == (RUST, PYTHON)
    assert rust == python


def _restart(logdir: str, purge_step) -> None:
    """A crash at step 299, a resume from the step-200 checkpoint that stops at step 250.

    torch's `purge_step` makes the resumed writer log a SessionLog START.
    """
    from torch.utils.tensorboard import SummaryWriter

    writers.torch_scalars(logdir, {"loss": [(s, 2.0) for s in range(300)]})
    writers.next_second()
    writer = SummaryWriter(logdir, purge_step=purge_step)
    for step in range(200, 251):
        writer.add_scalar("loss", 1.0, step)
    writer.close()


@pytest.mark.parametrize("purge_step", [None, 200])
def test_restart_raw_loaders_disagree(tmp_path, purge_step):
    """Pinned: the Rust server drops steps >= the lower new step; the Python loader keeps the
    orphaned steps (it purges only on a SessionLog START when the first session wrote one too)."""
    _restart(str(tmp_path / "run"), purge_step)
    rust = _raw_steps(str(tmp_path), RUST, "run", "loss")
    python = _raw_steps(str(tmp_path), PYTHON, "run", "loss")
    assert rust == list(range(251))
    assert python == list(range(300)) + list(range(200, 251))


@pytest.mark.parametrize("purge_step", [None, 200])
def test_restart_command_follows_rust(tmp_path, purge_step):
    _restart(str(tmp_path / "run"), purge_step)
    for reader in (RUST, PYTHON):
        series, _ = _every_series(str(tmp_path), reader)
        loss = series[("run", "loss")]
        assert list(loss.steps) == list(range(251)), reader
        assert set(loss.values[:200]) == {2.0} and set(loss.values[200:]) == {1.0}, reader


def test_both_sessions_with_purge_step_both_loaders_purge(tmp_path):
    """When the first session wrote a SessionLog START too, the Python loader purges like Rust."""
    from torch.utils.tensorboard import SummaryWriter

    for first, last, value in ((0, 300, 2.0), (200, 251, 1.0)):
        writers.next_second()
        writer = SummaryWriter(str(tmp_path / "run"), purge_step=first)
        for step in range(first, last):
            writer.add_scalar("loss", value, step)
        writer.close()
    for reader in (RUST, PYTHON):
        assert _raw_steps(str(tmp_path), reader, "run", "loss") == list(range(251)), reader


def test_nested_add_scalars_runs_agree(tmp_path):
    """tensorboardX's nested `add_scalars` runs (demo_logs/ covers Keras tensor summaries)."""
    train = [(s, 1.0 / (s + 1)) for s in range(40)]
    writers.tbx_add_scalars(str(tmp_path / "exp"), "loss", {"train": train, "val": [(s, 2.0) for s in range(40)]})
    rust, _ = _every_series(str(tmp_path), RUST)
    python, _ = _every_series(str(tmp_path), PYTHON)
    assert sorted(rust) == sorted(python) == [("exp/loss/train", "loss"), ("exp/loss/val", "loss")]
    for key in rust:
        np.testing.assert_array_equal(rust[key].values, python[key].values)
        np.testing.assert_array_equal(rust[key].steps, python[key].steps)


def test_a_data_server_that_logs_no_load_cycles_is_read_once_its_listing_settles(monkeypatch):
    """RUST_LOG=warn silences the server's "Finished load cycle": the listing decides instead."""
    monkeypatch.setenv("RUST_LOG", "warn")
    quiet, used = _every_series(DEMO_LOGS, RUST)
    monkeypatch.delenv("RUST_LOG")
    logged, _ = _every_series(DEMO_LOGS, RUST)
    assert used == RUST and sorted(quiet) == sorted(logged)
    assert all(np.array_equal(quiet[key].values, logged[key].values, equal_nan=True) for key in logged)
