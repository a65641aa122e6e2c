"""Fixture data for the Diagnosis tab's development harness (not shipped).

make_fixture() returns a realistic diagnoses document (docs/json-format.md,
plus the plugin's extensions: lang, sampling, summary, sampled, notes, text,
skipped tags, per-finding confidence, per-run comparison columns and
sparkline) and the matching curves for each run. list_view(doc) is what the
plugin's `diagnoses` route serves (findings without detail, actions,
evidence, text); run_entry(doc, run, lang) what its `run` route serves.
make_big(n) returns a document with n generated runs for performance
checks; synth_curves(entry) draws curves for any run of it. Pure standard
library, deterministic (seeded).

Run `python3 fixtures.py` to rewrite fixture.json and curves_fixture.json.
"""

import json
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
HOSTILE = "<img src=x onerror=alert(1)>"

TEXTS = {
    "overfitting": {
        "en": {
            "title": "Overfitting since step {first}",
            "detail": "Validation loss reached its minimum {val_min} at step {first} and has risen {rise_pct}% since, while training loss kept falling. The model is memorising the training set.",
            "actions": [
                "Keep the checkpoint of step {first} (early stopping on validation loss).",
                "Add regularisation: weight decay, dropout.",
                "Augment the data or collect more of it.",
                "Try a smaller model.",
            ],
        },
        "zh": {
            "title": "自第 {first} 步起过拟合",
            "detail": "验证 loss 在第 {first} 步达到最小值 {val_min}，此后上升了 {rise_pct}%，而训练 loss 仍在下降：模型开始记忆训练集中的噪声。",
            "actions": [
                "保留第 {first} 步的检查点（按验证 loss 早停）。",
                "加入正则化：权重衰减、dropout。",
                "做数据增强或收集更多数据。",
                "尝试更小的模型。",
            ],
        },
    },
    "oscillation": {
        "en": {
            "title": "Training loss oscillates strongly",
            "detail": "Around its trend the training loss swings by {amplitude} on average, {ratio}× the typical step-to-step noise. The learning rate is probably too high for this batch size.",
            "actions": ["Lower the learning rate (or schedule it down).", "Use a larger batch.", "Add momentum or switch optimiser."],
        },
        "zh": {
            "title": "训练 loss 剧烈震荡",
            "detail": "训练 loss 围绕趋势的平均波动为 {amplitude}，是通常噪声的 {ratio} 倍。对这个批大小来说，学习率可能过高。",
            "actions": ["降低学习率（或使用学习率衰减）。", "增大批大小。", "加入动量或更换优化器。"],
        },
    },
    "non_finite": {
        "en": {
            "title": "NaN in the training loss from step {first}",
            "detail": "The training loss became NaN at step {first} and never recovered; {count} of the logged values are NaN or Inf. Something overflowed: log(0), a division by zero or a learning rate far too high.",
            "actions": [
                "Inspect the batch and the gradients at step {first}.",
                "Lower the learning rate and add a warm-up.",
                "Clip gradients (e.g. clip_grad_norm_ to 1.0).",
                "Add an epsilon inside log() and divisions.",
            ],
        },
        "zh": {
            "title": "训练 loss 自第 {first} 步起出现 NaN",
            "detail": "训练 loss 在第 {first} 步变为 NaN 且再未恢复；共有 {count} 个记录值为 NaN 或 Inf。可能发生了数值溢出：log(0)、除以零，或学习率过高。",
            "actions": ["检查第 {first} 步的批数据和梯度。", "降低学习率并加入预热（warm-up）。", "裁剪梯度（例如 clip_grad_norm_ 设为 1.0）。", "在 log() 和除法中加入 epsilon。"],
        },
    },
    "divergence": {
        "en": {
            "title": "Loss diverges after step {first}",
            "detail": "The training loss bottomed out at {loss_min} and then rose steadily to {loss_end} before it became NaN.",
            "actions": ["Lower the learning rate.", "Clip gradients.", "Check the initialisation."],
        },
        "zh": {
            "title": "第 {first} 步后 loss 发散",
            "detail": "训练 loss 降到 {loss_min} 后持续上升到 {loss_end}，随后变为 NaN。",
            "actions": ["降低学习率。", "裁剪梯度。", "检查权重初始化。"],
        },
    },
    "still_improving": {
        "en": {
            "title": "Still improving at the end",
            "detail": "Validation loss fell {drop_pct}% over the last 20% of training and shows no sign of flattening: there is room to learn.",
            "actions": ["Train longer (resume from the last checkpoint)."],
        },
        "zh": {
            "title": "训练结束时仍在改进",
            "detail": "在最后 20% 的训练中验证 loss 下降了 {drop_pct}%，且没有趋平的迹象：模型还有学习空间。",
            "actions": ["延长训练（从最后的检查点继续）。"],
        },
    },
    "converged": {
        "en": {
            "title": "Converged",
            "detail": "Both losses flattened over the last {tail_steps} steps and validation tracks training closely (gap {gap}).",
            "actions": ["Stop here, or fine-tune with a lower learning rate."],
        },
        "zh": {
            "title": "已收敛",
            "detail": "两条 loss 在最后 {tail_steps} 步都已趋平，验证 loss 与训练 loss 接近（差距 {gap}）。",
            "actions": ["可以停止训练，或用更低的学习率微调。"],
        },
    },
    "spike": {
        "en": {
            "title": "{n} loss spikes",
            "detail": "The training loss jumped to {peak} ({factor}× its local level) and recovered within a few hundred steps.",
            "actions": ["Inspect the batches at those steps for outliers or bad labels.", "Clip gradients.", "Lower the learning rate or add a warm-up."],
        },
        "zh": {
            "title": "{n} 次 loss 突增",
            "detail": "训练 loss 突然升到 {peak}（局部水平的 {factor} 倍），并在几百步内恢复。",
            "actions": ["检查这些步的批数据是否有异常值或错误标签。", "裁剪梯度。", "降低学习率或加入预热。"],
        },
    },
    "not_learning": {
        "en": {
            "title": "The model is not learning",
            "detail": "Training loss moved only {change_pct}% from its starting level {start} over {steps} steps.",
            "actions": ["Check that optimizer.step() runs and the weights are not frozen.", "Check the labels.", "Raise the learning rate."],
        },
        "zh": {
            "title": "模型没有在学习",
            "detail": "在 {steps} 步中，训练 loss 相对初始值 {start} 只变化了 {change_pct}%。",
            "actions": ["确认 optimizer.step() 被调用、权重没有被冻结。", "检查标签。", "提高学习率。"],
        },
    },
    "overconfidence": {
        "en": {
            "title": "Validation loss rises while accuracy holds",
            "detail": "Validation loss rose from {val_min} to {val_end} while validation accuracy stayed at {acc_end}: the model grows confident on its mistakes.",
            "actions": ["Usually acceptable: stop at the best accuracy.", "Calibrate (temperature scaling) or use label smoothing."],
        },
        "zh": {
            "title": "验证 loss 上升而准确率持平",
            "detail": "验证 loss 从 {val_min} 升到 {val_end}，而验证准确率保持在 {acc_end}：模型对错误预测越来越自信。",
            "actions": ["通常可以接受：在准确率最高处停止。", "做概率校准（温度缩放）或使用标签平滑。"],
        },
    },
    "plateau": {
        "en": {
            "title": "Plateau from step {first} to {last}",
            "detail": "Training loss stayed within {band}% for {length} steps, then dropped again when the learning rate was reduced.",
            "actions": ["Use a learning-rate schedule such as ReduceLROnPlateau.", "Try a different batch size."],
        },
        "zh": {
            "title": "第 {first}–{last} 步停滞",
            "detail": "训练 loss 在 {length} 步内的变化不超过 {band}%，学习率降低后才再次下降。",
            "actions": ["使用学习率调度，例如 ReduceLROnPlateau。", "尝试不同的批大小。"],
        },
    },
    "train_flat_val_improving": {
        "en": {
            "title": "Training loss flat while validation improves",
            "detail": "Training loss stayed near {train_level} while validation loss fell {val_drop_pct}%. Training and validation data probably differ.",
            "actions": ["Check the training labels for noise.", "Check train-only augmentation or dropout.", "Look for leakage between the splits."],
        },
        "zh": {
            "title": "训练 loss 持平而验证 loss 下降",
            "detail": "训练 loss 一直在 {train_level} 附近，而验证 loss 下降了 {val_drop_pct}%。训练集和验证集的数据可能不一致。",
            "actions": ["检查训练标签是否有噪声。", "检查只作用于训练的增强或 dropout。", "检查数据划分之间是否有泄漏。"],
        },
    },
}

SUMMARIES = {
    "overfitting": {"en": "Validation loss rises since step {first} while training loss falls.", "zh": "自第 {first} 步起验证 loss 上升，而训练 loss 仍在下降。"},
    "non_finite": {"en": "Training loss is NaN from step {first}.", "zh": "训练 loss 自第 {first} 步起为 NaN。"},
    "still_improving": {"en": "Losses still falling at the end: train longer.", "zh": "训练结束时 loss 仍在下降：可以继续训练。"},
    "converged": {"en": "Both losses flat at the end; validation tracks training.", "zh": "两条 loss 都已趋平，验证与训练一致。"},
    "spike": {"en": "{n} sudden jumps in the training loss that recovered.", "zh": "训练 loss 出现 {n} 次突增并已恢复。"},
    "not_learning": {"en": "Training loss barely moves from its starting level.", "zh": "训练 loss 几乎没有离开初始水平。"},
    "overconfidence": {"en": "Validation loss rises while validation accuracy holds.", "zh": "验证 loss 上升而验证准确率持平。"},
    "plateau": {"en": "Loss stalled from step {first} to {last}, then fell again.", "zh": "loss 在第 {first}–{last} 步停滞，之后再次下降。"},
    "oscillation": {"en": "Training loss bounces strongly around its trend.", "zh": "训练 loss 围绕趋势剧烈震荡。"},
    "divergence": {"en": "Loss rises persistently after step {first}.", "zh": "第 {first} 步后 loss 持续上升。"},
    "train_flat_val_improving": {"en": "Training loss flat while validation loss falls: check the data.", "zh": "训练 loss 持平而验证 loss 下降：请检查数据。"},
    "insufficient_data": {"en": "Only {points} points logged: too few to judge.", "zh": "只记录了 {points} 个点，数据太少，无法判断。"},
}


def _fmt(template, values):
    return template.format(**values)


def finding(code, severity, first, last, evidence, lang="en", **extra):
    """A finding with texts in both languages; top-level texts in `lang`."""
    values = {"first": first, "last": last, **{k: v for k, v in evidence.items()}, **extra}
    text = {}
    for language, parts in TEXTS[code].items():
        text[language] = {
            "title": _fmt(parts["title"], values),
            "detail": _fmt(parts["detail"], values),
            "actions": [_fmt(a, values) for a in parts["actions"]],
        }
    return {
        "code": code,
        "severity": severity,
        "first_step": first,
        "last_step": last,
        **text[lang],
        "evidence": evidence,
        "text": text,
    }


def summary(code, **values):
    return {lang: _fmt(template, values) for lang, template in SUMMARIES[code].items()}


def series(run, tag, points):
    return {"run": run, "tag": tag, "points": points}


def _finite(value):
    return value is not None and math.isfinite(value)


def _thin(points, limit=32):
    """At most `limit` evenly spaced points, keeping the first and the last."""
    if len(points) <= limit:
        return [list(p) for p in points]
    picks = sorted({round(i * (len(points) - 1) / (limit - 1)) for i in range(limit)})
    return [list(points[i]) for i in picks]


def comparison(curve_set):
    """The run's list columns and sparkline, from its curves (as the plugin computes them)."""

    def points(role):
        return curve_set[role]["points"] if role in curve_set else []

    def values(role):
        return [v for _, v in points(role) if _finite(v)]

    train, val_loss, val_acc = values("train_loss"), values("val_loss"), values("val_acc")
    columns = {
        "best_val_loss": min(val_loss) if val_loss else None,
        "best_val_acc": max(val_acc) if val_acc else None,
        "final_train_loss": train[-1] if train else None,
        "steps": points("train_loss")[-1][0] if points("train_loss") else None,
    }
    sparkline = {role: _thin(points(role)) for role in ("train_loss", "val_loss") if points(role)}
    return {"columns": columns, "sparkline": sparkline}


LIST_FINDING_FIELDS = ("code", "severity", "confidence", "first_step", "last_step", "title")


def list_view(doc):
    """The `diagnoses` route's document: each finding keeps only its list fields."""
    runs = [
        {**entry, "findings": [{k: f[k] for k in LIST_FINDING_FIELDS if k in f} for f in entry["findings"]]}
        for entry in doc["runs"]
    ]
    return {**doc, "runs": runs}


def run_entry(doc, run, lang):
    """The `run` route's answer: one run's full entry, top-level texts in `lang`; None if unknown."""
    for entry in doc["runs"]:
        if entry["run"] == run:
            findings = [{**f, **f["text"][lang]} if "text" in f else f for f in entry["findings"]]
            return {**entry, "findings": findings}
    return None


# ---- curve shapes ---------------------------------------------------------------


def _decay(step, start, end, tau):
    return end + (start - end) * math.exp(-step / tau)


def _noisy(rng, value, scale):
    return value * (1 + rng.gauss(0, scale))


def curve(steps, fn, rng=None, noise=0.0):
    points = []
    for s in steps:
        v = fn(s)
        if v is not None and rng is not None and noise:
            v = _noisy(rng, v, noise)
        points.append([s, None if v is None else round(v, 5)])
    return points


def make_fixture():
    rng = random.Random(7)
    runs, curves = [], {}

    # 1. Overfitting (+ oscillation), PyTorch SummaryWriter style.
    name = "mnist/adam_lr1e-3"
    tr_steps, va_steps = range(0, 5001, 10), range(0, 5001, 100)
    train = curve(tr_steps, lambda s: _decay(s, 2.3, 0.05, 900) + 0.04 * math.sin(s / 37), rng, 0.06)
    val = curve(va_steps, lambda s: _decay(s, 2.3, 0.38, 500) + (max(0, s - 1800) / 3200) ** 1.3 * 0.2, rng, 0.01)
    curves[name] = {"train_loss": series(name, "Loss/train", train), "val_loss": series(name, "Loss/validation", val)}
    runs.append(
        {
            "run": name,
            "verdict": "overfitting",
            "severity": "warning",
            "best_step": 1800,
            "summary": summary("overfitting", first=1800),
            "sampled": False,
            "series": {"train_loss": series(name, "Loss/train", len(train)), "val_loss": series(name, "Loss/validation", len(val))},
            "findings": [
                finding("overfitting", "warning", 1800, 5000, {"val_min": 0.412, "val_min_step": 1800, "val_end": 0.583, "rise_pct": 41.5, "train_end": 0.061}),
                finding("oscillation", "info", 2000, 5000, {"amplitude": 0.041, "ratio": 3.2}),
            ],
        }
    )

    # 2. NaN + divergence (critical).
    name = "mnist/sgd_lr1e-1"
    train = curve(tr_steps, lambda s: None if s >= 2400 else (_decay(s, 2.3, 0.6, 300) if s < 1200 else 0.62 * math.exp((s - 1200) / 350)), rng, 0.03)
    val = curve(va_steps, lambda s: None if s >= 2400 else (_decay(s, 2.3, 0.7, 300) if s < 1200 else 0.72 * math.exp((s - 1200) / 380)), rng, 0.01)
    curves[name] = {"train_loss": series(name, "Loss/train", train), "val_loss": series(name, "Loss/validation", val)}
    runs.append(
        {
            "run": name,
            "verdict": "non_finite",
            "severity": "critical",
            "best_step": 1200,
            "summary": summary("non_finite", first=2400),
            "sampled": False,
            "series": {"train_loss": series(name, "Loss/train", len(train)), "val_loss": series(name, "Loss/validation", len(val))},
            "findings": [
                finding("non_finite", "critical", 2400, None, {"count": 261, "first_bad_value": "nan"}),
                finding("divergence", "critical", 1200, 2390, {"loss_min": 0.58, "loss_end": 19.7}),
            ],
        }
    )

    # 3. Still improving, with accuracy (ok).
    name = "cifar10/resnet18"
    tr_steps2, va_steps2 = range(0, 3001, 10), range(0, 3001, 100)
    train = curve(tr_steps2, lambda s: _decay(s, 2.3, 0.2, 2200), rng, 0.03)
    val = curve(va_steps2, lambda s: _decay(s, 2.3, 0.35, 2400), rng, 0.01)
    tacc = curve(tr_steps2, lambda s: 1 - _decay(s, 0.9, 0.07, 2000), rng, 0.01)
    vacc = curve(va_steps2, lambda s: 1 - _decay(s, 0.9, 0.12, 2200), rng, 0.005)
    curves[name] = {
        "train_loss": series(name, "train_loss", train),
        "val_loss": series(name, "val_loss", val),
        "train_acc": series(name, "train_acc", tacc),
        "val_acc": series(name, "val_acc", vacc),
    }
    runs.append(
        {
            "run": name,
            "verdict": "still_improving",
            "severity": "ok",
            "best_step": 3000,
            "summary": summary("still_improving"),
            "sampled": False,
            "series": {k: series(name, v["tag"], len(v["points"])) for k, v in curves[name].items()},
            "findings": [finding("still_improving", "ok", 2400, 3000, {"drop_pct": 18.4})],
        }
    )

    # 4. Converged, long run that hit the reservoir limit (sampled).
    name = "cifar10/resnet50_long"
    long_steps = sorted(rng.sample(range(0, 200001, 10), 999) + [200000])
    train = curve(long_steps, lambda s: _decay(s, 2.3, 0.31, 20000), rng, 0.03)
    val = curve(range(0, 200001, 2000), lambda s: _decay(s, 2.3, 0.36, 22000), rng, 0.01)
    lr = [[s, 0.1 * 0.5 * (1 + math.cos(math.pi * s / 200000))] for s in range(0, 200001, 2000)]
    curves[name] = {"train_loss": series(name, "train/loss", train), "val_loss": series(name, "eval/loss", val), "lr": series(name, "train/learning_rate", lr)}
    runs.append(
        {
            "run": name,
            "verdict": "converged",
            "severity": "ok",
            "best_step": 196000,
            "summary": summary("converged"),
            "sampled": True,
            "series": {k: series(name, v["tag"], len(v["points"])) for k, v in curves[name].items()},
            "findings": [finding("converged", "ok", 160000, 200000, {"tail_steps": 40000, "gap": 0.05})],
        }
    )

    # 5. Spikes, Hugging Face Trainer style.
    name = "bert/finetune"
    steps = range(0, 4001, 20)
    spikes = {1200: 3.1, 3400: 2.4}

    def spiky(s):
        base = _decay(s, 0.9, 0.22, 800)
        for at, height in spikes.items():
            if 0 <= s - at < 80:
                base += height * math.exp(-(s - at) / 25)
        return base

    train = curve(steps, spiky, rng, 0.03)
    val = curve(range(0, 4001, 500), lambda s: _decay(s, 0.85, 0.27, 900), rng, 0.01)
    curves[name] = {"train_loss": series(name, "train/loss", train), "val_loss": series(name, "eval/loss", val)}
    runs.append(
        {
            "run": name,
            "verdict": "spike",
            "severity": "warning",
            "best_step": 4000,
            "summary": summary("spike", n=2),
            "sampled": False,
            "series": {k: series(name, v["tag"], len(v["points"])) for k, v in curves[name].items()},
            "findings": [
                finding("spike", "warning", 1200, 3400, {"steps": [1200, 3400], "peak": 3.36, "factor": 8.2}, n=2),
                finding("converged", "ok", 3200, 4000, {"tail_steps": 800, "gap": 0.04}),
            ],
        }
    )

    # 6. Hostile run and tag names: must render as text.
    name = HOSTILE
    train = curve(range(0, 2001, 10), lambda s: 2.30 - 0.02 * s / 2000, rng, 0.004)
    curves[name] = {"train_loss": series(name, "<b>loss</b>\"'&", train)}
    runs.append(
        {
            "run": name,
            "verdict": "not_learning",
            "severity": "critical",
            "best_step": 1990,
            "summary": {"en": "Training loss barely moves <script>alert(1)</script>.", "zh": "训练 loss 几乎不动 <script>alert(1)</script>。"},
            "sampled": False,
            "series": {"train_loss": series(name, "<b>loss</b>\"'&", len(train))},
            "findings": [finding("not_learning", "critical", 0, 2000, {"change_pct": 0.9, "start": 2.3, "steps": 2000, "note": "<img src=x onerror=alert(2)>"})],
        }
    )

    # 7. Keras: run is the folder holding train/ and validation/ (overconfidence).
    name = "keras/mnist_cnn"
    epochs = range(0, 30)
    train = curve(epochs, lambda e: _decay(e, 0.45, 0.01, 6), rng, 0.02)
    val = curve(epochs, lambda e: _decay(e, 0.12, 0.03, 3) + max(0, e - 8) * 0.004, rng, 0.01)
    tacc = curve(epochs, lambda e: 1 - _decay(e, 0.12, 0.002, 5))
    vacc = curve(epochs, lambda e: 0.991 - 0.03 * math.exp(-e / 2))
    lr = [[e, 0.001] for e in epochs]
    curves[name] = {
        "train_loss": series(name + "/train", "epoch_loss", train),
        "val_loss": series(name + "/validation", "epoch_loss", val),
        "train_acc": series(name + "/train", "epoch_accuracy", tacc),
        "val_acc": series(name + "/validation", "epoch_accuracy", vacc),
        "lr": series(name + "/train", "epoch_learning_rate", lr),
    }
    runs.append(
        {
            "run": name,
            "verdict": "overconfidence",
            "severity": "info",
            "best_step": 8,
            "summary": summary("overconfidence"),
            "sampled": False,
            "series": {k: series(v["run"], v["tag"], len(v["points"])) for k, v in curves[name].items()},
            "findings": [finding("overconfidence", "info", 8, 29, {"val_min": 0.031, "val_end": 0.114, "acc_end": 0.991})],
        }
    )

    # 8. Lightning, plateau then drop after LR reduction.
    name = "lightning_logs/version_3"
    steps = range(0, 6001, 25)

    def plateau(s):
        if s < 1500:
            return _decay(s, 1.6, 0.9, 400)
        if s < 3500:
            return 0.905
        return 0.9 - 0.5 * (1 - math.exp(-(s - 3500) / 600))

    train = curve(steps, plateau, rng, 0.015)
    val = curve(range(0, 6001, 250), lambda s: plateau(s) + 0.06, rng, 0.01)
    lr = [[s, 0.01 if s < 3500 else 0.001] for s in range(0, 6001, 250)]
    curves[name] = {"train_loss": series(name, "train_loss", train), "val_loss": series(name, "val_loss", val), "lr": series(name, "lr-Adam", lr)}
    runs.append(
        {
            "run": name,
            "verdict": "plateau",
            "severity": "info",
            "best_step": 6000,
            "summary": summary("plateau", first=1500, last=3500),
            "sampled": False,
            "series": {k: series(name, v["tag"], len(v["points"])) for k, v in curves[name].items()},
            "findings": [finding("plateau", "info", 1500, 3500, {"band": 1.2, "length": 2000}), finding("still_improving", "ok", 4800, 6000, {"drop_pct": 9.1})],
        }
    )

    # 9. Data problem.
    name = "noisy_labels/run_2"
    steps = range(0, 3001, 20)
    train = curve(steps, lambda s: 1.1, rng, 0.02)
    val = curve(range(0, 3001, 200), lambda s: _decay(s, 1.0, 0.55, 900), rng, 0.01)
    curves[name] = {"train_loss": series(name, "loss/train", train), "val_loss": series(name, "loss/val", val)}
    runs.append(
        {
            "run": name,
            "verdict": "train_flat_val_improving",
            "severity": "warning",
            "best_step": 3000,
            "summary": summary("train_flat_val_improving"),
            "sampled": False,
            "series": {k: series(name, v["tag"], len(v["points"])) for k, v in curves[name].items()},
            "findings": [finding("train_flat_val_improving", "warning", 0, 3000, {"train_level": 1.1, "val_drop_pct": 44.0})],
        }
    )

    # 10. Too few points.
    name = "quick_test"
    train = [[0, 2.3], [1, 2.1], [2, 2.05]]
    curves[name] = {"train_loss": series(name, "loss", train)}
    runs.append(
        {
            "run": name,
            "verdict": "insufficient_data",
            "severity": "info",
            "best_step": None,
            "summary": summary("insufficient_data", points=3),
            "sampled": False,
            "series": {"train_loss": series(name, "loss", 3)},
            "findings": [],
        }
    )

    # 11. A long sweep name (one line, ellipsis in a narrow list), read from a damaged file.
    name = "sweeps/2024-05-17_resnet50_cosine_lr3e-4_wd5e-2_bs256_mixup0.2/seed_42"
    steps = range(0, 8001, 40)
    train = curve(steps, lambda s: _decay(s, 2.1, 0.3, 4000), rng, 0.02)
    val = curve(range(0, 8001, 400), lambda s: _decay(s, 2.1, 0.42, 4300), rng, 0.01)
    vacc = curve(range(0, 8001, 400), lambda s: 0.93 - 0.8 * math.exp(-s / 3000), rng, 0.003)
    curves[name] = {"train_loss": series(name, "train_loss", train), "val_loss": series(name, "val_loss", val), "val_acc": series(name, "val_acc", vacc)}
    runs.append(
        {
            "run": name,
            "verdict": "still_improving",
            "severity": "ok",
            "best_step": 8000,
            "summary": summary("still_improving"),
            "sampled": False,
            "series": {k: series(name, v["tag"], len(v["points"])) for k, v in curves[name].items()},
            "findings": [finding("still_improving", "ok", 6400, 8000, {"drop_pct": 14.2})],
            "notes": ["events.out.tfevents.1715930000.gpu-07.4121.0: truncated after 302 records"],
        }
    )

    # How sure each finding is: low on short runs (Keras' 30 epochs) and on rare events.
    confidence = {
        ("mnist/adam_lr1e-3", "overfitting"): 0.91, ("mnist/adam_lr1e-3", "oscillation"): 0.44,
        ("mnist/sgd_lr1e-1", "non_finite"): 1.0, ("mnist/sgd_lr1e-1", "divergence"): 0.83,
        ("bert/finetune", "spike"): 0.38, ("keras/mnist_cnn", "overconfidence"): 0.41,
    }
    for entry in runs:
        entry.setdefault("notes", [])
        entry.update(comparison(curves[entry["run"]]))
        for f in entry["findings"]:
            f["confidence"] = confidence.get((entry["run"], f["code"]), 0.8)
    runs[5]["notes"] = ["<img src=x onerror=alert(5)>.tfevents: unreadable record header at byte 88"]
    runs[2]["forecast"] = {
        "curve": "val_loss", "tag": "val_loss", "refused": None, "last_step": 3000, "horizon_step": 6000,
        "expected": 0.52, "interval80": [0.47, 0.58], "floor": 0.36, "steps_to_90pct": 11800, "lost_past_best": None,
        "text": {
            "en": "Training to step 6000 (twice as long) would take the validation loss from 0.898 to about 0.52 (80%: 0.47–0.58).",
            "zh": "训练到第 6000 步（两倍长）预计会让验证 loss 从 0.898 降到约 0.52（80% 区间：0.47–0.58）。",
        },
    }

    doc = {
        "version": 1,
        "lang": "en",
        "sampling": {"limit": 1000},
        "runs": runs,
        "skipped": [
            {"run": "gan/discriminator", "reason": "no loss-like scalar", "tags": ["d_real", "d_fake", "gradient_penalty"]},
            {"run": "profiling", "reason": "no scalars", "tags": []},
        ],
    }
    return doc, {name: {"run": name, "series": s} for name, s in curves.items()}


# ---- large generated documents ---------------------------------------------------

_BIG_KINDS = [
    ("overfitting", "warning"),
    ("still_improving", "ok"),
    ("converged", "ok"),
    ("spike", "warning"),
    ("oscillation", "warning"),
    ("plateau", "info"),
    ("non_finite", "critical"),
    ("not_learning", "critical"),
    ("overconfidence", "info"),
    ("insufficient_data", "info"),
]


def make_big(n, lang="en"):
    """A document with n generated runs (mixed verdicts) and a few skipped."""
    rng = random.Random(n)
    runs = []
    for i in range(n):
        code, severity = _BIG_KINDS[rng.randrange(len(_BIG_KINDS))] if i else ("overfitting", "warning")
        name = f"sweep/lr{rng.choice(['1e-2', '3e-3', '1e-3', '3e-4'])}_bs{rng.choice([32, 64, 128])}/seed{i}"
        last = rng.choice([2000, 5000, 10000])
        first = rng.randrange(last // 5, last // 2) // 10 * 10
        evidence = {
            "val_min": 0.41, "val_min_step": first, "val_end": 0.58, "rise_pct": 41.5, "train_end": 0.06, "amplitude": 0.04, "ratio": 3.1,
            "count": 12, "first_bad_value": "nan", "drop_pct": 12.0, "tail_steps": last // 5, "gap": 0.03, "steps": f"{first},{first + 400}",
            "peak": 3.3, "factor": 7.5, "change_pct": 0.8, "start": 2.3, "acc_end": 0.98, "band": 1.0, "length": 800,
        }
        entry = {
            "run": name,
            "verdict": code,
            "severity": severity,
            "best_step": None if code == "insufficient_data" else first,
            "sampled": i % 17 == 0,
            "series": {"train_loss": series(name, "train_loss", last // 10 + 1), "val_loss": series(name, "val_loss", last // 100 + 1)},
        }
        if code == "insufficient_data":
            entry["summary"] = summary(code, points=3)
            entry["findings"] = []
        else:
            entry["summary"] = summary(code, first=first, last=first + 1000, n=2)
            entry["findings"] = [finding(code, severity, first, None if code == "non_finite" else last, evidence, lang, n=2)]
            if code in ("plateau",):
                entry["findings"][0]["last_step"] = first + 1000
        for f in entry["findings"]:
            f["confidence"] = round(rng.uniform(0.2, 1.0), 2)
        entry["notes"] = ["events.out.tfevents.0: truncated after 40 records"] if i % 53 == 0 else []
        entry.update(comparison(synth_curves(entry)["series"]))
        runs.append(entry)
    skipped = [{"run": f"aux/probe{i}", "reason": "no loss-like scalar", "tags": ["grad_norm", "throughput"]} for i in range(5)]
    return {"version": 1, "lang": lang, "sampling": {"limit": 1000}, "runs": runs, "skipped": skipped}


def synth_curves(entry):
    """Plausible curves for any generated run, shaped by its verdict."""
    rng = random.Random(entry["run"])
    last = max((f.get("last_step") or 0) for f in entry["findings"]) if entry["findings"] else 40
    last = max(last, 40)
    first = entry["best_step"] or last // 3
    code = entry["verdict"]

    def train_fn(s):
        if code == "non_finite" and s >= first:
            return None
        if code == "not_learning":
            return 2.3 - 0.02 * s / last
        return _decay(s, 2.3, 0.1, last / 5)

    def val_fn(s):
        if code == "non_finite" and s >= first:
            return None
        base = _decay(s, 2.3, 0.35, last / 5)
        if code in ("overfitting", "overconfidence") and s > first:
            base += 0.3 * (s - first) / last
        return base

    step_t, step_v = max(1, last // 500), max(1, last // 50)
    name = entry["run"]
    return {
        "run": name,
        "series": {
            "train_loss": series(name, "train_loss", curve(range(0, last + 1, step_t), train_fn, rng, 0.03)),
            "val_loss": series(name, "val_loss", curve(range(0, last + 1, step_v), val_fn, rng, 0.01)),
        },
    }


if __name__ == "__main__":
    doc, curves = make_fixture()
    with open(os.path.join(HERE, "fixture.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(HERE, "curves_fixture.json"), "w", encoding="utf-8") as f:
        json.dump(curves, f, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(doc['runs'])} runs, {len(curves)} curve sets")
