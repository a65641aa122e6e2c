#!/usr/bin/env python
"""Generate LossDoc's demo TensorBoard logs by training small REAL models.

Usage (from the repository root)::

    python scripts/make_demo_logs.py                 # all runs -> demo_logs/
    python scripts/make_demo_logs.py --only keras/converged_digits torch/spike_corrupted_batches
    python scripts/make_demo_logs.py --list          # names, writers and intended patterns
    python scripts/make_demo_logs.py --labels-only   # rewrite demo_logs/labels.json from the logs

Every run below trains an actual model (torch MLPs, a tiny CNN, a character
model, Keras models) on data shipped with packages (scikit-learn's digits,
breast cancer, diabetes and wine sets; text from Python's own standard-library
sources), with fixed seeds, and logs with the REAL writers: Keras 3's
``keras.callbacks.TensorBoard``, ``torch.utils.tensorboard.SummaryWriter`` and
``tensorboardX.SummaryWriter``. PyTorch Lightning and the Hugging Face Trainer
are not installed here, so their runs are written with torch's SummaryWriter
using exactly the directory layout, tag names and step semantics those
frameworks produce (see the README's writer table).

Each run is configured so that its curves genuinely show one pattern (a real
cause, not a drawn curve). ``demo_logs/labels.json`` records, for each run,
the diagnosis codes a correct tool must report (``required``), codes that are
also acceptable, whether the run is healthy, the best step (step of the
minimum validation loss) and how it was produced. ``best_step`` is computed
from the written logs, read back as TensorBoard reads them.

Runs (writer -- intended pattern -- cause). The full story of each run is its
``why`` text below (also copied into labels.json).

Keras 3 TensorBoard callback, ``keras/<name>/{train,validation}`` (step = epoch;
Keras also writes ``evaluation_loss_vs_iterations`` with step = iterations)
  converged_digits            healthy converged: small L2 + dropout MLP, Adam 1e-3
  step_decay_lr               healthy converged: diabetes regression, SGD, LR x0.1 at epochs
                              15 and 30 (LearningRateScheduler; ``epoch_learning_rate``):
                              both losses drop one step at epoch 15, then stay flat
  still_improving_low_lr      healthy still_improving: plain SGD lr 0.006, stopped after 30
                              epochs; ``update_freq=5`` adds ``batch_loss``
  short_4_epochs              insufficient_data: only 4 epochs
  overfit_noisy_labels        overfitting: 400 training images with 30% wrong labels, wide
                              MLP, no regularisation: it memorises the noise, validation
                              loss rises AND validation accuracy falls
  overconfident_breast_cancer overconfidence: wide MLP, long Adam training: validation loss
                              climbs 3x, validation accuracy holds
  not_learning_lr1e-7         not_learning: Adam with lr=1e-7
  oscillation_unscaled_sgd    oscillation: logistic regression on UNSCALED breast-cancer
                              features (values up to ~4000) with SGD: every step overshoots
  label_noise_train_only      train_flat_val_improving: a train-only tf.data "augmentation"
                              redraws 80% of the labels in every batch; validation is clean
  diverge_lr_growth           divergence: a mis-configured scheduler multiplies the LR by
                              1.15 every epoch; the loss falls, then climbs for good
  plateau_tiny_init           plateau: deep tanh net initialised with tiny weights sits on
                              the saddle at the origin for 65 epochs, then escapes
  nan_unscaled_target         non_finite: regression on the raw diabetes target with SGD:
                              the loss overflows to inf/NaN after 5 epochs

torch SummaryWriter, ``torch/<name>`` (tags ``Loss/train`` + ``Loss/validation|val|test``)
  healthy_minibatch_noise     healthy converged: per-step training loss (batch 32, noisy)
                              and per-epoch validation loss at the epoch-end step
  resumed_from_checkpoint     healthy converged: crash after epoch 47, resumed from the
                              epoch-39 checkpoint; the writer re-opens with purge_step=40 so
                              TensorBoard hides the orphaned steps 40-47 of the first attempt
  spike_corrupted_batches     spike: at four steps a batch arrives with inputs x100 (a
                              broken preprocessing shard); per-step training loss jumps
                              30-40x twice (and drops to 0.0 twice: logits scaled up)
  no_optimizer_step           not_learning: the loop calls backward() but never
                              optimizer.step()
  overconfident_digits        overconfidence: 150 training digits, wide MLP trained long;
                              validation loss rises steadily while ``Accuracy/val`` holds
  nan_lr_too_high             non_finite: SGD+momentum with a learning rate far too high;
                              bounces for 25 epochs, then NaN

torch SummaryWriter, ``torch/<name>`` (tags ``train_loss`` + ``val_loss``)
  still_improving_sgd_low_lr  healthy still_improving: SGD lr 0.01, stopped early
  diverge_lr_above_stability  divergence: full-batch gradient descent on linear regression
                              with lr just above 2/lambda_max: the loss first falls (easy
                              directions) then grows geometrically
  oscillation_sgd_small_batch oscillation: linear regression, SGD lr 0.16, batch 8
  plateau_deep_sigmoid        plateau: 4 sigmoid layers, SGD: stuck at ln(10) for 50
                              epochs (vanishing gradients), then drops
  char_model_train_only       healthy still_improving, training loss only (tag ``loss``,
                              per step): a character model on the stdlib's argparse.py
  no_loss_tags                skipped: logs only ``accuracy`` and ``lr``

torch SummaryWriter ``add_scalars('loss', {...})``, sibling runs ``torch/<name>/loss_<key>``
  overfit_regression          overfitting: 60 diabetes patients, big MLP, no regularisation
  converged_wine              healthy converged: small MLP on wine
  label_noise_train_only      train_flat_val_improving: a train-only augmentation redraws
                              80% of the labels in every batch

tensorboardX ``add_scalars('loss', {...})``, nested runs ``tbx/<name>/loss/<key>``
  overfit_char_model          overfitting: character model trained on 8,000 characters,
                              validated on another part of the same file
  still_improving_char        healthy still_improving: same kind of model, more text, low
                              LR, stopped early
  nan_log_zero                non_finite: hand-written BCE ``-(y*log(p)+(1-y)*log(1-p))``:
                              once a sigmoid saturates to exactly 1.0, 0*log(0) = NaN

Lightning-style (``lightning/<name>/version_0``; tags ``train_loss_step``,
``train_loss_epoch``, ``val_loss``, ``epoch``, ``lr-Adam``/``lr-SGD``, ``hp_metric``)
  dropout_val_below_train     healthy converged: dropout 0.5 makes the training loss sit
                              above the validation loss all along
  spike_shuffled_labels       spike: three batches arrive with shuffled labels
  plateau_delayed_lr          plateau: ConstantLR(factor=0.001) keeps the LR at 1e-6 for
                              12 epochs (flat), then the LR jumps to 1e-3 and the loss drops
  oscillation_sgd_high_lr     oscillation: diabetes MLP, SGD lr 0.25 with batch 8

Hugging Face Trainer-style (``hf/<name>/runs/Nov21_12-00-00_demo``; tags ``train/loss``,
``eval/loss``, ``train/learning_rate``, ``train/grad_norm``, ``train/epoch``, single-point
``train/train_loss``)
  warmup_bump                 healthy converged: linear warm-up to a high peak LR makes a
                              small early bump, linear decay afterwards
  lr_typo_not_learning        not_learning: tiny CNN with learning_rate=1e-8 (typo)
  overconfident_breast_cancer overconfidence: wide MLP, constant LR, long training;
                              ``eval/loss`` rises while ``eval/accuracy`` holds

Every scalar series has at most 1000 points (TensorBoard's default reservoir),
so the Diagnosis tab and the CLI see the same data. torch runs use one thread.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import sysconfig
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("OMP_NUM_THREADS", "1")  # 2 shared cores: one thread everywhere

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
HF_RUN_DIR = "Nov21_12-00-00_demo"  # fixed stand-in for HF's <date>_<host>
TOP_DIRS = ("keras", "torch", "tbx", "lightning", "hf")

OUT: Path = ROOT / "demo_logs"

# --------------------------------------------------------------------------
# registry


class RunSpec:
    def __init__(self, name, fn, writer, required, acceptable, healthy, val, why, skipped):
        self.name = name
        self.fn = fn
        self.writer = writer
        self.required = list(required)
        self.acceptable = list(acceptable)
        self.healthy = healthy
        self.val = val  # (subrun relative to demo_logs, tag) of the validation loss, or None
        self.why = why
        self.skipped = skipped

    @property
    def directory(self) -> Path:
        return OUT / self.name


RUNS: dict[str, RunSpec] = {}


def run(name, writer, required=(), acceptable=(), healthy=False, val=None, why="", skipped=None):
    """Register a run generator. ``name`` is the run as the tool must report it."""

    def deco(fn):
        RUNS[name] = RunSpec(name, fn, writer, required, acceptable, healthy, val, why, skipped)
        return fn

    return deco


# --------------------------------------------------------------------------
# data


def digits(n_train=None, seed=0):
    """Digits (8x8 images, 10 classes): 1300 train / 497 validation, standardised."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32) / 16.0
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=497, stratify=y, random_state=0)
    if n_train is not None:
        Xtr, _, ytr, _ = train_test_split(Xtr, ytr, train_size=n_train, stratify=ytr, random_state=seed)
    mu, sd = Xtr.mean(0), Xtr.std(0) + 0.1
    return (Xtr - mu) / sd, ytr.astype(np.int64), (Xva - mu) / sd, yva.astype(np.int64)


def breast_cancer(scale=True):
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    X, y = load_breast_cancer(return_X_y=True)
    X = X.astype(np.float32)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=200, stratify=y, random_state=0)
    if scale:
        mu, sd = Xtr.mean(0), Xtr.std(0)
        Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    return Xtr, ytr.astype(np.float32), Xva, yva.astype(np.float32)


def diabetes(n_train=None, scale_y=True):
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split

    X, y = load_diabetes(return_X_y=True)
    X = X.astype(np.float32)
    y = y.astype(np.float32)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=142, random_state=0)
    if n_train is not None:
        Xtr, ytr = Xtr[:n_train], ytr[:n_train]
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
    if scale_y:
        ym, ys = ytr.mean(), ytr.std()
        ytr, yva = (ytr - ym) / ys, (yva - ym) / ys
    return Xtr, ytr, Xva, yva


def wine():
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    X, y = load_wine(return_X_y=True)
    X = X.astype(np.float32)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=58, stratify=y, random_state=0)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    return (Xtr - mu) / sd, ytr.astype(np.int64), (Xva - mu) / sd, yva.astype(np.int64)


def noisy_labels(y, frac, n_classes, seed):
    """Replace a fraction of labels by uniformly random classes (may hit the true one)."""
    rng = np.random.default_rng(seed)
    y = y.copy()
    idx = rng.choice(len(y), int(round(frac * len(y))), replace=False)
    y[idx] = rng.integers(0, n_classes, len(idx))
    return y


CHARS = "".join(chr(i) for i in range(32, 127)) + "\n"
CHAR_IDX = {c: i for i, c in enumerate(CHARS)}


def stdlib_text(module_file):
    path = Path(sysconfig.get_paths()["stdlib"]) / module_file
    text = path.read_text(encoding="utf-8", errors="replace").replace("\t", "    ")
    return np.array([CHAR_IDX.get(c, CHAR_IDX["?"]) for c in text], dtype=np.int64)


def char_windows(codes, ctx, n, offset=0):
    """(n, ctx) contexts and next-character targets from a code array."""
    codes = codes[offset:offset + n + ctx]
    X = np.lib.stride_tricks.sliding_window_view(codes[:-1], ctx)[:n]
    y = codes[ctx:ctx + n]
    return np.ascontiguousarray(X), y.copy()


# --------------------------------------------------------------------------
# torch helpers

_torch = None


def torch_mod():
    global _torch
    if _torch is None:
        import torch

        torch.set_num_threads(1)
        torch.set_num_interop_threads(1)
        torch.use_deterministic_algorithms(True)
        _torch = torch
    return _torch


def T(a, dtype=None):
    torch = torch_mod()
    t = torch.from_numpy(np.asarray(a))
    return t.to(dtype) if dtype is not None else t


def mlp(sizes, act="relu", dropout=0.0):
    torch = torch_mod()
    nn = torch.nn
    acts = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(acts[act]())
            if dropout:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class CharMLP:
    """Factory for a next-character model: embedding -> MLP over a fixed context."""

    @staticmethod
    def build(ctx, emb, hidden, vocab=len(CHARS)):
        torch = torch_mod()
        nn = torch.nn
        return nn.Sequential(nn.Embedding(vocab, emb), nn.Flatten(), nn.Linear(ctx * emb, hidden),
                             nn.ReLU(), nn.Linear(hidden, vocab))


def minibatches(n, bs, gen):
    torch = torch_mod()
    perm = torch.randperm(n, generator=gen)
    return [perm[i:i + bs] for i in range(0, n, bs)]


def evaluate(model, X, y, loss_fn, accuracy=False):
    torch = torch_mod()
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(X)
        loss = loss_fn(out, y).item()
        acc = None
        if accuracy:
            acc = (out.argmax(1) == y).float().mean().item()
    model.train(was_training)
    return loss, acc


def torch_writer(path, **kw):
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(log_dir=str(path), **kw)


def train_torch(model, opt, Xtr, ytr, *, epochs, bs, loss_fn, seed, on_step=None, on_epoch=None,
                batch_hook=None, step_opt=True, sched=None, sched_per_step=None, clip=None,
                start_epoch=0, step0=0):
    """A plain torch training loop. on_step(step, loss, grad_norm); on_epoch(epoch, step, mean_loss).

    ``step`` counts optimizer steps done (1-based), as Lightning and HF do.
    """
    torch = torch_mod()
    gen = torch.Generator().manual_seed(seed)
    step = step0
    n = len(Xtr)
    for epoch in range(start_epoch, epochs):
        model.train()
        tot, cnt = 0.0, 0
        for idx in minibatches(n, bs, gen):
            xb, yb = Xtr[idx], ytr[idx]
            if batch_hook is not None:
                xb, yb = batch_hook(step + 1, xb, yb)
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            gn = None
            if clip is not None:
                gn = float(torch.nn.utils.clip_grad_norm_(model.parameters(), clip))
            if step_opt:
                opt.step()
            if sched_per_step is not None:
                sched_per_step.step()
            step += 1
            li = loss.item()
            tot += li * len(idx)
            cnt += len(idx)
            if on_step is not None:
                on_step(step, li, gn)
        if sched is not None:
            sched.step()
        if on_epoch is not None:
            on_epoch(epoch, step, tot / cnt)
    return step


def ce():
    return torch_mod().nn.CrossEntropyLoss()


def mse():
    return torch_mod().nn.MSELoss()


def lr_of(opt):
    return opt.param_groups[0]["lr"]


# --------------------------------------------------------------------------
# keras helpers

_keras = None


def keras_mod():
    global _keras
    if _keras is None:
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:
            pass
        import keras

        _keras = keras
    return _keras


def keras_fit(name, model, Xtr, ytr, Xva, yva, *, epochs, bs, callbacks=(), update_freq="epoch"):
    keras = keras_mod()
    tb = keras.callbacks.TensorBoard(log_dir=str(OUT / name), write_graph=False, histogram_freq=0,
                                     update_freq=update_freq)
    model.fit(Xtr, ytr, validation_data=(Xva, yva), epochs=epochs, batch_size=bs, shuffle=True,
              verbose=0, callbacks=[tb, *callbacks])


def keras_seed(seed):
    keras = keras_mod()
    keras.utils.set_random_seed(seed)


def dense_net(keras, n_in, hidden, n_out, act="relu", out_act=None, l2=0.0, dropout=0.0, init=None):
    L = keras.layers
    reg = keras.regularizers.L2(l2) if l2 else None
    kw = {"kernel_regularizer": reg}
    if init is not None:
        kw["kernel_initializer"] = init
    layers = [keras.Input((n_in,))]
    for h in hidden:
        layers.append(L.Dense(h, activation=act, **kw))
        if dropout:
            layers.append(L.Dropout(dropout))
    layers.append(L.Dense(n_out, activation=out_act, **kw))
    return keras.Sequential(layers)


def keras_cls_compile(keras, model, opt, binary=False):
    loss = (keras.losses.BinaryCrossentropy() if binary
            else keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.compile(optimizer=opt, loss=loss, metrics=["accuracy"])


# ==========================================================================
# Keras runs

K_VAL = "epoch_loss"


@run("keras/converged_digits", "keras.callbacks.TensorBoard", ["converged"], ["still_improving"],
     healthy=True, val=("keras/converged_digits/validation", K_VAL),
     why="MLP 64 units with L2 1e-3 and dropout 0.2 on digits, Adam 1e-3, batch 64, 50 epochs: "
         "both losses fall fast and flatten; validation tracks training with no rise.")
def k_converged():
    keras = keras_mod()
    keras_seed(1)
    Xtr, ytr, Xva, yva = digits()
    m = dense_net(keras, 64, [64], 10, l2=1e-3, dropout=0.2)
    keras_cls_compile(keras, m, keras.optimizers.Adam(1e-3))
    keras_fit("keras/converged_digits", m, Xtr, ytr, Xva, yva, epochs=50, bs=64)


@run("keras/step_decay_lr", "keras.callbacks.TensorBoard", ["converged"], [], healthy=True,
     val=("keras/step_decay_lr/validation", K_VAL),
     why="Diabetes regression (standardised target), 8-unit MLP, plain SGD lr 0.05 with batch 8, "
         "divided by 10 at epochs 15 and 30 by a LearningRateScheduler (epoch_learning_rate is "
         "logged). At the high LR the minibatch noise keeps both losses above their floor; at "
         "epoch 15 both drop by ~10% in one step, then stay flat. A downward step caused by "
         "the schedule, then convergence: no alarm.")
def k_step_decay():
    keras = keras_mod()
    keras_seed(2)
    Xtr, ytr, Xva, yva = diabetes()
    m = dense_net(keras, 10, [8], 1)
    m.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    sched = keras.callbacks.LearningRateScheduler(lambda e, lr: 0.05 * (0.1 ** (e // 15)))
    keras_fit("keras/step_decay_lr", m, Xtr, ytr, Xva, yva, epochs=45, bs=8, callbacks=[sched])


@run("keras/still_improving_low_lr", "keras.callbacks.TensorBoard", ["still_improving"], [],
     healthy=True, val=("keras/still_improving_low_lr/validation", K_VAL),
     why="Plain SGD lr 0.006, batch 65, for only 30 epochs on digits: both losses are still "
         "clearly falling at the end. update_freq=5 also writes batch_loss (Keras 3: the running "
         "mean over the current epoch) every 5 batches; 20 batches per epoch is a multiple of 5 on "
         "purpose: with Keras 3.15 an integer update_freq also gates the epoch summaries, so "
         "epoch_loss is only written when the epoch's last batch number is a multiple of it.")
def k_still_improving():
    keras = keras_mod()
    keras_seed(3)
    Xtr, ytr, Xva, yva = digits()
    m = dense_net(keras, 64, [64], 10)
    keras_cls_compile(keras, m, keras.optimizers.SGD(0.006))
    keras_fit("keras/still_improving_low_lr", m, Xtr, ytr, Xva, yva, epochs=30, bs=65, update_freq=5)


@run("keras/short_4_epochs", "keras.callbacks.TensorBoard", ["still_improving"], ["insufficient_data"],
     healthy=True, val=("keras/short_4_epochs/validation", K_VAL),
     why="A normal digits MLP stopped after 4 epochs while both losses still fall steeply: a practitioner "
         "says 'train longer' at a glance, so a short run is judged (with low confidence), not refused.")
def k_short():
    keras = keras_mod()
    keras_seed(4)
    Xtr, ytr, Xva, yva = digits()
    m = dense_net(keras, 64, [64], 10)
    keras_cls_compile(keras, m, keras.optimizers.Adam(1e-3))
    keras_fit("keras/short_4_epochs", m, Xtr, ytr, Xva, yva, epochs=4, bs=64)


@run("keras/overfit_noisy_labels", "keras.callbacks.TensorBoard", ["overfitting"], ["spike"],
     val=("keras/overfit_noisy_labels/validation", K_VAL),
     why="400 training digits with 30% of the labels replaced by random classes, a 512x512 MLP "
         "without regularisation, Adam, 150 epochs: the network memorises the wrong labels, "
         "training loss goes to ~0 while validation loss passes a minimum early and climbs, and "
         "validation accuracy falls too (real overfitting, not mere overconfidence). Around epoch "
         "30 Adam has a small hiccup (training loss jumps ~3x on the log scale, then recovers).")
def k_overfit():
    keras = keras_mod()
    keras_seed(5)
    Xtr, ytr, Xva, yva = digits(n_train=400)
    ytr = noisy_labels(ytr, 0.3, 10, seed=5)
    m = dense_net(keras, 64, [512, 512], 10)
    keras_cls_compile(keras, m, keras.optimizers.Adam(1e-3))
    keras_fit("keras/overfit_noisy_labels", m, Xtr, ytr, Xva, yva, epochs=150, bs=32)


@run("keras/overconfident_breast_cancer", "keras.callbacks.TensorBoard", ["overconfidence"],
     ["overfitting"], val=("keras/overconfident_breast_cancer/validation", K_VAL),
     why="Breast-cancer classifier (standardised features, 128x128 MLP, Adam 3e-3, 150 epochs, no "
         "regularisation): validation loss bottoms out early and then climbs steadily, while "
         "validation accuracy (epoch_accuracy in validation/) stays flat: the model grows "
         "confident on the few samples it gets wrong.")
def k_overconfident():
    keras = keras_mod()
    keras_seed(6)
    Xtr, ytr, Xva, yva = breast_cancer()
    m = dense_net(keras, 30, [128, 128], 1, out_act="sigmoid")
    keras_cls_compile(keras, m, keras.optimizers.Adam(3e-3), binary=True)
    keras_fit("keras/overconfident_breast_cancer", m, Xtr, ytr, Xva, yva, epochs=150, bs=32)


@run("keras/not_learning_lr1e-7", "keras.callbacks.TensorBoard", ["not_learning"], ["plateau"],
     val=("keras/not_learning_lr1e-7/validation", K_VAL),
     why="Digits MLP with Adam lr=1e-7 (far too low) for 40 epochs: each weight moves at most "
         "~1e-4 in total, training and validation loss stay at their starting level.")
def k_not_learning():
    keras = keras_mod()
    keras_seed(7)
    Xtr, ytr, Xva, yva = digits()
    m = dense_net(keras, 64, [64], 10)
    keras_cls_compile(keras, m, keras.optimizers.Adam(1e-7))
    keras_fit("keras/not_learning_lr1e-7", m, Xtr, ytr, Xva, yva, epochs=40, bs=32)


@run("keras/oscillation_unscaled_sgd", "keras.callbacks.TensorBoard", ["oscillation"], ["spike", "converged"],
     val=("keras/oscillation_unscaled_sgd/validation", K_VAL),
     why="Logistic regression on the UNSCALED breast-cancer features (areas up to ~4000) with "
         "SGD lr 3e-3, batch 32, 60 epochs: every update overshoots and the sigmoid saturates on "
         "one side then the other. After a noisy descent from ~500 to ~50 in the first 10 "
         "epochs, both losses keep jumping by factors of 2-5 between neighbouring epochs "
         "(validation most) instead of settling; the level itself is flat over the last 20 epochs "
         "(so 'converged' is acceptable next to the oscillation).")
def k_oscillation():
    keras = keras_mod()
    keras_seed(8)
    Xtr, ytr, Xva, yva = breast_cancer(scale=False)
    m = dense_net(keras, 30, [], 1, out_act="sigmoid")
    keras_cls_compile(keras, m, keras.optimizers.SGD(3e-3), binary=True)
    keras_fit("keras/oscillation_unscaled_sgd", m, Xtr, ytr, Xva, yva, epochs=60, bs=32)


@run("keras/label_noise_train_only", "keras.callbacks.TensorBoard", ["train_flat_val_improving"],
     ["still_improving"], val=("keras/label_noise_train_only/validation", K_VAL),
     why="The training tf.data pipeline has a label-noise 'augmentation' that redraws 80% of the "
         "labels at random in every batch (fresh each epoch, so nothing can be memorised); "
         "validation labels are clean. 32-unit MLP, Adam, 60 epochs. The best possible training "
         "loss is ~2.18 (entropy of the noisy labels) vs 2.30 at the start, so the training loss "
         "stays flat after the first epoch, while the clean validation loss falls by a third.")
def k_label_noise():
    keras = keras_mod()
    import tensorflow as tf

    keras_seed(9)
    Xtr, ytr, Xva, yva = digits()

    def redraw(x, y):
        noisy = tf.random.uniform(tf.shape(y), seed=9) < 0.8
        return x, tf.where(noisy, tf.random.uniform(tf.shape(y), 0, 10, dtype=tf.int64, seed=10), y)

    train = tf.data.Dataset.from_tensor_slices((Xtr, ytr)).shuffle(2000, seed=9).batch(64).map(redraw)
    m = dense_net(keras, 64, [32], 10)
    keras_cls_compile(keras, m, keras.optimizers.Adam(1e-3))
    tb = keras.callbacks.TensorBoard(log_dir=str(OUT / "keras/label_noise_train_only"), write_graph=False)
    m.fit(train, validation_data=(Xva, yva), epochs=60, verbose=0, shuffle=False, callbacks=[tb])


@run("keras/diverge_lr_growth", "keras.callbacks.TensorBoard", ["divergence"], ["overfitting"],
     val=("keras/diverge_lr_growth/validation", K_VAL),
     why="Diabetes regression MLP with plain SGD and a mis-configured LearningRateScheduler that "
         "multiplies the LR by 1.15 every epoch (from 1e-3; epoch_learning_rate is logged). The "
         "training loss falls to its minimum around epoch 29, then climbs persistently (x2 by "
         "epoch 45) as the LR passes the stable range; the run is stopped at epoch 45, one "
         "epoch before the loss would overflow. Validation loss bottoms out earlier (epoch ~14) "
         "and rises from there, partly from overfitting, mostly from the growing LR.")
def k_diverge():
    keras = keras_mod()
    keras_seed(10)
    Xtr, ytr, Xva, yva = diabetes()
    m = dense_net(keras, 10, [32], 1)
    m.compile(optimizer=keras.optimizers.SGD(1e-3), loss="mse")
    sched = keras.callbacks.LearningRateScheduler(lambda e, lr: 1e-3 * 1.15 ** e)
    keras_fit("keras/diverge_lr_growth", m, Xtr, ytr, Xva, yva, epochs=46, bs=16, callbacks=[sched])


@run("keras/plateau_tiny_init", "keras.callbacks.TensorBoard", ["plateau"],
     ["converged", "still_improving"], val=("keras/plateau_tiny_init/validation", K_VAL),
     why="Deep tanh MLP (3 hidden layers of 32) with weights initialised N(0, 0.007^2), SGD "
         "0.05 momentum 0.9: the origin is a saddle point, gradients are tiny, the loss stays at "
         "ln(10) for ~65 of 100 epochs, then the network escapes, the loss drops and flattens.")
def k_plateau():
    keras = keras_mod()
    keras_seed(11)
    Xtr, ytr, Xva, yva = digits()
    init = keras.initializers.RandomNormal(stddev=7e-3, seed=11)
    m = dense_net(keras, 64, [32, 32, 32], 10, act="tanh", init=init)
    keras_cls_compile(keras, m, keras.optimizers.SGD(0.05, momentum=0.9))
    keras_fit("keras/plateau_tiny_init", m, Xtr, ytr, Xva, yva, epochs=100, bs=64)


@run("keras/nan_unscaled_target", "keras.callbacks.TensorBoard", ["non_finite"], ["divergence"],
     val=("keras/nan_unscaled_target/validation", K_VAL),
     why="Regression on the RAW diabetes target (values 25-346, MSE ~3e4 at the start) with SGD "
         "lr 1.15e-3 momentum 0.9: the gradients are huge, the weights blow up and the loss overflows to "
         "inf/NaN after a few epochs; every later epoch logs NaN.")
def k_nan():
    keras = keras_mod()
    keras_seed(12)
    Xtr, ytr, Xva, yva = diabetes(scale_y=False)
    m = dense_net(keras, 10, [32], 1)
    m.compile(optimizer=keras.optimizers.SGD(1.15e-3, momentum=0.9), loss="mse")
    keras_fit("keras/nan_unscaled_target", m, Xtr, ytr, Xva, yva, epochs=30, bs=32)


# ==========================================================================
# torch SummaryWriter: Loss/train + Loss/validation|val|test


@run("torch/healthy_minibatch_noise", "torch SummaryWriter", ["converged"], ["still_improving"], healthy=True,
     val=("torch/healthy_minibatch_noise", "Loss/validation"),
     why="Digits MLP 64 with weight decay, Adam 1e-3, batch 32 (41 steps/epoch), 24 epochs. "
         "Loss/train is logged every step and is noisy (minibatch noise), Loss/validation once "
         "per epoch at the epoch-end step. Both flatten; nothing wrong.")
def t_minibatch_noise():
    torch = torch_mod()
    torch.manual_seed(21)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = mlp([64, 64, 10])
    opt = torch.optim.AdamW(model.parameters(), 1e-3, weight_decay=0.05)
    w = torch_writer(OUT / "torch/healthy_minibatch_noise")
    loss_fn = ce()
    train_torch(model, opt, Xtr, ytr, epochs=24, bs=32, loss_fn=loss_fn, seed=21,
                on_step=lambda s, l, g: w.add_scalar("Loss/train", l, s),
                on_epoch=lambda e, s, m: w.add_scalar("Loss/validation", evaluate(model, Xva, yva, loss_fn)[0], s))
    w.close()


@run("torch/resumed_from_checkpoint", "torch SummaryWriter", ["converged"], ["still_improving"], healthy=True,
     val=("torch/resumed_from_checkpoint", "Loss/validation"),
     why="Per-epoch Loss/train + Loss/validation (step = epoch), digits MLP, Adam. A checkpoint "
         "is saved after epoch 39; the job 'crashes' after logging epoch 47; it is resumed from "
         "the checkpoint with SummaryWriter(purge_step=40) in the same directory and logs epochs "
         "40-59 again (with a different data order). The old steps 40-47 stay in the first event "
         "file, but TensorBoard purges them; after purging the curve is a normal converged run.")
def t_resumed():
    torch = torch_mod()
    torch.manual_seed(22)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = mlp([64, 64, 10])
    opt = torch.optim.AdamW(model.parameters(), 5e-4, weight_decay=0.05)
    loss_fn = ce()
    path = OUT / "torch/resumed_from_checkpoint"
    # The usual resumable-script idiom: SummaryWriter(log_dir, purge_step=start_step), with
    # start_step = 0 on a fresh start. The fresh start thus writes a SessionLog START too, so
    # TensorBoard recognises the resumed writer's START at step 40 as a restart and purges.
    w = torch_writer(path, purge_step=0)
    ckpt = {}

    def log_epoch(e, s, m):
        w.add_scalar("Loss/train", m, e)
        w.add_scalar("Loss/validation", evaluate(model, Xva, yva, loss_fn)[0], e)
        if e == 39:
            ckpt["model"] = {k: v.clone() for k, v in model.state_dict().items()}
            ckpt["opt"] = __import__("copy").deepcopy(opt.state_dict())

    # first attempt: crashes after epoch 47
    train_torch(model, opt, Xtr, ytr, epochs=48, bs=64, loss_fn=loss_fn, seed=22, on_epoch=log_epoch)
    w.close()
    time.sleep(1.1)  # the resumed job starts later: its event file sorts after the first one
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["opt"])
    w = torch_writer(path, purge_step=40)
    train_torch(model, opt, Xtr, ytr, epochs=60, bs=64, loss_fn=loss_fn, seed=999, on_epoch=log_epoch,
                start_epoch=40)
    w.close()


@run("torch/spike_corrupted_batches", "torch SummaryWriter", ["spike"], ["converged", "still_improving"],
     val=("torch/spike_corrupted_batches", "Loss/test"),
     why="Digits MLP, Adam 1e-3, batch 64, per-step Loss/train, per-epoch Loss/test. At steps "
         "250, 251, 520 and 760 the batch arrives with inputs multiplied by 100 (a broken "
         "preprocessing shard). Scaling the inputs of a ReLU net scales its logits: at 251 "
         "(6.05 vs ~0.2 around) and 520 (3.2 vs ~0.08) the loss jumps 30-40x and is back to "
         "normal at the next step; at 250 and 760 the scaled batch happened to be classified "
         "right with huge confidence and the loss collapsed to ~0 (exactly 0.0 at 760).")
def t_spike():
    torch = torch_mod()
    torch.manual_seed(23)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = mlp([64, 64, 10])
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = ce()
    bad = {250, 251, 520, 760}

    def hook(step, xb, yb):
        return (xb * 100.0 if step in bad else xb), yb

    w = torch_writer(OUT / "torch/spike_corrupted_batches")
    train_torch(model, opt, Xtr, ytr, epochs=40, bs=64, loss_fn=loss_fn, seed=23, batch_hook=hook,
                on_step=lambda s, l, g: w.add_scalar("Loss/train", l, s),
                on_epoch=lambda e, s, m: w.add_scalar("Loss/test", evaluate(model, Xva, yva, loss_fn)[0], s))
    w.close()


@run("torch/no_optimizer_step", "torch SummaryWriter", ["not_learning"], ["plateau"],
     val=("torch/no_optimizer_step", "Loss/val"),
     why="Bug: the loop runs zero_grad(), forward, backward() but never optimizer.step(). "
         "Per-step Loss/train just shows minibatch noise around the initial ~2.3, per-epoch "
         "Loss/val is exactly constant.")
def t_no_step():
    torch = torch_mod()
    torch.manual_seed(24)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = mlp([64, 64, 10])
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = ce()
    w = torch_writer(OUT / "torch/no_optimizer_step")
    train_torch(model, opt, Xtr, ytr, epochs=20, bs=64, loss_fn=loss_fn, seed=24, step_opt=False,
                on_step=lambda s, l, g: w.add_scalar("Loss/train", l, s),
                on_epoch=lambda e, s, m: w.add_scalar("Loss/val", evaluate(model, Xva, yva, loss_fn)[0], s))
    w.close()


@run("torch/overconfident_digits", "torch SummaryWriter", ["overconfidence"], ["overfitting"],
     val=("torch/overconfident_digits", "Loss/val"),
     why="Only 150 training digits, 256x256 MLP, Adam 1e-3, batch 16, 300 epochs, no "
         "regularisation; per-epoch Loss/train, Loss/val and Accuracy/val. Training loss goes to "
         "~0; validation loss passes its minimum early and then rises steadily by about a third "
         "while Accuracy/val stays at ~93%: the logits keep growing, mistakes get more confident.")
def t_overconfident():
    torch = torch_mod()
    torch.manual_seed(25)
    Xtr, ytr, Xva, yva = map(T, digits(n_train=150))
    model = mlp([64, 256, 256, 10])
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = ce()
    w = torch_writer(OUT / "torch/overconfident_digits")

    def log_epoch(e, s, m):
        vl, va = evaluate(model, Xva, yva, loss_fn, accuracy=True)
        w.add_scalar("Loss/train", m, e)
        w.add_scalar("Loss/val", vl, e)
        w.add_scalar("Accuracy/val", va, e)

    train_torch(model, opt, Xtr, ytr, epochs=300, bs=16, loss_fn=loss_fn, seed=25, on_epoch=log_epoch)
    w.close()


@run("torch/nan_lr_too_high", "torch SummaryWriter", ["non_finite"], ["divergence", "oscillation", "spike"],
     val=("torch/nan_lr_too_high", "Loss/validation"),
     why="Diabetes regression MLP (32 hidden), SGD momentum 0.9 with lr 0.05 and batch 8 (far "
         "too aggressive): the loss bounces (with jumps of 2-3x) for 25 epochs, then the weights "
         "blow up, the loss overflows and is NaN from epoch 26 on; the script keeps logging NaN.")
def t_nan():
    torch = torch_mod()
    torch.manual_seed(1)
    Xtr, ytr, Xva, yva = map(T, diabetes())
    model = mlp([10, 32, 1])
    opt = torch.optim.SGD(model.parameters(), 0.05, momentum=0.9)
    mse_ = mse()
    loss_fn = lambda out, y: mse_(out.squeeze(1), y)
    w = torch_writer(OUT / "torch/nan_lr_too_high")

    def log_epoch(e, s, m):
        w.add_scalar("Loss/train", m, e)
        w.add_scalar("Loss/validation", evaluate(model, Xva, yva, loss_fn)[0], e)

    train_torch(model, opt, Xtr, ytr, epochs=30, bs=8, loss_fn=loss_fn, seed=1, on_epoch=log_epoch)
    w.close()


# ==========================================================================
# torch SummaryWriter: train_loss + val_loss


@run("torch/still_improving_sgd_low_lr", "torch SummaryWriter", ["still_improving"], [],
     healthy=True, val=("torch/still_improving_sgd_low_lr", "val_loss"),
     why="Digits MLP, plain SGD lr 0.01, batch 64, stopped after 40 epochs; per-epoch train_loss "
         "and val_loss both still falling clearly at the end.")
def t_still_improving():
    torch = torch_mod()
    torch.manual_seed(27)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = mlp([64, 64, 10])
    opt = torch.optim.SGD(model.parameters(), 0.01)
    loss_fn = ce()
    w = torch_writer(OUT / "torch/still_improving_sgd_low_lr")

    def log_epoch(e, s, m):
        w.add_scalar("train_loss", m, e)
        w.add_scalar("val_loss", evaluate(model, Xva, yva, loss_fn)[0], e)

    train_torch(model, opt, Xtr, ytr, epochs=40, bs=64, loss_fn=loss_fn, seed=27, on_epoch=log_epoch)
    w.close()


@run("torch/diverge_lr_above_stability", "torch SummaryWriter", ["divergence"], [],
     val=("torch/diverge_lr_above_stability", "val_loss"),
     why="Full-batch gradient descent on a linear regression (diabetes, 10 standardised "
         "features) with lr = 1.005 * 2/lambda_max of the loss Hessian: every direction but the "
         "steepest converges, so the loss first falls, then the steepest direction grows by a "
         "constant factor each step and the loss rises persistently (both train and val).")
def t_diverge():
    torch = torch_mod()
    torch.manual_seed(28)
    Xtr, ytr, Xva, yva = map(T, diabetes())
    H = 2.0 * Xtr.T @ Xtr / len(Xtr)  # Hessian of mean((Xw+b-y)^2) w.r.t. w
    lam = float(torch.linalg.eigvalsh(H.double()).max())
    model = torch.nn.Linear(10, 1)
    opt = torch.optim.SGD(model.parameters(), 1.005 * 2.0 / lam)
    mse_ = mse()
    loss_fn = lambda out, y: mse_(out.squeeze(1), y)
    w = torch_writer(OUT / "torch/diverge_lr_above_stability")
    for step in range(200):
        opt.zero_grad()
        loss = loss_fn(model(Xtr), ytr)
        w.add_scalar("train_loss", loss.item(), step)
        w.add_scalar("val_loss", evaluate(model, Xva, yva, loss_fn)[0], step)
        if step % 10 == 0:
            w.add_scalar("lr", lr_of(opt), step)
        loss.backward()
        opt.step()
    w.close()


@run("torch/oscillation_sgd_small_batch", "torch SummaryWriter", ["oscillation"], ["spike", "converged"],
     val=("torch/oscillation_sgd_small_batch", "val_loss"),
     why="Linear regression on diabetes (noisy target: the loss cannot reach 0) with plain SGD, "
         "lr 0.16 and batch 8, 60 epochs: near the stability limit each minibatch step throws "
         "the weights across the valley, so per-epoch train_loss (mean) and val_loss bounce "
         "strongly (factor 2-3) around a flat level instead of settling. The level is the noise "
         "floor of the data, so 'converged' is acceptable next to the oscillation.")
def t_oscillation():
    torch = torch_mod()
    torch.manual_seed(1)
    Xtr, ytr, Xva, yva = map(T, diabetes())
    model = mlp([10, 1])
    opt = torch.optim.SGD(model.parameters(), 0.16)
    mse_ = mse()
    loss_fn = lambda out, y: mse_(out.squeeze(1), y)
    w = torch_writer(OUT / "torch/oscillation_sgd_small_batch")

    def log_epoch(e, s, m):
        w.add_scalar("train_loss", m, e)
        w.add_scalar("val_loss", evaluate(model, Xva, yva, loss_fn)[0], e)

    train_torch(model, opt, Xtr, ytr, epochs=60, bs=8, loss_fn=loss_fn, seed=1, on_epoch=log_epoch)
    w.close()


@run("torch/plateau_deep_sigmoid", "torch SummaryWriter", ["plateau"], ["converged", "still_improving"],
     val=("torch/plateau_deep_sigmoid", "val_loss"),
     why="4 sigmoid hidden layers of 32 units, default init, SGD lr 0.2 momentum 0.9: gradients "
         "vanish through the sigmoids and the loss sits at ln(10)=2.30 for a long stretch before "
         "the network finds a direction and the loss drops.")
def t_plateau():
    torch = torch_mod()
    torch.manual_seed(30)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = mlp([64] + [32] * 4 + [10], act="sigmoid")
    opt = torch.optim.SGD(model.parameters(), 0.2, momentum=0.9)
    loss_fn = ce()
    w = torch_writer(OUT / "torch/plateau_deep_sigmoid")

    def log_epoch(e, s, m):
        w.add_scalar("train_loss", m, e)
        w.add_scalar("val_loss", evaluate(model, Xva, yva, loss_fn)[0], e)

    train_torch(model, opt, Xtr, ytr, epochs=120, bs=64, loss_fn=loss_fn, seed=30, on_epoch=log_epoch)
    w.close()


@run("torch/char_model_train_only", "torch SummaryWriter", ["still_improving"], ["converged"],
     healthy=True, val=None,
     why="Next-character MLP (context 16, embedding 16, hidden 256) on the text of the stdlib's "
         "argparse.py, Adam 2e-3, batch 128, 900 steps; only a training loss is logged (tag "
         "'loss', every step, noisy), no validation. The loss is still drifting down at the end.")
def t_char_train_only():
    torch = torch_mod()
    torch.manual_seed(31)
    codes = stdlib_text("argparse.py")
    X, y = char_windows(codes, 16, 40000)
    X, y = T(X), T(y)
    model = CharMLP.build(16, 16, 256)
    opt = torch.optim.Adam(model.parameters(), 2e-3)
    w = torch_writer(OUT / "torch/char_model_train_only")
    gen = torch.Generator().manual_seed(31)
    loss_fn = ce()
    for step in range(900):
        idx = torch.randint(0, len(X), (128,), generator=gen)
        opt.zero_grad()
        loss = loss_fn(model(X[idx]), y[idx])
        loss.backward()
        opt.step()
        w.add_scalar("loss", loss.item(), step)
    w.close()


@run("torch/no_loss_tags", "torch SummaryWriter", skipped="logs only 'accuracy' and 'lr': no loss-like scalar")
def t_no_loss():
    torch = torch_mod()
    torch.manual_seed(32)
    Xtr, ytr, Xva, yva = map(T, wine())
    model = mlp([13, 3])
    opt = torch.optim.SGD(model.parameters(), 0.05)
    sched = torch.optim.lr_scheduler.StepLR(opt, 10, 0.5)
    loss_fn = ce()
    w = torch_writer(OUT / "torch/no_loss_tags")

    def log_epoch(e, s, m):
        w.add_scalar("accuracy", evaluate(model, Xva, yva, loss_fn, accuracy=True)[1], e)
        w.add_scalar("lr", lr_of(opt), e)

    train_torch(model, opt, Xtr, ytr, epochs=30, bs=16, loss_fn=loss_fn, seed=32, sched=sched,
                on_epoch=log_epoch)
    w.close()


# ==========================================================================
# torch add_scalars: sibling runs <name>/loss_train, <name>/loss_val


@run("torch/overfit_regression", "torch SummaryWriter.add_scalars", ["overfitting"], [],
     val=("torch/overfit_regression/loss_val", "loss"),
     why="Diabetes regression trained on only 60 patients with a 256x256 MLP, Adam 1e-3, no "
         "regularisation, 300 full-batch epochs. add_scalars('loss', {'train','val'}): training "
         "MSE keeps falling towards 0 while validation MSE passes a minimum early and climbs far "
         "above it.")
def a_overfit():
    torch = torch_mod()
    torch.manual_seed(41)
    Xtr, ytr, Xva, yva = map(T, diabetes(n_train=60))
    model = mlp([10, 256, 256, 1])
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    mse_ = mse()
    loss_fn = lambda out, y: mse_(out.squeeze(1), y)
    w = torch_writer(OUT / "torch/overfit_regression")

    def log_epoch(e, s, m):
        w.add_scalars("loss", {"train": m, "val": evaluate(model, Xva, yva, loss_fn)[0]}, e)
        w.add_scalar("lr", lr_of(opt), e)

    train_torch(model, opt, Xtr, ytr, epochs=300, bs=60, loss_fn=loss_fn, seed=41, on_epoch=log_epoch)
    w.close()


@run("torch/converged_wine", "torch SummaryWriter.add_scalars", ["converged"], ["still_improving"], healthy=True,
     val=("torch/converged_wine/loss_val", "loss"),
     why="Wine (3 classes, 120 train / 58 val), 16-unit MLP with weight decay, Adam 3e-3, "
         "80 epochs; add_scalars('loss', {'train','val'}). Both losses fall and flatten "
         "close together.")
def a_converged():
    torch = torch_mod()
    torch.manual_seed(42)
    Xtr, ytr, Xva, yva = map(T, wine())
    model = mlp([13, 16, 3])
    opt = torch.optim.AdamW(model.parameters(), 3e-3, weight_decay=0.1)
    loss_fn = ce()
    w = torch_writer(OUT / "torch/converged_wine")

    def log_epoch(e, s, m):
        w.add_scalars("loss", {"train": m, "val": evaluate(model, Xva, yva, loss_fn)[0]}, e)

    train_torch(model, opt, Xtr, ytr, epochs=80, bs=16, loss_fn=loss_fn, seed=42, on_epoch=log_epoch)
    w.close()


@run("torch/label_noise_train_only", "torch SummaryWriter.add_scalars", ["train_flat_val_improving"],
     ["still_improving"], val=("torch/label_noise_train_only/loss_validation", "loss"),
     why="A train-only 'label noise' augmentation configured with p=0.8 instead of 0.08: in "
         "every training batch 80% of the labels are redrawn at random (fresh each time, so "
         "nothing can be memorised); validation is clean. 16-unit MLP, SGD momentum, 50 epochs; "
         "add_scalars('loss', {'train','validation'}). The training loss can only go from 2.30 "
         "to ~2.18 (entropy of the noisy labels) and stays flat, while the clean validation loss "
         "falls by a third.")
def a_label_noise():
    torch = torch_mod()
    torch.manual_seed(43)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = mlp([64, 16, 10])
    opt = torch.optim.SGD(model.parameters(), 0.02, momentum=0.9)
    g = torch.Generator().manual_seed(430)

    def label_noise(step, xb, yb):  # the mis-configured train-only augmentation
        redraw = torch.rand(len(yb), generator=g) < 0.8
        return xb, torch.where(redraw, torch.randint(0, 10, (len(yb),), generator=g), yb)

    loss_fn = ce()
    w = torch_writer(OUT / "torch/label_noise_train_only")

    def log_epoch(e, s, m):
        w.add_scalars("loss", {"train": m, "validation": evaluate(model, Xva, yva, loss_fn)[0]}, e)
        w.add_scalar("lr", lr_of(opt), e)

    train_torch(model, opt, Xtr, ytr, epochs=50, bs=64, loss_fn=loss_fn, seed=43, batch_hook=label_noise,
                on_epoch=log_epoch)
    w.close()


# ==========================================================================
# tensorboardX add_scalars: nested runs <name>/loss/train, <name>/loss/val


def tbx_writer(path):
    import logging

    from tensorboardX import SummaryWriter

    logging.getLogger("tensorboardX.x2num").setLevel(logging.ERROR)  # "NaN or Inf found" x36

    return SummaryWriter(logdir=str(path))


@run("tbx/overfit_char_model", "tensorboardX add_scalars", ["overfitting"], [],
     val=("tbx/overfit_char_model/loss/val", "loss"),
     why="Next-character model (context 16, 256 hidden units) trained on only 8,000 characters "
         "of argparse.py and validated on 4,000 other characters of the same file; Adam 5e-4, "
         "batch 128, 60 epochs. It memorises its tiny training text: training loss falls towards "
         "0.1, validation loss reaches its minimum after a few epochs, then climbs steeply.")
def x_overfit():
    torch = torch_mod()
    torch.manual_seed(51)
    codes = stdlib_text("argparse.py")
    Xtr, ytr = char_windows(codes, 16, 8000, offset=20000)
    Xva, yva = char_windows(codes, 16, 4000, offset=60000)
    Xtr, ytr, Xva, yva = map(T, (Xtr, ytr, Xva, yva))
    model = CharMLP.build(16, 24, 256)
    opt = torch.optim.Adam(model.parameters(), 5e-4)
    loss_fn = ce()
    w = tbx_writer(OUT / "tbx/overfit_char_model")

    def log_epoch(e, s, m):
        w.add_scalars("loss", {"train": m, "val": evaluate(model, Xva, yva, loss_fn)[0]}, e)

    train_torch(model, opt, Xtr, ytr, epochs=60, bs=128, loss_fn=loss_fn, seed=51, on_epoch=log_epoch)
    w.close()


@run("tbx/still_improving_char", "tensorboardX add_scalars", ["still_improving"], [], healthy=True,
     val=("tbx/still_improving_char/loss/val", "loss"),
     why="Next-character model (context 16, 128 hidden) on 30,000 characters of argparse.py, "
         "validated on 4,000 other characters of it, Adam 3e-4, batch 64, evaluated every 20 "
         "steps for 600 steps; "
         "add_scalars('loss', {'train','val'}) with the mean training loss since the last "
         "evaluation; the LR is logged in the parent run. Both losses still fall at the end.")
def x_still_improving():
    torch = torch_mod()
    torch.manual_seed(52)
    codes = stdlib_text("argparse.py")
    Xtr, ytr = char_windows(codes, 16, 30000)
    Xva, yva = char_windows(codes, 16, 4000, offset=60000)
    Xtr, ytr, Xva, yva = map(T, (Xtr, ytr, Xva, yva))
    model = CharMLP.build(16, 16, 128)
    opt = torch.optim.Adam(model.parameters(), 3e-4)
    loss_fn = ce()
    w = tbx_writer(OUT / "tbx/still_improving_char")
    gen = torch.Generator().manual_seed(52)
    acc = []
    for step in range(1, 601):
        idx = torch.randint(0, len(Xtr), (64,), generator=gen)
        opt.zero_grad()
        loss = loss_fn(model(Xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()
        acc.append(loss.item())
        if step % 20 == 0:
            w.add_scalars("loss", {"train": float(np.mean(acc)), "val": evaluate(model, Xva, yva, loss_fn)[0]}, step)
            w.add_scalar("lr", lr_of(opt), step)
            acc = []
    w.close()


@run("tbx/nan_log_zero", "tensorboardX add_scalars", ["non_finite"], ["overfitting"],
     val=("tbx/nan_log_zero/loss/val", "loss"),
     why="Breast cancer with a hand-written BCE -(y*log(p) + (1-y)*log(1-p)) on sigmoid outputs, "
         "64x64 MLP, Adam 1e-3. Training goes well until some sigmoid saturates to exactly "
         "1.0 in float32: 0*log(0) = NaN (epoch 24), the NaN gradient poisons the weights, and "
         "every later loss is NaN. Before that the validation loss had passed its minimum and "
         "crept up slightly.")
def x_nan():
    torch = torch_mod()
    torch.manual_seed(53)
    Xtr, ytr, Xva, yva = map(T, breast_cancer())
    model = mlp([30, 64, 64, 1])

    def bce(out, y):
        p = torch.sigmoid(out.squeeze(1))
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()

    opt = torch.optim.Adam(model.parameters(), 1e-3)
    w = tbx_writer(OUT / "tbx/nan_log_zero")

    def log_epoch(e, s, m):
        w.add_scalars("loss", {"train": m, "val": evaluate(model, Xva, yva, bce)[0]}, e)

    train_torch(model, opt, Xtr, ytr, epochs=60, bs=32, loss_fn=bce, seed=53, on_epoch=log_epoch)
    w.close()


# ==========================================================================
# Lightning-style: lightning/<name>/version_0
# PyTorch Lightning is not installed here; this writes with torch's SummaryWriter what its
# TensorBoardLogger writes with self.log("train_loss", on_step=True, on_epoch=True),
# self.log("val_loss"), Trainer(log_every_n_steps=1) and LearningRateMonitor(): tags
# train_loss_step / train_loss_epoch / val_loss / epoch / lr-Adam / hp_metric, one run per
# version, step = optimizer steps (global_step) even for epoch-level metrics.


class LightningStyleLogger:
    def __init__(self, name, hparams):
        self.dir = OUT / "lightning" / name / "version_0"
        self.w = torch_writer(self.dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        with open(self.dir / "hparams.yaml", "w") as f:
            for k, v in hparams.items():
                f.write(f"{k}: {v}\n")
        self.w.add_scalar("hp_metric", -1.0, 0)

    def step(self, step, epoch, loss):
        self.w.add_scalar("train_loss_step", loss, step)
        self.w.add_scalar("epoch", float(epoch), step)

    def epoch_end(self, step, epoch, train_mean, val_loss, lr=None, opt_name="Adam"):
        self.w.add_scalar("val_loss", val_loss, step)
        self.w.add_scalar("train_loss_epoch", train_mean, step)
        self.w.add_scalar("epoch", float(epoch), step)
        if lr is not None:
            self.w.add_scalar(f"lr-{opt_name}", lr, step)

    def close(self):
        self.w.close()


@run("lightning/dropout_val_below_train/version_0", "Lightning-style (torch SummaryWriter)",
     ["converged"], ["still_improving"], healthy=True, val=("lightning/dropout_val_below_train/version_0", "val_loss"),
     why="Digits MLP 64x64 with dropout 0.5 after each layer, Adam 1e-3, batch 64, 60 epochs "
         "(1260 steps, log_every_n_steps=2). Dropout "
         "is active when the training loss is computed and off at validation, so val_loss sits "
         "BELOW train_loss_epoch all along; both flatten. Not a problem.")
def l_dropout():
    torch = torch_mod()
    torch.manual_seed(61)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = mlp([64, 64, 64, 10], dropout=0.5)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = ce()
    lg = LightningStyleLogger("dropout_val_below_train", {"lr": 1e-3, "dropout": 0.5, "batch_size": 64})
    ep = {"e": 0}
    train_torch(model, opt, Xtr, ytr, epochs=60, bs=64, loss_fn=loss_fn, seed=61,
                on_step=lambda s, l, g: lg.step(s, ep["e"], l) if s % 2 == 0 else None,
                on_epoch=lambda e, s, m: (lg.epoch_end(s, e, m, evaluate(model, Xva, yva, loss_fn)[0], lr_of(opt)),
                                          ep.__setitem__("e", e + 1)))
    lg.close()


@run("lightning/spike_shuffled_labels/version_0", "Lightning-style (torch SummaryWriter)", ["spike"],
     ["converged", "still_improving"], val=("lightning/spike_shuffled_labels/version_0", "val_loss"),
     why="Digits MLP, Adam 1e-3, batch 64, 40 epochs. At steps 300, 560 and 561 the batch "
         "arrives with its labels shuffled (a data-loader bug): the already-trained model is "
         "confidently wrong on it, train_loss_step jumps from ~0.1 to several units and "
         "recovers within a few steps.")
def l_spike():
    torch = torch_mod()
    torch.manual_seed(62)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = mlp([64, 64, 10])
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = ce()
    bad = {300, 560, 561}
    g = torch.Generator().manual_seed(620)

    def hook(step, xb, yb):
        if step in bad:
            yb = yb[torch.randperm(len(yb), generator=g)]
        return xb, yb

    lg = LightningStyleLogger("spike_shuffled_labels", {"lr": 1e-3, "batch_size": 64})
    ep = {"e": 0}
    train_torch(model, opt, Xtr, ytr, epochs=40, bs=64, loss_fn=loss_fn, seed=62, batch_hook=hook,
                on_step=lambda s, l, gn: lg.step(s, ep["e"], l),
                on_epoch=lambda e, s, m: (lg.epoch_end(s, e, m, evaluate(model, Xva, yva, loss_fn)[0], lr_of(opt)),
                                          ep.__setitem__("e", e + 1)))
    lg.close()


@run("lightning/plateau_delayed_lr/version_0", "Lightning-style (torch SummaryWriter)", ["plateau"],
     ["converged", "still_improving"], val=("lightning/plateau_delayed_lr/version_0", "val_loss"),
     why="Digits MLP with Adam 1e-3 under ConstantLR(factor=0.001, total_iters=12): the LR is "
         "1e-6 for the first 12 epochs (lr-Adam is logged), so both losses sit flat at their "
         "starting level for a long stretch; when the LR jumps to 1e-3 they drop and flatten.")
def l_plateau():
    torch = torch_mod()
    torch.manual_seed(63)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = mlp([64, 64, 10])
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    sched = torch.optim.lr_scheduler.ConstantLR(opt, factor=0.001, total_iters=12)
    loss_fn = ce()
    lg = LightningStyleLogger("plateau_delayed_lr", {"lr": 1e-3, "warmup": "ConstantLR(0.001, 12)"})
    ep = {"e": 0}

    def on_epoch(e, s, m):
        lg.epoch_end(s, e, m, evaluate(model, Xva, yva, loss_fn)[0], lr_of(opt))
        ep["e"] = e + 1

    # per-step logging every 3 steps keeps the series small (log_every_n_steps=3)
    train_torch(model, opt, Xtr, ytr, epochs=30, bs=64, loss_fn=loss_fn, seed=63, sched=sched,
                on_step=lambda s, l, g: lg.step(s, ep["e"], l) if s % 3 == 0 else None,
                on_epoch=on_epoch)
    lg.close()


@run("lightning/oscillation_sgd_high_lr/version_0", "Lightning-style (torch SummaryWriter)",
     ["oscillation"], ["spike", "converged"], val=("lightning/oscillation_sgd_high_lr/version_0", "val_loss"),
     why="Diabetes regression MLP (32 hidden), plain SGD lr 0.25 with batch 8: the target is "
         "noisy so the minibatch gradients never vanish, and at this LR each step overshoots; "
         "val_loss (and train_loss_epoch, less) bounce strongly from epoch to epoch around a flat "
         "level ('converged' acceptable next to the oscillation). train_loss_step is very noisy "
         "anyway (batch 8 of a noisy regression target).")
def l_oscillation():
    torch = torch_mod()
    torch.manual_seed(64)
    Xtr, ytr, Xva, yva = map(T, diabetes())
    model = mlp([10, 32, 1])
    opt = torch.optim.SGD(model.parameters(), 0.25)
    mse_ = mse()
    loss_fn = lambda out, y: mse_(out.squeeze(1), y)
    lg = LightningStyleLogger("oscillation_sgd_high_lr", {"lr": 0.25, "batch_size": 8})
    ep = {"e": 0}

    def on_epoch(e, s, m):
        lg.epoch_end(s, e, m, evaluate(model, Xva, yva, loss_fn)[0], lr_of(opt), opt_name="SGD")
        ep["e"] = e + 1

    train_torch(model, opt, Xtr, ytr, epochs=25, bs=8, loss_fn=loss_fn, seed=64,
                on_step=lambda s, l, g: lg.step(s, ep["e"], l), on_epoch=on_epoch)
    lg.close()


# ==========================================================================
# Hugging Face Trainer-style: hf/<name>/runs/<date>_<host>
# transformers is not installed; this reproduces what Trainer's TensorBoardCallback writes with
# logging_steps=N and eval_strategy="epoch": train/loss (mean over the logging window),
# train/grad_norm, train/learning_rate, train/epoch (fractional) at global_step; eval/loss,
# eval/runtime, eval/samples_per_second, eval/steps_per_second (+ eval/accuracy from
# compute_metrics) at each evaluation; and the end-of-training summary train/train_loss,
# train/train_runtime, ... as single points.


class HFStyleLogger:
    def __init__(self, name, args):
        self.w = torch_writer(OUT / "hf" / name / "runs" / HF_RUN_DIR)
        self.w.add_text("args", json.dumps(args, indent=2), 0)
        self.window = []
        self.all = []
        self.t0 = time.time()

    def train_step(self, step, loss, grad_norm, lr, epoch, logging_steps):
        self.window.append(loss)
        self.all.append(loss)
        if step % logging_steps == 0:
            self.w.add_scalar("train/loss", float(np.mean(self.window)), step)
            self.w.add_scalar("train/grad_norm", float(grad_norm), step)
            self.w.add_scalar("train/learning_rate", float(lr), step)
            self.w.add_scalar("train/epoch", float(epoch), step)
            self.window = []

    def evaluate(self, step, epoch, loss, n, runtime, accuracy=None):
        self.w.add_scalar("eval/loss", loss, step)
        if accuracy is not None:
            self.w.add_scalar("eval/accuracy", accuracy, step)
        self.w.add_scalar("eval/runtime", round(runtime, 4), step)
        self.w.add_scalar("eval/samples_per_second", round(n / max(runtime, 1e-6), 3), step)
        self.w.add_scalar("eval/steps_per_second", round(n / 8 / max(runtime, 1e-6), 3), step)
        self.w.add_scalar("train/epoch", float(epoch), step)

    def end(self, step, epoch, n_samples):
        rt = time.time() - self.t0
        self.w.add_scalar("train/train_runtime", round(rt, 4), step)
        self.w.add_scalar("train/train_samples_per_second", round(n_samples / rt, 3), step)
        self.w.add_scalar("train/train_steps_per_second", round(step / rt, 3), step)
        self.w.add_scalar("train/total_flos", 0.0, step)
        self.w.add_scalar("train/train_loss", float(np.mean(self.all)), step)
        self.w.add_scalar("train/epoch", float(epoch), step)
        self.w.close()


def hf_train(name, model, Xtr, ytr, Xva, yva, *, lr, epochs, bs, warmup_steps, seed, logging_steps,
             accuracy=False, weight_decay=0.0, schedule="linear"):
    """AdamW + linear warm-up/decay + grad clipping 1.0 + eval each epoch, like Trainer's defaults."""
    torch = torch_mod()
    spe = math.ceil(len(Xtr) / bs)
    total = spe * epochs
    opt = torch.optim.AdamW(model.parameters(), lr, weight_decay=weight_decay)

    def lam(s):
        if s < warmup_steps:
            return s / max(1, warmup_steps)
        if schedule == "constant_with_warmup":
            return 1.0
        return max(0.0, (total - s) / max(1, total - warmup_steps))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lam)
    args = {"learning_rate": lr, "num_train_epochs": epochs, "per_device_train_batch_size": bs,
            "warmup_steps": warmup_steps, "lr_scheduler_type": schedule, "logging_steps": logging_steps,
            "eval_strategy": "epoch", "max_grad_norm": 1.0, "weight_decay": weight_decay, "seed": seed}
    lg = HFStyleLogger(name, args)
    loss_fn = ce()
    state = {"lr": lr_of(opt)}

    def on_step(s, l, gn):
        # HF logs the LR that was used for this step (scheduler already stepped: take the saved one)
        lg.train_step(s, l, gn, state["lr"], s / spe, logging_steps)
        state["lr"] = lr_of(opt)

    def on_epoch(e, s, m):
        t = time.time()
        vl, va = evaluate(model, Xva, yva, loss_fn, accuracy=accuracy)
        lg.evaluate(s, (e + 1), vl, len(Xva), time.time() - t, va if accuracy else None)

    train_torch(model, opt, Xtr, ytr, epochs=epochs, bs=bs, loss_fn=loss_fn, seed=seed, clip=1.0,
                sched_per_step=sched, on_step=on_step, on_epoch=on_epoch)
    lg.end(total, float(epochs), len(Xtr) * epochs)


class TinyCNN:
    @staticmethod
    def build():
        torch = torch_mod()
        nn = torch.nn
        return nn.Sequential(nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(32 * 16, 128), nn.ReLU(), nn.Linear(128, 10))


@run(f"hf/warmup_bump/runs/{HF_RUN_DIR}", "HF Trainer-style (torch SummaryWriter)", ["converged"],
     ["still_improving"], healthy=True, val=(f"hf/warmup_bump/runs/{HF_RUN_DIR}", "eval/loss"),
     why="Digits MLP (128 hidden), AdamW peak lr 3e-2 reached by a linear warm-up over the "
         "first 150 steps "
         "(train/learning_rate is logged), linear decay to 0 after; logging_steps=5, eval each "
         "epoch. As the LR ramps up to its high peak the training loss makes a small bump "
         "early on, then falls and flattens as the LR decays. Expected behaviour of warm-up.")
def h_warmup():
    torch = torch_mod()
    torch.manual_seed(71)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = mlp([64, 128, 10])
    hf_train("warmup_bump", model, Xtr, ytr, Xva, yva, lr=3e-2, epochs=20, bs=32, warmup_steps=150,
             seed=71, logging_steps=5, weight_decay=0.01)


@run(f"hf/lr_typo_not_learning/runs/{HF_RUN_DIR}", "HF Trainer-style (torch SummaryWriter)",
     ["not_learning"], ["plateau"], val=(f"hf/lr_typo_not_learning/runs/{HF_RUN_DIR}", "eval/loss"),
     why="Tiny CNN (2 conv layers) on 8x8 digits with learning_rate=1e-8 (a typo for 1e-3): "
         "train/loss and eval/loss stay at the starting level for the whole run, though "
         "train/grad_norm is healthy.")
def h_not_learning():
    torch = torch_mod()
    torch.manual_seed(72)
    Xtr, ytr, Xva, yva = map(T, digits())
    model = TinyCNN.build()
    hf_train("lr_typo_not_learning", model, Xtr, ytr, Xva, yva, lr=1e-8, epochs=15, bs=32,
             warmup_steps=50, seed=72, logging_steps=5)


@run(f"hf/overconfident_breast_cancer/runs/{HF_RUN_DIR}", "HF Trainer-style (torch SummaryWriter)",
     ["overconfidence"], ["overfitting"],
     val=(f"hf/overconfident_breast_cancer/runs/{HF_RUN_DIR}", "eval/loss"),
     why="Breast-cancer classifier (standardised features, 128x128 MLP, two logits), AdamW 3e-3 "
         "with lr_scheduler_type=constant_with_warmup, no weight decay, 60 epochs; "
         "compute_metrics gives eval/accuracy. eval/loss reaches its minimum within a few epochs "
         "and then climbs steadily to several times that value while eval/accuracy stays flat: "
         "the model grows confident on the few samples it gets wrong.")
def h_overconfident():
    torch = torch_mod()
    torch.manual_seed(73)
    Xtr, ytr, Xva, yva = breast_cancer()
    Xtr, ytr, Xva, yva = T(Xtr), T(ytr.astype(np.int64)), T(Xva), T(yva.astype(np.int64))
    model = mlp([30, 128, 128, 2])
    hf_train("overconfident_breast_cancer", model, Xtr, ytr, Xva, yva, lr=3e-3, epochs=60, bs=32,
             warmup_steps=20, seed=73, logging_steps=10, accuracy=True, schedule="constant_with_warmup")


# ==========================================================================
# labels


def read_series(subrun, tag):
    """(steps, values) of one scalar series as TensorBoard reads it (purging orphaned steps)."""
    from tensorboard.backend.event_processing import plugin_event_accumulator as pea
    from tensorboard.util import tensor_util

    if not (OUT / subrun).is_dir():
        return [], []
    acc = pea.EventAccumulator(str(OUT / subrun), size_guidance={"scalars": 1000, "tensors": 1000})
    acc.Reload()
    if tag not in acc.Tags().get("tensors", []):
        return [], []
    events = acc.Tensors(tag)
    steps = [e.step for e in events]
    vals = [float(tensor_util.make_ndarray(e.tensor_proto).item()) for e in events]
    return steps, vals


def best_step(spec):
    if spec.val is None:
        return None
    steps, vals = read_series(*spec.val)
    finite = [(v, s) for s, v in zip(steps, vals) if math.isfinite(v)]
    if not finite:
        return None
    vmin = min(v for v, _ in finite)
    return min(s for v, s in finite if v == vmin)


def loss_step_span(name):
    """[min_step, max_step] over the run's loss curves (tags containing 'loss', 2+ points), in
    all its sub-runs. Keras's iteration-axis curves (evaluation_*_vs_iterations, batch_*) are
    left out: the epoch curves are the run's curves there."""
    from tensorboard.backend.event_processing import plugin_event_multiplexer as pem

    if not (OUT / name).is_dir():
        return None
    mux = pem.EventMultiplexer(tensor_size_guidance={"scalars": 1000})
    mux.AddRunsFromDirectory(str(OUT / name))
    mux.Reload()
    lo, hi = None, None
    for run, tags in mux.PluginRunToTagToContent("scalars").items():
        for tag in tags:
            if "loss" not in tag.lower() or "vs_iterations" in tag or tag.startswith("batch_"):
                continue
            steps = [e.step for e in mux.Tensors(run, tag)]
            if len(steps) < 2:
                continue
            lo = min(steps) if lo is None else min(lo, min(steps))
            hi = max(steps) if hi is None else max(hi, max(steps))
    return None if lo is None else [lo, hi]


def write_labels():
    runs, skipped = {}, {}
    for name, spec in RUNS.items():
        if spec.skipped:
            skipped[name] = spec.skipped
            continue
        runs[name] = {
            "required": spec.required,
            "acceptable": spec.acceptable,
            "healthy": spec.healthy,
            "best_step": best_step(spec),
            "steps": loss_step_span(name),
            "writer": spec.writer,
            "why": spec.why,
        }
    doc = {
        "about": "Ground truth for demo_logs/, written by scripts/make_demo_logs.py. 'required': codes a "
                 "correct diagnosis must contain; 'acceptable': codes that are also fine; 'best_step': "
                 "step of the minimum validation loss (null without validation loss); 'steps': "
                 "[first, last] step of the run's loss curves.",
        "runs": runs,
        "skipped": skipped,
    }
    with open(OUT / "labels.json", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


# ==========================================================================


def clear(names):
    """Remove the event directories of the runs about to be generated (whole tree for a full run)."""
    if names is None:  # everything under demo_logs/ except labels.json: nothing stale survives
        for entry in OUT.iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            elif entry.name != "labels.json":
                entry.unlink()
        return
    for n in names:
        d = OUT / n
        # HF and Lightning runs: remove the whole <name> folder, not just the leaf
        parts = Path(n).parts
        if parts[0] in ("hf", "lightning"):
            d = OUT / parts[0] / parts[1]
        shutil.rmtree(d, ignore_errors=True)


def main(argv=None):
    global OUT
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "demo_logs"))
    ap.add_argument("--only", nargs="*", help="generate only these runs (substring match)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--labels-only", action="store_true")
    args = ap.parse_args(argv)
    OUT = Path(args.out)
    OUT.mkdir(parents=True, exist_ok=True)
    if args.list:
        for name, spec in RUNS.items():
            print(f"{name:55s} {spec.writer:40s} {spec.required or 'skipped'}")
        return 0
    if not args.labels_only:
        if args.only:
            names = [n for n in RUNS if any(o in n for o in args.only)]
            if not names:
                ap.error("no run matches --only")
        else:
            names = None
        clear(names)
        t_all = time.time()
        for name in names or list(RUNS):
            t = time.time()
            RUNS[name].fn()
            print(f"{name:55s} {time.time() - t:6.1f}s", flush=True)
        print(f"total {time.time() - t_all:.1f}s")
    write_labels()
    return 0


if __name__ == "__main__":
    sys.exit(main())
