"""The writer table: each framework's real run layout and tag names, one test each.

Layouts are taken from each framework's source (README, "Which curves are
used"). Keras 3, torch and tensorboardX logs are written by those writers;
Keras 2 and clu (both TensorFlow summary writers) by `tf.summary`; every other
framework by torch's `SummaryWriter` with exactly the framework's folders and
tag names. Each log is a clear overfitting run, or a still-improving one when
the framework logs no validation loss, built from `synthetic` curves.
"""

from __future__ import annotations

import json
import os
from typing import Dict, List, Sequence, Tuple

import numpy as np
import pytest
import writers

import tb_lossdoc
from tb_lossdoc.detect import synthetic
from tb_lossdoc.read.curves import ADVERSARIAL, REINFORCEMENT_LEARNING

Points = List[Tuple[int, float]]

TRAIN = writers.points(*synthetic.decay(200, every=10))  # steps 0..1990
VAL = writers.points(*synthetic.u_shape(20, every=100))  # falls to step ~600, then rises
STILL = writers.points(*synthetic.decay(200, rate=1.5, every=10))


def _scaled(points: Points, factor: float, shift: float = 0.0) -> Points:
    return [(s, factor * v + shift) for s, v in points]


def _accuracy(loss: Points) -> Points:
    """An accuracy that moves against its loss (so a rising validation loss is overfitting)."""
    return [(s, 1.0 - 0.3 * v) for s, v in loss]


def _const(points: Points, value: float) -> Points:
    return [(s, value) for s, _ in points]


def _per_epoch(points: Points, every: int) -> Points:
    """The mean of each block of `every` points, logged at the block's last step."""
    blocks = [points[i : i + every] for i in range(0, len(points) - every + 1, every)]
    return [(block[-1][0], float(np.mean([v for _, v in block]))) for block in blocks]


def _write(writer, root, layout: Dict[str, Dict[str, Points]]) -> None:
    for run, series in layout.items():
        writer(str(root / run) if run != "." else str(root), series)


def _tf_scalars(logdir: str, series: Dict[str, Points]) -> None:
    """tf.summary.scalar: TF2 tensor summaries, as Keras 2's callback and clu write them."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    writer = tf.summary.create_file_writer(logdir)
    with writer.as_default():
        for tag, points in series.items():
            for step, value in points:
                tf.summary.scalar(tag, value, step=step)
    writer.close()


def _diagnose(logdir) -> Tuple[Dict[str, dict], List[dict]]:
    document = tb_lossdoc.diagnose(str(logdir))
    return {r["run"]: r for r in document["runs"]}, document["skipped"]


def _used(run: dict) -> Dict[str, Tuple[str, str]]:
    return {role: (s["run"], s["tag"]) for role, s in run["series"].items()}


def _check(logdir, name: str, expected: Dict[str, Tuple[str, str]], verdict: str) -> dict:
    runs, skipped = _diagnose(logdir)
    assert set(runs) == {name}, (set(runs), skipped)
    assert skipped == []
    used = _used(runs[name])
    assert {role: used.get(role) for role in expected} == expected
    assert runs[name]["verdict"] == verdict
    return runs[name]


def test_keras_3_callback(tmp_path):
    """Keras 3 `TensorBoard` callback: `LOG/train` and `LOG/validation`, `epoch_loss` in both."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    callback = keras.callbacks.TensorBoard(str(tmp_path / "fit"), write_graph=False)
    callback.set_model(model)
    callback.on_train_begin()
    train, val = synthetic.decay(30)[1], synthetic.u_shape(30)[1]
    for epoch in range(30):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, logs={"loss": float(train[epoch]), "val_loss": float(val[epoch])})
    callback.on_train_end()
    _check(tmp_path, "fit", {"train_loss": ("fit/train", "epoch_loss"), "val_loss": ("fit/validation", "epoch_loss"), "lr": ("fit/train", "epoch_learning_rate")}, "overfitting")


def test_keras_2_callback(tmp_path):
    """tf.keras 2: the same two runs, plus `batch_loss` (update_freq="batch") and
    `evaluation_loss_vs_iterations` in validation."""
    epochs_train, epochs_val = _per_epoch(TRAIN, 10), VAL
    _write(_tf_scalars, tmp_path, {
        "logs/fit/train": {"epoch_loss": epochs_train, "epoch_accuracy": _accuracy(epochs_train), "batch_loss": TRAIN},
        "logs/fit/validation": {"epoch_loss": epochs_val, "epoch_accuracy": _accuracy(epochs_val), "evaluation_loss_vs_iterations": epochs_val},
    })  # fmt: skip
    _check(tmp_path, "logs/fit", {"train_loss": ("logs/fit/train", "epoch_loss"), "val_loss": ("logs/fit/validation", "epoch_loss"), "val_acc": ("logs/fit/validation", "epoch_accuracy")}, "overfitting")


def test_torch_summary_writer(tmp_path):
    """torch `SummaryWriter()`: `runs/<date>_<host>`, free-form `Loss/train`, `Loss/test`."""
    _write(writers.torch_scalars, tmp_path, {"runs/Nov21_12-00-00_host": {"Loss/train": TRAIN, "Loss/test": VAL, "Accuracy/test": _accuracy(VAL)}})
    _check(tmp_path, "runs/Nov21_12-00-00_host", {"train_loss": ("runs/Nov21_12-00-00_host", "Loss/train"), "val_loss": ("runs/Nov21_12-00-00_host", "Loss/test")}, "overfitting")


def test_tensorboardx_add_scalars(tmp_path):
    """tensorboardX `add_scalars("loss", {"train", "val"})`: nested runs `LOG/loss/train`, `LOG/loss/val`."""
    writers.tbx_add_scalars(str(tmp_path / "runs" / "exp1"), "loss", {"train": TRAIN, "val": VAL})
    _check(tmp_path, "runs/exp1", {"train_loss": ("runs/exp1/loss/train", "loss"), "val_loss": ("runs/exp1/loss/val", "loss")}, "overfitting")


def test_lightning_tensorboard_logger(tmp_path):
    """Lightning `TensorBoardLogger`: `lightning_logs/version_N`, `train_loss_step`/`_epoch`, `val_loss`."""
    run = "lightning_logs/version_0"
    _write(writers.torch_scalars, tmp_path, {run: {
        "train_loss_step": TRAIN, "train_loss_epoch": _per_epoch(TRAIN, 10), "val_loss": VAL,
        "epoch": [(s, s // 100) for s, _ in TRAIN], "lr-Adam": _const(TRAIN, 1e-3), "hp_metric": [(0, -1.0)],
    }})  # fmt: skip
    _check(tmp_path, run, {"train_loss": (run, "train_loss_step"), "val_loss": (run, "val_loss"), "lr": (run, "lr-Adam")}, "overfitting")


def test_lightning_with_several_val_dataloaders(tmp_path):
    """Lightning logs `val_loss/dataloader_idx_N` per validation dataloader: each is a set."""
    run = "lightning_logs/version_1"
    falling = writers.points(*synthetic.decay(20, start=2.2, floor=0.3, every=100))
    _write(writers.torch_scalars, tmp_path, {run: {"train_loss": TRAIN, "val_loss/dataloader_idx_0": falling, "val_loss/dataloader_idx_1": VAL, "epoch": [(s, s // 100) for s, _ in TRAIN]}})
    result = _check(tmp_path, run, {"train_loss": (run, "train_loss"), "val_loss": (run, "val_loss/dataloader_idx_1")}, "overfitting")
    assert result["val_sets"]["dataloader_idx_0"]["verdict"] != "overfitting"


def test_hugging_face_trainer(tmp_path):
    """Hugging Face `Trainer`: `output_dir/runs/<date>_<host>`, `train/loss`, `eval/loss`, throughput tags."""
    run = "out/runs/Nov21_12-00-00_host"
    _write(writers.torch_scalars, tmp_path, {run: {
        "train/loss": TRAIN, "train/learning_rate": _const(TRAIN, 5e-5), "train/grad_norm": TRAIN, "train/epoch": TRAIN,
        "eval/loss": VAL, "eval/runtime": _const(VAL, 3.0), "eval/samples_per_second": _const(VAL, 300.0), "eval/steps_per_second": _const(VAL, 9.0),
        "train/train_loss": [(1990, 0.5)], "train/train_samples_per_second": [(1990, 50.0)], "train/total_flos": [(1990, 1e12)],
    }})  # fmt: skip
    _check(tmp_path, run, {"train_loss": (run, "train/loss"), "val_loss": (run, "eval/loss"), "lr": (run, "train/learning_rate")}, "overfitting")


def test_hugging_face_trainer_with_several_eval_datasets(tmp_path):
    """`Trainer(eval_dataset={"squad": ..., "xsum": ...})` logs `eval_<name>_loss`, which the
    TensorBoard callback writes as `eval/<name>_loss`: each set is diagnosed, the worst decides."""
    run = "out/runs/Nov21_12-00-00_host"
    falling = writers.points(*synthetic.decay(20, start=2.2, floor=0.3, every=100))
    _write(writers.torch_scalars, tmp_path, {run: {
        "train/loss": TRAIN, "train/learning_rate": _const(TRAIN, 5e-5),
        "eval/squad_loss": falling, "eval/squad_runtime": _const(falling, 3.0), "eval/xsum_loss": VAL, "eval/xsum_samples_per_second": _const(VAL, 300.0),
    }})  # fmt: skip
    result = _check(tmp_path, run, {"train_loss": (run, "train/loss"), "val_loss": (run, "eval/xsum_loss")}, "overfitting")
    assert {name: s["tag"] for name, s in result["val_sets"].items()} == {"squad": "eval/squad_loss", "xsum": "eval/xsum_loss"}
    assert next(f for f in result["findings"] if f["code"] == "overfitting")["set"] == "xsum"


def test_fairseq(tmp_path):
    """fairseq `--tensorboard-logdir LOG`: a writer per stats tag, `LOG/train_inner`
    (per update), `LOG/train` (per epoch) and `LOG/valid`, each with `loss`;
    `ppl` is 2**loss (base 2); step is `num_updates`."""

    def stats(loss: Points, inner: bool) -> Dict[str, Points]:
        meters = {"loss": loss, "nll_loss": _scaled(loss, 0.9), "ppl": [(s, 2.0 ** (0.9 * v)) for s, v in loss], "wps": _const(loss, 9000.0), "wpb": _const(loss, 3500.0), "bsz": _const(loss, 120.0)}
        if inner:
            meters.update({"ups": _const(loss, 2.5), "lr": _const(loss, 5e-4), "gnorm": _const(loss, 1.2), "loss_scale": _const(loss, 128.0), "train_wall": _const(loss, 40.0), "gb_free": _const(loss, 10.0), "wall": [(s, s / 2.5) for s, _ in loss]})
        return meters

    valid = {**stats(VAL, inner=False), "best_loss": [(s, min(v for t, v in VAL if t <= s)) for s, _ in VAL]}
    _write(writers.torch_scalars, tmp_path, {"LOG/train_inner": stats(TRAIN, True), "LOG/train": stats(_per_epoch(TRAIN, 10), True), "LOG/valid": valid})
    _check(tmp_path, "LOG", {"train_loss": ("LOG/train_inner", "loss"), "val_loss": ("LOG/valid", "loss"), "lr": ("LOG/train_inner", "lr")}, "overfitting")


def test_megatron_lm(tmp_path):
    """Megatron-LM `--tensorboard-dir`: `lm loss`, `lm loss validation`, `... vs samples`, `loss-scale`."""
    samples = lambda points: [(s * 512, v) for s, v in points]  # noqa: E731
    _write(writers.torch_scalars, tmp_path, {"tb": {
        "lm loss": TRAIN, "lm loss vs samples": samples(TRAIN), "lm loss validation": VAL, "lm loss validation vs samples": samples(VAL),
        "lm loss validation ppl": [(s, float(np.exp(v))) for s, v in VAL], "learning-rate": _const(TRAIN, 3e-4), "learning-rate vs samples": samples(_const(TRAIN, 3e-4)),
        "loss-scale": _const(TRAIN, 4096.0), "loss-scale vs samples": samples(_const(TRAIN, 4096.0)), "batch-size": _const(TRAIN, 512.0), "iteration-time": _const(TRAIN, 0.8), "grad-norm": TRAIN,
    }})  # fmt: skip
    _check(tmp_path, "tb", {"train_loss": ("tb", "lm loss"), "val_loss": ("tb", "lm loss validation"), "lr": ("tb", "learning-rate")}, "overfitting")


def test_gpt_neox(tmp_path):
    """GPT-NeoX: `train/lm_loss`, `validation/lm_loss`, `validation/lm_loss_ppl`, a final `test/lm_loss`."""
    _write(writers.torch_scalars, tmp_path, {"tensorboard/neox": {
        "train/lm_loss": TRAIN, "validation/lm_loss": VAL, "validation/lm_loss_ppl": [(s, float(np.exp(v))) for s, v in VAL],
        "test/lm_loss": [(1990, 1.0)], "train/learning_rate": _const(TRAIN, 6e-4), "runtime/iteration_time": _const(TRAIN, 0.5), "runtime/samples_per_sec": _const(TRAIN, 800.0),
    }})  # fmt: skip
    _check(tmp_path, "tensorboard/neox", {"train_loss": ("tensorboard/neox", "train/lm_loss"), "val_loss": ("tensorboard/neox", "validation/lm_loss"), "lr": ("tensorboard/neox", "train/learning_rate")}, "overfitting")


def test_opennmt_py(tmp_path):
    """OpenNMT-py `ReportMgr`: `runs/onmt/<date>`, `progress/*` and `valid/*`: `xent`, `ppl`, `accuracy`, `tgtper`, `lr`."""
    run = "runs/onmt/Nov21_12-00-00"

    def stats(prefix: str, xent: Points) -> Dict[str, Points]:
        return {f"{prefix}/xent": xent, f"{prefix}/ppl": [(s, float(np.exp(v))) for s, v in xent], f"{prefix}/accuracy": _accuracy(xent), f"{prefix}/tgtper": _const(xent, 5000.0), f"{prefix}/lr": _const(xent, 2.0)}

    _write(writers.torch_scalars, tmp_path, {run: {**stats("progress", TRAIN), **stats("valid", VAL)}})
    _check(tmp_path, run, {"train_loss": (run, "progress/xent"), "val_loss": (run, "valid/xent"), "val_acc": (run, "valid/accuracy"), "lr": (run, "progress/lr")}, "overfitting")


def test_ultralytics_yolo(tmp_path):
    """Ultralytics YOLO: `runs/detect/train`, three losses per split and no total, `lr/pg*`, `metrics/*(B)`; step = epoch."""
    run = "runs/detect/train"
    train, val = _per_epoch(TRAIN, 5), _per_epoch(VAL, 1)  # 40 and 20 epochs, on the same steps below
    epochs = lambda points: [(i + 1, v) for i, (_, v) in enumerate(points)]  # noqa: E731
    train, val = epochs(train[::2]), epochs(val)
    parts = {"box": 0.5, "cls": 0.3, "dfl": 0.2}
    layout = {f"train/{name}_loss": _scaled(train, share) for name, share in parts.items()}
    layout.update({f"val/{name}_loss": _scaled(val, share) for name, share in parts.items()})
    layout.update({f"metrics/{m}(B)": _accuracy(val) for m in ("precision", "recall", "mAP50", "mAP50-95")})
    layout.update({f"lr/pg{i}": _const(train, 0.01) for i in range(3)})
    _write(writers.torch_scalars, tmp_path, {run: layout})
    result = _check(tmp_path, run, {"lr": (run, "lr/pg0")}, "overfitting")
    train_sum = result["series"]["train_loss"]
    assert train_sum["tag"] == "train/box_loss + train/cls_loss + train/dfl_loss"
    assert [c["tag"] for c in train_sum["components"]] == ["train/box_loss", "train/cls_loss", "train/dfl_loss"]
    assert [c["tag"] for c in result["series"]["val_loss"]["components"]] == ["val/box_loss", "val/cls_loss", "val/dfl_loss"]


def test_tf_estimator(tmp_path):
    """TF Estimator: `model_dir` itself (run `.`) with `loss`, `global_step/sec`; `eval/` with `loss`, `average_loss`, `accuracy`."""
    _write(writers.torch_scalars, tmp_path, {
        ".": {"loss": TRAIN, "global_step/sec": _const(TRAIN, 30.0)},
        "eval": {"loss": VAL, "average_loss": _scaled(VAL, 0.1), "accuracy": _accuracy(VAL)},
    })  # fmt: skip
    _check(tmp_path, ".", {"train_loss": (".", "loss"), "val_loss": ("eval", "loss"), "val_acc": ("eval", "accuracy")}, "overfitting")


def test_detectron2(tmp_path):
    """Detectron2 `TensorboardXWriter` on `EventStorage`: `OUTPUT_DIR`, `total_loss` beside
    `loss_cls`, `loss_box_reg`, `loss_rpn_*`; timing tags; `bbox/AP` from evaluation; no validation loss."""
    layout = {"total_loss": STILL, "loss_cls": _scaled(STILL, 0.4), "loss_box_reg": _scaled(STILL, 0.3), "loss_rpn_cls": _scaled(STILL, 0.2), "loss_rpn_loc": _scaled(STILL, 0.1)}
    layout.update({"lr": _const(STILL, 0.02), "time": _const(STILL, 0.3), "data_time": _const(STILL, 0.01), "eta_seconds": [(s, 2000.0 - s) for s, _ in STILL], "rank_data_time": _const(STILL, 0.01)})
    layout.update({"fast_rcnn/cls_accuracy": _accuracy(STILL), "fast_rcnn/fg_cls_accuracy": _accuracy(STILL), "fast_rcnn/false_negative": _const(STILL, 0.2), "roi_head/num_fg_samples": _const(STILL, 30.0), "bbox/AP": [(1999, 38.0)], "bbox/AP50": [(1999, 58.0)]})
    _write(writers.torch_scalars, tmp_path, {"output": layout})  # TensorboardXWriter wraps torch's SummaryWriter
    result = _check(tmp_path, "output", {"train_loss": ("output", "total_loss"), "lr": ("output", "lr"), "train_acc": ("output", "fast_rcnn/cls_accuracy")}, "still_improving")
    assert "val_loss" not in result["series"]


def test_mmengine(tmp_path):
    """MMEngine `TensorboardVisBackend`: `work_dir/<timestamp>/vis_data`, `loss` with components, only mAP for validation."""
    run = "work_dirs/faster-rcnn/20241121_120000/vis_data"
    layout = {"loss": STILL, "loss_rpn_cls": _scaled(STILL, 0.2), "loss_rpn_bbox": _scaled(STILL, 0.1), "loss_cls": _scaled(STILL, 0.4), "loss_bbox": _scaled(STILL, 0.3), "acc": _accuracy(STILL)}
    layout.update({"lr": _const(STILL, 0.02), "data_time": _const(STILL, 0.01), "time": _const(STILL, 0.3), "memory": _const(STILL, 3000.0), "grad_norm": STILL})
    layout.update({"coco/bbox_mAP": [(e, 0.3) for e in range(1, 13)], "coco/bbox_mAP_50": [(e, 0.5) for e in range(1, 13)]})
    _write(writers.torch_scalars, tmp_path, {run: layout})
    result = _check(tmp_path, run, {"train_loss": (run, "loss"), "lr": (run, "lr")}, "still_improving")
    assert "val_loss" not in result["series"] and "components" not in result["series"]["train_loss"]


def test_deepspeed_monitor(tmp_path):
    """DeepSpeed monitor: `output_path/job_name`, `Train/Samples/train_loss`, `.../lr`, `.../loss_scale`; step = samples."""
    samples = lambda points: [(s * 32, v) for s, v in points]  # noqa: E731
    run = "ds_logs/DeepSpeedJobName"
    layout = {"Train/Samples/train_loss": samples(STILL), "Train/Samples/lr": samples(_const(STILL, 1e-4)), "Train/Samples/loss_scale": samples(_const(STILL, 65536.0))}
    layout.update({f"Train/Samples/elapsed_time_ms_{part}": samples(_const(STILL, 12.0)) for part in ("forward", "backward", "backward_inner", "backward_allreduce", "step")})
    _write(writers.torch_scalars, tmp_path, {run: layout})
    _check(tmp_path, run, {"train_loss": (run, "Train/Samples/train_loss"), "lr": (run, "Train/Samples/lr")}, "still_improving")


def test_torchtune(tmp_path):
    """torchtune `TensorBoardLogger`: `log_dir/run_<rank>_<time>`, `loss`, `lr`, `tokens_per_second_per_gpu`, `peak_memory_*`."""
    run = "logs/run_0_1732190400"
    layout = {"loss": STILL, "lr": _const(STILL, 2e-5), "tokens_per_second_per_gpu": _const(STILL, 1500.0)}
    layout.update({f"peak_memory_{kind}": _const(STILL, 20.0) for kind in ("active", "alloc", "reserved")})
    _write(writers.torch_scalars, tmp_path, {run: layout})
    _check(tmp_path, run, {"train_loss": (run, "loss"), "lr": (run, "lr")}, "still_improving")


def test_clu_metric_writers(tmp_path):
    """JAX/Flax `clu.metric_writers` (tf.summary underneath), as the Flax examples log:
    one `workdir` run, `train_loss`, `train_accuracy`, `train_learning_rate`, `eval_loss`, `steps_per_sec`."""
    _write(_tf_scalars, tmp_path, {"workdir": {
        "train_loss": TRAIN, "train_accuracy": _accuracy(TRAIN), "train_learning_rate": _const(TRAIN, 0.1),
        "eval_loss": VAL, "eval_accuracy": _accuracy(VAL), "steps_per_sec": _const(TRAIN, 12.0), "uptime": TRAIN,
    }})  # fmt: skip
    _check(tmp_path, "workdir", {"train_loss": ("workdir", "train_loss"), "val_loss": ("workdir", "eval_loss"), "lr": ("workdir", "train_learning_rate")}, "overfitting")


def test_espnet2(tmp_path):
    """ESPnet2 trainer: `exp/<name>/tensorboard/train` and `.../valid` writers, tags `loss`, `acc`, `loss_att`, `optim0_lr0`, timings."""
    base = "exp/asr_train_conformer/tensorboard"
    train = {"loss": TRAIN, "loss_att": _scaled(TRAIN, 0.7), "loss_ctc": _scaled(TRAIN, 1.3), "acc": _accuracy(TRAIN), "optim0_lr0": _const(TRAIN, 1e-3)}
    train.update({name: _const(TRAIN, 0.2) for name in ("iter_time", "forward_time", "backward_time", "optim_step_time", "train_time", "gpu_max_cached_mem_GB")})
    valid = {"loss": VAL, "loss_att": _scaled(VAL, 0.7), "loss_ctc": _scaled(VAL, 1.3), "acc": _accuracy(VAL), "cer_ctc": _scaled(VAL, 0.1)}
    _write(writers.torch_scalars, tmp_path, {f"{base}/train": train, f"{base}/valid": valid})
    _check(tmp_path, base, {"train_loss": (f"{base}/train", "loss"), "val_loss": (f"{base}/valid", "loss"), "lr": (f"{base}/train", "optim0_lr0"), "val_acc": (f"{base}/valid", "acc")}, "overfitting")


def test_nemo(tmp_path):
    """NeMo `exp_manager` (Lightning underneath): `nemo_experiments/<name>/<date>`, `reduced_train_loss`, `val_loss`, `train_step_timing in s`."""
    run = "nemo_experiments/megatron_gpt/2024-11-21_12-00-00"
    layout = {"reduced_train_loss": TRAIN, "val_loss": VAL, "lr": _const(TRAIN, 1e-4), "global_step": [(s, float(s)) for s, _ in TRAIN]}
    layout.update({"consumed_samples": [(s, 8.0 * s) for s, _ in TRAIN], "train_step_timing in s": _const(TRAIN, 0.4), "epoch": _const(TRAIN, 0.0), "grad_norm": TRAIN})
    _write(writers.torch_scalars, tmp_path, {run: layout})
    _check(tmp_path, run, {"train_loss": (run, "reduced_train_loss"), "val_loss": (run, "val_loss"), "lr": (run, "lr")}, "overfitting")


def test_stable_baselines3_is_skipped_as_reinforcement_learning(tmp_path):
    """Stable-Baselines3 PPO: `tensorboard_log/PPO_1`, `train/*_loss` are RL objectives, not supervised losses."""
    run = "ppo_cartpole/PPO_1"
    layout = {f"train/{name}": STILL for name in ("loss", "policy_gradient_loss", "value_loss", "entropy_loss", "approx_kl", "clip_fraction", "explained_variance")}
    layout.update({"train/learning_rate": _const(STILL, 3e-4), "rollout/ep_rew_mean": _accuracy(STILL), "rollout/ep_len_mean": _const(STILL, 200.0), "time/fps": _const(STILL, 900.0)})
    _write(writers.torch_scalars, tmp_path, {run: layout})
    runs, skipped = _diagnose(tmp_path)
    assert runs == {}
    assert [(s["run"], s["reason"]) for s in skipped] == [(run, REINFORCEMENT_LEARNING)]
    assert REINFORCEMENT_LEARNING == "not a supervised loss: reinforcement learning"


@pytest.mark.parametrize("tags", [("loss_G", "loss_D"), ("generator_loss", "discriminator_loss"), ("Loss/G", "Loss/D")])
def test_gan_generator_and_discriminator_are_skipped(tmp_path, tags: Sequence[str]):
    _write(writers.torch_scalars, tmp_path, {"gan": {tags[0]: STILL, tags[1]: _scaled(STILL, -1.0, 3.0)}})
    runs, skipped = _diagnose(tmp_path)
    assert runs == {}
    assert [(s["run"], s["reason"]) for s in skipped] == [("gan", ADVERSARIAL)]


def test_rlhf_with_a_kl_penalty_is_skipped_but_dpo_is_diagnosed(tmp_path):
    """TRL: GRPO/PPO log a reward beside a KL penalty (reinforcement learning);
    DPO logs `rewards/*` margins of a preference loss that is diagnosed like any loss."""
    _write(writers.torch_scalars, tmp_path, {
        "grpo/runs/Nov21_12-00-00_host": {"train/loss": STILL, "train/reward": _accuracy(STILL), "train/kl": _const(STILL, 0.01)},
        "dpo/runs/Nov21_12-00-00_host": {"train/loss": TRAIN, "eval/loss": VAL, "train/rewards/chosen": _accuracy(TRAIN), "train/rewards/margins": _accuracy(TRAIN), "eval/rewards/accuracies": _accuracy(VAL)},
    })  # fmt: skip
    runs, skipped = _diagnose(tmp_path)
    assert [(s["run"], s["reason"]) for s in skipped] == [("grpo/runs/Nov21_12-00-00_host", REINFORCEMENT_LEARNING)]
    assert runs["dpo/runs/Nov21_12-00-00_host"]["verdict"] == "overfitting"


def test_grpo_without_a_kl_penalty_is_skipped(tmp_path):
    """TRL's GRPOTrainer logs its KL only when beta is not 0; `reward` beside `reward_std` is logged at every step.
    A trainer_state.json of such a run (as GRPOTrainer's log_history holds it) and its event files both say so."""
    rewards = {"train/reward": _accuracy(STILL), "train/reward_std": _const(STILL, 0.2), "train/rewards/format/mean": _accuracy(STILL),
               "train/completions/mean_length": _const(STILL, 120.0)}
    _write(writers.torch_scalars, tmp_path / "events", {"grpo/runs/Nov21_12-00-00_host": {"train/loss": STILL, **rewards}})
    runs, skipped = _diagnose(tmp_path / "events")
    assert runs == {} and [(s["run"], s["reason"]) for s in skipped] == [("grpo/runs/Nov21_12-00-00_host", REINFORCEMENT_LEARNING)]
    history = [{"step": step, "loss": loss, "reward": 0.5, "reward_std": 0.2, "rewards/format/mean": 0.5} for step, loss in STILL]
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "trainer_state.json").write_text(json.dumps({"log_history": history, "global_step": STILL[-1][0]}))
    document = tb_lossdoc.diagnose(str(tmp_path / "state" / "trainer_state.json"))
    assert document["runs"] == [] and [s["reason"] for s in document["skipped"]] == [REINFORCEMENT_LEARNING]
