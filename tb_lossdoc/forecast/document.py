"""A run's `forecast` field: for healthy and overfitting runs, what more training would buy, in en and zh."""

from __future__ import annotations

from typing import Optional

import numpy as np

from ..detect.profile import median
from ..read.series import Series
from ..report.messages import number
from .forecast import LR_ENDS, RISING, TOO_NOISY, TOO_SHORT, UNSTABLE, Prediction, predict

FORECAST_VERDICTS = ("still_improving", "converged")
OVERFITTING = "overfitting"

_WORDS = {
    "en": {
        "val_loss": "validation loss",
        "train_loss": "training loss",
        "lost": "Training past step {best} cost {lost} of validation loss.",
        "refused": "No forecast of the {name}: {why}.",
        "expected": "Training to step {horizon} (twice as long) would take the {name} from {last} to about {expected} "
        "(80% interval {low} to {high}).",
        "floor": "The fitted floor is {floor}.",
        "floor_reach": "The fitted floor is {floor}; 90% of the gap to it would be closed by about step {reach}.",
        "join": " ",
        TOO_SHORT: "too few points to fit the curve's tail",
        LR_ENDS: "the learning-rate schedule has run out, so more steps under it would not continue this curve",
        RISING: "the loss is rising, not settling towards a floor",
        TOO_NOISY: "the noise is larger than the trend",
        UNSTABLE: "no fit is stable enough to extrapolate",
    },
    "zh": {
        "val_loss": "验证 loss",
        "train_loss": "训练 loss",
        "lost": "越过第 {best} 步继续训练，验证 loss 变差了 {lost}。",
        "refused": "无法预测{name}：{why}。",
        "expected": "训练到第 {horizon} 步（两倍时长），{name} 预计从 {last} 降到约 {expected}（80% 区间 {low} 到 {high}）。",
        "floor": "拟合出的下限是 {floor}。",
        "floor_reach": "拟合出的下限是 {floor}；约到第 {reach} 步，与它的差距会缩小 90%。",
        "join": "",
        TOO_SHORT: "曲线尾部的点太少，无法拟合",
        LR_ENDS: "学习率调度已经走到尽头，在它之下多训练几步不会延续这条曲线",
        RISING: "loss 在上升，而不是趋向某个下限",
        TOO_NOISY: "噪声比趋势还大",
        UNSTABLE: "没有足够稳定的拟合可供外推",
    },
}


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
        "text": {lang: _text(prediction, role, lost, best_step, lang) for lang in _WORDS},
    }


def _lost_past_best(val_loss: Optional[Series], best_step: Optional[int]) -> Optional[float]:
    """How much validation loss the run gave back by training past its best step."""
    if val_loss is None or best_step is None:
        return None
    finite = val_loss.finite_only()
    if not len(finite):
        return None
    end = median(finite.values[-max(1, min(len(finite) // 10, 5)):])
    return max(0.0, end - float(np.min(finite.values)))


def _text(p: Prediction, role: str, lost: Optional[float], best_step: Optional[int], lang: str) -> str:
    words = _WORDS[lang]
    name = words[role]
    parts = []
    if lost is not None and lost > 0:
        parts.append(words["lost"].format(best=best_step, lost=number(lost, lang)))
    if p.refused:
        parts.append(words["refused"].format(name=name, why=words[p.refused]))
    else:
        parts.append(words["expected"].format(
            horizon=p.horizon_step, name=name, last=number(p.last_value, lang), expected=number(p.expected, lang), low=number(p.low, lang), high=number(p.high, lang)
        ))
        if p.floor is not None:
            key = "floor" if p.steps_to_90 is None else "floor_reach"
            parts.append(words[key].format(floor=number(p.floor, lang), reach=p.steps_to_90))
    return words["join"].join(parts)
