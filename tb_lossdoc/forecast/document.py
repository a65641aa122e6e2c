"""A run's `forecast` field: for healthy and overfitting runs, what more training would buy, in en and zh."""

from __future__ import annotations

from typing import Optional

import numpy as np

from ..read.series import Series
from .forecast import LR_ENDS, RISING, TOO_NOISY, TOO_SHORT, UNSTABLE, Prediction, predict

FORECAST_VERDICTS = ("still_improving", "converged")
OVERFITTING = "overfitting"

_REFUSALS = {
    TOO_SHORT: ("too few points to fit the curve's tail", "曲线尾部的点太少，无法拟合"),
    LR_ENDS: (
        "the learning-rate schedule has run out, so more steps under it would not continue this curve",
        "学习率调度已经走到尽头，在它之下多训练几步不会延续这条曲线",
    ),
    RISING: ("the loss is rising, not settling towards a floor", "loss 在上升，而不是趋向某个下限"),
    TOO_NOISY: ("the noise is larger than the trend", "噪声比趋势还大"),
    UNSTABLE: ("no fit is stable enough to extrapolate", "没有足够稳定的拟合可供外推"),
}


def _g(value: float) -> str:
    return f"{value:.4g}"


def forecast_field(
    verdict: str, codes: set, val_loss: Optional[Series], train_loss: Optional[Series], lr: Optional[Series], best_step: Optional[int]
) -> Optional[dict]:
    """The `forecast` of a run, or None when the run is neither healthy nor overfitting."""
    overfit = OVERFITTING in codes
    if verdict not in FORECAST_VERDICTS and not overfit:
        return None
    loss, role = (val_loss, "val_loss") if val_loss is not None and len(val_loss.finite_only()) else (train_loss, "train_loss")
    if loss is None:
        return None
    prediction = predict(loss, lr=lr)
    lost = _lost_past_best(val_loss, best_step) if overfit else None
    return {
        "curve": role,
        "tag": loss.tag,
        "refused": prediction.refused,
        "last_step": prediction.last_step,
        "last_value": prediction.last_value,
        "horizon_step": prediction.horizon_step,
        "expected": prediction.expected,
        "interval80": None if prediction.expected is None else [prediction.low, prediction.high],
        "floor": prediction.floor,
        "steps_to_90pct": prediction.steps_to_90,
        "lost_past_best": lost,
        "text": {"en": _text_en(prediction, role, lost, best_step), "zh": _text_zh(prediction, role, lost, best_step)},
    }


def _lost_past_best(val_loss: Optional[Series], best_step: Optional[int]) -> Optional[float]:
    """How much validation loss the run gave back by training past its best step."""
    if val_loss is None or best_step is None:
        return None
    finite = val_loss.finite_only()
    if not len(finite):
        return None
    end = float(np.median(finite.values[-max(1, min(len(finite) // 10, 5)):]))
    return max(0.0, end - float(np.min(finite.values)))


def _text_en(p: Prediction, role: str, lost: Optional[float], best_step: Optional[int]) -> str:
    name = "validation loss" if role == "val_loss" else "training loss"
    parts = []
    if lost is not None and lost > 0:
        parts.append(f"Training past step {best_step} cost {_g(lost)} of validation loss.")
    if p.refused:
        parts.append(f"No forecast of the {name}: {_REFUSALS[p.refused][0]}.")
    else:
        parts.append(
            f"Training to step {p.horizon_step} (twice as long) would take the {name} from {_g(p.last_value)} "
            f"to about {_g(p.expected)} (80% interval {_g(p.low)} to {_g(p.high)})."
        )
        if p.floor is not None:
            reach = f"; 90% of the gap to it would be closed by about step {p.steps_to_90}" if p.steps_to_90 is not None else ""
            parts.append(f"The fitted floor is {_g(p.floor)}{reach}.")
    return " ".join(parts)


def _text_zh(p: Prediction, role: str, lost: Optional[float], best_step: Optional[int]) -> str:
    name = "验证 loss" if role == "val_loss" else "训练 loss"
    parts = []
    if lost is not None and lost > 0:
        parts.append(f"越过第 {best_step} 步继续训练，验证 loss 变差了 {_g(lost)}。")
    if p.refused:
        parts.append(f"无法预测{name}：{_REFUSALS[p.refused][1]}。")
    else:
        parts.append(
            f"训练到第 {p.horizon_step} 步（两倍时长），{name}预计从 {_g(p.last_value)} 降到约 {_g(p.expected)}"
            f"（80% 区间 {_g(p.low)} 到 {_g(p.high)}）。"
        )
        if p.floor is not None:
            reach = f"；约到第 {p.steps_to_90} 步，与它的差距会缩小 90%" if p.steps_to_90 is not None else ""
            parts.append(f"拟合出的下限是 {_g(p.floor)}{reach}。")
    return "".join(parts)
