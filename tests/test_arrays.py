"""`tb_lossdoc.diagnose_curves`: curves held in memory get the same per-run document as event files."""

from pathlib import Path

import numpy as np
import pytest

import tb_lossdoc
from tb_lossdoc.analysis import Analyzer
from tb_lossdoc.read.provider import open_logdir

DEMO_LOGS = Path(__file__).resolve().parent.parent / "demo_logs"
ROLES = ("train_loss", "val_loss", "lr", "train_acc", "val_acc")


@pytest.fixture(scope="module")
def demo():
    """Every demo run's document and the curves it was judged on, read once."""
    document = tb_lossdoc.diagnose(str(DEMO_LOGS), reader="python")
    analyzer = Analyzer()
    with open_logdir(str(DEMO_LOGS), reader="python") as opened:
        charts = {
            run["run"]: analyzer.curves(opened.provider, opened.ctx, "", run["run"], 2**31 - 1)["series"]
            for run in document["runs"]
        }
    return document, charts


def _as_arrays(chart: dict) -> dict:
    curves = {}
    for role in ROLES:
        if role in chart:
            points = chart[role]["points"]
            curves[role] = ([s for s, _ in points], [np.nan if v is None else v for _, v in points])
    return curves


def test_same_verdicts_as_the_command_on_every_demo_run(demo):
    document, charts = demo
    assert len(document["runs"]) > 30
    for run in document["runs"]:
        mine = tb_lossdoc.diagnose_curves(**_as_arrays(charts[run["run"]]))
        assert (mine["verdict"], mine["best_step"]) == (run["verdict"], run["best_step"]), run["run"]
        assert {f["code"] for f in mine["findings"]} == {f["code"] for f in run["findings"]}, run["run"]


def test_plain_sequences_are_indexed_from_zero():
    train = np.exp(-np.arange(40) / 8) + 0.1
    val = np.r_[np.exp(-np.arange(20) / 6) + 0.3, 0.3 + 0.03 * np.arange(1, 21)]
    run = tb_lossdoc.diagnose_curves(train_loss=train, val_loss=list(val))
    assert run["verdict"] == "overfitting"
    assert run["best_step"] == int(np.argmin(val))
    assert run["series"]["val_loss"]["points"] == 40


def test_per_step_training_against_per_epoch_validation():
    steps = np.arange(0, 2000, 10)
    train = np.exp(-steps / 400) + 0.05
    epochs = np.arange(0, 2000, 200)
    val = np.exp(-epochs / 400) + 0.1
    run = tb_lossdoc.diagnose_curves(train_loss=(steps, train), val_loss=(epochs, val))
    assert run["verdict"] in ("converged", "still_improving")
    assert run["best_step"] == int(epochs[-1])


def test_keras_history_and_trainer_log_history_shapes():
    history = {"loss": [2.3, 1.2, 0.8, 0.6, 0.5, 0.45, 0.41, 0.39, 0.38, 0.37],
               "val_loss": [2.2, 1.3, 0.9, 0.8, 0.85, 0.95, 1.1, 1.3, 1.5, 1.7]}
    run = tb_lossdoc.diagnose_curves(train_loss=history["loss"], val_loss=history["val_loss"])
    assert run["verdict"] == "overfitting" and run["best_step"] == 3
    log_history = [{"step": 10 * i, "loss": 2.0 / (1 + i)} for i in range(1, 30)]
    log_history += [{"step": 100 * i, "eval_loss": 1.0 / (1 + i) + 0.2} for i in range(1, 3)]
    train = ([h["step"] for h in log_history if "loss" in h], [h["loss"] for h in log_history if "loss" in h])
    evals = ([h["step"] for h in log_history if "eval_loss" in h], [h["eval_loss"] for h in log_history if "eval_loss" in h])
    assert tb_lossdoc.diagnose_curves(train_loss=train, val_loss=evals)["series"]["val_loss"]["points"] == 2


@pytest.mark.parametrize(
    "curves,message",
    [({}, "give train_loss"), ({"train_loss": ([0, 1], [1.0])}, "2 steps but 1 values"),
     ({"train_loss": ([0.5, 1.5], [1.0, 0.5])}, "not a whole number")],
)
def test_bad_arrays_get_a_clear_error(curves, message):
    with pytest.raises(ValueError, match=message):
        tb_lossdoc.diagnose_curves(**curves)
