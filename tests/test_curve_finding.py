"""Curves are found for every writer convention of DESIGN.md §5, from real event files."""

from __future__ import annotations


import writers

import tb_lossdoc
from tb_lossdoc.detect import synthetic

TRAIN = writers.points(*synthetic.decay(100, every=10))
VAL = writers.points(*synthetic.decay(10, start=2.2, floor=0.2, every=100))


def _runs(logdir):
    document = tb_lossdoc.diagnose(str(logdir))
    return {r["run"]: r for r in document["runs"]}, document["skipped"]


def _used(run, role):
    return (run["series"][role]["run"], run["series"][role]["tag"])


def test_torch_loss_train_and_validation_tags(tmp_path):
    writers.torch_scalars(str(tmp_path / "exp"), {"Loss/train": TRAIN, "Loss/validation": VAL, "Loss/test": VAL, "lr": [(0, 0.1), (990, 0.1)]})
    runs, skipped = _runs(tmp_path)
    run = runs["exp"]
    assert _used(run, "train_loss") == ("exp", "Loss/train")
    assert _used(run, "val_loss") == ("exp", "Loss/validation")  # validation wins over test
    assert _used(run, "lr") == ("exp", "lr")
    assert run["series"]["train_loss"]["points"] == len(TRAIN)
    assert skipped == []


def test_torch_add_scalars_sibling_runs(tmp_path):
    writers.torch_add_scalars(str(tmp_path / "exp"), "loss", {"train": TRAIN, "val": VAL})
    runs, skipped = _runs(tmp_path)
    assert set(runs) == {"exp"}
    assert _used(runs["exp"], "train_loss") == ("exp/loss_train", "loss")
    assert _used(runs["exp"], "val_loss") == ("exp/loss_val", "loss")
    assert skipped == []  # the parent writer's own (empty) run belongs to the training run


def test_tensorboardx_add_scalars_nested_runs(tmp_path):
    writers.tbx_add_scalars(str(tmp_path / "exp"), "loss", {"train": TRAIN, "valid": VAL})
    runs, _ = _runs(tmp_path)
    assert set(runs) == {"exp"}
    assert _used(runs["exp"], "train_loss") == ("exp/loss/train", "loss")
    assert _used(runs["exp"], "val_loss") == ("exp/loss/valid", "loss")


def test_tensorboardx_plain_tags(tmp_path):
    writers.tbx_scalars(str(tmp_path / "exp"), {"train_loss": TRAIN, "val_loss": VAL})
    runs, _ = _runs(tmp_path)
    assert _used(runs["exp"], "train_loss") == ("exp", "train_loss")
    assert _used(runs["exp"], "val_loss") == ("exp", "val_loss")


def test_lightning_names_prefer_step_loss(tmp_path):
    epoch_points = TRAIN[9::10]
    writers.torch_scalars(
        str(tmp_path / "lightning_logs" / "version_0"),
        {"train_loss_step": TRAIN, "train_loss_epoch": epoch_points, "val_loss": VAL, "epoch": [(s, s // 100) for s, _ in TRAIN], "lr-Adam": [(0, 1e-3)], "hp_metric": [(0, -1.0)]},
    )
    runs, _ = _runs(tmp_path)
    run = runs["lightning_logs/version_0"]
    assert _used(run, "train_loss")[1] == "train_loss_step"
    assert _used(run, "val_loss")[1] == "val_loss"
    assert _used(run, "lr")[1] == "lr-Adam"


def test_hugging_face_names_ignore_single_point_train_loss(tmp_path):
    writers.torch_scalars(
        str(tmp_path / "out" / "runs" / "Nov21_12-00-00_host"),
        {"train/loss": TRAIN, "eval/loss": VAL, "train/learning_rate": [(s, 1e-3) for s, _ in TRAIN], "train/grad_norm": TRAIN, "train/epoch": TRAIN, "train/train_loss": [(990, 0.5)]},
    )
    runs, _ = _runs(tmp_path)
    run = runs["out/runs/Nov21_12-00-00_host"]
    assert _used(run, "train_loss")[1] == "train/loss"
    assert _used(run, "val_loss")[1] == "eval/loss"
    assert _used(run, "lr")[1] == "train/learning_rate"


def test_keras_callback_train_and_validation_runs(tmp_path):
    writers.keras_fit(str(tmp_path / "fit"), epochs=10)
    runs, skipped = _runs(tmp_path)
    assert set(runs) == {"fit"}
    run = runs["fit"]
    assert _used(run, "train_loss") == ("fit/train", "epoch_loss")
    assert _used(run, "val_loss") == ("fit/validation", "epoch_loss")
    assert run["series"]["train_loss"]["points"] == 10
    assert run["verdict"] != "insufficient_data"
    assert skipped == []


def test_validation_per_epoch_is_placed_on_the_step_axis(tmp_path):
    """Training logged at global steps, validation at epoch numbers 0..9."""
    per_epoch = [(epoch, value) for epoch, (_, value) in enumerate(VAL)]
    writers.torch_scalars(str(tmp_path / "exp"), {"train_loss": TRAIN, "val_loss": per_epoch})
    runs, _ = _runs(tmp_path)
    best = runs["exp"]["best_step"]
    assert best is not None and best > 9 * 10  # an epoch number would be at most 9
    assert best <= TRAIN[-1][0]


def test_run_with_only_training_loss(tmp_path):
    writers.torch_scalars(str(tmp_path / "exp"), {"loss": TRAIN})
    runs, _ = _runs(tmp_path)
    assert set(runs["exp"]["series"]) == {"train_loss"}
    assert runs["exp"]["best_step"] is None
    assert runs["exp"]["verdict"] in ("converged", "still_improving")


def test_run_without_loss_is_skipped_with_its_tags(tmp_path):
    writers.torch_scalars(str(tmp_path / "exp"), {"accuracy": [(0, 0.5), (1, 0.6)], "lr": [(0, 0.1)]})
    runs, skipped = _runs(tmp_path)
    assert runs == {}
    assert skipped == [{"run": "exp", "reason": "no loss-like scalar", "tags": ["accuracy", "lr"]}]


def test_user_patterns_name_unusual_tags(tmp_path):
    from tb_lossdoc.analysis import Options
    from tb_lossdoc.read.curves import TagPatterns
    import re

    writers.torch_scalars(str(tmp_path / "exp"), {"objective/fit": TRAIN, "objective/heldout": VAL})
    assert tb_lossdoc.diagnose(str(tmp_path))["runs"] == []
    options = Options(patterns=TagPatterns(re.compile(r"objective/fit$"), re.compile(r"heldout")))
    document = tb_lossdoc.diagnose(str(tmp_path), options=options)
    run = document["runs"][0]
    assert _used(run, "train_loss") == ("exp", "objective/fit")
    assert _used(run, "val_loss") == ("exp", "objective/heldout")
