"""Each detector on synthetic curves with known shapes, plus invariance properties."""

from __future__ import annotations

import numpy as np
import pytest

from tb_lossdoc.detect import synthetic as syn
from tb_lossdoc.detect.detectors.base import MIN_POINTS, RunCurves
from tb_lossdoc.detect.engine import INSUFFICIENT_DATA, diagnose
from tb_lossdoc.read.series import Series


def series(curve, scale: float = 1.0, shift_steps: int = 0) -> Series:
    steps, values = curve
    return Series.from_points(steps + shift_steps, values * scale)


def codes(**roles) -> set:
    return {f.code for f in diagnose(RunCurves(**roles)).findings}


def verdict(**roles) -> str:
    return diagnose(RunCurves(**roles)).verdict


# Curves whose verdict is known by construction: (name, roles, expected verdict).
CASES = [
    ("healthy noisy per-step", dict(train_loss=lambda k, d: series(syn.decay(600, noise=0.15), k, d)), "converged"),
    (
        "healthy with validation",
        dict(
            train_loss=lambda k, d: series(syn.decay(600, noise=0.15), k, d),
            val_loss=lambda k, d: series(syn.decay(30, start=2.2, floor=0.15, every=20, noise=0.01), k, d),
        ),
        "converged",
    ),
    ("stopped early", dict(train_loss=lambda k, d: series(syn.decay(rate=1.5), k, d)), "still_improving"),
    (
        "overfitting",
        dict(train_loss=lambda k, d: series(syn.decay(600, noise=0.1), k, d), val_loss=lambda k, d: series(syn.u_shape(every=10), k, d)),
        "overfitting",
    ),
    (
        "overconfidence",
        dict(
            train_loss=lambda k, d: series(syn.decay(600, noise=0.1), k, d),
            val_loss=lambda k, d: series(syn.u_shape(every=10), k, d),
            val_acc=lambda k, d: series(syn.accuracy_holding(every=10), 1.0, d),
        ),
        "overconfidence",
    ),
    (
        "overfitting with falling accuracy",
        dict(
            train_loss=lambda k, d: series(syn.decay(600, noise=0.1), k, d),
            val_loss=lambda k, d: series(syn.u_shape(every=10), k, d),
            val_acc=lambda k, d: series(syn.accuracy_falling_after(every=10), 1.0, d),
        ),
        "overfitting",
    ),
    ("divergence from the start", dict(train_loss=lambda k, d: series(syn.rising(), k, d)), "divergence"),
    ("spikes", dict(train_loss=lambda k, d: series(syn.with_spikes(syn.decay(500, noise=0.05), (200, 350)), k, d)), "spike"),
    ("oscillation", dict(train_loss=lambda k, d: series(syn.bouncing(), k, d)), "oscillation"),
    ("plateau then drop", dict(train_loss=lambda k, d: series(syn.stall_then_drop(), k, d)), "plateau"),
    ("not learning", dict(train_loss=lambda k, d: series(syn.flat(), k, d)), "not_learning"),
    ("NaN", dict(train_loss=lambda k, d: series(syn.with_nan(syn.decay(), 150), k, d)), "non_finite"),
    (
        "train flat, validation improving",
        dict(train_loss=lambda k, d: series(syn.flat(), k, d), val_loss=lambda k, d: series(syn.decay(40, every=5), k, d)),
        "train_flat_val_improving",
    ),
]


def build(roles, scale=1.0, shift=0):
    return {role: make(scale, shift) for role, make in roles.items()}


@pytest.mark.parametrize("name,roles,expected", CASES, ids=[c[0] for c in CASES])
def test_known_shape_gets_its_verdict(name, roles, expected):
    assert verdict(**build(roles)) == expected


@pytest.mark.parametrize("scale", [1e-6, 0.01, 37.0, 1e6])
@pytest.mark.parametrize("name,roles,expected", CASES, ids=[c[0] for c in CASES])
def test_scaling_a_loss_changes_nothing(name, roles, expected, scale):
    assert codes(**build(roles, scale)) == codes(**build(roles))


@pytest.mark.parametrize("name,roles,expected", CASES, ids=[c[0] for c in CASES])
def test_shifting_steps_changes_nothing(name, roles, expected):
    shifted = diagnose(RunCurves(**build(roles, shift=10_000)))
    plain = diagnose(RunCurves(**build(roles)))
    assert [f.code for f in shifted.findings] == [f.code for f in plain.findings]
    if plain.best_step is not None:
        assert shifted.best_step == plain.best_step + 10_000


@pytest.mark.parametrize(
    "roles",
    [
        lambda: dict(train_loss=series(syn.chance_level(30)), val_acc=series(syn.chance_accuracy(30))),
        lambda: dict(train_loss=series(syn.decay(600, noise=0.1)), val_loss=series(syn.u_shape(every=10)), val_acc=series(syn.accuracy_holding(every=10))),
    ],
    ids=["chance level", "overconfidence"],
)
def test_an_accuracy_logged_in_percent_reads_as_the_same_fraction(roles):
    """Some scripts log accuracy as 0-100: 50 is a coin flip's 0.5, not fifty times better than 1."""
    plain = roles()
    percent = {**plain, "val_acc": Series.from_points(plain["val_acc"].steps, plain["val_acc"].values * 100)}
    as_fraction = diagnose(RunCurves(**plain)).findings
    as_percent = diagnose(RunCurves(**percent)).findings
    assert as_fraction and [(f.code, f.severity) for f in as_percent] == [(f.code, f.severity) for f in as_fraction]
    for a, b in zip(as_percent, as_fraction):
        assert a.evidence.keys() == b.evidence.keys()
        for key, value in b.evidence.items():
            assert a.evidence[key] == (pytest.approx(value, rel=1e-9) if isinstance(value, float) else value), key


def test_negative_losses_work():
    """An ELBO-style loss below zero: falling from -10 towards -100."""
    steps, values = syn.decay(400, start=1.0, floor=0.1, noise=0.05)
    elbo = Series.from_points(steps, -100.0 + 90.0 * values)
    assert verdict(train_loss=elbo) == "converged"
    rising = Series.from_points(steps, -100.0 + 200.0 * np.linspace(0, 1, 400) ** 2)
    assert verdict(train_loss=rising) == "divergence"


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("noise", [0.05, 0.2, 0.35])
def test_minibatch_noise_on_a_healthy_curve_raises_no_alarm(seed, noise):
    train = series(syn.decay(800, noise=noise, seed=seed))
    val = series(syn.decay(40, start=2.2, floor=0.15, every=20, noise=0.01, seed=seed + 100))
    outcome = diagnose(RunCurves(train_loss=train, val_loss=val))
    assert outcome.severity == "ok", [(f.code, f.evidence) for f in outcome.findings]


def test_step_decay_drops_are_neither_spikes_nor_plateaus():
    """Loss falls to a floor, then steps down twice when the LR is cut 10x."""
    n = 900
    steps = np.arange(n)
    level = np.where(steps < 300, 1.5, np.where(steps < 600, 0.7, 0.3))
    values = level + 1.0 * np.exp(-steps / 30.0)
    values = values * (1 + 0.05 * np.random.default_rng(0).standard_normal(n))
    lr = Series.from_points(steps, np.where(steps < 300, 0.1, np.where(steps < 600, 0.01, 0.001)))
    found = codes(train_loss=Series.from_points(steps, values), lr=lr)
    assert found <= {"converged", "still_improving"}, found
    assert "plateau" in codes(train_loss=Series.from_points(steps, values))  # without the LR it looks like one


def test_warm_up_bump_is_not_divergence():
    n = 600
    steps = np.arange(n)
    bump = 0.6 * np.exp(-((steps - 40) / 20.0) ** 2)
    values = 0.2 + 2.0 * np.exp(-steps / 120.0) + bump
    lr = Series.from_points(steps, np.minimum(1.0, (steps + 1) / 60.0) * 1e-3)
    outcome = diagnose(RunCurves(train_loss=Series.from_points(steps, values), lr=lr))
    assert outcome.severity == "ok", [f.code for f in outcome.findings]


def test_jump_right_after_a_learning_rate_restart_is_not_a_spike():
    steps, values = syn.decay(600, noise=0.03)
    values = values.copy()
    values[400] *= 4.0
    lr = Series.from_points(steps, np.where(steps < 400, 1e-4, 1e-2))
    assert "spike" in codes(train_loss=Series.from_points(steps, values))
    assert "spike" not in codes(train_loss=Series.from_points(steps, values), lr=lr)


@pytest.mark.parametrize("epochs", [5, 7, 9])
@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_one_bad_epoch_of_a_few_is_a_spike_and_a_zigzag_or_noise_is_not(epochs, scale):
    """A few evaluations carry no noise estimate: one that jumps clear of an orderly curve is still a spike."""
    steps, train = syn.decay(epochs, start=1.2, floor=0.3, rate=epochs / 2, noise=0.0)
    _, val = syn.decay(epochs, start=1.3, floor=0.45, rate=epochs / 2, noise=0.0)
    bad = val.copy()
    bad[epochs // 2] *= 2.0  # one bad epoch doubles the loss
    found = diagnose(RunCurves(train_loss=Series.from_points(steps, train * scale), val_loss=Series.from_points(steps, bad * scale)))
    (spike,) = [f for f in found.findings if f.code == "spike"]
    assert spike.first_step == steps[epochs // 2] and (spike.confidence < 0.5) == (epochs < MIN_POINTS)
    zigzag = val * np.where(np.arange(epochs) % 2 == 1, 1.4, 1.0)
    assert "spike" not in codes(train_loss=Series.from_points(steps, train * scale), val_loss=Series.from_points(steps, zigzag * scale))
    noisy = val * (1 + 0.04 * np.random.default_rng(epochs).standard_normal(epochs))
    assert "spike" not in codes(train_loss=Series.from_points(steps, train * scale), val_loss=Series.from_points(steps, noisy * scale))


@pytest.mark.parametrize("at", [0.3, 0.6, 0.8])
@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_a_loss_that_collapses_to_a_worse_level_and_stays_is_divergence(at, scale):
    """A run that breaks mid-way (e.g. back to a uniform guess) and never recovers did not converge there."""
    rng = np.random.default_rng(int(at * 10))
    steps = np.arange(300)
    values = 0.4 + 1.9 * np.exp(-steps / 30.0)
    broke = int(at * steps.size)
    values[broke:] = 2.3
    values = values * (1 + 0.02 * rng.standard_normal(steps.size))
    train = Series.from_points(steps, values * scale)
    outcome = diagnose(RunCurves(train_loss=train))
    assert outcome.verdict == "divergence", [f.code for f in outcome.findings]
    assert outcome.findings[0].first_step < broke
    val = Series.from_points(steps[::20], values[::20] * 1.1 * scale)  # evaluations that broke with it
    assert verdict(train_loss=train, val_loss=val) == "divergence"


def test_warm_restarts_that_end_a_cycle_low_are_not_divergence():
    """SGDR without a logged learning rate: the loss jumps at each restart and falls lower by each cycle's end."""
    steps = np.arange(600)
    phase = (steps % 200) / 200.0
    values = (0.3 + 1.5 * np.exp(-steps / 150.0)) * (1 + 0.6 * (1 - phase) ** 3)
    assert "divergence" not in codes(train_loss=Series.from_points(steps, values))


@pytest.mark.parametrize("n", [200, 1000])
@pytest.mark.parametrize("noise", [0.1, 0.2])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_flat_per_step_loss_under_heavy_minibatch_noise_is_not_learning(n, noise, seed):
    """The start level is the median of a few noisy points, and a noisy trend dips with its noise: neither is learning."""
    steps, values = syn.flat(n, level=1.37, noise=0.0, seed=seed)
    noisy = values * (1 + noise * np.random.default_rng(seed).standard_normal(values.size))
    assert verdict(train_loss=Series.from_points(steps, noisy)) == "not_learning"


def test_a_steady_rise_after_a_steep_first_fall_of_a_few_evaluations_is_overfitting():
    """The residuals of 8 evaluations across a steep first fall are the smoothing's; the rise is judged by the scatter after the minimum."""
    steps = np.arange(0, 5000, 10)
    train = 0.05 + 2.0 * np.exp(-steps / 750.0)
    val_steps = np.linspace(620, 4990, 8).astype(int)
    val = [0.903, 0.56, 0.447, 0.437, 0.447, 0.474, 0.482, 0.508]  # +16% over the last four evaluations
    found = codes(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(val_steps, val))
    assert "overfitting" in found and "converged" not in found, found


def test_a_training_loss_that_rose_beside_a_falling_validation_is_not_flat():
    """A first few steps logged below everything after them (a resumed run, a warm-up artefact): training rose, it was not flat."""
    steps = np.arange(0, 3000)
    train = 1.6 + 2.4 * np.exp(-steps / 150.0)
    train[:8] = 0.42
    val_steps = np.arange(100, 3001, 100)
    val = 1.5 + 2.5 * np.exp(-val_steps / 300.0)
    assert "train_flat_val_improving" not in codes(
        train_loss=Series.from_points(steps, train), val_loss=Series.from_points(val_steps, val)
    )


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_chance_accuracy_beside_a_loss_far_above_chance_and_still_falling_is_not_not_learning(scale):
    """Accuracy at 1/6 says nothing yet while the loss, still halving, is four times a uniform guess's (ln 6);
    the same accuracy beside a loss sinking onto ln 2 is a model learning only the prior."""
    steps = np.arange(50, 251, 50)
    acc = Series.from_points(steps, [0.152, 0.151, 0.150, 0.1495, 0.1494])
    train, val = [15.1, 14.4, 11.7, 8.7, 7.6], [14.7, 13.2, 9.7, 7.9, 7.4]
    found = codes(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(steps, val), val_acc=acc)
    assert "not_learning" not in found and "still_improving" in found, found
    binary = Series.from_points(range(4), [0.508, 0.481, 0.484, 0.499])
    prior = codes(
        train_loss=Series.from_points(range(4), [1.79, 1.12, 0.88, 0.82]),
        val_loss=Series.from_points(range(4), [1.33, 0.92, 0.83, 0.78]),
        val_acc=binary,
    )
    assert "not_learning" in prior, prior


def test_evaluations_alone_that_turn_up_are_overfitting_said_to_be_unchecked():
    """A Trainer that logs only its evaluations: a clear, lasting rise after a minimum is overfitting; a long climb from the first is divergence."""
    turned = Series.from_points(range(9), [0.416, 0.368, 0.297, 0.261, 0.259, 0.270, 0.291, 0.308, 0.316])
    (finding,) = [f for f in diagnose(RunCurves(val_loss=turned)).findings if f.code == "overfitting"]
    assert finding.evidence["train_logged"] is False and finding.first_step == 4
    rising = Series.from_points(range(9), [0.26, 0.27, 0.29, 0.31, 0.33, 0.36, 0.38, 0.41, 0.44])
    assert "overfitting" not in codes(val_loss=rising) and "divergence" in codes(val_loss=rising)


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_a_few_evaluations_alone_worse_from_the_first_are_overfitting_with_the_first_checkpoint_best(scale):
    """Three evaluations, each worse than the one before: the first checkpoint was the best (issue 6, best step 0)."""
    worse = Series.from_points([1, 2, 3], np.array([0.436, 0.460, 0.788]) * scale)
    (finding,) = [f for f in diagnose(RunCurves(val_loss=worse)).findings if f.code == "overfitting"]
    assert finding.evidence["best_at_start"] is True and finding.evidence["train_logged"] is False
    assert finding.first_step == 1 and finding.confidence < 0.5


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_few_evaluations_still_falling_beside_a_noisy_training_loss_are_still_improving(seed):
    """A fine-tune's per-step loss is flat within its noise at the end; its five evaluations, each lower, say it ended early."""
    rng = np.random.default_rng(seed)
    steps = np.arange(10, 2001, 10)
    train = (0.9 + 1.4 * np.exp(-steps / 150.0)) * (1 + 0.15 * rng.standard_normal(steps.size))
    evals = np.arange(400, 2001, 400)
    falling = codes(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(evals, [0.73, 0.41, 0.32, 0.295, 0.27]))
    assert "still_improving" in falling and "converged" not in falling, falling
    stopped = codes(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(evals, [0.73, 0.41, 0.32, 0.301, 0.3005]))
    assert "still_improving" not in stopped, stopped


def test_a_stall_through_a_slow_warm_up_is_not_a_plateau_and_one_held_by_a_low_rate_is():
    """The loss waits while the rate warms up from ~0, then falls: the warm-up. A rate held low, then raised at once: a plateau."""
    steps = np.arange(0, 420, 10)
    loss = np.where(steps < 150, 1.55, 0.002 + 1.55 * np.exp(-(steps - 150) / 20.0))
    loss = loss * (1 + 0.02 * np.random.default_rng(0).standard_normal(steps.size))
    warm_up = Series.from_points(steps, 2e-5 * (steps + 10) / 420)
    assert "plateau" not in codes(train_loss=Series.from_points(steps, loss), lr=warm_up)
    held_low = Series.from_points(steps, np.where(steps < 150, 1e-7, 2e-5))
    assert "plateau" in codes(train_loss=Series.from_points(steps, loss), lr=held_low)


def test_a_slow_steady_decline_after_a_huge_first_drop_is_not_a_plateau():
    """A one-cycle run: a fast first fall, ten epochs losing 3% of the level each, then the anneal. Flat only beside the first drop."""
    epochs = np.arange(1, 36)
    loss = np.concatenate([0.3 + 1.1 * np.exp(-np.arange(15) / 3.0), 0.31 * 0.97 ** np.arange(10), np.geomspace(0.22, 0.02, 10)])
    assert "plateau" not in codes(train_loss=Series.from_points(epochs, loss))
    flat = loss.copy()
    flat[15:25] = 0.31  # the same run, truly stuck for those ten epochs
    assert "plateau" in codes(train_loss=Series.from_points(epochs, flat))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_loss_at_ln_k_beside_an_accuracy_at_one_in_k_is_not_learning_however_noisy(seed):
    """Epoch losses scattering 3% around ln 10 with accuracy at 0.1: the noise keeps the curve from looking flat, the level says it all."""
    rng = np.random.default_rng(seed)
    epochs = np.arange(40)
    loss = np.log(10) * (1 + 0.03 * rng.standard_normal(epochs.size))
    val = np.log(10) * (1 + 0.03 * rng.standard_normal(epochs.size))
    acc = 0.1 + 0.01 * rng.standard_normal(epochs.size)
    outcome = diagnose(
        RunCurves(
            train_loss=Series.from_points(epochs, loss),
            val_loss=Series.from_points(epochs, val),
            val_acc=Series.from_points(epochs, acc),
        )
    )
    assert outcome.verdict == "not_learning", [f.code for f in outcome.findings]


def test_short_runs_are_judged_with_low_confidence_and_tiny_ones_are_insufficient():
    five = diagnose(RunCurves(train_loss=series(syn.decay(5))))
    assert five.verdict in ("converged", "still_improving") and five.findings[0].confidence < 0.5
    assert verdict(train_loss=series(syn.decay(2))) == INSUFFICIENT_DATA
    one_point = Series.from_points([3], [float("nan")])
    assert verdict(train_loss=one_point) == "non_finite"
    assert verdict(train_loss=Series.from_points([0], [1.0])) == INSUFFICIENT_DATA
    assert verdict(train_loss=Series.from_points([], [])) == INSUFFICIENT_DATA


def test_all_nan_run_is_non_finite():
    outcome = diagnose(RunCurves(train_loss=Series.from_points(range(50), [float("nan")] * 50)))
    assert outcome.verdict == "non_finite"
    assert outcome.findings[0].first_step == 0


def test_best_step_is_the_lowest_validation_loss():
    val = series(syn.u_shape(every=10))
    outcome = diagnose(RunCurves(train_loss=series(syn.decay(600)), val_loss=val))
    assert outcome.best_step == int(val.steps[np.argmin(val.values)])


def test_verdict_is_always_among_findings():
    for _, roles, _ in CASES:
        outcome = diagnose(RunCurves(**build(roles)))
        assert outcome.verdict in {f.code for f in outcome.findings}


def test_one_million_points_are_diagnosed():
    steps, values = syn.decay(1_000_000, noise=0.1)
    outcome = diagnose(RunCurves(train_loss=Series.from_points(steps, values)))
    assert outcome.verdict == "converged"


def test_bouncing_validation_is_oscillation_but_smooth_validation_is_not():
    train = series(syn.decay(600, noise=0.1))
    steps, smooth = syn.decay(60, start=2.2, floor=0.3, every=10, noise=0.01)
    zigzag = smooth * (1 + 0.3 * np.where(np.arange(60) % 2 == 0, 1, -1) * (np.arange(60) > 15))
    assert "oscillation" not in codes(train_loss=train, val_loss=Series.from_points(steps, smooth))
    assert "oscillation" in codes(train_loss=train, val_loss=Series.from_points(steps, zigzag))


def test_late_rise_under_growing_learning_rate_is_divergence_not_overfitting():
    """Both losses fall, then climb back over the last third as the LR grows."""
    t = np.linspace(0, 1, 50)
    train = 0.4 + 1.3 * np.exp(-8 * t) + 1.5 * np.clip(t - 0.65, 0, None) ** 1.5
    steps = np.arange(50)
    found = codes(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(steps, train + 0.05))
    assert "divergence" in found and "overfitting" not in found


def test_training_barely_moving_while_validation_falls_far():
    steps = np.arange(60)
    train = 2.4 - 0.2 * (1 - np.exp(-steps / 5.0))  # 8% change, all in the first epochs
    val = 1.4 + 0.85 * np.exp(-steps / 15.0)  # 35% change
    found = codes(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(steps, val))
    assert "train_flat_val_improving" in found


@pytest.mark.parametrize("name,roles,expected", CASES, ids=[c[0] for c in CASES])
def test_tensorboard_style_sampling_keeps_the_verdict(name, roles, expected):
    """Keep 1000 random points of a 20x longer curve (TensorBoard's reservoir): same verdict."""
    if expected in ("spike", "non_finite"):
        pytest.skip("a sample may drop the one bad point; the tab says so for sampled runs")
    rng = np.random.default_rng(0)
    long_roles = {}
    for role, make in roles.items():
        s = make(1.0, 0)
        steps = np.repeat(s.steps * 20, 20) + np.tile(np.arange(20), len(s))
        values = np.repeat(s.values, 20) * (1 + 0.01 * rng.standard_normal(20 * len(s)))
        full = Series.from_points(steps, values)
        keep = np.sort(rng.choice(len(full), size=min(1000, len(full)), replace=False))
        keep[-1] = len(full) - 1  # the reservoir always keeps the last point
        long_roles[role] = (full, Series.from_points(full.steps[keep], full.values[keep]))
    full_verdict = diagnose(RunCurves(**{r: pair[0] for r, pair in long_roles.items()})).verdict
    sampled_verdict = diagnose(RunCurves(**{r: pair[1] for r, pair in long_roles.items()})).verdict
    assert full_verdict == sampled_verdict == expected


@pytest.mark.parametrize("dip,expected", [(0.01, "overconfidence"), (0.06, "overfitting")])
def test_accuracy_dip_of_one_sample_holds_but_a_real_fall_does_not(dip, expected):
    """Accuracy that ends one validation sample in 100 below its level holds; 6 points lower does not."""
    steps, acc = syn.accuracy_holding(every=10)
    acc = acc.copy()
    acc[25:] -= dip
    outcome = diagnose(
        RunCurves(
            train_loss=series(syn.decay(600, noise=0.1)),
            val_loss=series(syn.u_shape(every=10)),
            val_acc=Series.from_points(steps, acc),
        )
    )
    # A large rise is overfitting either way; only a real fall of accuracy removes overconfidence.
    assert outcome.verdict == expected
    assert ("overconfidence" in {f.code for f in outcome.findings}) == (expected == "overconfidence")


def test_random_short_long_and_extreme_curves_never_raise_or_warn():
    """A fixed-seed fuzz: any mix of roles, 0-400 points, NaN, constants, values near the float limits."""
    import warnings

    from tb_lossdoc.report import messages

    rng = np.random.default_rng(7)

    def random_series():
        n = int(rng.integers(0, 14)) if rng.random() < 0.7 else int(rng.integers(14, 400))
        kind = int(rng.integers(0, 6))
        values = [
            lambda: np.full(n, rng.choice([0.0, 1.0, -3.0, np.log(10)])),
            lambda: rng.standard_normal(n),
            lambda: np.exp(5 * rng.standard_normal(n)),
            lambda: np.where(rng.random(n) < 0.2, np.nan, rng.random(n)),
            lambda: np.cumsum(rng.standard_normal(n)),
            lambda: rng.choice([0.0, 1e-300, 1e300, -1e300, np.inf], n),
        ][kind]()
        steps = np.sort(rng.choice(2**40, n, replace=False)) - 2**39 if rng.random() < 0.3 else np.arange(n) * int(rng.integers(1, 100))
        return Series.from_points(steps, values)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(400):
            roles = {r: random_series() for r in ("train_loss", "val_loss", "train_acc", "val_acc", "lr") if rng.random() < 0.6}
            outcome = diagnose(RunCurves(**roles))
            for finding in outcome.findings:
                assert 0.0 <= finding.confidence <= 1.0
                messages.all_texts(finding)


def test_the_fast_median_and_quantile_equal_numpys_to_the_last_bit():
    """The detectors' hand-rolled median and quantile (a fraction of numpy's per-call cost) must not change a verdict."""
    from tb_lossdoc.detect.profile import median, quantile

    rng = np.random.default_rng(0)
    for _ in range(3000):
        n = int(rng.integers(1, 300))
        values = rng.standard_normal(n) * 10 ** rng.uniform(-6, 6)
        q = float(rng.choice([0.0, 0.5, 0.99, 1.0, 1.0 - 2.0 / max(n - 1, 1), rng.uniform()]))
        assert quantile(values, min(max(q, 0.0), 1.0)) == float(np.quantile(values, min(max(q, 0.0), 1.0)))
        assert median(values) == float(np.median(values))
