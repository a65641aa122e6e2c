"""The forecast: what more training would buy, or a clear refusal; scale- and sign-invariant."""

import sys
from pathlib import Path

import numpy as np
import pytest

import tb_lossdoc
from tb_lossdoc.detect import synthetic
from tb_lossdoc.forecast.forecast import LR_ENDS, RISING, TOO_NOISY, TOO_SHORT, predict
from tb_lossdoc.read.series import Series

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


def power_law(n=400, floor=0.3, scale=2.0, power=0.7, noise=0.01, seed=0):
    steps = np.arange(n) * 10
    rng = np.random.default_rng(seed)
    values = floor + scale * (steps / 10 + 1.0) ** -power
    return steps, values + rng.normal(0, noise * scale, n)


@pytest.mark.parametrize("seed", range(6))
def test_the_end_of_a_power_law_is_forecast_from_its_first_half(seed):
    steps, values = power_law(seed=seed, power=0.3 + 0.1 * seed)  # still improving at half time
    half = steps.size // 2
    p = predict(Series(steps[:half], values[:half]), horizon_step=int(steps[-1]))
    actual = float(np.median(values[-20:]))
    assert p.refused is None
    assert abs(p.expected - actual) < abs(float(np.median(values[half - 20:half])) - actual)  # beats "no change"
    assert p.low <= actual <= p.high


@pytest.mark.parametrize("factor,shift", [(1e-6, 0.0), (1e6, 0.0), (1.0, -5.0), (-1.0, 0.0)])
def test_scaling_and_shifting_the_loss_moves_the_forecast_with_it(factor, shift):
    steps, values = power_law(floor=-0.2 if factor < 0 else 0.3)
    if factor < 0:  # a loss that rises towards a ceiling is not a decay: refused, not mirrored
        assert predict(Series(steps, factor * values)).refused == RISING
        return
    base = predict(Series(steps, values - 0.3))  # a loss that goes below zero has no floor at 0
    moved = predict(Series(steps, factor * (values - 0.3) + shift))
    assert moved.refused is None and base.refused is None
    assert moved.expected == pytest.approx(factor * base.expected + shift, rel=1e-6, abs=1e-9 * abs(factor))
    assert moved.steps_to_90 == base.steps_to_90


def test_a_loss_never_below_zero_gets_no_negative_floor():
    steps, values = power_law(floor=0.0, power=0.3, noise=0.0)
    p = predict(Series(steps, values))
    assert p.floor is None or p.floor >= 0.0
    assert p.expected >= 0.0


def test_refusals_say_why():
    assert predict(Series(np.arange(5), np.linspace(2, 1, 5))).refused == TOO_SHORT
    steps, values = synthetic.rising()
    assert predict(Series(steps, values)).refused == RISING
    steps, values = power_law(noise=0.0)
    rng = np.random.default_rng(3)
    noisy = Series(steps, values + rng.normal(0, 3.0, steps.size))
    assert predict(noisy).refused in (TOO_NOISY, RISING)
    lr = Series(steps, np.linspace(1e-3, 0.0, steps.size))  # linear decay to zero: the schedule ran out
    assert predict(Series(steps, values), lr=lr).refused == LR_ENDS
    assert predict(Series(steps, values), lr=Series(steps, np.full(steps.size, 1e-3))).refused is None


def test_the_document_carries_a_forecast_for_healthy_and_overfitting_runs_only():
    steps, values = power_law(floor=0.0, power=0.3)
    still = tb_lossdoc.diagnose_curves(train_loss=(steps, values))
    assert still["forecast"]["refused"] is None
    assert still["forecast"]["expected"] < still["forecast"]["last_value"]
    assert "twice as long" in still["forecast"]["text"]["en"] and "两倍" in still["forecast"]["text"]["zh"]
    train = np.exp(-np.arange(40) / 8) + 0.1
    val = np.r_[np.exp(-np.arange(20) / 6) + 0.3, 0.3 + 0.03 * np.arange(1, 21)]
    overfit = tb_lossdoc.diagnose_curves(train_loss=train, val_loss=val)
    assert overfit["verdict"] == "overfitting"
    assert overfit["forecast"]["lost_past_best"] == pytest.approx(val[-5:].mean() - val.min(), rel=0.2)
    assert f"step {overfit['best_step']}" in overfit["forecast"]["text"]["en"]
    rising_steps, rising_values = synthetic.rising()
    assert tb_lossdoc.diagnose_curves(train_loss=(rising_steps, rising_values))["forecast"] is None


def test_a_real_still_improving_run_from_the_field_corpus():
    """A fine-tune whose labellers saw its loss still falling: a forecast of a lower loss."""
    import forecast as benchmark

    raw = ROOT / "benchmarks" / "field" / "raw" / "francis-xsc__bert_weibo_rumor__root"
    (curve, lr), *_ = benchmark.curves_of(raw)
    result = benchmark.evaluate_run(curve, lr)
    assert result["refused"] is None
    assert result["error"] < result["last_value_error"]
