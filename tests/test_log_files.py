"""Training logs kept outside TensorBoard: trainer_state.json and Keras/Lightning/Ultralytics CSV files.

Each format is read from a file as its framework writes it and must give what
the framework's own TensorBoard writer would have logged: the same runs, tags,
steps and values, hence the same diagnosis through the same engine.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np
import pytest
import writers

import tb_lossdoc
from tb_lossdoc.analysis import Analyzer
from tb_lossdoc.detect import synthetic
from tb_lossdoc.read.logfiles import find_log_runs, is_log_file
from tb_lossdoc.read.sources import memory_provider

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "tb_lossdoc", *map(str, args)], capture_output=True, text=True, timeout=300
    )


def multiplexer_provider(logdir):
    """TensorBoard's own Python loader over `logdir`, keeping every point."""
    from tensorboard import context
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer

    mux = plugin_event_multiplexer.EventMultiplexer(tensor_size_guidance={"scalars": 0})
    mux.AddRunsFromDirectory(str(logdir))
    mux.Reload()
    return data_provider.MultiplexerDataProvider(mux, str(logdir)), context.RequestContext()


def log_file_provider(path):
    from tensorboard import context

    provider, _ = memory_provider(find_log_runs(str(path)).runs)
    return provider, context.RequestContext()


def scalars(provider, ctx) -> Dict[str, Dict[str, List[tuple]]]:
    """run → tag → [(step, value)] of everything a provider holds."""
    listing = provider.list_scalars(ctx, experiment_id="", plugin_name="scalars")
    data = provider.read_scalars(ctx, experiment_id="", plugin_name="scalars", downsample=10**9)
    assert set(data) == set(listing)
    return {run: {tag: [(p.step, p.value) for p in points] for tag, points in tags.items()} for run, tags in data.items()}


def verdicts(document) -> Dict[str, tuple]:
    """What a diagnosis says of each run: verdict, best step, codes, and which tags made the curves."""
    return {
        run["run"]: (
            run["verdict"],
            run["best_step"],
            sorted(f["code"] for f in run["findings"]),
            {role: (s["run"], s["tag"], s["points"]) for role, s in run["series"].items()},
        )
        for run in document["runs"]
    }


def assert_same_values(got, expected, runs_and_tags):
    for run, tag in runs_and_tags:
        steps_a, values_a = zip(*got[run][tag])
        steps_b, values_b = zip(*expected[run][tag])
        assert steps_a == steps_b, (run, tag)
        np.testing.assert_allclose(values_a, values_b, rtol=1e-6, err_msg=f"{run}/{tag}")


# --- Keras CSVLogger ---------------------------------------------------------------


@pytest.fixture(scope="module")
def keras_run(tmp_path_factory):
    """One real Keras fit logged by both CSVLogger and the TensorBoard callback."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    root = tmp_path_factory.mktemp("keras")
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((200, 6)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int32")
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    callbacks = [
        keras.callbacks.CSVLogger(str(root / "csv" / "training.log")),
        keras.callbacks.TensorBoard(str(root / "tb"), write_graph=False),
    ]
    (root / "csv").mkdir()
    model.fit(x, y, validation_split=0.25, epochs=14, batch_size=16, verbose=0, callbacks=callbacks)
    return root


def test_keras_csv_logger_reads_as_the_tensorboard_callback_logs(keras_run):
    from_csv = scalars(*log_file_provider(keras_run / "csv" / "training.log"))
    from_events = scalars(*multiplexer_provider(keras_run / "tb"))
    assert set(from_csv) == {"train", "validation"}
    assert {"epoch_loss", "epoch_accuracy"} <= set(from_csv["train"]) and {"epoch_loss", "epoch_accuracy"} <= set(from_csv["validation"])
    shared = [(run, tag) for run in from_csv for tag in from_csv[run] if tag in from_events.get(run, {})]
    assert len(shared) >= 4
    assert_same_values(from_csv, from_events, shared)
    assert [s for s, _ in from_csv["train"]["epoch_loss"]] == list(range(14))  # 0-based epochs, as the callback
    csv_doc = verdicts(tb_lossdoc.diagnose(str(keras_run / "csv" / "training.log")))
    tb_doc = verdicts(tb_lossdoc.diagnose(str(keras_run / "tb")))
    assert csv_doc["."][:3] == tb_doc["."][:3]
    assert csv_doc["."][3]["val_loss"] == ("validation", "epoch_loss", 14)


# --- Hugging Face trainer_state.json ----------------------------------------------------

# How the Trainer's TensorBoardCallback names log_history keys (transformers' rewrite_logs).
HF_TAGS = {
    "loss": "train/loss",
    "grad_norm": "train/grad_norm",
    "learning_rate": "train/learning_rate",
    "epoch": "train/epoch",
    "eval_loss": "eval/loss",
    "eval_accuracy": "eval/accuracy",
    "eval_runtime": "eval/runtime",
    "train_loss": "train/train_loss",
    "train_runtime": "train/train_runtime",
    "total_flos": "train/total_flos",
}


@dataclasses.dataclass
class TrainerState:
    """The fields of transformers.TrainerState that a saved trainer_state.json holds."""

    epoch: float
    global_step: int
    max_steps: int
    logging_steps: int
    eval_steps: int
    num_train_epochs: int
    log_history: list
    best_metric: float = None
    best_model_checkpoint: str = None
    is_local_process_zero: bool = True
    is_world_process_zero: bool = True
    total_flos: float = 0.0

    def save_to_json(self, path):
        """As TrainerState.save_to_json writes it."""
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True) + "\n", encoding="utf-8")


def hf_history(steps_per_epoch=20, epochs=10, upto=None):
    """A Trainer's log_history: a training entry every 10 steps, an eval entry each epoch, the final summary."""
    train_steps, train = synthetic.decay(steps_per_epoch * epochs // 10, every=10, noise=0.05)
    _, val = synthetic.u_shape(epochs, noise=0.005)
    _, acc = synthetic.accuracy_holding(epochs)
    history = []
    for step, loss in zip(train_steps[1:], train[1:]):
        history.append({"epoch": float(step / steps_per_epoch), "grad_norm": float(3.0 * loss), "learning_rate": 5e-5 * (1 - float(step) / (steps_per_epoch * epochs)), "loss": round(float(loss), 4), "step": int(step)})
        if step % steps_per_epoch == 0:
            e = step // steps_per_epoch - 1
            history.append({"epoch": float(e + 1), "eval_accuracy": float(acc[e]), "eval_loss": float(val[e]), "eval_runtime": 1.5, "step": int(step)})
    history = [h for h in history if upto is None or h["step"] <= upto]
    last = history[-1]["step"]
    history.append({"epoch": float(last / steps_per_epoch), "step": last, "total_flos": 1e12, "train_loss": float(np.mean(train)), "train_runtime": 12.5})
    return history


def write_trainer_state(path, history):
    last = max(h["step"] for h in history)
    TrainerState(last / 20, last, 200, 10, 20, 10, history).save_to_json(path)


def write_hf_callback_events(logdir, history):
    """What the Trainer's TensorBoardCallback writes for the same log_history (through torch's SummaryWriter)."""
    series: Dict[str, list] = {}
    for entry in history:
        for key, value in entry.items():
            if key != "step":
                series.setdefault(HF_TAGS[key], []).append((entry["step"], value))
    writers.torch_scalars(str(logdir), series)


def test_trainer_state_reads_as_the_trainer_callback_logs(tmp_path):
    history = hf_history()
    write_trainer_state(tmp_path / "state" / "trainer_state.json", history)
    write_hf_callback_events(tmp_path / "events", history)
    from_state = scalars(*log_file_provider(tmp_path / "state" / "trainer_state.json"))
    from_events = scalars(*multiplexer_provider(tmp_path / "events"))
    assert set(from_state["."]) == set(from_events["."]) == set(HF_TAGS.values())
    assert len(from_state["."]["train/train_loss"]) == 1  # the run's mean: one point, as the callback logs it
    assert_same_values(from_state, from_events, [(".", tag) for tag in from_state["."]])
    by_state = verdicts(tb_lossdoc.diagnose(str(tmp_path / "state" / "trainer_state.json")))
    by_events = verdicts(tb_lossdoc.diagnose(str(tmp_path / "events")))
    assert by_state == by_events
    series = by_state["."][3]
    assert series["train_loss"][1] == "train/loss" and series["val_loss"][1] == "eval/loss"


def test_real_hf_output_folder_is_one_run_from_its_latest_state(tmp_path):
    """A Trainer output folder committed to a public repository, with four checkpoint copies."""
    folder = tmp_path / "hf_output"
    shutil.copytree(DATA / "hf_output", folder)
    document = tb_lossdoc.diagnose(str(tmp_path))
    assert [r["run"] for r in document["runs"]] == ["hf_output"] and document["skipped"] == []
    latest = json.loads((folder / "checkpoint-9500" / "trainer_state.json").read_text())
    assert document["runs"][0]["series"]["train_loss"]["points"] == len([h for h in latest["log_history"] if "loss" in h])

    (folder / "checkpoint-9000" / "trainer_state.json").write_text("{ cut short")
    noted = tb_lossdoc.diagnose(str(tmp_path))["runs"]
    assert len(noted) == 1 and any("checkpoint-9000" in n and "not valid JSON" in n for n in noted[0]["notes"])


def test_event_files_win_over_the_trainer_state_beside_them(tmp_path):
    folder = tmp_path / "out"
    history = hf_history()
    write_trainer_state(folder / "trainer_state.json", history)
    write_trainer_state(folder / "checkpoint-100" / "trainer_state.json", hf_history(upto=100))
    write_hf_callback_events(folder / "runs" / "Nov21_12-00-00_host", history)
    document = tb_lossdoc.diagnose(str(tmp_path))
    assert [r["run"] for r in document["runs"]] == ["out/runs/Nov21_12-00-00_host"]
    assert document["skipped"] == []


def test_latest_trainer_state_is_read_without_event_files(tmp_path):
    folder = tmp_path / "out"
    write_trainer_state(folder / "checkpoint-200" / "trainer_state.json", hf_history())
    write_trainer_state(folder / "checkpoint-100" / "trainer_state.json", hf_history(upto=100))
    document = tb_lossdoc.diagnose(str(tmp_path))
    assert [r["run"] for r in document["runs"]] == ["out"]
    assert document["runs"][0]["series"]["train_loss"]["points"] == 19
    assert not any("another training" in n for n in document["runs"][0].get("notes", []))  # a checkpoint of the same training


def test_a_checkpoint_of_another_training_in_the_same_output_folder_is_named_in_the_notes(tmp_path):
    """A training started over into the same output_dir leaves checkpoints of both: the latest is read, the other one said."""
    folder = tmp_path / "out"
    write_trainer_state(folder / "checkpoint-200" / "trainer_state.json", hf_history())
    earlier = [{**h, "loss": round(h["loss"] * 1.3, 4)} if "loss" in h else h for h in hf_history(upto=100)]
    write_trainer_state(folder / "checkpoint-100" / "trainer_state.json", earlier)
    (run,) = tb_lossdoc.diagnose(str(tmp_path))["runs"]
    assert run["run"] == "out" and run["series"]["train_loss"]["points"] == 19
    assert [n for n in run["notes"] if "another training" in n] == [
        "out/checkpoint-100/trainer_state.json: another training (its values differ from out/checkpoint-200/trainer_state.json's"
        " at the same steps); only out/checkpoint-200/trainer_state.json, which got furthest, is read"
    ]


# --- Lightning CSVLogger -------------------------------------------------------------


def test_real_lightning_metrics_csv():
    """A metrics.csv committed to a public repository (dense rows: epoch, out_0, out_1, step, train_loss)."""
    document = tb_lossdoc.diagnose(str(DATA / "lightning_logs"))
    (run,) = document["runs"]
    assert run["run"] == "version_0"
    assert run["series"]["train_loss"] == {"run": "version_0", "tag": "train_loss", "points": 80}
    rows = list(csv.DictReader(open(DATA / "lightning_logs" / "version_0" / "metrics.csv")))
    values = scalars(*log_file_provider(DATA / "lightning_logs"))["version_0"]["train_loss"]
    assert values == [(int(r["step"]), float(r["train_loss"])) for r in rows]


@pytest.mark.parametrize("name", ["train_history.csv", "training_history.csv"])
def test_real_keras_history_saved_with_pandas_reads_one_epoch_per_row(name):
    """A Keras History saved with pandas (no epoch column), as committed to public repositories: epoch = the row, from 0."""
    path = DATA / "keras_history" / name
    rows = list(csv.DictReader(open(path)))
    read = scalars(*log_file_provider(path))
    assert set(read) == {"train", "validation"}
    assert read["train"]["epoch_loss"] == [(i, float(r["loss"])) for i, r in enumerate(rows)]
    assert read["validation"]["epoch_loss"] == [(i, float(r["val_loss"])) for i, r in enumerate(rows)]
    (run,) = tb_lossdoc.diagnose(str(path))["runs"]
    assert run["verdict"] != "insufficient_data" and run["series"]["val_loss"]["points"] == len(rows)


def test_real_keras_history_whose_validation_loss_rises_from_the_first_epoch_is_overfitting():
    """Training accuracy reaches 1.0 while validation loss climbs from 0.66 to 3.35: the first epoch was the best."""
    (run,) = tb_lossdoc.diagnose(str(DATA / "keras_history" / "training_history.csv"))["runs"]
    assert "overfitting" in {f["code"] for f in run["findings"]} and run["best_step"] == 0


@pytest.mark.parametrize("name", ["training_history.csv", "train_log.csv"])
def test_real_loss_history_of_a_training_loop_saved_with_pandas_reads_one_epoch_per_row(name):
    """A hand-written PyTorch loop's history (train_loss, train_acc, val_loss, val_acc; no epoch column) saved with
    pandas, as committed to public repositories: read like a Keras History, epoch = the row, from 0."""
    path = DATA / "loss_history" / name
    rows = list(csv.DictReader(open(path)))
    read = scalars(*log_file_provider(path))
    assert read["train"]["epoch_train_loss"] == [(i, float(r["train_loss"])) for i, r in enumerate(rows)]
    assert read["validation"]["epoch_loss"] == [(i, float(r["val_loss"])) for i, r in enumerate(rows)]
    (run,) = tb_lossdoc.diagnose(str(path))["runs"]
    assert run["series"]["train_loss"]["points"] == run["series"]["val_loss"]["points"] == len(rows)
    assert run["verdict"] != "insufficient_data"


@pytest.mark.parametrize("index_header", ["", "Unnamed: 0"])
def test_keras_history_with_pandas_index_column_takes_its_epochs_from_it(tmp_path, index_header):
    """pandas writes its index first by default (a blank header; "Unnamed: 0" once read back and saved again)."""
    _, loss = synthetic.decay(12, noise=0.01)
    lines = [f"{index_header},loss,val_loss"] + [f"{i + 3},{v},{v * 1.1}" for i, v in enumerate(loss)]
    (tmp_path / "history.csv").write_text("\n".join(lines) + "\n")
    read = scalars(*log_file_provider(tmp_path / "history.csv"))
    assert [s for s, _ in read["train"]["epoch_loss"]] == list(range(3, 15))
    assert set(read["train"]) == {"epoch_loss"}  # the index is the step, not a curve


def test_keras_csv_logger_with_a_semicolon_and_a_title_line_reads_every_epoch(tmp_path, keras_run):
    """CSVLogger(separator=";") output, saved with the file's name as a first line of its own: the title is
    not the header, and no epoch is lost."""
    rows = (keras_run / "csv" / "training.log").read_text().splitlines()
    path = tmp_path / "model_history_log.csv"
    path.write_text("\r\n".join(["model_history_log"] + [row.replace(",", ";") for row in rows]) + "\r\n")
    assert is_log_file(str(path))
    read = scalars(*log_file_provider(path))
    original = scalars(*log_file_provider(keras_run / "csv" / "training.log"))
    assert read["train"]["epoch_loss"] == original["train"]["epoch_loss"] and len(read["train"]["epoch_loss"]) == 14
    assert read["validation"]["epoch_loss"] == original["validation"]["epoch_loss"]


def write_lightning_csv(path, rows):
    """As Lightning's CSVLogger (ExperimentWriter.save) writes metrics.csv: sorted keys, blanks for the rest."""
    keys = sorted({k for row in rows for k in row})
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)


def lightning_rows(epochs=12, steps_per_epoch=25):
    """Sparse rows as Lightning logs them: a train_loss_step row every 5 steps, then val and epoch rows."""
    _, train = synthetic.decay(epochs * steps_per_epoch // 5, noise=0.05)
    _, val = synthetic.u_shape(epochs, noise=0.005)
    rows = []
    for i, loss in enumerate(train):
        step = (i + 1) * 5 - 1
        epoch = step // steps_per_epoch
        rows.append({"epoch": epoch, "step": step, "train_loss_step": float(loss)})
        if (step + 1) % steps_per_epoch == 0:
            rows.append({"epoch": epoch, "step": step, "val_loss": float(val[epoch]), "val_acc": 0.5 + 0.03 * epoch})
            rows.append({"epoch": epoch, "step": step, "train_loss_epoch": float(np.mean(train[max(0, i - 4): i + 1]))})
    return rows


def test_lightning_sparse_metrics_csv_reads_as_its_tensorboard_logger_logs(tmp_path):
    rows = lightning_rows()
    write_lightning_csv(tmp_path / "csv" / "version_0" / "metrics.csv", rows)
    series: Dict[str, list] = {}
    for row in rows:  # TensorBoardLogger.log_metrics: every key but step, at the row's step
        for key, value in row.items():
            if key != "step":
                series.setdefault(key, []).append((row["step"], value))
    writers.torch_scalars(str(tmp_path / "tb" / "version_0"), series)
    from_csv = scalars(*log_file_provider(tmp_path / "csv"))
    from_events = scalars(*multiplexer_provider(tmp_path / "tb"))
    assert set(from_csv["version_0"]) == set(from_events["version_0"]) == {"epoch", "train_loss_step", "train_loss_epoch", "val_loss", "val_acc"}
    assert_same_values(from_csv, from_events, [("version_0", tag) for tag in from_csv["version_0"]])
    assert verdicts(tb_lossdoc.diagnose(str(tmp_path / "csv"))) == verdicts(tb_lossdoc.diagnose(str(tmp_path / "tb")))


def test_lightning_metrics_named_like_paths_are_still_lightning(tmp_path):
    """Lightning users often log `train/loss`; the step column, not the slash, says which writer it was."""
    rows = [{"epoch": r["epoch"], "step": r["step"], **{k.replace("_", "/", 1): v for k, v in r.items() if k not in ("epoch", "step")}} for r in lightning_rows()]
    write_lightning_csv(tmp_path / "version_0" / "metrics.csv", rows)
    from_csv = scalars(*log_file_provider(tmp_path))["version_0"]
    assert from_csv["val/loss"][0][0] == 24  # the step column, not the epoch
    assert {"train/loss_step", "val/loss", "epoch"} <= set(from_csv)


def test_lightning_0x_metrics_csv_with_a_timestamp_and_no_step_reads_by_epoch(tmp_path):
    """Lightning 0.x's CSV logger wrote `created_at` on each row and no step column: the epoch is the step, the timestamp no value."""
    path = tmp_path / "version_0" / "metrics.csv"
    path.parent.mkdir(parents=True)
    _, train = synthetic.decay(20, noise=0.01)
    lines = ["train_loss,epoch,created_at"] + [f"{v},{e},2020-02-03 14:{e:02d}:30.980366" for e, v in enumerate(train)]
    path.write_text("\n".join(lines) + "\n")
    runs = tb_lossdoc.diagnose(str(tmp_path))["runs"]
    assert len(runs) == 1 and runs[0]["notes"] == []  # nothing left out: the timestamps are not unread values
    from_csv = scalars(*log_file_provider(tmp_path))["version_0"]
    assert set(from_csv) == {"train_loss"} and [step for step, _ in from_csv["train_loss"]] == list(range(20))


# --- Ultralytics results.csv ---------------------------------------------------------

YOLO_LOSSES = ["train/box_loss", "train/obj_loss", "train/cls_loss", "metrics/precision", "metrics/mAP_0.5", "val/box_loss", "val/obj_loss", "val/cls_loss", "x/lr0"]


def yolo_values(epochs=30):
    _, train = synthetic.decay(epochs, noise=0.02)
    _, val = synthetic.u_shape(epochs, noise=0.005)
    return [[0.1 * train[e], 0.07 * train[e], 0.04 * train[e], 0.5 + 0.01 * e, 0.3 + 0.01 * e, 0.1 * val[e], 0.07 * val[e], 0.04 * val[e], 0.01 * (1 - e / epochs)] for e in range(epochs)]


def write_yolov5_csv(path, keys, values):
    """As YOLOv5's Loggers.on_fit_epoch_end writes results.csv: %20s header, %20.5g values, 0-based epochs."""
    n = len(keys) + 1
    with open(path, "w") as handle:
        handle.write(("%20s," * n % tuple(["epoch"] + keys)).rstrip(",") + "\n")
        for epoch, vals in enumerate(values):
            handle.write(("%20.5g," * n % tuple([epoch] + vals)).rstrip(",") + "\n")


def write_ultralytics8_csv(path, keys, values):
    """As Ultralytics 8's BaseTrainer.save_metrics writes results.csv: plain header, %.6g values, epochs from 1."""
    n = len(keys) + 1
    with open(path, "w") as handle:
        handle.write(("%s," * n % tuple(["epoch"] + keys)).rstrip(",") + "\n")
        for epoch, vals in enumerate(values):
            handle.write(("%.6g," * n % tuple([epoch + 1] + vals)).rstrip(",") + "\n")


@pytest.mark.parametrize("write", [write_yolov5_csv, write_ultralytics8_csv])
def test_yolo_results_csv_on_a_zero_based_epoch_axis(tmp_path, write):
    values = yolo_values()
    (tmp_path / "exp").mkdir()
    write(tmp_path / "exp" / "results.csv", YOLO_LOSSES, values)
    from_csv = scalars(*log_file_provider(tmp_path))["exp"]
    assert set(from_csv) == set(YOLO_LOSSES)
    assert [s for s, _ in from_csv["val/box_loss"]] == list(range(30))
    np.testing.assert_allclose([v for _, v in from_csv["val/box_loss"]], [row[5] for row in values], rtol=1e-4)
    writers.torch_scalars(str(tmp_path / "events" / "exp"), {k: [(e, row[i]) for e, row in enumerate(values)] for i, k in enumerate(YOLO_LOSSES)})
    by_csv = verdicts(tb_lossdoc.diagnose(str(tmp_path / "exp" / "results.csv")))["."]
    by_events = verdicts(tb_lossdoc.diagnose(str(tmp_path / "events")))["exp"]
    assert by_csv[:3] == by_events[:3]


# --- Folders, conversion ---------------------------------------------------------------


def test_a_folder_mixing_event_files_and_log_files(tmp_path, keras_run):
    writers.torch_scalars(str(tmp_path / "torch_run"), {"Loss/train": writers.points(*synthetic.decay(100))})
    shutil.copy(keras_run / "csv" / "training.log", tmp_path / "keras_run.csv")
    (tmp_path / "two").mkdir()
    shutil.copy(keras_run / "csv" / "training.log", tmp_path / "two" / "a.csv")
    shutil.copy(keras_run / "csv" / "training.log", tmp_path / "two" / "b.log")
    document = tb_lossdoc.diagnose(str(tmp_path))
    assert sorted(r["run"] for r in document["runs"]) == [".", "torch_run", "two/a", "two/b"]
    keras_tb = verdicts(tb_lossdoc.diagnose(str(keras_run / "tb")))["."]
    assert verdicts(document)["two/a"][:3] == keras_tb[:3]


def test_log_runs_never_take_an_event_runs_name(tmp_path, keras_run):
    writers.torch_scalars(str(tmp_path / "a"), {"Loss/train": writers.points(*synthetic.decay(100))})
    shutil.copy(keras_run / "csv" / "training.log", tmp_path / "a.csv")
    shutil.copy(keras_run / "csv" / "training.log", tmp_path / "b.csv")
    document = tb_lossdoc.diagnose(str(tmp_path))
    assert sorted(r["run"] for r in document["runs"]) == ["a", "a.csv", "b.csv"]
    assert document["runs"][[r["run"] for r in document["runs"]].index("a")]["series"]["train_loss"]["tag"] == "Loss/train"


def test_convert_round_trip_through_tensorboards_multiplexer(tmp_path, keras_run):
    src = tmp_path / "src"
    shutil.copytree(DATA / "hf_output", src / "hf_output")
    shutil.copytree(DATA / "lightning_logs", src / "lightning_logs")
    shutil.copy(keras_run / "csv" / "training.log", src / "training.log")
    (src / "yolo").mkdir()
    write_yolov5_csv(src / "yolo" / "results.csv", YOLO_LOSSES, yolo_values())
    write_trainer_state(src / "hf_fresh" / "trainer_state.json", hf_history())
    result = run_cli("convert", src, tmp_path / "out")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert len(result.stdout.strip().splitlines()) == 5

    provider, ctx = multiplexer_provider(tmp_path / "out")
    converted = Analyzer().document(provider, ctx, "")
    direct = tb_lossdoc.diagnose(str(src))
    assert verdicts(converted) == verdicts(direct)
    assert sorted(verdicts(direct)) == [".", "hf_fresh", "hf_output", "lightning_logs/version_0", "yolo"]
    got, expected = scalars(provider, ctx), scalars(*log_file_provider(src))
    assert got.keys() == expected.keys()
    for run in expected:
        assert got[run].keys() == expected[run].keys()
        for tag in expected[run]:  # event files hold float32, as every simple_value writer's
            assert [s for s, _ in got[run][tag]] == [s for s, _ in expected[run][tag]]
            np.testing.assert_allclose([v for _, v in got[run][tag]], [v for _, v in expected[run][tag]], rtol=1e-6)

    again = run_cli("convert", src, tmp_path / "out")
    assert again.returncode == 2 and "already holds event files" in again.stdout


# --- Bad files -------------------------------------------------------------------------

BAD_FILES = [
    ("trainer_state.json", b"", "empty file"),
    ("trainer_state.json", b"{\"log_history\": [", "not valid JSON"),
    ("trainer_state.json", b"{\"global_step\": 3}", "no log_history"),
    ("trainer_state.json", b"{\"log_history\": []}", "log_history holds no logged values"),
    ("trainer_state.json", b"{\"log_history\": [{\"loss\": 1.0}]}", "without a usable step"),
    ("training.log", b"epoch,loss,val_loss\n", "a header and no rows"),
    ("training.log", b"\x00\x01\x02garbage\xff\xfe", "binary data"),
    ("training.log", b"score\n1\n", "not a Keras, Lightning or Ultralytics log"),
    ("metrics.csv", b"epoch,step,train_loss\nx,y,z\n0,1\n", "2 malformed rows left out (first at line 2)"),
    ("results.csv", b"epoch,train/box_loss\n0,abc\n", "no numeric values"),
]


@pytest.mark.parametrize("name,content,reason", BAD_FILES, ids=[f"{n}:{r}" for n, _, r in BAD_FILES])
def test_bad_file_is_skipped_with_a_reason(tmp_path, name, content, reason):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / name).write_bytes(content)
    writers.torch_scalars(str(tmp_path / "good"), {"loss": writers.points(*synthetic.decay(50))})
    for path, run in ((tmp_path, "bad"), (tmp_path / "bad" / name, ".")):
        result = run_cli(path, "--format", "json")
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        document = json.loads(result.stdout)
        skipped = {s["run"]: s["reason"] for s in document["skipped"]}
        assert reason in skipped[run], skipped
    assert [r["run"] for r in tb_lossdoc.diagnose(str(tmp_path))["runs"]] == ["good"]


def test_other_tables_in_a_folder_are_not_runs(tmp_path):
    (tmp_path / "results.csv").write_text("image,label,score\na.png,cat,0.9\n")
    (tmp_path / "data.csv").write_text("epoch,loss\n")  # a log's header, no rows: a damaged log
    writers.torch_scalars(str(tmp_path / "good"), {"loss": writers.points(*synthetic.decay(50))})
    document = tb_lossdoc.diagnose(str(tmp_path))
    assert [r["run"] for r in document["runs"]] == ["good"]
    assert [(s["run"], s["reason"]) for s in document["skipped"]] == [(".", "no scalar data (data.csv: a header and no rows)")]


def test_non_finite_text_and_malformed_rows_are_kept_apart(tmp_path):
    steps, train = synthetic.decay(30)
    lines = ["epoch,loss,val_loss"] + [f"{e},{v},{v * 1.1}" for e, v in zip(steps, train)]
    lines[21] = "20,nan,inf"
    lines[25] = "24,0.5"  # a cut-short row
    (tmp_path / "training.log").write_text("\n".join(lines) + "\n")
    (run,) = tb_lossdoc.diagnose(str(tmp_path / "training.log"))["runs"]
    assert "non_finite" in {f["code"] for f in run["findings"]}
    assert run["notes"] == ["training.log: 1 malformed row left out (first at line 26)"]
    assert run["series"]["train_loss"]["points"] == 29


def test_one_row_is_insufficient_data_not_an_error(tmp_path):
    (tmp_path / "training.log").write_text("epoch,loss,val_loss\n0,2.3,2.4\n")
    result = run_cli(tmp_path / "training.log", "--format", "json")
    assert result.returncode == 0
    (run,) = json.loads(result.stdout)["runs"]
    assert run["verdict"] == "insufficient_data"


@pytest.mark.parametrize("make", ["unknown_file", "empty_folder", "missing"])
def test_unreadable_paths_give_one_line_and_status_2(tmp_path, make):
    path = tmp_path / "x"
    if make == "unknown_file":
        path = tmp_path / "model.bin"
        path.write_bytes(b"\x00\x01")
    elif make == "empty_folder":
        path.mkdir()
    result = run_cli(path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


# --- The field corpus builder ----------------------------------------------------------------


def test_field_build_names_every_run_by_its_run_id(tmp_path, keras_run):
    sys.path.insert(0, str(ROOT / "benchmarks" / "field"))
    import build

    field = tmp_path / "field"
    shutil.copytree(DATA / "hf_output", field / "raw" / "dgovorov7__gameai-pa4__output")
    (field / "raw" / "someone__keras__run").mkdir(parents=True)
    shutil.copy(keras_run / "csv" / "training.log", field / "raw" / "someone__keras__run" / "training.log")
    (field / "raw" / "someone__broken__run").mkdir()
    (field / "raw" / "someone__broken__run" / "training.log").write_text("")
    (field / "SOURCES.t.tsv").write_text(
        "run_id\trepo\tpath\tcommit\tformat\tnotes\n"
        "dgovorov7__gameai-pa4__output\tdgovorov7/gameAi-pa4\toutput\t" + "0" * 40 + "\thf_trainer_state\t\n"
        "someone__keras__run\tsomeone/keras\ttraining.log\t" + "1" * 40 + "\tkeras_csv\t\n"
        "someone__broken__run\tsomeone/broken\ttraining.log\t" + "2" * 40 + "\tprinted_log\t\n"
    )
    report = build.build(str(tmp_path / "out"), field)
    assert report.built == {"dgovorov7__gameai-pa4__output": ["dgovorov7__gameai-pa4__output"], "someone__keras__run": ["someone__keras__run"]}
    assert "empty file" in report.failed["someone__broken__run"]
    document = tb_lossdoc.diagnose(str(tmp_path / "out"))
    assert sorted(r["run"] for r in document["runs"]) == ["dgovorov7__gameai-pa4__output", "someone__keras__run"]


def test_field_build_refuses_a_run_whose_files_another_run_already_holds(tmp_path, keras_run):
    sys.path.insert(0, str(ROOT / "benchmarks" / "field"))
    import build

    field = tmp_path / "field"
    for run_id, name in (("someone__keras__run", "training.log"), ("other__copy__run", "log.csv"), ("third__crlf__run", "log.csv")):
        (field / "raw" / run_id).mkdir(parents=True)
        shutil.copy(keras_run / "csv" / "training.log", field / "raw" / run_id / name)
    # The same log committed in another repository with Windows line ends is the same run too.
    crlf = field / "raw" / "third__crlf__run" / "log.csv"
    crlf.write_bytes(crlf.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    (field / "SOURCES.t.tsv").write_text(
        "run_id\trepo\tpath\tcommit\tformat\tnotes\n"
        "someone__keras__run\tsomeone/keras\ttraining.log\t" + "1" * 40 + "\tkeras_csv\t\n"
        "other__copy__run\tother/copy\tlog.csv\t" + "2" * 40 + "\tkeras_csv\t\n"
        "third__crlf__run\tthird/crlf\tlog.csv\t" + "3" * 40 + "\tkeras_csv\t\n"
    )
    report = build.build(str(tmp_path / "out"), field)
    assert list(report.built) == ["someone__keras__run"]
    assert "someone__keras__run" in report.failed["other__copy__run"] and "someone__keras__run" in report.failed["third__crlf__run"]


def test_keras_csv_beside_the_callbacks_event_files_is_one_run(tmp_path, keras_run):
    shutil.copytree(keras_run / "tb", tmp_path / "model")
    shutil.copy(keras_run / "csv" / "training.log", tmp_path / "model" / "training.log")
    document = tb_lossdoc.diagnose(str(tmp_path))
    assert [r["run"] for r in document["runs"]] == ["model"] and document["skipped"] == []
    assert document["runs"][0]["series"]["train_loss"]["run"] == "model/train"


def test_every_field_corpus_file_reads_as_its_listed_format():
    """Each run of benchmarks/field reads with these readers, as the format its SOURCES line names."""
    sys.path.insert(0, str(ROOT / "benchmarks" / "field"))
    import build

    sources = build.read_sources()
    assert sources, "benchmarks/field/SOURCES.*.tsv list no runs"
    problems = []
    for source in sources:
        runs = find_log_runs(str(ROOT / "benchmarks" / "field" / "raw" / source.run_id)).runs
        kinds = {r.table.kind for r in runs if r.table is not None and r.table.scalars}
        if kinds != {build.READ_AS.get(source.format, source.format)}:
            problems.append((source.run_id, source.format, sorted(kinds), [p for r in runs for p in r.problems]))
    assert problems == []


def test_field_scoring_matches_runs_to_run_ids_and_splits_by_repository():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import accuracy

    document = {"runs": [{"run": "a__b__c/runs/x"}, {"run": "a__b__cd"}, {"run": "a__b__c/second"}], "skipped": [{"run": "e__f__g"}]}
    renamed, extra = accuracy.by_run_id(document, ["a__b__c", "e__f__g"])
    assert [r["run"] for r in renamed["runs"]] == ["a__b__c"] and [s["run"] for s in renamed["skipped"]] == ["e__f__g"]
    assert extra == ["a__b__cd", "a__b__c/second"]
    halves = {accuracy.split_of(f"owner{i}/repo") for i in range(20)}
    assert halves == {accuracy.DEV, accuracy.HELD_OUT}
    assert accuracy.split_of("Owner/Repo") == accuracy.split_of("owner/repo")


def test_field_scoring_expects_the_runs_labelled_out_of_scope_among_the_skipped():
    """A corpus run the engine declines by design (an RL loss) is labelled `skipped`: skipping it keeps coverage whole."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT / "benchmarks" / "field"))
    import accuracy
    import build

    repo = next(f"owner{i}/repo" for i in range(20) if accuracy.split_of(f"owner{i}/repo") == accuracy.DEV)
    sources = [build.Source(run_id, repo, "metrics.csv", "0" * 40, "lightning_csv", "") for run_id in ("a__b__fit", "a__b__rl")]
    labels = {"runs": {"a__b__fit": {"required": ["converged"], "acceptable": []}}, "skipped": {"a__b__rl": {"reason": "out of scope"}}}
    fit = {"run": "a__b__fit", "verdict": "converged", "findings": [{"code": "converged", "severity": "ok"}]}
    declined = {"runs": [fit], "skipped": [{"run": "a__b__rl", "reason": "not a supervised loss: reinforcement learning"}]}
    assert accuracy.evaluate_field(declined, labels, sources)[accuracy.DEV]["coverage"]["ok"]
    judged = {"runs": [fit, {**fit, "run": "a__b__rl"}], "skipped": []}
    assert accuracy.evaluate_field(judged, labels, sources)[accuracy.DEV]["coverage"]["skipped_but_diagnosed"] == ["a__b__rl"]


def test_document_of_log_files_validates_against_the_schema(tmp_path):
    """The field corpus's raw files (diagnosed runs and a skipped one) give a document of the published schema."""
    import jsonschema

    schema = json.loads((ROOT / "tb_lossdoc" / "schema" / "diagnosis-v1.json").read_text(encoding="utf-8"))
    shutil.copytree(ROOT / "benchmarks" / "field" / "raw", tmp_path / "raw")
    (tmp_path / "raw" / "broken").mkdir()
    (tmp_path / "raw" / "broken" / "trainer_state.json").write_text("{")
    result = run_cli(tmp_path / "raw", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["reader"] == "files" and len(document["runs"]) >= 100
    assert any(s["run"] == "broken" and "not valid JSON" in s["reason"] for s in document["skipped"])
    errors = ["%s: %s" % (list(e.absolute_path), e.message) for e in jsonschema.Draft202012Validator(schema).iter_errors(document)]
    assert errors == []


def test_convert_escapes_hostile_run_names(tmp_path):
    hostile = tmp_path / "src" / "run\x1b[2J\u202e"
    hostile.mkdir(parents=True)
    rows = ["epoch,loss,val_loss"] + [f"{i},{2.0 / (i + 1):.4f},{2.2 / (i + 1):.4f}" for i in range(10)]
    (hostile / "training.log").write_text("\n".join(rows) + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "tb_lossdoc", "convert", str(tmp_path / "src"), str(tmp_path / "out")],
        capture_output=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    assert "wrote" in text and "\\x1b[2J" in text and "\\u202e" in text
    assert not [c for c in text if not c.isprintable() and c != "\n"]


YOLOV10_PARTS = [f"{part}_{head}" for head in ("om", "oo") for part in ("box", "cls", "dfl")]
YOLOV10_KEYS = [f"train/{p}" for p in YOLOV10_PARTS] + ["metrics/mAP50(B)"] + [f"val/{p}" for p in YOLOV10_PARTS] + ["lr/pg0"]


def test_yolov10_loss_parts_without_the_word_loss_sum_to_each_splits_loss(tmp_path):
    """YOLOv10's trainer names its six loss parts box_om ... dfl_oo (one-to-many and one-to-one heads): their sum is the loss."""
    epochs = 30
    _, train = synthetic.decay(epochs, noise=0.02)
    _, val = synthetic.u_shape(epochs, noise=0.005)
    shares = [0.1, 0.2, 0.15, 0.1, 0.3, 0.15]
    values = [[s * train[e] for s in shares] + [0.3 + 0.01 * e] + [s * val[e] for s in shares] + [0.01] for e in range(epochs)]
    (tmp_path / "train").mkdir()
    write_ultralytics8_csv(tmp_path / "train" / "results.csv", YOLOV10_KEYS, values)
    run = tb_lossdoc.diagnose(str(tmp_path / "train" / "results.csv"))["runs"][0]
    for role, split in (("train_loss", "train"), ("val_loss", "val")):
        assert sorted(c["tag"] for c in run["series"][role]["components"]) == sorted(f"{split}/{p}" for p in YOLOV10_PARTS)
    assert run["verdict"] == "overfitting"  # the summed validation parts turn up while the training parts fall
    writers.torch_scalars(str(tmp_path / "events" / "train"), {k: [(e, row[i]) for e, row in enumerate(values)] for i, k in enumerate(YOLOV10_KEYS)})
    assert verdicts(tb_lossdoc.diagnose(str(tmp_path / "events")))["train"][:3] == verdicts(tb_lossdoc.diagnose(str(tmp_path / "train" / "results.csv")))["."][:3]


def test_camel_case_columns_of_a_hand_written_loop_name_their_split(tmp_path):
    """`TrainLoss` and `ValLoss` (a PyTorch loop's own CSV, or its tags) are the training and the validation loss."""
    epochs = 25
    _, train = synthetic.decay(epochs, noise=0.02)
    _, val = synthetic.u_shape(epochs, noise=0.005)
    with open(tmp_path / "training_log.csv", "w") as handle:
        handle.write("Epoch,TrainLoss,ValLoss,ValSpearman,LR\n")
        for e in range(epochs):
            handle.write(f"{e + 1},{train[e]:.6f},{val[e]:.6f},{0.4 + 0.01 * e:.4f},0.001\n")
    run = tb_lossdoc.diagnose(str(tmp_path / "training_log.csv"))["runs"][0]
    assert run["series"]["train_loss"]["tag"].endswith("TrainLoss") and run["series"]["val_loss"]["tag"].endswith("ValLoss")
    assert run["verdict"] == "overfitting" and run["best_step"] is not None
    writers.torch_scalars(str(tmp_path / "events" / "loop"), {"TrainLoss": list(enumerate(train)), "ValLoss": list(enumerate(val))})
    by_events = tb_lossdoc.diagnose(str(tmp_path / "events"))["runs"][0]
    assert by_events["series"]["val_loss"]["tag"] == "ValLoss" and by_events["verdict"] == "overfitting"


def test_runs_appended_to_one_csv_log_keep_the_last_and_say_what_was_replaced(tmp_path):
    """A CSVLogger(append=True) file holding two trainings (epochs 0-9 twice): as TensorBoard would, the later
    points replace the earlier ones at the same steps, and the run's notes say how many, per loss."""
    _, first = synthetic.decay(10, noise=0.01)
    _, second = synthetic.decay(10, start=2.0, noise=0.01, seed=3)
    with open(tmp_path / "training.log", "w") as handle:
        handle.write("epoch,loss,val_loss\n")
        for values in (first, second):
            for e, v in enumerate(values):
                handle.write(f"{e},{v:.6f},{1.1 * v:.6f}\n")
    (run,) = tb_lossdoc.diagnose(str(tmp_path / "training.log"))["runs"]
    assert run["series"]["train_loss"]["points"] == 10 and run["series"]["train_loss"]["replaced_after_restart"] == 10
    assert [n.split(" (")[0] for n in run["notes"] if "went back to an earlier step" in n] == ["train_loss", "val_loss"]
    read = scalars(*log_file_provider(tmp_path / "training.log"))["train"]["epoch_loss"]
    assert [v for _, v in read] == pytest.approx(list(first) + list(second), rel=1e-5)  # the file is read whole, in write order


def test_a_logged_total_is_not_summed_with_its_own_parts_nor_a_loss_with_its_statistics(tmp_path):
    """A VAE's Lightning metrics.csv logs train_loss = kl_loss + recon_loss: the total is the loss. A loop that logs
    avg_loss, min_loss and max_loss per epoch logs one loss and two statistics of it: the average is the loss."""
    _, recon = synthetic.decay(20, start=2.0, noise=0.01)
    kl = 0.1 + 0.0 * recon
    (tmp_path / "vae").mkdir()
    with open(tmp_path / "vae" / "metrics.csv", "w") as handle:
        handle.write("epoch,kl_loss,recon_loss,step,train_loss\n")
        for e, r in enumerate(recon):
            handle.write(f"{e},{kl[e]:.6f},{r:.6f},{10 * e + 9},{kl[e] + r:.6f}\n")
    (tmp_path / "stats").mkdir()
    with open(tmp_path / "stats" / "log.csv", "w") as handle:
        handle.write("epoch,avg_loss,min_loss,max_loss\n")
        for e, r in enumerate(recon):
            handle.write(f"{e},{r:.6f},{0.5 * r:.6f},{2 * r:.6f}\n")
    runs = {r["run"]: r for r in tb_lossdoc.diagnose(str(tmp_path))["runs"]}
    assert runs["vae"]["series"]["train_loss"] == {"run": "vae", "tag": "train_loss", "points": 20}
    assert runs["stats"]["series"]["train_loss"]["tag"].endswith("avg_loss") and "components" not in runs["stats"]["series"]["train_loss"]


def test_an_ultralytics_classifier_top1_accuracy_is_the_validation_accuracy(tmp_path):
    """Ultralytics' ClassificationValidator logs metrics/accuracy_top1 and _top5, measured on the validation set."""
    epochs = 20
    _, train = synthetic.decay(epochs, noise=0.01)
    _, val = synthetic.decay(epochs, start=1.2, floor=0.4, noise=0.01, seed=2)
    keys = ["train/loss", "metrics/accuracy_top1", "metrics/accuracy_top5", "val/loss", "lr/pg0"]
    values = [[train[e], 0.5 + 0.02 * e, 0.8 + 0.005 * e, val[e], 0.01] for e in range(epochs)]
    (tmp_path / "cls").mkdir()
    write_ultralytics8_csv(tmp_path / "cls" / "results.csv", keys, values)
    series = tb_lossdoc.diagnose(str(tmp_path / "cls" / "results.csv"))["runs"][0]["series"]
    assert series["val_acc"]["tag"] == "metrics/accuracy_top1" and "train_acc" not in series


def test_ultralytics_rows_whose_validation_losses_are_all_zero_are_placeholders(tmp_path):
    """YOLOv10 writes 0 for every validation loss of an epoch it did not validate, YOLOv9 on every epoch:
    those rows are left out of the validation loss (and said in the notes); a part that is 0 beside others is kept."""
    epochs = 20
    _, train = synthetic.decay(epochs, noise=0.01)
    _, val = synthetic.decay(epochs, start=1.2, floor=0.4, noise=0.01, seed=2)
    keys = ["train/box_loss", "train/cls_loss", "val/box_loss", "val/cls_loss", "lr/pg0"]
    late = [[train[e], 0.5 * train[e], 0.0 if e < 3 else val[e], 0.0 if e < 3 else 0.0, 0.01] for e in range(epochs)]
    never = [[train[e], 0.5 * train[e], 0.0, 0.0, 0.01] for e in range(epochs)]
    for name, values in (("late", late), ("never", never)):
        (tmp_path / name).mkdir()
        write_ultralytics8_csv(tmp_path / name / "results.csv", keys, values)
    runs = {r["run"]: r for r in tb_lossdoc.diagnose(str(tmp_path))["runs"]}
    assert runs["late"]["series"]["val_loss"]["points"] == epochs - 3 and runs["late"]["best_step"] >= 3
    assert any("6 validation-loss cells left out" in n for n in runs["late"]["notes"])
    assert "val_loss" not in runs["never"]["series"] and any("40 validation-loss cells left out" in n for n in runs["never"]["notes"])


def test_scalar_tensors_written_as_text_are_read_as_their_numbers(tmp_path):
    """A loop that writes the loss tensor itself (`str(loss)`) into its CSV: the number inside is the value."""
    _, train = synthetic.decay(12, noise=0.01)
    with open(tmp_path / "training_log.csv", "w") as handle:
        handle.write("Epoch,Train_loss,Val_loss\n")
        for e, v in enumerate(train):
            handle.write(f"{e + 1},\"tensor({v:.4f}, device='cuda:0', grad_fn=<DivBackward0>)\",\"tensor({1.1 * v:.4f}, device='cuda:0')\"\n")
    read = scalars(*log_file_provider(tmp_path / "training_log.csv"))
    assert [v for _, v in read["train"]["epoch_Train_loss"]] == pytest.approx([round(v, 4) for v in train])
    assert [v for _, v in read["train"]["epoch_Val_loss"]] == pytest.approx([round(1.1 * v, 4) for v in train])
    series = tb_lossdoc.diagnose(str(tmp_path / "training_log.csv"))["runs"][0]["series"]
    assert series["val_loss"]["tag"] == "epoch_Val_loss" and series["val_loss"]["points"] == 12


def test_lightning_validation_per_epoch_wins_over_its_per_batch_values(tmp_path):
    """self.log("val_loss", on_step=True, on_epoch=True) writes val_loss_step for each validation batch (on the
    validation loop's own counter) and val_loss_epoch once per epoch: the latter is the validation curve."""
    _, train = synthetic.decay(200, noise=0.05)
    _, val = synthetic.u_shape(10, noise=0.005)
    rows = [{"epoch": s // 20, "step": s, "train_loss_step": float(v)} for s, v in enumerate(train)]
    for epoch in range(10):
        rows += [{"step": b, "val_loss_step": float(val[epoch] * (1 + 0.3 * ((b % 3) - 1)))} for b in range(8)]
        rows.append({"epoch": epoch, "step": 20 * epoch + 19, "val_loss_epoch": float(val[epoch])})
    write_lightning_csv(tmp_path / "version_0" / "metrics.csv", rows)
    (run,) = tb_lossdoc.diagnose(str(tmp_path))["runs"]
    assert run["series"]["val_loss"] == {"run": "version_0", "tag": "val_loss_epoch", "points": 10}
    assert run["series"]["train_loss"]["tag"] == "train_loss_step"


def test_metric_like_losses_are_not_summed_as_parts(tmp_path):
    """A regression loop logging train_mse and train_rmse logs one error twice (rmse = sqrt(mse)), not two parts of a loss."""
    _, mse = synthetic.decay(30, noise=0.01)
    rows = [{"epoch": e, "step": 10 * e + 9, "train_mse": float(v), "train_rmse": float(np.sqrt(v))} for e, v in enumerate(mse)]
    write_lightning_csv(tmp_path / "version_0" / "metrics.csv", rows)
    (run,) = tb_lossdoc.diagnose(str(tmp_path))["runs"]
    assert run["series"]["train_loss"] == {"run": "version_0", "tag": "train_mse", "points": 30}


def test_a_loss_part_validation_does_not_compute_is_left_out_of_both_sums(tmp_path):
    """YOLO26 pose logs train/rle_loss (an NLL term that goes negative) and writes val/rle_loss = 0 on every
    epoch: summing it on one side only would put a term between the two curves that is no gap between them."""
    epochs = 20
    _, train = synthetic.decay(epochs, noise=0.01)
    _, val = synthetic.decay(epochs, start=1.2, floor=0.4, noise=0.01, seed=2)
    keys = ["train/box_loss", "train/rle_loss", "val/box_loss", "val/rle_loss", "lr/pg0"]
    values = [[train[e], 14.0 - 0.8 * e, val[e], 0.0, 0.01] for e in range(epochs)]
    write_ultralytics8_csv(tmp_path / "results.csv", keys, values)
    (run,) = tb_lossdoc.diagnose(str(tmp_path / "results.csv"))["runs"]
    assert [c["tag"] for c in run["series"]["train_loss"].get("components", [])] in ([], ["train/box_loss"])
    assert run["series"]["train_loss"]["tag"] == "train/box_loss" and run["series"]["val_loss"]["tag"] == "val/box_loss"
    assert any(n.startswith("results.csv: val/rle_loss left out") for n in run["notes"])
    assert run["columns"]["final_train_loss"] == pytest.approx(train[-1], rel=1e-4)


def test_an_accuracy_naming_no_split_beside_named_training_columns_is_validations(tmp_path):
    """`epoch,train_loss,val_loss,top1`: a loop that names its training columns logs its evaluation's top-1
    bare; Keras's CSVLogger names neither (`accuracy`, `val_accuracy`), and there the bare one is training's."""
    epochs = 12
    _, train = synthetic.decay(epochs, noise=0.01)
    (tmp_path / "loop").mkdir()
    with open(tmp_path / "loop" / "metrics.csv", "w") as handle:
        handle.write("epoch,train_loss,val_loss,top1\n")
        handle.writelines(f"{e},{v:.5f},{1.1 * v:.5f},{10 + 5 * e}\n" for e, v in enumerate(train))
    (tmp_path / "keras").mkdir()
    with open(tmp_path / "keras" / "log.csv", "w") as handle:
        handle.write("epoch,accuracy,loss,val_accuracy,val_loss\n")
        handle.writelines(f"{e},{0.5 + 0.03 * e},{v:.5f},{0.5 + 0.02 * e},{1.1 * v:.5f}\n" for e, v in enumerate(train))
    runs = {r["run"]: r["series"] for r in tb_lossdoc.diagnose(str(tmp_path))["runs"]}
    assert runs["loop"]["val_acc"]["tag"] == "epoch_top1" and "train_acc" not in runs["loop"]
    assert runs["keras"]["train_acc"]["tag"] == "epoch_accuracy" and runs["keras"]["val_acc"]["tag"] == "epoch_accuracy"
    assert runs["keras"]["val_acc"]["run"].endswith("validation")


def test_a_log_file_named_for_validation_holds_validation_values(tmp_path):
    """`val_log.csv` with a bare `loss` column: the file's name says which split the numbers are from."""
    _, val = synthetic.decay(15, noise=0.01)
    with open(tmp_path / "val_log.csv", "w") as handle:
        handle.write("epoch,loss,accuracy\n")
        handle.writelines(f"{e},{v:.5f},{0.4 + 0.02 * e}\n" for e, v in enumerate(val))
    (run,) = tb_lossdoc.diagnose(str(tmp_path / "val_log.csv"))["runs"]
    assert set(run["series"]) == {"val_loss", "val_acc"} and run["columns"]["best_val_loss"] == pytest.approx(min(val), rel=1e-4)


def test_a_long_format_log_is_split_by_its_set_column(tmp_path):
    """`epoch,set,step,loss`: training and validation rows share the loss column and a step that restarts every
    epoch. Training keeps every row in order; validation gives one point per epoch (its batches' mean), at the
    epoch's last training step. Read row by row on `step`, the run would be the last epoch's validation batches."""
    epochs, train_rows, val_rows = 6, 30, 5
    _, train = synthetic.decay(epochs * train_rows, noise=0.02)
    _, val = synthetic.u_shape(epochs, noise=0.0)
    with open(tmp_path / "history.csv", "w") as handle:
        handle.write("epoch,set,step,loss,km\n")
        for e in range(epochs):
            handle.writelines(f"{e},train,{s + 1},{train[e * train_rows + s]:.6f},5\n" for s in range(train_rows))
            handle.writelines(f"{e},val,{s + 1},{val[e] * (1 + 0.1 * (s - 2)):.6f},5\n" for s in range(val_rows))
    (run,) = tb_lossdoc.diagnose(str(tmp_path / "history.csv"))["runs"]
    assert run["series"]["train_loss"]["points"] == epochs * train_rows and run["series"]["val_loss"]["points"] == epochs
    read = scalars(*log_file_provider(tmp_path / "history.csv"))
    assert [v for _, v in read["val"]["epoch_loss"]] == pytest.approx(list(val), rel=1e-4)
    assert [s for s, _ in read["val"]["epoch_loss"]] == [train_rows * (e + 1) - 1 for e in range(epochs)]
    assert run["best_step"] == train_rows * (int(np.argmin(val)) + 1) - 1


def test_ultralytics_rows_repeating_the_last_validation_are_left_out_of_it(tmp_path):
    """Epochs Ultralytics does not validate repeat the last validation's losses and metrics digit for digit: those
    rows are no new evaluation (a copy would double a spike and halve the scatter); a part that repeats beside one
    that moved is a measurement."""
    epochs = 30
    _, train = synthetic.decay(epochs, noise=0.01)
    _, val = synthetic.decay(epochs, start=1.2, floor=0.4, noise=0.01, seed=2)
    validated = [e for e in range(epochs) if e < 10 or e % 2 == 0 or e == epochs - 1]
    keys = ["train/box_loss", "train/cls_loss", "metrics/mAP50(B)", "val/box_loss", "val/cls_loss", "lr/pg0"]
    values, last = [], None
    for e in range(epochs):
        if e in validated:
            last = [round(val[e], 5), 0.4 if e == 5 else round(0.5 * val[e], 5), round(0.02 * e, 5)]
        values.append([train[e], 0.5 * train[e], last[2], last[0], last[1], 0.01])
    values[6][4] = values[5][4]  # val/cls_loss alone repeats: val/box_loss moved
    write_ultralytics8_csv(tmp_path / "results.csv", keys, values)
    (run,) = tb_lossdoc.diagnose(str(tmp_path / "results.csv"))["runs"]
    assert run["series"]["val_loss"]["points"] == len(validated)
    assert any(f"{epochs - len(validated)} rows repeat the validation losses" in n for n in run["notes"])
    read = scalars(*log_file_provider(tmp_path / "results.csv"))["."]
    assert [s for s, _ in read["metrics/mAP50(B)"]] == validated and len(read["train/box_loss"]) == epochs


def test_a_vae_elbo_is_the_loss_not_a_part_beside_its_reconstruction_term(tmp_path):
    """An iVAE's metrics.csv logs train_elbo_loss (= recon + KL) beside train_recon_loss, and the same for validation:
    the ELBO is the objective, neither summed with its own term nor one of two validation sets beside it."""
    _, recon = synthetic.decay(40, start=3.0, noise=0.01)
    rows = [{"epoch": e, "step": 10 * e + 9, "train_elbo_loss": float(r) + 0.2, "train_recon_loss": float(r)} for e, r in enumerate(recon)]
    rows += [{"epoch": e, "step": 10 * e + 9, "val_elbo_loss": 1.1 * float(recon[e]) + 0.2, "val_recon_loss": 1.1 * float(recon[e])} for e in range(0, 40, 4)]
    write_lightning_csv(tmp_path / "version_0" / "metrics.csv", rows)
    (run,) = tb_lossdoc.diagnose(str(tmp_path))["runs"]
    assert run["series"]["train_loss"] == {"run": "version_0", "tag": "train_elbo_loss", "points": 40}
    assert run["series"]["val_loss"]["tag"] == "val_elbo_loss" and "val_sets" not in run


def test_a_loss_empty_in_every_row_of_a_pandas_history_is_nan(tmp_path):
    """`pd.DataFrame(history.history).to_csv(...)` writes NaN as an empty cell: a `loss` column empty in every row
    is a loss that was NaN from the first epoch (non_finite), not a run without a loss. A column empty only in some
    rows (validation every few epochs) is still not logged there."""
    with open(tmp_path / "training_history.csv", "w") as handle:
        handle.write("loss,accuracy,val_loss,val_accuracy\n")
        handle.writelines(",0.7998,,0.7998\n" for _ in range(10))
    (run,) = tb_lossdoc.diagnose(str(tmp_path / "training_history.csv"))["runs"]
    assert run["verdict"] == "non_finite" and run["series"]["train_loss"]["points"] == 10
    assert any("loss: empty in every row, read as NaN" in n for n in run["notes"])
    (tmp_path / "sparse").mkdir()
    _, train = synthetic.decay(12, noise=0.01)
    with open(tmp_path / "sparse" / "history.csv", "w") as handle:
        handle.write("epoch,loss,val_loss\n")
        handle.writelines(f"{e},{v:.5f},{'' if e % 3 else f'{1.1 * v:.5f}'}\n" for e, v in enumerate(train))
    (sparse,) = tb_lossdoc.diagnose(str(tmp_path / "sparse"))["runs"]
    assert sparse["series"]["val_loss"]["points"] == 4 and sparse["verdict"] != "non_finite"
