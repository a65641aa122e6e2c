"""Curves are found for every writer convention in the README's writer table, from real event files."""

from __future__ import annotations


import numpy as np
import pytest
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
    assert _used(run, "grad_norm")[1] == "train/grad_norm"


@pytest.mark.parametrize("tag", ["train/grad_norm", "grad_2.0_norm_total", "gnorm", "gradient_norm"])
def test_gradient_norms_are_read_beside_the_loss_never_as_one(tmp_path, tag):
    writers.torch_scalars(str(tmp_path / "run"), {"loss": TRAIN, tag: TRAIN})
    writers.torch_scalars(str(tmp_path / "only_norm"), {tag: TRAIN})
    runs, skipped = _runs(tmp_path)
    assert _used(runs["run"], "grad_norm") == ("run", tag) and _used(runs["run"], "train_loss") == ("run", "loss")
    assert [s["run"] for s in skipped] == ["only_norm"]


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


OVERFIT_VAL = writers.points(*synthetic.u_shape(10, every=100))
THROUGHPUT_AND_TIMING = ("samples_per_second", "tokens_per_second", "train/train_samples_per_second", "eval/steps_per_second", "data_time", "iter_time", "loss_scale", "train/loss_scale", "Train/Samples/elapsed_time_ms_step", "throughput/tokens_per_sec")


@pytest.mark.parametrize("name", ["xent", "nll", "cross_entropy", "ce", "mse", "mae", "rmse", "bce"])
def test_metric_like_loss_names_are_losses_when_no_loss_is_logged(tmp_path, name):
    writers.torch_scalars(str(tmp_path / "exp"), {f"train/{name}": TRAIN, f"val/{name}": OVERFIT_VAL})
    runs, skipped = _runs(tmp_path)
    assert skipped == []
    assert _used(runs["exp"], "train_loss") == ("exp", f"train/{name}")
    assert _used(runs["exp"], "val_loss") == ("exp", f"val/{name}")
    assert runs["exp"]["verdict"] == "overfitting"


def test_a_tag_named_loss_wins_over_metric_like_names(tmp_path):
    """Keras with loss="mse", metrics=["mae"]: the loss is the curve, mae is not used anywhere."""
    falling = writers.points(*synthetic.decay(10, every=100))
    writers.torch_scalars(str(tmp_path / "exp"), {"loss": TRAIN, "val_loss": OVERFIT_VAL, "mae": TRAIN, "val_mae": falling, "mse": TRAIN, "val_xent": falling})
    runs, _ = _runs(tmp_path)
    used = {s["tag"] for s in runs["exp"]["series"].values()}
    assert used == {"loss", "val_loss"}
    assert runs["exp"]["verdict"] == "overfitting"


def test_perplexity_only_is_judged_in_log_space(tmp_path):
    """ln(ppl) is the loss: the verdict and best step equal those of the loss itself."""
    writers.torch_scalars(str(tmp_path / "loss"), {"train/loss": TRAIN, "valid/loss": OVERFIT_VAL})
    writers.torch_scalars(str(tmp_path / "ppl"), {"train/ppl": [(s, float(np.exp(v))) for s, v in TRAIN], "valid/perplexity": [(s, float(np.exp(v))) for s, v in OVERFIT_VAL]})
    runs, _ = _runs(tmp_path)
    assert _used(runs["ppl"], "train_loss") == ("ppl", "train/ppl")
    assert _used(runs["ppl"], "val_loss") == ("ppl", "valid/perplexity")
    assert runs["ppl"]["series"]["train_loss"]["transform"] == "ln"
    assert runs["ppl"]["verdict"] == runs["loss"]["verdict"] == "overfitting"
    assert runs["ppl"]["best_step"] == runs["loss"]["best_step"]
    over = next(f for f in runs["ppl"]["findings"] if f["code"] == "overfitting")
    assert over["evidence"]["val_min"] == pytest.approx(min(v for _, v in OVERFIT_VAL), rel=1e-6)


def test_perplexity_is_base_2_for_fairseq_and_unused_beside_a_loss(tmp_path):
    ppl2 = lambda points: [(s, float(2.0**v)) for s, v in points]  # noqa: E731
    writers.torch_scalars(str(tmp_path / "only_ppl" / "train_inner"), {"ppl": ppl2(TRAIN), "wpb": [(s, 3000.0) for s, _ in TRAIN]})
    writers.torch_scalars(str(tmp_path / "only_ppl" / "valid"), {"ppl": ppl2(OVERFIT_VAL)})
    writers.torch_scalars(str(tmp_path / "both"), {"loss": TRAIN, "ppl": ppl2(TRAIN), "val_loss": OVERFIT_VAL, "val_ppl": ppl2(OVERFIT_VAL)})
    runs, _ = _runs(tmp_path)
    assert runs["only_ppl"]["series"]["val_loss"]["transform"] == "log2"
    over = next(f for f in runs["only_ppl"]["findings"] if f["code"] == "overfitting")
    assert over["evidence"]["val_min"] == pytest.approx(min(v for _, v in OVERFIT_VAL), rel=1e-6)
    assert {s["tag"] for s in runs["both"]["series"].values()} == {"loss", "val_loss"}
    assert all("transform" not in s for s in runs["both"]["series"].values())


@pytest.mark.parametrize("tag", ["Train/Samples/train_loss", "Train/Tokens/train_loss", "train/loss_vs_samples", "lm loss vs tokens"])
def test_sample_and_token_counters_in_a_path_do_not_hide_a_loss(tmp_path, tag):
    writers.torch_scalars(str(tmp_path / "exp"), {tag: TRAIN})
    runs, skipped = _runs(tmp_path)
    assert skipped == []
    assert _used(runs["exp"], "train_loss") == ("exp", tag)


def test_throughput_and_timing_tags_are_never_losses(tmp_path):
    flat = [(s, 100.0 + v) for s, v in TRAIN]
    writers.torch_scalars(str(tmp_path / "only_speed"), {tag: flat for tag in THROUGHPUT_AND_TIMING})
    writers.torch_scalars(str(tmp_path / "with_loss"), {**{tag: flat for tag in THROUGHPUT_AND_TIMING}, "train/loss": TRAIN})
    runs, skipped = _runs(tmp_path)
    assert [(s["run"], s["reason"]) for s in skipped] == [("only_speed", "no loss-like scalar")]
    assert {s["tag"] for s in runs["with_loss"]["series"].values()} == {"train/loss"}


@pytest.mark.parametrize("per_step, per_epoch", [("train_inner", "train"), ("train_step", "train"), ("iter", "train"), ("train_iter", "train_epoch")])
def test_per_step_run_is_the_training_curve_beside_its_per_epoch_run(tmp_path, per_step, per_epoch):
    epochs = TRAIN[9::10]
    writers.torch_scalars(str(tmp_path / "LOG" / per_step), {"loss": TRAIN})
    writers.torch_scalars(str(tmp_path / "LOG" / per_epoch), {"loss": epochs})
    writers.torch_scalars(str(tmp_path / "LOG" / "valid"), {"loss": OVERFIT_VAL})
    runs, skipped = _runs(tmp_path)
    assert set(runs) == {"LOG"} and skipped == []
    assert _used(runs["LOG"], "train_loss") == (f"LOG/{per_step}", "loss")
    assert _used(runs["LOG"], "val_loss") == ("LOG/valid", "loss")
    assert runs["LOG"]["series"]["train_loss"]["points"] == len(TRAIN)


def test_a_split_named_folder_holding_both_splits_is_its_own_run(tmp_path):
    """Ultralytics writes `runs/detect/train` with `train/*` and `val/*` tags; `train2` next."""
    for name in ("train", "train2"):
        writers.torch_scalars(str(tmp_path / "runs" / "detect" / name), {"train/loss": TRAIN, "val/loss": OVERFIT_VAL})
    runs, _ = _runs(tmp_path)
    assert set(runs) == {"runs/detect/train", "runs/detect/train2"}
    assert _used(runs["runs/detect/train"], "val_loss") == ("runs/detect/train", "val/loss")


def test_total_loss_wins_over_its_components(tmp_path):
    writers.torch_scalars(str(tmp_path / "exp"), {"loss_cls": TRAIN, "loss_box_reg": TRAIN, "total_loss": TRAIN})
    runs, _ = _runs(tmp_path)
    assert _used(runs["exp"], "train_loss") == ("exp", "total_loss")
    assert "components" not in runs["exp"]["series"]["train_loss"]


def test_components_on_different_steps_are_not_summed(tmp_path):
    """A sum needs every component at the same steps; otherwise the first component is used."""
    writers.torch_scalars(str(tmp_path / "exp"), {"train/box_loss": TRAIN, "train/cls_loss": TRAIN[::2]})
    runs, _ = _runs(tmp_path)
    entry = runs["exp"]["series"]["train_loss"]
    assert (entry["tag"], entry["points"]) == ("train/box_loss", len(TRAIN))
    assert "components" not in entry


def test_components_sum_to_the_loss(tmp_path):
    writers.torch_scalars(str(tmp_path / "exp"), {"train/box_loss": [(s, 0.25 * v) for s, v in TRAIN], "train/cls_loss": [(s, 0.75 * v) for s, v in TRAIN], "val/box_loss": [(s, 0.25 * v) for s, v in OVERFIT_VAL], "val/cls_loss": [(s, 0.75 * v) for s, v in OVERFIT_VAL]})
    runs, _ = _runs(tmp_path)
    run = runs["exp"]
    assert [c["tag"] for c in run["series"]["val_loss"]["components"]] == ["val/box_loss", "val/cls_loss"]
    over = next(f for f in run["findings"] if f["code"] == "overfitting")
    assert over["evidence"]["val_min"] == pytest.approx(min(v for _, v in OVERFIT_VAL), rel=1e-6)


@pytest.mark.parametrize("overfitting_set", ["alpha", "zeta"])
def test_each_validation_set_is_diagnosed_and_the_most_severe_decides(tmp_path, overfitting_set):
    """The Hugging Face Trainer with eval_dataset={name: ...} logs `eval/<name>_loss` per set."""
    falling = writers.points(*synthetic.decay(10, start=2.2, floor=0.3, every=100))
    other = "zeta" if overfitting_set == "alpha" else "alpha"
    writers.torch_scalars(str(tmp_path / "exp"), {"train/loss": TRAIN, f"eval/{overfitting_set}_loss": OVERFIT_VAL, f"eval/{other}_loss": falling, f"eval/{other}_runtime": falling})
    runs, _ = _runs(tmp_path)
    run = runs["exp"]
    assert run["verdict"] == "overfitting"
    assert _used(run, "val_loss") == ("exp", f"eval/{overfitting_set}_loss")
    assert set(run["val_sets"]) == {"alpha", "zeta"}
    assert run["val_sets"][overfitting_set]["verdict"] == "overfitting"
    assert run["val_sets"][other]["verdict"] != "overfitting"
    assert run["best_step"] == run["val_sets"][overfitting_set]["best_step"]
    over = next(f for f in run["findings"] if f["code"] == "overfitting")
    assert over["set"] == overfitting_set and f"({overfitting_set})" in over["title"]
    assert all(f.get("set") in (None, "alpha", "zeta") for f in run["findings"])


def test_a_validation_split_beside_a_test_split_is_no_set_of_sets(tmp_path):
    falling = writers.points(*synthetic.decay(10, start=2.2, floor=0.3, every=100))
    writers.torch_scalars(str(tmp_path / "exp"), {"train/loss": TRAIN, "eval/loss": falling, "test/loss": OVERFIT_VAL})
    runs, _ = _runs(tmp_path)
    assert _used(runs["exp"], "val_loss") == ("exp", "eval/loss")
    assert "val_sets" not in runs["exp"]
    assert runs["exp"]["verdict"] != "overfitting"


def test_a_component_whose_verdict_differs_from_the_sum_is_reported(tmp_path):
    """cls_loss overfits while box_loss and dfl_loss, which dominate the sum, keep falling."""
    falling = writers.points(*synthetic.decay(10, start=2.2, floor=0.3, every=100))
    share = {"box": 10.0, "cls": 0.1, "dfl": 10.0}
    layout = {f"train/{name}_loss": [(s, k * v) for s, v in TRAIN] for name, k in share.items()}
    layout.update({f"val/{name}_loss": [(s, k * v) for s, v in (OVERFIT_VAL if name == "cls" else falling)] for name, k in share.items()})
    writers.torch_scalars(str(tmp_path / "exp"), layout)
    runs, _ = _runs(tmp_path)
    run = runs["exp"]
    assert run["verdict"] != "overfitting"
    assert set(run["component_verdicts"]) == {"cls"}
    cls = run["component_verdicts"]["cls"]
    assert cls["verdict"] == "overfitting" and cls["tags"] == {"train_loss": "train/cls_loss", "val_loss": "val/cls_loss"}
    assert cls["best_step"] == min(OVERFIT_VAL, key=lambda p: p[1])[0]


def test_the_charts_show_the_validation_set_that_decides(tmp_path):
    from tensorboard import context
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer

    from tb_lossdoc.analysis import Analyzer

    falling = writers.points(*synthetic.decay(10, start=2.2, floor=0.3, every=100))
    writers.torch_scalars(str(tmp_path / "exp"), {"train/loss": TRAIN, "eval/alpha_loss": falling, "eval/zeta_loss": OVERFIT_VAL})
    multiplexer = plugin_event_multiplexer.EventMultiplexer(tensor_size_guidance={"scalars": 0})
    multiplexer.AddRunsFromDirectory(str(tmp_path))
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, str(tmp_path))
    charts = Analyzer().curves(provider, context.RequestContext(), "", "exp", 1000)
    assert charts["series"]["val_loss"]["tag"] == "eval/zeta_loss"


def test_validation_run_wins_over_test_run(tmp_path):
    """Sibling runs `LOG/test` and `LOG/validation` with the same tag: rule 4 by the run's split word."""
    falling = writers.points(*synthetic.decay(10, start=2.2, floor=0.3, every=100))
    writers.torch_scalars(str(tmp_path / "LOG" / "train"), {"epoch_loss": TRAIN})
    writers.torch_scalars(str(tmp_path / "LOG" / "test"), {"epoch_loss": OVERFIT_VAL})
    writers.torch_scalars(str(tmp_path / "LOG" / "validation"), {"epoch_loss": falling})
    runs, _ = _runs(tmp_path)
    assert _used(runs["LOG"], "val_loss") == ("LOG/validation", "epoch_loss")
