"""Words for findings, in English and Simplified Chinese.

Each code has a title (one line, used as a run's summary), a paragraph that
explains what the curves show and why it usually happens, and actions. Texts
are templates over a finding's evidence, formatted here and nowhere else.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Mapping, Optional, Tuple

import numpy as np

from ..detect.detectors.base import MIN_POINTS, Finding

LANGUAGES = ("en", "zh")

# A short name for every verdict, for tables and badges.
LABELS: Dict[str, Dict[str, str]] = {
    "still_improving": {"en": "still improving", "zh": "仍在改善"},
    "converged": {"en": "converged", "zh": "已收敛"},
    "overfitting": {"en": "overfitting", "zh": "过拟合"},
    "overconfidence": {"en": "overconfidence", "zh": "过度自信"},
    "not_learning": {"en": "not learning", "zh": "没有在学习"},
    "plateau": {"en": "plateau", "zh": "平台期"},
    "oscillation": {"en": "oscillation", "zh": "震荡"},
    "spike": {"en": "spike", "zh": "尖峰"},
    "divergence": {"en": "divergence", "zh": "发散"},
    "non_finite": {"en": "NaN / Inf", "zh": "NaN / Inf"},
    "train_flat_val_improving": {"en": "train flat, val improving", "zh": "训练不动、验证在降"},
    "insufficient_data": {"en": "insufficient data", "zh": "数据不足"},
}

_ROLE = {
    "train_loss": {"en": "training loss", "zh": "训练 loss"},
    "val_loss": {"en": "validation loss", "zh": "验证 loss"},
    "grad_norm": {"en": "gradient norm", "zh": "梯度范数"},
}

TEXTS: Dict[str, Dict[str, Dict[str, object]]] = {
    "non_finite": {
        "en": {
            "title": "{role} became {first_bad_value} at step {first_bad_step}{bad_then}",
            "detail": "{bad_story} "
            "Once a loss is not a number, the weights usually are not either, and nothing after that step can be trusted. "
            "Typical causes are an overflow from a learning rate far too high, log(0) or a division by zero in the loss, "
            "or an fp16 overflow.",
            "actions": [
                "Find what changed just before step {first_bad_step}: inspect that batch and the gradient norms.",
                "Lower the learning rate and clip gradients (e.g. torch.nn.utils.clip_grad_norm_).",
                "Guard the loss: add an epsilon inside log/division, use the framework's fused log-softmax/cross-entropy.",
                "With mixed precision, use a gradient scaler; turn on anomaly detection (torch.autograd.set_detect_anomaly) to find the operation.",
            ],
        },
        "zh": {
            "title": "{role} 在第 {first_bad_step} 步变成了 {first_bad_value}{bad_then}",
            "detail": "{bad_story}"
            "loss 一旦不是数，权重多半也已经坏了，这一步之后的训练都不可信。"
            "常见原因：学习率大得离谱导致数值溢出、loss 里出现 log(0) 或除以零、fp16 溢出。",
            "actions": [
                "看看第 {first_bad_step} 步之前发生了什么：检查那个 batch 的数据和梯度范数。",
                "调小学习率，加上梯度裁剪（例如 torch.nn.utils.clip_grad_norm_）。",
                "给 loss 加保护：log 和除法里加一个 epsilon，用框架自带的 log-softmax / 交叉熵而不是自己拼。",
                "用混合精度时记得用 GradScaler；可以打开 torch.autograd.set_detect_anomaly 定位出问题的算子。",
            ],
        },
    },
    "divergence": {
        "en": {
            "title": "{role} rises after step {min_step} and keeps rising",
            "detail": "The {role} ({tag}) reached its lowest level, {min_value}, around step {min_step} and then climbed to {end_value} "
            "by the end, without coming back. A loss that goes up on the data it is trained on means the optimisation "
            "itself is unstable: most often the learning rate is too high for this phase, gradients explode, or the "
            "initialisation is poor.",
            "actions": [
                "Lower the learning rate (try 3-10x smaller) or add a decay schedule.",
                "Clip gradients and add a learning-rate warm-up.",
                "Keep the checkpoint from around step {min_step}.",
                "Check initialisation and normalisation (BatchNorm/LayerNorm, input scaling).",
            ],
        },
        "zh": {
            "title": "{role} 从第 {min_step} 步之后一路上升",
            "detail": "{role}（{tag}）在第 {min_step} 步左右降到最低点 {min_value}，之后一路涨到 {end_value}，没有再降回来。"
            "在训练集上 loss 反而上升，说明优化过程本身不稳定：最常见的是这个阶段学习率太大、梯度爆炸，或者初始化不好。",
            "actions": [
                "调小学习率（先试小 3 到 10 倍），或者加上学习率衰减。",
                "加梯度裁剪和学习率 warm-up。",
                "保留第 {min_step} 步附近的 checkpoint。",
                "检查初始化和归一化（BatchNorm/LayerNorm、输入是否标准化）。",
            ],
        },
    },
    "overfitting": {
        "en": {
            "title": "validation loss bottoms out at step {val_min_step} and then rises",
            "detail": "Validation loss was lowest ({val_min}) around step {val_min_step} and rose to {val_end} by the end, while "
            "training loss kept falling (from {train_at_val_min} to {train_end}). The model has started to memorise the "
            "training set instead of learning what generalises: every step after the minimum makes it worse on new data.",
            "actions": [
                "Keep the checkpoint from step {val_min_step} (early stopping with restore-best-weights).",
                "Add regularisation: weight decay, dropout, label smoothing.",
                "Use more data or stronger augmentation, or a smaller model.",
                "Lower the learning rate late in training (ReduceLROnPlateau) if you want to train on.",
            ],
        },
        "zh": {
            "title": "验证 loss 在第 {val_min_step} 步见底后开始上升",
            "detail": "验证 loss 在第 {val_min_step} 步左右最低（{val_min}），到结束时涨到了 {val_end}；"
            "同一时间训练 loss 还在下降（从 {train_at_val_min} 降到 {train_end}）。"
            "这说明模型开始死记训练集里的噪声，而不是学到能泛化的规律：过了最低点之后每多训练一步，在新数据上就更差一点。",
            "actions": [
                "保留第 {val_min_step} 步的 checkpoint（早停，并恢复最佳权重）。",
                "加正则：weight decay、dropout、label smoothing。",
                "增加数据或加强数据增强，或者换一个小一点的模型。",
                "如果还想继续训练，后期降低学习率（比如 ReduceLROnPlateau）。",
            ],
        },
    },
    "overconfidence": {
        "en": {
            "title": "validation loss rises after step {val_min_step} but accuracy holds",
            "detail": "Validation loss was lowest ({val_min}) around step {val_min_step} and rose to {val_end}, yet validation "
            "accuracy did not get worse ({acc_at_val_min} then, {acc_end} at the end). The model keeps the same answers "
            "but grows more confident in the ones it gets wrong, which the loss punishes. Depending on what you need "
            "this can be acceptable, but probabilities from the late checkpoints are poorly calibrated.",
            "actions": [
                "If you need accuracy only, keep the checkpoint with the best accuracy (step {acc_best_step}).",
                "If you need calibrated probabilities, stop near step {val_min_step} or calibrate (temperature scaling).",
                "Label smoothing or weight decay usually keep confidence in check.",
            ],
        },
        "zh": {
            "title": "验证 loss 在第 {val_min_step} 步后上升，但准确率没掉",
            "detail": "验证 loss 在第 {val_min_step} 步左右最低（{val_min}），之后涨到 {val_end}，"
            "但验证准确率并没有变差（当时 {acc_at_val_min}，结束时 {acc_end}）。"
            "模型给出的答案基本没变，只是对那些答错的样本越来越自信，所以 loss 被拉高。"
            "看你的目标，这种情况往往可以接受，但后期 checkpoint 输出的概率已经不太可信（校准变差）。",
            "actions": [
                "只关心准确率的话，保留准确率最高的那个 checkpoint（第 {acc_best_step} 步）。",
                "需要可靠的概率时，在第 {val_min_step} 步附近停下，或者做概率校准（temperature scaling）。",
                "label smoothing 或 weight decay 通常能压住过度自信。",
            ],
        },
    },
    "not_learning": {
        "en": {
            "title": "training loss barely moves from its starting level",
            "detail": "The loss ({tag}) started at {start_value} and ended at {end_value}: over the whole run it never improved by more "
            "than {best_change} of its starting level. The model is not learning from the data. Usually the learning "
            "rate is far too low, or the training loop has a bug: no optimizer.step(), gradients zeroed at the wrong "
            "place, frozen weights, or labels that do not match the inputs.",
            "actions": [
                "Check the loop first: optimizer.step() is called, parameters have requires_grad, gradients are non-zero.",
                "Overfit a single small batch: if the loss does not go to near zero, the bug is in the model or the loop.",
                "Raise the learning rate (try 10x) or run a learning-rate range test.",
                "Check that inputs are normalised and labels line up with their inputs.",
            ],
        },
        "zh": {
            "title": "训练 loss 几乎没有离开初始水平",
            "detail": "loss（{tag}）从 {start_value} 开始，到结束时是 {end_value}：整个训练过程中，相对初始水平最多只改善了 {best_change}。"
            "模型没有从数据里学到东西。通常是学习率小得离谱，或者训练代码有 bug："
            "没调用 optimizer.step()、梯度清零的位置不对、权重被冻结了，或者标签和输入对不上。",
            "actions": [
                "先查训练循环：有没有调用 optimizer.step()，参数的 requires_grad 是否为 True，梯度是不是全为零。",
                "拿一个小 batch 反复训练：如果 loss 降不到接近零，问题出在模型或训练循环里。",
                "把学习率调大（先试 10 倍），或者做一次学习率范围测试（LR range test）。",
                "检查输入有没有做归一化，标签和输入是否一一对应。",
            ],
        },
    },
    "train_flat_val_improving": {
        "en": {
            "title": "training loss is flat while validation loss falls",
            "detail": "Training loss stayed near {train_start} (ended at {train_end}) while validation loss fell from {val_start} "
            "to {val_end}. A model that improves on held-out data without improving on its own training data means the "
            "two sets are not measured the same way: noisy or shuffled training labels, augmentation or dropout that only "
            "apply in training and make it much harder, or validation data leaking from training.",
            "actions": [
                "Check the training labels and the train/validation split for mistakes and leakage.",
                "Compare training and validation preprocessing; try training once without augmentation.",
                "Evaluate the model on a training subset in eval mode to see its real training loss.",
            ],
        },
        "zh": {
            "title": "训练 loss 不动，验证 loss 却在下降",
            "detail": "训练 loss 一直停在 {train_start} 附近（结束时 {train_end}），验证 loss 却从 {val_start} 降到了 {val_end}。"
            "模型在没见过的数据上进步、在自己的训练数据上却不进步，几乎可以肯定两边的数据不是一回事："
            "训练标签有噪声或被打乱、只在训练时生效的数据增强或 dropout 让训练变得很难，或者验证集泄露进了训练集。",
            "actions": [
                "检查训练集标签，以及训练/验证集的划分有没有出错、有没有泄露。",
                "对比训练和验证的预处理；试着关掉数据增强训练一次。",
                "在 eval 模式下用训练集的一部分评估模型，看看真实的训练 loss。",
            ],
        },
    },
    "spike": {
        "en": {
            "title": "{count} sudden jump(s) in the {role}, first at step {first_step}",
            "detail": "The {role} ({tag}) jumps up suddenly at step(s) {steps} and then recovers; the largest jump is {largest_jump_of_spread} "
            "of the curve's whole range. Isolated jumps usually come from a bad batch (outliers, wrong normalisation, "
            "corrupted samples) or from a step that was too large for the current curvature.",
            "actions": [
                "Look at the batches at step(s) {steps}: outliers, NaN-free but extreme values, mislabelled samples.",
                "Clip gradients; if jumps repeat, lower the learning rate or add warm-up.",
                "If the loss does not fully recover, restart from a checkpoint before step {first_step}.",
            ],
        },
        "zh": {
            "title": "{role} 出现 {count} 次突然跳高，第一次在第 {first_step} 步",
            "detail": "{role}（{tag}）在第 {steps} 步突然跳高，随后又恢复；最大一次跳了整条曲线幅度的 {largest_jump_of_spread}。"
            "这种孤立的跳变通常来自一个坏 batch（离群值、归一化出错、损坏的样本），或者某一步的步长相对当时的曲率太大。",
            "actions": [
                "检查第 {steps} 步的 batch：有没有离群值、极端数值、标错的样本。",
                "加梯度裁剪；如果反复出现，调小学习率或加 warm-up。",
                "如果 loss 没有完全恢复，从第 {first_step} 步之前的 checkpoint 重新开始。",
            ],
        },
    },
    "oscillation": {
        "en": {
            "title": "the {role} bounces strongly around its trend",
            "detail": "In the second half of the run the {role} ({tag}) swings around its trend by about {bounce} (typical "
            "deviation), which is {bounce_ratio} of what it gained over the run (for validation: of its range or its level, whichever is smaller). Some noise is normal; bouncing "
            "this strong means the optimiser keeps jumping across the bottom of the valley: the learning rate is too "
            "high, the batch too small, or the data noisy.",
            "actions": [
                "Lower the learning rate or decay it (step, cosine or ReduceLROnPlateau).",
                "Use a larger batch, or gradient accumulation, for steadier gradient estimates.",
                "Use momentum or Adam's defaults; check for noisy or mislabelled data.",
            ],
        },
        "zh": {
            "title": "{role} 围绕趋势剧烈震荡",
            "detail": "训练后半段，{role}（{tag}）围绕趋势上下摆动，典型幅度约 {bounce}，相当于整个训练总降幅的 {bounce_ratio}（验证 loss 取变化范围和当前水平中较小的那个作比较）。"
            "轻微震荡是正常的；震荡这么大，说明优化器一直在谷底两边来回跳：学习率太大、batch 太小，或者数据噪声大。",
            "actions": [
                "调小学习率，或者加衰减（阶梯衰减、余弦退火、ReduceLROnPlateau）。",
                "加大 batch，或者用梯度累积，让梯度估计更稳定。",
                "使用动量或 Adam 的默认参数；检查数据里有没有噪声或标错的样本。",
            ],
        },
    },
    "plateau": {
        "en": {
            "title": "loss stalls at {level} from step {first_step} to {last_step}",
            "detail": "The loss ({tag}) hardly moved between steps {first_step} and {last_step} ({length_share} of the run), "
            "then fell again. Time spent on the plateau was mostly wasted: the optimiser sat near a saddle point or in a "
            "flat region, often because the learning rate did not suit that phase of training. {lr_note}",
            "actions": [
                "Use a schedule that reacts to stalls (ReduceLROnPlateau) or a warm-up, so the optimiser leaves flat regions sooner.",
                "Try a different initialisation or normalisation if the stall is at the very start.",
                "Try another batch size or optimiser (Adam escapes saddle points faster than plain SGD).",
            ],
        },
        "zh": {
            "title": "loss 在第 {first_step} 到 {last_step} 步停在 {level} 附近",
            "detail": "loss（{tag}）在第 {first_step} 步到第 {last_step} 步之间几乎没动（占整个训练的 {length_share}），之后才又降下来。"
            "这段平台期基本是白白浪费的：优化器卡在鞍点或平坦区域附近，常常是因为学习率不适合这个阶段。{lr_note}",
            "actions": [
                "用能对停滞做出反应的调度（ReduceLROnPlateau）或 warm-up，让优化器更快离开平坦区域。",
                "如果一开始就卡住，换一种初始化或加归一化层试试。",
                "换一个 batch size 或优化器（Adam 比普通 SGD 更容易走出鞍点）。",
            ],
        },
    },
    "still_improving": {
        "en": {
            "title": "loss is still falling at the end",
            "detail": "The last fifth of the run still brought {recent_gain_share} of the total improvement, and validation "
            "is not turning up. Training stopped while the model was still learning.",
            "actions": [
                "Train longer, or resume from the last checkpoint.",
                "If time is the limit, a slightly higher learning rate or a schedule that decays later can get there sooner.",
            ],
        },
        "zh": {
            "title": "训练结束时 loss 还在下降",
            "detail": "最后五分之一的训练仍然贡献了总降幅的 {recent_gain_share}，验证 loss 也没有回升。模型还在学，训练就停了。",
            "actions": [
                "训练更久，或者从最后一个 checkpoint 接着训。",
                "如果时间有限，可以把学习率稍微调大，或者让学习率衰减来得晚一点。",
            ],
        },
    },
    "converged": {
        "en": {
            "title": "converged: loss has flattened, no sign of trouble",
            "detail": "The loss flattened at the end (the last fifth of the run brought {recent_gain_share} of the total "
            "improvement) and validation does not rise. Training more with the same settings is unlikely to help much.",
            "actions": [
                "Stop here, or fine-tune with a lower learning rate for a last small gain.",
                "To do better, change the model, the data or the regularisation rather than training longer.",
            ],
        },
        "zh": {
            "title": "已收敛：loss 已经走平，没有异常",
            "detail": "loss 到最后已经走平（最后五分之一只贡献了总降幅的 {recent_gain_share}），验证 loss 也没有上升。"
            "用同样的设置继续训练，收益不会太大。",
            "actions": [
                "可以停了；也可以用更小的学习率再微调一下，挤出最后一点提升。",
                "想要更好的结果，应该改模型、数据或正则，而不是训练更久。",
            ],
        },
    },
}

# Variants of a code, for findings whose evidence shows a distinct case of it.
VARIANTS: Dict[str, Dict[str, Dict[str, object]]] = {
    "non_finite.whole_curve": {
        "en": {
            "title": "the whole {role} is {bad_kind}: not one finite point",
            "detail": "Every one of the {points} points of the {role} ({tag}) is {bad_kind}, from step {first_bad_step} on: "
            "the curve has no finite value at all, so nothing about it can be judged. Either the model was already broken "
            "when this curve was first logged, or the computation of this loss itself fails: a mean over an empty set "
            "(0/0, e.g. an empty validation loader), log(0), or a division by zero.",
            "actions": [
                "Print the loss of one batch by hand: if it is finite, the logging or averaging breaks (check for empty loaders and 0/0 means).",
                "Check that the data this loss is computed on is not empty and has no NaN or inf values.",
                "Guard the loss: add an epsilon inside log/division, use the framework's fused log-softmax/cross-entropy.",
            ],
        },
        "zh": {
            "title": "整条{role} 都是 {bad_kind}：没有一个有限值",
            "detail": "{role}（{tag}）从第 {first_bad_step} 步起的全部 {points} 个点都是 {bad_kind}："
            "这条曲线没有一个有限值，无从判断。要么这条曲线第一次记录时模型就已经坏了，要么这个 loss 本身算不出来："
            "对空集求平均（0/0，例如验证集的 DataLoader 是空的）、log(0)，或者除以零。",
            "actions": [
                "手动打印一个 batch 的 loss：如果是有限值，问题出在记录或求平均上（检查空的 DataLoader 和 0/0 的平均）。",
                "检查计算这个 loss 的数据是不是空的，有没有 NaN 或 inf。",
                "给 loss 加保护：log 和除法里加一个 epsilon，用框架自带的 log-softmax / 交叉熵而不是自己拼。",
            ],
        },
    },
    "non_finite.hidden": {
        "en": {
            "title": "the gradient norm became {first_bad_value} at step {first_bad_step}; the logged loss hides it",
            "detail": "{bad_story} The loss logged beside it looks finite only because the trainer leaves non-finite step "
            "losses out of the mean it logs (the Hugging Face Trainer's logging_nan_inf_filter, on by default): a loss of "
            "exactly 0.0, or one frozen at a value, is what that filter leaves when every step is NaN. From that step on "
            "the weights are not numbers, and nothing the run logged afterwards can be trusted.",
            "actions": [
                "Train once with logging_nan_inf_filter=False to see the real losses, and look at what changed just before step {first_bad_step}.",
                "With fp16, use bf16 where the hardware has it, or keep the loss scaler on; lower the learning rate and clip gradients (max_grad_norm).",
                "Turn on anomaly detection (torch.autograd.set_detect_anomaly) for a few steps to find the operation that overflows.",
            ],
        },
        "zh": {
            "title": "梯度范数在第 {first_bad_step} 步变成了 {first_bad_value}；记录下来的 loss 把它藏住了",
            "detail": "{bad_story}旁边记录的 loss 看起来是有限值，只是因为训练器在求平均时跳过了非有限的单步 loss"
            "（Hugging Face Trainer 的 logging_nan_inf_filter，默认开启）：每一步都是 NaN 时，留下来的就是恰好 0.0 "
            "或一直不变的 loss。从这一步起权重已经不是数了，之后记录的一切都不可信。",
            "actions": [
                "设 logging_nan_inf_filter=False 再训练一次，看看真实的 loss，并检查第 {first_bad_step} 步之前发生了什么。",
                "用 fp16 时，硬件支持就换成 bf16，或者保持 loss scaler 开启；调小学习率并裁剪梯度（max_grad_norm）。",
                "打开 torch.autograd.set_detect_anomaly 跑几步，找到溢出的算子。",
            ],
        },
    },
    "overfitting.val_only": {
        "en": {
            "title": "validation loss bottoms out at step {val_min_step} and then rises (no training loss logged)",
            "detail": "Validation loss was lowest ({val_min}) around step {val_min_step} and rose to {val_end} by the end. "
            "No training loss was logged beside it, so it cannot be checked that training kept falling; but a validation "
            "loss that turns up while training goes on is most often a model starting to memorise its training set: every "
            "step after the minimum makes it worse on new data.",
            "actions": [
                "Keep the checkpoint from step {val_min_step} (early stopping with restore-best-weights).",
                "Log the training loss too (e.g. a smaller logging_steps) so the next run shows which it is.",
                "Add regularisation (weight decay, dropout, label smoothing), more data or a smaller model.",
            ],
        },
        "zh": {
            "title": "验证 loss 在第 {val_min_step} 步见底后开始上升（没有记录训练 loss）",
            "detail": "验证 loss 在第 {val_min_step} 步左右最低（{val_min}），到结束时涨到了 {val_end}。"
            "旁边没有记录训练 loss，无法确认训练 loss 是否还在下降；不过训练还在继续而验证 loss 回升，"
            "最常见的原因是模型开始死记训练集：过了最低点之后每多训练一步，在新数据上就更差一点。",
            "actions": [
                "保留第 {val_min_step} 步的 checkpoint（早停，并恢复最佳权重）。",
                "把训练 loss 也记录下来（例如调小 logging_steps），下次就能分清是哪种情况。",
                "加正则（weight decay、dropout、label smoothing），增加数据，或者换一个小一点的模型。",
            ],
        },
    },
    "overfitting.val_sparse": {
        "en": {
            "title": "validation loss bottoms out at step {val_min_step} and then rises (training loss logged too seldom)",
            "detail": "Validation loss was lowest ({val_min}) around step {val_min_step} and rose to {val_end} by the end. "
            "The training loss was logged only {train_points} time(s), too seldom to check that it kept falling; but a "
            "validation loss that turns up while training goes on is most often a model starting to memorise its training "
            "set: every step after the minimum makes it worse on new data.",
            "actions": [
                "Keep the checkpoint from step {val_min_step} (early stopping with restore-best-weights).",
                "Log the training loss more often (e.g. a smaller logging_steps) so the next run shows which it is.",
                "Add regularisation (weight decay, dropout, label smoothing), more data or a smaller model.",
            ],
        },
        "zh": {
            "title": "验证 loss 在第 {val_min_step} 步见底后开始上升（训练 loss 记录太少）",
            "detail": "验证 loss 在第 {val_min_step} 步左右最低（{val_min}），到结束时涨到了 {val_end}。"
            "训练 loss 只记录了 {train_points} 次，太少，无法确认它是否还在下降；不过训练还在继续而验证 loss 回升，"
            "最常见的原因是模型开始死记训练集：过了最低点之后每多训练一步，在新数据上就更差一点。",
            "actions": [
                "保留第 {val_min_step} 步的 checkpoint（早停，并恢复最佳权重）。",
                "把训练 loss 记录得更频繁一些（例如调小 logging_steps），下次就能分清是哪种情况。",
                "加正则（weight decay、dropout、label smoothing），增加数据，或者换一个小一点的模型。",
            ],
        },
    },
    "not_learning.guessing": {
        "en": {
            "title": "accuracy stays at chance level (1/{chance_classes}): the model only guesses",
            "detail": "The loss ({tag}) went from {start_value} to {end_value}, but the accuracy never rose above what guessing "
            "gives. The model is not learning to tell the classes apart. Usually the learning rate is far too low or far "
            "too high, the useful layers are frozen, or the labels do not match the inputs.",
            "actions": TEXTS["not_learning"]["en"]["actions"],
        },
        "zh": {
            "title": "准确率一直停在瞎猜的水平（1/{chance_classes}）：模型只是在猜",
            "detail": "loss（{tag}）从 {start_value} 变到 {end_value}，但准确率从来没有超过瞎猜的水平。模型没有学会区分类别。"
            "通常是学习率太小或太大、有用的层被冻结了，或者标签和输入对不上。",
            "actions": TEXTS["not_learning"]["zh"]["actions"],
        },
    },
    "not_learning.prior": {
        "en": {
            "title": "the model always answers the majority class: accuracy pinned at {chance_accuracy}",
            "detail": "Accuracy stays at {chance_accuracy} from the first evaluation to the last, and the loss ({tag}) ends at "
            "{end_value}, the entropy of a {prior_split} class prior ({chance_value}). That is exactly what a model scores "
            "when it ignores its input and always predicts the more frequent class. It has learned the class frequencies, "
            "nothing else. Usually the learning rate is far too low or far too high, the inputs are unscaled, or the "
            "classes are so imbalanced that the majority answer is the cheapest one.",
            "actions": [
                "Check the inputs reach the model scaled (standardise features, normalise images).",
                "Weight the loss by class or resample the minority class, and watch a per-class metric (F1, recall) rather than accuracy.",
                *TEXTS["not_learning"]["en"]["actions"][:1],
            ],
        },
        "zh": {
            "title": "模型总是回答多数类：准确率停在 {chance_accuracy}",
            "detail": "从第一次评估到最后一次，准确率一直是 {chance_accuracy}；loss（{tag}）最后停在 {end_value}，"
            "正是 {prior_split} 类别先验的熵（{chance_value}）。模型忽略输入、永远预测更常见的那一类时，得到的正是这个分数。"
            "它只学到了类别比例，别的什么都没学到。通常是学习率太小或太大、输入没有归一化，或者类别太不平衡，"
            "回答多数类成了最省事的办法。",
            "actions": [
                "检查输入进模型前有没有归一化（特征标准化、图像归一化）。",
                "按类别给 loss 加权或对少数类重采样，并看每个类别的指标（F1、召回率），而不是准确率。",
                *TEXTS["not_learning"]["zh"]["actions"][:1],
            ],
        },
    },
    "not_learning.barely": {
        "en": {
            "title": "barely above chance: the loss started at a uniform guess, {chance_value} = ln {chance_classes}, and hardly left it",
            "detail": "The loss ({tag}) started at {start_value}, the loss of a model that gives each of {chance_classes} classes "
            "the same probability, and ended at {end_value}, still within a tenth of it. The accuracy ends at {chance_accuracy}, "
            "against 1/{chance_classes} for a guess. Over the whole run the model learned little more than the class "
            "frequencies. Usually the learning rate is far too low, the useful layers are frozen, the inputs are unscaled, "
            "or the labels carry little of what the inputs show.",
            "actions": TEXTS["not_learning"]["en"]["actions"],
        },
        "zh": {
            "title": "几乎没超过瞎猜：loss 从均匀瞎猜的水平 {chance_value} = ln {chance_classes} 开始，几乎没有离开",
            "detail": "loss（{tag}）从 {start_value} 开始——这正是给 {chance_classes} 个类别同样概率时的 loss——到结束时是 "
            "{end_value}，仍在它的一成以内。准确率最后是 {chance_accuracy}，而瞎猜是 1/{chance_classes}。"
            "整个训练过程中，模型学到的几乎只有各类别的比例。通常是学习率太小、有用的层被冻结、输入没有归一化，"
            "或者标签和输入之间关系很弱。",
            "actions": TEXTS["not_learning"]["zh"]["actions"],
        },
    },
    "not_learning.no_detections": {
        "en": {
            "title": "the detector finds nothing: validation mAP50 never passed {score_best}",
            "detail": "Over {score_points} evaluations the validation mAP50 ({score_tag}) never rose above {score_best}, a tenth "
            "of a perfect score or less, while the loss ({tag}) went from {start_value} to {end_value}. The model has not "
            "learned to find its objects: a falling box loss only says it learned where boxes tend to be. Usually the "
            "labels do not match the images (wrong class ids, empty or misplaced label files, paths in data.yaml), the "
            "learning rate is far too low, or a model trained from scratch got far too few epochs.",
            "actions": [
                "Check the labels: look at a few training images with their boxes drawn (Ultralytics saves train_batch*.jpg) "
                "and check data.yaml's paths, class count and names.",
                "Start from pretrained weights (a .pt model rather than a .yaml) and train for more epochs.",
                TEXTS["not_learning"]["en"]["actions"][2],
            ],
        },
        "zh": {
            "title": "检测器什么也没检测到：验证 mAP50 从未超过 {score_best}",
            "detail": "在 {score_points} 次评估中，验证 mAP50（{score_tag}）从未超过 {score_best}，不到满分的一成；"
            "而 loss（{tag}）从 {start_value} 变到了 {end_value}。模型没有学会找到目标：box loss 在降，只说明它学到了框通常出现在哪里。"
            "通常是标签和图片对不上（类别编号错误、标签文件为空或放错位置、data.yaml 里的路径），学习率太小，"
            "或者从零训练的模型 epoch 太少。",
            "actions": [
                "检查标签：看几张画出了框的训练图片（Ultralytics 会保存 train_batch*.jpg），并检查 data.yaml 的路径、类别数和类别名。",
                "从预训练权重开始（用 .pt 模型而不是 .yaml），并训练更多 epoch。",
                TEXTS["not_learning"]["zh"]["actions"][2],
            ],
        },
    },
    "not_learning.chance": {
        "en": {
            "title": "the loss is stuck at chance level, {chance_value} = {chance_base} {chance_classes}",
            "detail": "The loss ({tag}) started at {start_value} and ended at {end_value}, where it stays. The model is not "
            "learning from the data. Usually the learning rate is far too low or far too high, or the training loop has a "
            "bug: no optimizer.step(), gradients zeroed at the wrong place, frozen weights, or labels that do not match the inputs.",
            "actions": TEXTS["not_learning"]["en"]["actions"],
        },
        "zh": {
            "title": "loss 卡在瞎猜的水平：{chance_value} = {chance_base} {chance_classes}",
            "detail": "loss（{tag}）从 {start_value} 开始，到结束时是 {end_value}，并且一直停在那里。模型没有从数据里学到东西。"
            "通常是学习率太小或太大，或者训练代码有 bug：没调用 optimizer.step()、梯度清零的位置不对、权重被冻结了，或者标签和输入对不上。",
            "actions": TEXTS["not_learning"]["zh"]["actions"],
        },
    },
    "overfitting.widening_gap": {
        "en": {
            "title": "validation loss has not beaten its best of step {val_min_step} while training loss keeps falling",
            "detail": "Validation loss was at its best (about {val_min}) around step {val_min_step}; over the last {stale_share} of the run it never "
            "got back there and it ends at {val_end}, {val_above_best} above its best. Meanwhile training loss fell from "
            "{train_at_val_min} to {train_end} ({train_fall_since_best} lower). The gap between the two widens: what the model "
            "learned since step {val_min_step} fits the training set only. Early stopping would have ended this run there.",
            "actions": [
                "Keep the checkpoint from step {val_min_step} (early stopping with restore-best-weights).",
                "Add regularisation: weight decay, dropout, label smoothing.",
                "Use more data or stronger augmentation, or a smaller model.",
            ],
        },
        "zh": {
            "title": "训练 loss 还在下降，验证 loss 却一直没能回到第 {val_min_step} 步的最好水平",
            "detail": "验证 loss 在第 {val_min_step} 步左右最好（约 {val_min}）；在最后 {stale_share} 的训练里再也没回到这个水平，"
            "结束时是 {val_end}，比最好时高 {val_above_best}。同一时间训练 loss 从 {train_at_val_min} 降到 {train_end}"
            "（又降了 {train_fall_since_best}）。两者的差距在拉大：第 {val_min_step} 步之后模型学到的东西只对训练集有用。"
            "如果用早停，这次训练会停在那一步。",
            "actions": [
                "保留第 {val_min_step} 步的 checkpoint（早停，并恢复最佳权重）。",
                "加正则：weight decay、dropout、label smoothing。",
                "增加数据或加强数据增强，或者换一个小一点的模型。",
            ],
        },
    },
    "overfitting.memorisation": {
        "en": {
            "title": "training loss driven to ~0 while validation stays far above (memorisation)",
            "detail": "Training loss fell from {train_start} to {train_end}, while validation loss only went from {val_start} "
            "to {val_end}: it ends {memorisation_gap} times higher than training. The model has memorised the training "
            "set instead of learning what generalises: it fits every training example, and new data gains little from it. "
            "This is overfitting even though validation loss does not climb.",
            "actions": [
                "Keep the checkpoint with the lowest validation loss (step {val_min_step}).",
                "Add regularisation: weight decay, dropout, label smoothing, or stop much earlier.",
                "Use more data or stronger augmentation, or a smaller model.",
            ],
        },
        "zh": {
            "title": "训练 loss 被压到接近 0，验证 loss 却一直高得多（死记硬背）",
            "detail": "训练 loss 从 {train_start} 降到了 {train_end}，验证 loss 却只从 {val_start} 降到 {val_end}，"
            "最后比训练 loss 高 {memorisation_gap} 倍。模型把训练集背了下来，而不是学到能泛化的规律："
            "每个训练样本都拟合得很好，对新数据却帮助不大。即使验证 loss 没有上升，这也是过拟合。",
            "actions": [
                "保留验证 loss 最低的 checkpoint（第 {val_min_step} 步）。",
                "加正则：weight decay、dropout、label smoothing，或者早得多地停下来。",
                "增加数据或加强数据增强，或者换一个小一点的模型。",
            ],
        },
    },
    "plateau.lr_collapse": {
        "en": {
            "title": "the learning rate collapsed at step {collapse_step}: the loss is stuck, not finished",
            "detail": "The learning rate fell from {lr_peak} to {lr_after} around step {collapse_step} while the loss ({tag}) "
            "was still falling; since then the loss has stayed near {level} ({length_share} of the run). This is a stall "
            "caused by the schedule, not convergence: with steps that small the optimiser barely moves. A decay factor "
            "(gamma) that is too small, or milestones that come too early, usually cause it.",
            "actions": [
                "Use a milder decay (e.g. gamma 0.1 rather than 0.001) or later milestones.",
                "Resume from the checkpoint before step {collapse_step} with the learning rate it had then.",
                "Log the learning rate next to the loss so the schedule's effect stays visible.",
            ],
        },
        "zh": {
            "title": "学习率在第 {collapse_step} 步崩塌：loss 是卡住了，不是训练完了",
            "detail": "学习率在第 {collapse_step} 步附近从 {lr_peak} 骤降到 {lr_after}，而当时 loss（{tag}）还在下降；"
            "此后 loss 一直停在 {level} 附近（占整个训练的 {length_share}）。这是学习率调度造成的停滞，而不是收敛："
            "步长这么小，优化器几乎不动。常见原因是衰减系数（gamma）太小，或者衰减节点来得太早。",
            "actions": [
                "用温和一些的衰减（例如 gamma 取 0.1 而不是 0.001），或者把衰减节点往后放。",
                "从第 {collapse_step} 步之前的 checkpoint 恢复，用当时的学习率继续训练。",
                "把学习率和 loss 一起记录下来，调度的影响才看得见。",
            ],
        },
    },
    "plateau.frozen": {
        "en": {
            "title": "the loss froze at {level} from step {frozen_from_step}: the model stopped changing",
            "detail": "From step {frozen_from_step} to the end ({frozen_points} logs, {length_share} of them) the loss ({tag}) "
            "stayed at {level} to within a hundredth of a percent, after moving at every log before. No model that is still "
            "learning repeats its loss that exactly: its weights stopped changing. Usual causes are a learning rate of 0, "
            "weights frozen by mistake, gradients lost to NaN or overflow (a mixed-precision scaler that skips every step), "
            "or a collapse to one answer for every input (a segmenter that predicts only background).",
            "actions": [
                "Log the learning rate and the gradient norm: 0 or NaN there names the cause.",
                "Look at the model's predictions on a few inputs: the same output for all of them is a collapse.",
                "Resume from a checkpoint before step {frozen_from_step} with a lower learning rate or gradient clipping.",
            ],
        },
        "zh": {
            "title": "loss 从第 {frozen_from_step} 步起冻结在 {level}：模型不再变化",
            "detail": "从第 {frozen_from_step} 步到结束（{frozen_points} 次记录，占 {length_share}），loss（{tag}）都停在 {level}，"
            "误差不到万分之一，而在此之前每次记录都在变化。还在学习的模型不会把 loss 重复得这么精确：它的权重已经不再更新。"
            "常见原因是学习率为 0、权重被意外冻结、梯度因 NaN 或溢出而丢失（混合精度的 scaler 跳过了每一步），"
            "或者模型塌缩成对所有输入给出同一个答案（例如分割模型只预测背景）。",
            "actions": [
                "记录学习率和梯度范数：那里出现 0 或 NaN，就能找到原因。",
                "看看模型对几个输入的预测：如果全都一样，就是塌缩了。",
                "从第 {frozen_from_step} 步之前的 checkpoint 恢复，调低学习率或加上梯度裁剪。",
            ],
        },
    },
    "plateau.val_stall": {
        "en": {
            "title": "validation loss never improved on its first evaluation while training kept learning",
            "detail": "Over {points} evaluations the validation loss ({tag}) stayed near {level} and never got more than "
            "{val_gain_share} below its first value ({val_start}), while the training loss fell by another {train_fall_share}. "
            "What the model learns about its training data does not carry over to new data: the training set may not "
            "represent the validation set, the labels may be noisy, or the learning rate may be too high for the model to "
            "settle on anything general.",
            "actions": [
                "Check that training and validation data come from the same distribution and are preprocessed the same way.",
                "Try a lower learning rate or a pretrained backbone; add augmentation or regularisation.",
                "Look at validation accuracy or another metric: if it does not move either, more epochs will not help.",
            ],
        },
        "zh": {
            "title": "训练 loss 一直在降，验证 loss 却始终没有好过第一次评估",
            "detail": "在 {points} 次评估中，验证 loss（{tag}）一直停在 {level} 附近，最多只比第一次的 {val_start} 低 {val_gain_share}，"
            "而训练 loss 又降了 {train_fall_share}。模型在训练数据上学到的东西没有迁移到新数据上：可能是训练集和验证集分布不同、"
            "标签有噪声，或者学习率太大，模型学不到通用的规律。",
            "actions": [
                "检查训练集和验证集是否来自同一分布、预处理是否一致。",
                "试试更小的学习率或预训练的骨干网络；加数据增强或正则化。",
                "看看验证准确率或其他指标：如果它们也不动，再多训练几个 epoch 也没用。",
            ],
        },
    },
    "divergence.partial": {
        "en": {
            "title": "training loss climbed after step {min_step} and only partly came back",
            "detail": "The training loss ({tag}) reached {min_value} around step {min_step}, then climbed to {peak_value} by step "
            "{peak_step} and ends at {end_value}, still well above its best. Validation loss rose with it ({val_min} -> {val_end}) "
            "and did not come back. Training loss that goes up on its own data means the optimisation was unstable: most "
            "often the learning rate (or its warm-up peak) is too high and damaged what the model had learned.",
            "actions": [
                "Lower the peak learning rate (try 3-10x smaller), or lengthen the warm-up.",
                "Clip gradients.",
                "Keep the checkpoint from around step {min_step}.",
            ],
        },
        "zh": {
            "title": "训练 loss 在第 {min_step} 步之后上升，之后只回落了一部分",
            "detail": "训练 loss（{tag}）在第 {min_step} 步左右降到 {min_value}，随后涨到第 {peak_step} 步的 {peak_value}，"
            "结束时是 {end_value}，仍明显高于最好水平。验证 loss 也跟着上升（{val_min} -> {val_end}），没有降回来。"
            "在训练数据上 loss 反而上升，说明优化过程不稳定：最常见的是学习率（或 warm-up 的峰值）太大，破坏了模型已经学到的东西。",
            "actions": [
                "调低学习率峰值（先试小 3 到 10 倍），或者把 warm-up 拉长。",
                "加梯度裁剪。",
                "保留第 {min_step} 步附近的 checkpoint。",
            ],
        },
    },
    "not_learning.pinned": {
        "en": {
            "title": "training loss pinned at {pinned_level} since step {pinned_since}",
            "detail": "After its first drop the training loss ({tag}) has stayed within 1% of {pinned_level} for {pinned_share} "
            "of the run, and it hardly differs from one logged batch to the next (scatter {pinned_scatter} of its level). "
            "A model that learns gives different losses on different batches; one that returns the same output whatever "
            "its input does not. The first drop only fitted the average target: the model has collapsed to a constant "
            "prediction (frozen or disconnected weights, a broken input pipeline or loss masking, or a learning rate "
            "that destroyed it at the start).",
            "actions": [
                "Check that the inputs reach the model and the labels line up with them (print a batch and the model's outputs).",
                "Check which parameters are trainable and that the loss masks (e.g. padding or prompt tokens) are right.",
                "Try a lower learning rate and look at the very first steps.",
            ],
        },
        "zh": {
            "title": "训练 loss 从第 {pinned_since} 步起被钉在 {pinned_level}",
            "detail": "第一次下降之后，训练 loss（{tag}）在整个训练的 {pinned_share} 里一直停在 {pinned_level} 的 1% 以内，"
            "而且记录下来的各个 batch 之间几乎没有差别（波动只有水平的 {pinned_scatter}）。在学习的模型，不同 batch 的 loss "
            "会不一样；无论输入是什么都给出同样输出的模型则不会。第一次下降只是拟合了目标的平均值：模型已经塌缩成常数预测"
            "（权重被冻结或没接上、输入管道或 loss 掩码有问题，或者一开始学习率太大把模型破坏了）。",
            "actions": [
                "检查输入是否真的送进了模型、标签是否和输入对得上（打印一个 batch 和模型输出看看）。",
                "检查哪些参数是可训练的，以及 loss 掩码（例如 padding 或 prompt 部分）是否正确。",
                "试试更小的学习率，并仔细看最开始的几步。",
            ],
        },
    },
    "not_learning.same_answers": {
        "en": {
            "title": "validation accuracy stuck at {same_answers_accuracy} at every evaluation",
            "detail": "At all {accuracy_points} evaluations the validation accuracy was {same_answers_accuracy}, to within a "
            "fifth of a percent, while the validation loss ({tag}) moved by only {best_change} (from {start_value} to {end_value}). "
            "A model that learns changes some of its answers from one evaluation to the next; this one gives the same answers "
            "throughout, most often one class for everything (the most common one). It has not learned from its training data.",
            "actions": [
                "Look at what the model predicts on a validation batch: one class for every input means a collapsed model.",
                "Check the labels and the loss (class indices, one-hot against sparse, the output activation) and that the inputs are scaled.",
                "Raise the learning rate, or weight the classes if one dominates the data.",
            ],
        },
        "zh": {
            "title": "验证准确率在每次评估时都停在 {same_answers_accuracy}",
            "detail": "全部 {accuracy_points} 次评估中，验证准确率都是 {same_answers_accuracy}（误差在千分之二以内），"
            "而验证 loss（{tag}）只变化了 {best_change}（从 {start_value} 到 {end_value}）。在学习的模型，每次评估总会改对或改错一些样本；"
            "这个模型自始至终给出同样的答案，最常见的情况是对所有输入都输出同一个类别（最常见的那一类）。它没有从训练数据里学到东西。",
            "actions": [
                "看看模型在一个验证 batch 上预测了什么：所有输入都是同一个类别，说明模型已经塌缩。",
                "检查标签和 loss（类别编号、one-hot 与稀疏标签、输出激活函数），以及输入是否做了缩放。",
                "调大学习率；如果某一类占了大多数数据，给各类加权重。",
            ],
        },
    },
    "not_learning.after_first_log": {
        "en": {
            "title": "training loss flat since its first log",
            "detail": "The loss ({tag}) fell from {first_value} at its first log (step {first_log_step}) to {start_value} by the next "
            "one, and then stayed there: it ended at {end_value}, never more than {best_change} below. Whatever the model "
            "picked up in its first steps (often just the output format or the average target), it has learned nothing "
            "since. In a fine-tune the learning rate is often too low for the trained layers, or the layers meant to learn "
            "(an adapter's target modules) are not the ones being updated.",
            "actions": [
                "Check which parameters are trainable and that the optimizer holds them (count them before training).",
                "Raise the learning rate (try 10x) and look at whether the loss keeps falling after the first log.",
                "Check the labels and the loss masks (padding, prompt tokens): a loss computed on the wrong tokens cannot fall.",
            ],
        },
        "zh": {
            "title": "训练 loss 从第一次记录之后就一直是平的",
            "detail": "loss（{tag}）在第一次记录（第 {first_log_step} 步）时是 {first_value}，到下一次记录时降到 {start_value}，"
            "之后就停在那里：结束时是 {end_value}，最多只比它低 {best_change}。模型在最初几步学到的东西（往往只是输出格式或目标的平均值）"
            "之后就再也没有增加。微调时，常见原因是学习率对要训练的那些层来说太小，或者真正在更新的层不是本该学习的层"
            "（例如 adapter 的 target modules 没选对）。",
            "actions": [
                "检查哪些参数是可训练的，以及优化器里是否包含了它们（训练前数一下参数量）。",
                "把学习率调大（先试 10 倍），看第一次记录之后 loss 会不会继续下降。",
                "检查标签和 loss 掩码（padding、prompt 部分）：在错误的 token 上计算的 loss 是降不下去的。",
            ],
        },
    },
    "divergence.worsening": {
        "en": {
            "title": "validation loss climbs after step {min_step} while the training loss did not fall",
            "detail": "The validation loss ({tag}) reached {min_value} around step {min_step} and then climbed to {end_value}, "
            "while the training loss ended no lower than it started. This is not overfitting (that needs a training loss that falls): "
            "the model is getting worse on every set, most often because the learning rate is too high for fine-tuning "
            "or the training labels do not match the validation ones.",
            "actions": [
                "Lower the learning rate (try 3-10x smaller) and check that the pretrained weights were loaded.",
                "Check that training and validation use the same labels, preprocessing and loss.",
                "Keep the checkpoint from around step {min_step}.",
            ],
        },
        "zh": {
            "title": "第 {min_step} 步之后验证 loss 上升，而训练 loss 没有降下来",
            "detail": "验证 loss（{tag}）在第 {min_step} 步左右降到 {min_value}，之后涨到 {end_value}；训练 loss 到最后也没有比起点低。"
            "这不是过拟合（过拟合需要训练 loss 在降）：模型在所有数据上都在变差，最常见的原因是微调时学习率太大，"
            "或者训练集和验证集的标签对不上。",
            "actions": [
                "调小学习率（先试小 3 到 10 倍），并确认预训练权重确实加载了。",
                "检查训练和验证是否使用相同的标签、预处理和 loss。",
                "保留第 {min_step} 步附近的 checkpoint。",
            ],
        },
    },
    "oscillation.batch_noise": {
        "en": {
            "title": "the {role} is noisy from one batch to the next",
            "detail": "In the second half of the run the {role} ({tag}) scatters around its trend by about {bounce} from one logged value "
            "to the next, which is {bounce_ratio} of what it gained over the run; but taken over stretches of a fortieth of the run, "
            "it swings by only {averaged_bounce_ratio}, and validation (where logged) holds steady. That is the noise of individual "
            "batches (some are harder than others), not the weights jumping around: the model itself is not unstable.",
            "actions": [
                "Read the curve with TensorBoard's smoothing slider; judge the run by its trend and by validation.",
                "A larger batch, or gradient accumulation, gives steadier per-step values if you need them.",
                "Only if the run itself goes wrong: lower the learning rate.",
            ],
        },
        "zh": {
            "title": "{role} 随 batch 不同而起伏",
            "detail": "训练后半段，{role}（{tag}）在相邻两次记录之间围绕趋势的典型起伏约为 {bounce}，相当于整个训练总降幅的 {bounce_ratio}；"
            "但按每四十分之一段训练取中位数来看，起伏只有 {averaged_bounce_ratio}，而验证 loss（如果有记录）保持平稳。"
            "这是不同 batch 难易不同带来的噪声，不是权重来回跳：模型本身并没有不稳定。",
            "actions": [
                "用 TensorBoard 的平滑滑块看曲线；根据趋势和验证 loss 判断训练情况。",
                "如果需要更平稳的逐步数值，可以加大 batch 或使用梯度累积。",
                "只有训练本身出问题时，才需要调小学习率。",
            ],
        },
    },
    "oscillation.zigzag": {
        "en": {
            "title": "the {role} zigzags from one logged value to the next",
            "detail": "From step {first_step} on, every move of the {role} ({tag}) reverses the one before, by about {bounce} each time, "
            "which is {bounce_ratio} of its typical level. A curve that swings this hard at every logged value is unstable: "
            "the learning rate is too high, the batch too small, or the validation set tiny.",
            "actions": [
                "Lower the learning rate or decay it (step, cosine or ReduceLROnPlateau).",
                "Use a larger batch, or gradient accumulation, for steadier gradient estimates.",
                "If the validation set is only a few batches, enlarge it so one evaluation means something.",
            ],
        },
        "zh": {
            "title": "{role} 每记录一次就上下跳一次",
            "detail": "从第 {first_step} 步起，{role}（{tag}）每一次变化都和上一次方向相反，每次大约变化 {bounce}，"
            "相当于它通常水平的 {bounce_ratio}。每次记录都摆动这么大，说明训练不稳定：学习率太大、batch 太小，或者验证集太小。",
            "actions": [
                "调小学习率，或者加衰减（阶梯衰减、余弦退火、ReduceLROnPlateau）。",
                "加大 batch，或者用梯度累积，让梯度估计更稳定。",
                "如果验证集只有几个 batch，把它加大，让每次评估的结果有意义。",
            ],
        },
    },
    "oscillation.swings": {
        "en": {
            "title": "the {role} jumps and falls back again and again",
            "detail": "Between steps {first_step} and {last_step} the {role} ({tag}) jumped by {swing_rise} or more of its level and fell back "
            "within two evaluations {swings} times. Validation is measured on the same data each time, so these swings are the weights "
            "being thrown about, not noise: the learning rate is too high (often in the first epochs, before a decay calms it), "
            "the batch too small, or the validation set tiny.",
            "actions": [
                "Lower the learning rate, or warm it up and decay it (step, cosine or ReduceLROnPlateau).",
                "Use a larger batch, or gradient accumulation, for steadier gradient estimates.",
                "Keep the checkpoint with the best validation loss, not the last one: a swing may be where the run ends.",
            ],
        },
        "zh": {
            "title": "{role} 反复跳高又落回",
            "detail": "在第 {first_step} 步到第 {last_step} 步之间，{role}（{tag}）有 {swings} 次跳高到比原来高 {swing_rise} 以上，"
            "又在两次评估之内落回。验证集每次都是同一批数据，所以这种摆动不是噪声，而是权重被来回甩动："
            "学习率太大（常见于前几个 epoch，衰减之后才平稳）、batch 太小，或者验证集太小。",
            "actions": [
                "调小学习率，或者加 warm-up 和衰减（阶梯衰减、余弦退火、ReduceLROnPlateau）。",
                "加大 batch，或者用梯度累积，让梯度估计更稳定。",
                "保留验证 loss 最好的 checkpoint，而不是最后一个：训练可能正好停在一次跳高上。",
            ],
        },
    },
    "plateau.stuck_until_cut": {
        "en": {
            "title": "loss made no progress until the learning rate was cut at step {lr_cut_step}",
            "detail": "From its first logged point at step {first_step} to step {last_step} ({length_share} of the run) the loss ({tag}) "
            "never improved on where it started (about {level}); it fell only after the learning rate was lowered at step {lr_cut_step}. "
            "The first learning rate taught the model nothing, most often because it was too high for it: those steps were wasted.",
            "actions": [
                "Start with the learning rate that finally worked (or use an LR range test to pick one).",
                "Add a warm-up so the first steps are not taken at the full rate.",
                "Use ReduceLROnPlateau so a stuck loss lowers the rate automatically.",
            ],
        },
        "zh": {
            "title": "学习率在第 {lr_cut_step} 步调低之前，loss 完全没有进展",
            "detail": "从第一个记录点（第 {first_step} 步）到第 {last_step} 步（占整个训练的 {length_share}），loss（{tag}）一直没有比起点（约 {level}）更好；"
            "直到第 {lr_cut_step} 步学习率调低之后才开始下降。最初的学习率没有让模型学到任何东西，最常见的原因是它对这个模型太大了：这些步数白白浪费了。",
            "actions": [
                "直接用最后起作用的那个学习率开始训练（或者用 LR range test 来选）。",
                "加 warm-up，不要一开始就用满学习率。",
                "用 ReduceLROnPlateau，让 loss 停滞时自动调低学习率。",
            ],
        },
    },
    "divergence.until_cut": {
        "en": {
            "title": "loss rose at the first learning rate until it was cut at step {lr_cut_step}",
            "detail": "From step {min_step} to step {peak_step} the loss ({tag}) never improved on its first value, {min_value}, and rose to "
            "{peak_value}; only after the learning rate was lowered at step {lr_cut_step} did it fall (to {end_value} at the end). "
            "A loss that gets worse from the start on the data it is trained on means the first learning rate was too high.",
            "actions": [
                "Start with the learning rate that finally worked, or lower the first one 3-10x.",
                "Add a warm-up and clip gradients.",
                "Use ReduceLROnPlateau so a rising loss lowers the rate sooner.",
            ],
        },
        "zh": {
            "title": "最初的学习率下 loss 一直上升，直到第 {lr_cut_step} 步学习率调低",
            "detail": "从第 {min_step} 步到第 {peak_step} 步，loss（{tag}）从来没有比第一个值 {min_value} 更好，反而涨到了 {peak_value}；"
            "直到第 {lr_cut_step} 步学习率调低之后才开始下降（结束时是 {end_value}）。在训练数据上一开始 loss 就变差，说明最初的学习率太大了。",
            "actions": [
                "直接用最后起作用的那个学习率开始训练，或者把最初的学习率调小 3 到 10 倍。",
                "加 warm-up 和梯度裁剪。",
                "用 ReduceLROnPlateau，让 loss 上升时更早调低学习率。",
            ],
        },
    },
}

# Sentences added to a finding's detail when its evidence shows the case.
_CHANCE_NOTE = {
    "en": "{chance_value} = {chance_base} {chance_classes}: the loss of a uniform guess over {chance_classes} classes. "
    "The model gives every class the same probability, which is what it does before it has learned anything.",
    "zh": "{chance_value} = {chance_base} {chance_classes}：这正是在 {chance_classes} 个类别上均匀瞎猜时的 loss。"
    "模型给每个类别的概率都一样，和什么都还没学到时完全相同。",
}
_CHANCE_GUESSING_NOTE = {
    "en": "Accuracy never left {chance_accuracy} ≈ 1/{chance_classes}: the score of a uniform guess over {chance_classes} "
    "classes. A falling loss that stays above {chance_value} = {chance_base} {chance_classes} only shows the model "
    "learning to guess (the class frequencies), not to tell the classes apart.",
    "zh": "准确率始终停在 {chance_accuracy} ≈ 1/{chance_classes}：这正是在 {chance_classes} 个类别上均匀瞎猜的得分。"
    "loss 虽然在降，但一直没有低于 {chance_value} = {chance_base} {chance_classes}，这只说明模型学会了怎么猜"
    "（各类别的比例），而不是学会了区分类别。",
}
_CHANCE_ACCURACY_NOTE = {
    "en": "Accuracy ends at {chance_accuracy}, about 1/{chance_classes}: guessing, which confirms it.",
    "zh": "准确率停在 {chance_accuracy}，约等于 1/{chance_classes}，正是瞎猜的水平，也印证了这一点。",
}
_BEST_AT_START_NOTE = {
    "en": "The best checkpoint is the very first evaluation (step {val_min_step}): the untrained or barely trained model "
    "did best on new data, and training only made it worse. Check the learning rate and the train/validation split first.",
    "zh": "最好的 checkpoint 是第一次评估（第 {val_min_step} 步）：未训练或几乎未训练的模型在新数据上反而最好，"
    "之后的训练只让它变差。先检查学习率以及训练/验证集的划分。",
}
_WARMUP_SPIKE_NOTE = {
    "en": "The jumps come during the learning-rate warm-up, where some turbulence is expected; they matter only if they recur later.",
    "zh": "这些跳升发生在学习率 warm-up 期间，此时有些波动是正常的；只有之后再次出现才值得关注。",
}
_UNCHECKED_BOUNCE_NOTE = {
    "en": "No validation loss is logged beside it to tell whether the weights swing or only the batches differ, and the bounce is "
    "no larger than batches of 16 or more samples scatter by; in a run that ends well, read it as the batches' noise unless the run goes wrong.",
    "zh": "旁边没有记录验证 loss，无法分辨是权重在来回跳，还是只是各个 batch 难易不同；而且起伏幅度不超过 16 个及以上样本的 batch 本身的波动。"
    "训练结果正常的话，把它当作 batch 噪声即可，除非训练本身出了问题。",
}
_SCHEDULE_CUT_NOTE = {
    "en": "The learning-rate schedule had run only about {schedule_done_share} of its course when training stopped, and the loss was still making new lows.",
    "zh": "训练停下时，学习率调度只走完了大约 {schedule_done_share}，loss 还在创新低。",
}
_TWO_EVALUATIONS_NOTE = {
    "en": "Validation was evaluated only twice: its loss went from {val_first} to {val_second} ({val_two_evaluations_change}), and that one move decides this reading.",
    "zh": "验证只评估了两次：loss 从 {val_first} 变为 {val_second}（{val_two_evaluations_change}），这个判断就取决于这一次变化。",
}
_SHORT_RUN_NOTE = {
    "en": "Caution: a short run ({points} points), so this is a first reading, not a verdict; look again after a few more epochs.",
    "zh": "注意：这次训练很短（只有 {points} 个点），这只是初步判断，不是定论；多训练几个 epoch 后再看一次。",
}

# How a curve stopped being finite: which kind came first, when the other did, whether it came back.
_BAD_STORY = {
    "en": {
        "first": "The {role} ({tag}) became {first_bad_value} at step {first_bad_step}",
        "then_nan": " and NaN at step {first_nan_step}",
        "then_inf": " and inf at step {first_inf_step}",
        "count": "; {bad_points} of its {points} points are not finite",
        "recovers": ", though it is finite again after step {last_step}.",
        "stays": ", and it never returns to a finite value.",
        "end": ".",
    },
    "zh": {
        "first": "{role}（{tag}）在第 {first_bad_step} 步变成了 {first_bad_value}",
        "then_nan": "，在第 {first_nan_step} 步变成了 NaN",
        "then_inf": "，在第 {first_inf_step} 步出现了 inf",
        "count": "；{points} 个点里有 {bad_points} 个不是有限值",
        "recovers": "，第 {last_step} 步之后又恢复成有限值。",
        "stays": "，之后再也没有恢复。",
        "end": "。",
    },
}
_BAD_KIND = {
    (True, False): {"en": "NaN", "zh": "NaN"},
    (False, True): {"en": "inf", "zh": "inf"},
    (True, True): {"en": "NaN or inf", "zh": "NaN 或 inf"},
}


def _bad_story(evidence: Mapping[str, object], lang: str) -> str:
    """The non-finite finding's first sentence, as a template over its fields."""
    words = _BAD_STORY[lang]
    parts = [words["first"], _bad_then(evidence, lang), words["count"]]
    recovers = evidence.get("recovers")
    parts.append(words["end"] if recovers is None else words["recovers" if recovers else "stays"])
    return "".join(parts)


def _bad_then(evidence: Mapping[str, object], lang: str) -> str:
    """The other kind of bad value, when a curve turned inf first and NaN later (or the reverse)."""
    words = _BAD_STORY[lang]
    if evidence.get("first_bad_value") == "nan":
        return words["then_inf"] if evidence.get("first_inf_step") is not None else ""
    return words["then_nan"] if evidence.get("first_nan_step") is not None else ""


def _bad_kind(evidence: Mapping[str, object], lang: str) -> str:
    """What a wholly non-finite curve is made of: NaN, inf, or both."""
    first = evidence.get("first_bad_value")
    has_nan = evidence.get("first_nan_step") is not None or first == "nan"
    has_inf = evidence.get("first_inf_step") is not None or first in ("inf", "-inf")
    return _BAD_KIND.get((has_nan, has_inf), _BAD_KIND[(True, False)])[lang]


def _whole_curve_lost(evidence: Mapping[str, object]) -> bool:
    """Whether a non-finite curve never had a finite point (from its counts, when `finite_points` is absent)."""
    finite = evidence.get("finite_points")
    if finite is None and isinstance(evidence.get("points"), int) and isinstance(evidence.get("bad_points"), int):
        finite = evidence["points"] - evidence["bad_points"]
    return finite == 0


_LR_NOTES = {
    True: {
        "en": "The learning rate stayed constant during the stall: a schedule such as ReduceLROnPlateau would have acted on it.",
        "zh": "平台期间学习率一直没变：用 ReduceLROnPlateau 这类调度器就能在停滞时自动调整。",
    },
    False: {"en": "", "zh": ""},
    None: {"en": "", "zh": ""},
}

INSUFFICIENT = {
    "en": "Too few points to judge the curve's shape ({points} finite loss points; a full shape needs {needed}, "
    "a shorter curve is judged only when its direction is clear)",
    "zh": "点太少，无法判断曲线形状（只有 {points} 个有效 loss 点；完整判断至少需要 {needed} 个，点更少时只在走向很明确时才下结论）",
}

# A run with enough points whose curves fit none of the diagnoses (rare: e.g. a validation
# loss that worsens while the training loss only holds) must not be told it has too few.
UNRECOGNISED = {
    "en": "No diagnosis fits these curves ({points} finite loss points): none of the patterns LossDoc knows was found, "
    "so look at the curves themselves",
    "zh": "没有哪种诊断符合这些曲线（{points} 个有效 loss 点）：LossDoc 认识的模式都没有出现，请直接看曲线",
}

# Marks a verdict whose finding is less sure than the user asked for.
LOW_CONFIDENCE = {"en": " (low confidence)", "zh": "（把握不大）"}

# Evidence that reads better as a percentage of something.
_SHARES = {
    "best_change",
    "schedule_done_share",
    "val_two_evaluations_change",
    "recent_gain_share",
    "length_share",
    "bounce_ratio",
    "averaged_bounce_ratio",
    "swing_rise",
    "val_above_best",
    "stale_share",
    "train_fall_since_best",
    "largest_jump_of_spread",
    "rise_ratio",
    "val_rise_of_gain",
    "fall_before_share",
    "val_gain_share",
    "train_fall_share",
    "pinned_share",
}


# How numbers that are not ordinary values read in each language.
_SPECIAL = {
    "en": {"nan": "NaN", "inf": "infinity", "-inf": "minus infinity", "none": "unknown", "share_nan": "an unknown share",
           "share_inf": "an unbounded share", "share_-inf": "an unbounded negative share", "huge": "more than 10000%", "-huge": "less than -10000%"},
    "zh": {"nan": "NaN", "inf": "无穷大", "-inf": "负无穷大", "none": "未知", "share_nan": "未知比例",
           "share_inf": "无限大的比例", "share_-inf": "负无限大的比例", "huge": "超过 10000%", "-huge": "低于 -10000%"},
}
# Non-finite values as the detectors name them in evidence ("inf", "nan"): shown as names.
_VALUE_NAMES = {"nan": "NaN", "inf": "inf", "-inf": "-inf"}
# Shares of an improvement: a negative one is no improvement, shown as 0%.
_GAINS = {"best_change", "recent_gain_share"}


def number(value: float, lang: str = "en") -> str:
    """A value with 4 significant digits; never "-0"; NaN and infinities as words."""
    value = float(value)
    if value != value:
        return _SPECIAL[lang]["nan"]
    if value in (float("inf"), float("-inf")):
        return _SPECIAL[lang]["inf" if value > 0 else "-inf"]
    shown = f"{value:.4g}"
    return shown[1:] if shown.startswith("-") and float(shown) == 0 else shown


def percent(share: float, lang: str = "en", gain: bool = False) -> str:
    """A share as a whole percentage, a small one with one digit ("0.3%" rather than 0%),
    never "-0%", words for NaN and infinities; a negative `gain` is 0%."""
    share = float(share)
    words = _SPECIAL[lang]
    if share != share:
        return words["share_nan"]
    if gain:
        share = max(share, 0.0)
    if share in (float("inf"), float("-inf")):
        return words["share_inf" if share > 0 else "share_-inf"]
    rounded = round(100 * share)
    if rounded == 0:
        return f"{100 * share:.1g}%" if share >= 1e-4 else "0%"
    if abs(share) > 100:
        return words["huge" if share > 0 else "-huge"]
    return f"{rounded}%"


def _format_value(key: str, value, lang: str = "en") -> str:
    """One evidence value as it reads in a sentence."""
    if value is None:
        return _SPECIAL[lang]["none"]
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, list):
        shown = ", ".join(_format_value("", v, lang) for v in value[:5])
        return shown + (", …" if len(value) > 5 else "")
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if key in _SHARES:
            return percent(value, lang, gain=key in _GAINS)
        return number(value, lang)
    if isinstance(value, str) and value in _VALUE_NAMES:
        return _VALUE_NAMES[value]
    return str(value)


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _prior_split(majority_share, lang: str) -> str:
    """A binary class prior as percentages, majority first ("67/33"); just "binary" for a share that is not one."""
    if not isinstance(majority_share, (int, float, np.floating)) or not 0.0 <= float(majority_share) <= 1.0:
        return {"en": "binary", "zh": "二分类"}[lang]
    majority = int(round(100 * float(majority_share)))
    return f"{majority}/{100 - majority}"


def _fields(finding: Finding, lang: str) -> Mapping[str, str]:
    fields = _Fields({k: _format_value(k, v, lang) for k, v in finding.evidence.items()})
    fields["first_step"] = _format_value("first_step", finding.first_step, lang)
    fields["last_step"] = _format_value("last_step", finding.last_step, lang)
    role = finding.evidence.get("role")
    fields["role"] = _ROLE.get(role, _ROLE["train_loss"])[lang] if role else _ROLE["train_loss"][lang]
    fields["lr_note"] = _LR_NOTES.get(finding.evidence.get("lr_constant"), _LR_NOTES[None])[lang]
    if finding.evidence.get("chance_seen_in") == "prior":
        fields["prior_split"] = _prior_split(finding.evidence.get("chance_accuracy"), lang)
    if finding.code == "non_finite":
        fields["bad_story"] = _bad_story(finding.evidence, lang).format_map(fields)
        fields["bad_kind"] = _bad_kind(finding.evidence, lang)
        fields["bad_then"] = _bad_then(finding.evidence, lang).format_map(fields)
    return fields


# Which variant a finding's evidence shows, first match wins (a variant is named "<code>.<case>").
_VARIANT_OF_EVIDENCE: Tuple[Tuple[str, Callable[[Mapping[str, object]], bool]], ...] = (
    ("non_finite.hidden", lambda e: bool(e.get("hidden_by_loss_filter"))),
    ("non_finite.whole_curve", _whole_curve_lost),
    ("not_learning.guessing", lambda e: e.get("chance_seen_in") == "accuracy"),
    ("not_learning.prior", lambda e: e.get("chance_seen_in") == "prior"),
    ("not_learning.barely", lambda e: e.get("chance_seen_in") == "start"),
    ("not_learning.no_detections", lambda e: bool(e.get("no_detections"))),
    ("not_learning.chance", lambda e: e.get("chance_classes") is not None),
    ("not_learning.pinned", lambda e: bool(e.get("pinned"))),
    ("not_learning.same_answers", lambda e: bool(e.get("same_answers"))),
    ("not_learning.after_first_log", lambda e: bool(e.get("after_first_log"))),
    ("overfitting.val_sparse", lambda e: e.get("train_logged") is False and bool(e.get("train_points"))),
    ("overfitting.val_only", lambda e: e.get("train_logged") is False),
    ("overfitting.widening_gap", lambda e: bool(e.get("widening_gap"))),
    ("overfitting.memorisation", lambda e: "memorisation_gap" in e),
    ("plateau.stuck_until_cut", lambda e: bool(e.get("stuck_until_lr_cut"))),
    ("plateau.lr_collapse", lambda e: bool(e.get("lr_collapsed"))),
    ("plateau.frozen", lambda e: bool(e.get("frozen"))),
    ("plateau.val_stall", lambda e: bool(e.get("val_stalled"))),
    ("divergence.partial", lambda e: bool(e.get("recovered_partway"))),
    ("divergence.until_cut", lambda e: bool(e.get("rose_until_lr_cut"))),
    ("divergence.worsening", lambda e: bool(e.get("train_never_fell"))),
    ("oscillation.zigzag", lambda e: bool(e.get("zigzag"))),
    ("oscillation.swings", lambda e: bool(e.get("swinging"))),
    ("oscillation.batch_noise", lambda e: "averaged_bounce_ratio" in e),
)


def _template(finding: Finding, lang: str) -> Mapping[str, object]:
    """The code's texts, or those of the variant its evidence shows."""
    for variant, shows in _VARIANT_OF_EVIDENCE:
        if variant.split(".")[0] == finding.code and shows(finding.evidence):
            return VARIANTS[variant][lang]
    return TEXTS[finding.code][lang]


def _notes(finding: Finding, lang: str) -> List[str]:
    """Sentences for the cases a finding's evidence shows: chance level, best step 0, a short run (not for NaN/inf)."""
    evidence = finding.evidence
    notes = []
    if evidence.get("chance_seen_in") == "accuracy":
        notes.append(_CHANCE_GUESSING_NOTE[lang])
    elif evidence.get("chance_classes") is not None and evidence.get("chance_seen_in") not in ("prior", "start"):
        notes.append(_CHANCE_NOTE[lang])
        if evidence.get("chance_accuracy") is not None:
            notes.append(_CHANCE_ACCURACY_NOTE[lang])
    if evidence.get("best_at_start"):
        notes.append(_BEST_AT_START_NOTE[lang])
    if evidence.get("in_warmup"):
        notes.append(_WARMUP_SPIKE_NOTE[lang])
    if evidence.get("unchecked_by_validation"):
        notes.append(_UNCHECKED_BOUNCE_NOTE[lang])
    if evidence.get("schedule_done_share") is not None:
        notes.append(_SCHEDULE_CUT_NOTE[lang])
    if evidence.get("val_two_evaluations_change") is not None:
        notes.append(_TWO_EVALUATIONS_NOTE[lang])
    points = evidence.get("points")
    # A NaN is a NaN however short the run: no caution about few points.
    if isinstance(points, int) and points < MIN_POINTS and finding.code != "non_finite":
        notes.append(_SHORT_RUN_NOTE[lang])
    return notes


def text(finding: Finding, lang: str) -> Dict[str, object]:
    """Title, detail and actions of a finding in one language."""
    template = _template(finding, lang)
    fields = _fields(finding, lang)
    title = str(template["title"]).format_map(fields)
    if lang == "en":
        title = title[:1].upper() + title[1:]
    separator = " " if lang == "en" else ""
    detail = separator.join([str(template["detail"]).format_map(fields).strip()] + [n.format_map(fields) for n in _notes(finding, lang)])
    return {
        "title": title,
        "detail": detail,
        "actions": [str(a).format_map(fields) for a in template["actions"]],
    }


def all_texts(finding: Finding) -> Dict[str, Dict[str, object]]:
    return {lang: text(finding, lang) for lang in LANGUAGES}


def insufficient(points: int, needed: int) -> Dict[str, str]:
    """The summary of a run without findings: too few points, or (with enough of them) curves that fit no diagnosis."""
    words = INSUFFICIENT if points < needed else UNRECOGNISED
    return {lang: words[lang].format(points=points, needed=needed) for lang in LANGUAGES}


def summaries(texts: List[Dict[str, Dict[str, object]]]) -> Optional[Dict[str, str]]:
    """The verdict finding's title in each language (its texts come first), or None."""
    if not texts:
        return None
    return {lang: str(texts[0][lang]["title"]) for lang in LANGUAGES}
