"""Step arithmetic at the edges of int64: exact where it is computed, on the API and the plugin path.

Steps are int64 and a log may use all of it. A span or a difference of two
steps near ±2^63 wraps in int64, so the detectors compute them as Python ints
(or float64 where only a ratio is used). The same curves must get the same
diagnosis wherever their steps sit, and nothing may raise or warn.
"""

from __future__ import annotations

import warnings
from typing import Dict, List
from urllib.parse import quote

import numpy as np
import pytest
import writers

with warnings.catch_warnings():
    # TensorBoard's WSGI app imports its vendored html5lib, which warns of its own deprecation.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"tensorboard\._vendor\.")
    from test_plugin_wsgi import ROUTE, Served, essentials

import tb_lossdoc
from tb_lossdoc.detect import synthetic
from tb_lossdoc.detect.detectors import DETECTORS
from tb_lossdoc.detect.detectors.base import RunCurves
from tb_lossdoc.detect.profile import Profile
from tb_lossdoc.read.series import Series

TOP, BOTTOM = (1 << 63) - 1, -(1 << 63)
# Step spacing of the ordinary runs the edge runs are compared with.
PLAIN_EVERY = 10
# Spacing of the edge runs: a power of two, so float64 holds their steps' differences exactly.
EDGE_EVERY = 1 << 40


def _shapes() -> Dict[str, Dict[str, np.ndarray]]:
    """Curves by shape, each role's values at step indices (validation every third index)."""
    _, collapse_loss, collapse_lr = synthetic.lr_collapse(90)
    return {
        "healthy": {"loss": synthetic.decay(120, noise=0.03)[1]},
        "overfit": {"train/loss": synthetic.decay(150, noise=0.02)[1], "val/loss": synthetic.u_shape(50)[1]},
        "diverging": {"loss": synthetic.rising(80)[1]},
        "spiky": {"loss": synthetic.with_spikes(synthetic.decay(200, noise=0.02), (70, 140), height=4.0)[1]},
        "lr_collapse": {"loss": collapse_loss, "lr": collapse_lr},
        "short": {"train/loss": synthetic.decay(6, noise=0.0)[1]},
    }


def _edge_steps(placement: str, n: int) -> np.ndarray:
    """n increasing int64 steps at an edge of int64: ending at its top, starting at its bottom, or spanning all of it."""
    index = np.arange(n, dtype=object)
    if placement == "top":
        steps = [TOP - (n - 1 - i) * EDGE_EVERY for i in index]
    elif placement == "bottom":
        steps = [BOTTOM + i * EDGE_EVERY for i in index]
    else:  # "whole": from -2^63 to 2^63 - 1
        steps = [BOTTOM + i * ((TOP - BOTTOM) // (n - 1)) for i in index]
    return np.array(steps, dtype=np.int64)


PLACEMENTS = ("top", "bottom", "whole")


def _run_length(roles: Dict[str, np.ndarray]) -> int:
    """Steps a run of these roles needs (validation is logged at every third)."""
    return max(v.size * (3 if tag.startswith("val") else 1) for tag, v in roles.items())


def _role_points(values: np.ndarray, steps: np.ndarray, tag: str) -> List[tuple]:
    """A role's points: validation is logged at every third step of the run."""
    if tag.startswith("val"):
        steps = steps[::3][: values.size]
    return writers.points(steps[: values.size], values)


@pytest.fixture(scope="module")
def edge_logdir(tmp_path_factory):
    """Each shape written by torch's SummaryWriter at ordinary steps and at each edge of int64."""
    root = tmp_path_factory.mktemp("int64_edges")
    steps_of = {}
    for shape, roles in _shapes().items():
        n = _run_length(roles)
        layouts = {"plain": np.arange(n, dtype=np.int64) * PLAIN_EVERY}
        layouts.update({p: _edge_steps(p, n) for p in PLACEMENTS})
        for layout, steps in layouts.items():
            name = f"{layout}_{shape}"
            writers.torch_scalars(str(root / name), {tag: _role_points(v, steps, tag) for tag, v in roles.items()})
            steps_of[name] = steps
    return root, steps_of


def _diagnose(path) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # TensorBoard's own ingester lets its port-file TemporaryDirectory be collected.
        warnings.simplefilter("ignore", ResourceWarning)
        return tb_lossdoc.diagnose(str(path))


def _assert_same_diagnosis_wherever_the_steps_sit(document: dict, steps_of: Dict[str, np.ndarray]) -> None:
    runs = {r["run"]: r for r in document["runs"]}
    assert sorted(runs) == sorted(steps_of) and document["skipped"] == []
    for shape in _shapes():
        plain = runs[f"plain_{shape}"]
        for placement in PLACEMENTS:
            name = f"{placement}_{shape}"
            run, steps = runs[name], steps_of[name]
            assert run["verdict"] == plain["verdict"], name
            assert [f["code"] for f in run["findings"]] == [f["code"] for f in plain["findings"]], name
            if plain["best_step"] is None:
                assert run["best_step"] is None, name
            else:
                assert run["best_step"] == int(steps[plain["best_step"] // PLAIN_EVERY]), name
            for finding in run["findings"]:  # no wrap-around: ordered, within the run's steps
                assert int(steps[0]) <= finding["first_step"] <= finding["last_step"] <= int(steps[-1]), (name, finding)


def test_same_diagnosis_at_the_edges_of_int64_through_the_api(edge_logdir):
    root, steps_of = edge_logdir
    document = _diagnose(root)
    _assert_same_diagnosis_wherever_the_steps_sit(document, steps_of)
    verdicts = {r["verdict"] for r in document["runs"]}
    assert len(verdicts) >= 4 and "insufficient_data" not in verdicts  # the shapes are judged, not refused


def test_same_diagnosis_at_the_edges_of_int64_through_the_plugin(edge_logdir):
    root, steps_of = edge_logdir
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        served = Served(root)
        document = served.json(ROUTE + "/diagnoses")
        details = {name: served.json(ROUTE + "/run?run=" + quote(name)) for name in steps_of}
        curves = {name: served.json(ROUTE + "/curves?run=" + quote(name)) for name in steps_of}
    _assert_same_diagnosis_wherever_the_steps_sit(document, steps_of)
    command = _diagnose(root)
    assert essentials(document) == essentials(command)
    for run in command["runs"]:
        assert details[run["run"]] == run
        points = curves[run["run"]]["series"]["train_loss"]["points"]
        assert [step for step, _ in points] == steps_of[run["run"]][: len(points)].tolist()  # every step exact


def _edge_curves(placement: str) -> List[RunCurves]:
    """Curves of every shape at one edge, with a learning rate that warms up and collapses."""
    result = []
    for roles in _shapes().values():
        n = _run_length(roles)
        steps = _edge_steps(placement, n)
        series = {tag: Series.from_points(*zip(*_role_points(v, steps, tag)), tag=tag) for tag, v in roles.items()}
        lr = np.where(np.arange(n) < n // 3, 1e-3, 1e-8)
        lr[:3] = (1e-5, 1e-4, 5e-4)
        result.append(
            RunCurves(
                train_loss=series.get("loss", series.get("train/loss")),
                val_loss=series.get("val/loss"),
                lr=series.get("lr", Series(steps, lr, tag="lr")),
            )
        )
    return result


@pytest.mark.parametrize("placement", PLACEMENTS)
def test_every_detector_computes_steps_without_overflow(placement):
    """Each detector on its own, outside the engine (whose errstate would hide a wrap), with overflow raising."""
    for curves in _edge_curves(placement):
        for detector in DETECTORS:
            with warnings.catch_warnings(), np.errstate(over="raise"):
                warnings.simplefilter("error")
                detector.detect(curves)


def test_span_and_fractions_of_a_run_over_all_of_int64():
    steps = _edge_steps("whole", 61)
    profile = Profile(Series(steps, synthetic.decay(61)[1]))
    assert profile.span == int(steps[-1]) - int(steps[0]) > TOP  # a Python int: no wrap to a negative span
    assert profile.fraction_step(0.0) == float(BOTTOM)
    assert profile.fraction_step(0.5) == pytest.approx(0.0, abs=2.0**12)
    assert profile.fraction_step(1.0) == pytest.approx(float(steps[-1]))


def test_a_trend_minimum_at_the_top_of_int64_is_a_step_of_the_run():
    """float64 rounds 2^63 - 1 up to 2^63: the minimum's step must still be one int64 holds."""
    n = 40
    steps = np.arange(TOP - n + 1, TOP + 1, dtype=np.int64)
    profile = Profile(Series(steps, np.linspace(2.0, 0.1, n)))
    assert profile.trend_min_step == TOP


def test_epoch_numbered_validation_beside_training_at_the_top_of_int64(tmp_path):
    """Validation logged per epoch is placed at each epoch's end on the training axis; float64 rounds
    the last one, training's last step 2^63 - 1, up past int64."""
    steps = _edge_steps("top", 100)
    epochs = [1.0, 0.8, 0.7, 0.75, 0.9]
    writers.torch_scalars(
        str(tmp_path / "run"),
        {"train/loss": writers.points(steps, synthetic.decay(100)[1]), "val/loss": list(zip(range(1, 6), epochs))},
    )
    (run,) = _diagnose(tmp_path)["runs"]
    assert run["best_step"] == pytest.approx(3 / 5 * TOP, rel=1e-12)  # the end of epoch 3, the best one
    for finding in run["findings"]:
        assert 0 < finding["first_step"] <= finding["last_step"] <= TOP, finding
    assert max(f["last_step"] for f in run["findings"]) == TOP  # the last epoch ends with training
