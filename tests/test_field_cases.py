"""The kinds of curve practitioners meet every week that the engine got wrong (issue 6).

One group of tests per class of failure, on synthetic curves from
`tb_lossdoc.detect.synthetic`; each asserts what a practitioner reads from the
curves, and what must not be said about them.
"""

from __future__ import annotations

import numpy as np
import pytest

from tb_lossdoc.detect import synthetic as syn
from tb_lossdoc.detect.detectors.base import RunCurves
from tb_lossdoc.detect.engine import INSUFFICIENT_DATA, diagnose
from tb_lossdoc.read.series import Series
from tb_lossdoc.report import messages


def series(curve) -> Series:
    return Series.from_points(*curve[:2])


def outcome(**roles):
    return diagnose(RunCurves(**roles))


def found(**roles) -> dict:
    return {f.code: f for f in outcome(**roles).findings}


def text(finding, lang="en") -> str:
    words = messages.text(finding, lang)
    return " ".join([words["title"], words["detail"], *words["actions"]])


# 1. Short runs: judged when the shape is unmistakable, with low confidence.


def test_six_epochs_of_validation_rising_while_training_falls_is_overfitting():
    train = series(syn.decay(6, rate=3, noise=0.01))
    val = series(syn.rising(6, start=0.9, factor=1.6, noise=0.01))
    result = outcome(train_loss=train, val_loss=val)
    assert result.verdict == "overfitting"
    assert result.findings[0].confidence < 0.5
    assert "converged" not in {f.code for f in result.findings}


def test_five_epochs_rising_from_the_first_is_divergence():
    result = outcome(train_loss=series(syn.rising(5, start=1.0, factor=3.0, noise=0.01)))
    assert result.verdict == "divergence"
    assert 0 < result.findings[0].confidence < 0.5


def test_five_epochs_still_falling_steeply_is_still_improving():
    train = series(syn.decay(5, start=2.3, floor=0.2, rate=2.0, noise=0.01))
    val = series(syn.decay(5, start=2.0, floor=0.3, rate=2.0, noise=0.01, seed=3))
    result = outcome(train_loss=train, val_loss=val)
    assert result.verdict == "still_improving"
    assert result.findings[0].confidence < 0.5
    assert "short" in text(result.findings[0]).lower()


def test_six_training_logs_of_a_steep_decay_still_taking_a_seventh_off_the_level_are_still_improving():
    """A convex fall: the last move is small beside the first drop (7% of the fall) but still takes 28% off the level."""
    train = Series.from_points(range(0, 3000, 500), 0.1 + 2.0 * np.exp(-0.45 * np.arange(6)))
    result = outcome(train_loss=train)
    assert result.verdict == "still_improving" and result.findings[0].confidence < 0.5


def test_six_training_logs_that_settled_are_not_still_improving():
    train = Series.from_points(range(0, 3000, 500), [1.487, 0.891, 0.569, 0.389, 0.372, 0.366])
    assert "still_improving" not in found(train_loss=train)


def test_five_epochs_whose_training_zigzags_down_beside_a_steadily_falling_validation_are_still_improving():
    train = Series.from_points(range(5), [0.85, 0.84, 0.72, 0.77, 0.69])
    val = Series.from_points(range(5), [0.79, 0.75, 0.73, 0.72, 0.705])
    result = outcome(train_loss=train, val_loss=val)
    assert result.verdict == "still_improving" and result.findings[0].confidence < 0.5


def test_the_same_training_beside_a_validation_that_stopped_is_not_still_improving():
    train = Series.from_points(range(5), [0.85, 0.84, 0.72, 0.77, 0.69])
    val = Series.from_points(range(5), [0.79, 0.75, 0.73, 0.72, 0.7199])
    assert "still_improving" not in found(train_loss=train, val_loss=val)


def test_validation_of_five_epochs_beside_a_long_training_curve_is_judged():
    train = series(syn.decay(500, noise=0.1))
    val = Series.from_points([99, 199, 299, 399, 499], [0.9, 0.95, 1.05, 1.12, 1.2])
    assert "overfitting" in found(train_loss=train, val_loss=val)


@pytest.mark.parametrize(
    "values",
    [[1.0, 1.3, 0.9], [2.0, 1.6, 1.9, 1.7], [1.0], [1.0, 0.5]],
    ids=["zigzag-3", "zigzag-4", "one", "two"],
)
def test_short_runs_without_a_clear_shape_stay_insufficient(values):
    result = outcome(train_loss=Series.from_points(range(len(values)), values))
    assert result.verdict == INSUFFICIENT_DATA and not result.findings


def test_a_short_judgement_is_less_sure_than_a_long_one():
    short = outcome(train_loss=series(syn.rising(5, factor=3.0, noise=0.01))).findings[0]
    long = outcome(train_loss=series(syn.rising(300, factor=3.0, noise=0.01))).findings[0]
    assert short.code == long.code == "divergence"
    assert short.confidence < 0.5 <= long.confidence


# 2. Chance level: evidence for not_learning, said in words a user learns from.


def test_loss_pinned_at_ln_10_with_accuracy_at_a_tenth_is_not_learning_at_chance():
    result = outcome(train_loss=series(syn.chance_level(6)), val_acc=series(syn.chance_accuracy(6)))
    assert result.verdict == "not_learning"
    finding = result.findings[0]
    assert finding.evidence["chance_classes"] == 10
    assert "2.303 = ln 10" in text(finding) and "10" in text(finding)
    assert "ln 10" in text(finding, "zh")


def test_loss_that_drops_to_chance_and_stays_there_is_not_learning():
    """Initialised above chance, it falls to ln 10 within a few epochs and sits there."""
    train = series(syn.chance_level(40, start=3.2))
    acc = series(syn.chance_accuracy(40))
    result = outcome(train_loss=train, val_acc=acc)
    assert result.verdict == "not_learning", [(f.code, f.evidence) for f in result.findings]
    assert result.findings[0].evidence["chance_classes"] == 10


@pytest.mark.parametrize("classes", [3, 5, 10, 20])
@pytest.mark.parametrize("n", [100, 300])
def test_a_loss_that_fell_and_settled_near_ln_k_by_coincidence_is_not_chance(classes, n):
    """A converged loss lands near one of the many ln K now and then: with no accuracy at 1/K, falling there is learning."""
    level = float(np.log(classes))
    train = series(syn.decay(n, start=2.5 * level, floor=level, rate=12, noise=0.01, seed=classes))
    assert "not_learning" not in found(train_loss=train)


def test_a_loss_pinned_at_ln_10_without_scatter_keeps_its_chance_explanation():
    """Fallen from above and held at ln 10 with none of a learning model's batch-to-batch scatter: a uniform guess."""
    finding = found(train_loss=series(syn.chance_level(60, start=3.2))).get("not_learning")
    assert finding is not None and finding.evidence["chance_classes"] == 10
    assert "2.303 = ln 10" in text(finding)


@pytest.mark.parametrize("classes", [37, 525])
def test_an_accuracy_of_one_in_k_names_a_class_count_outside_the_usual_ones(classes):
    """No list holds every K: an accuracy pinned at 1/K names it, and the loss at ln K confirms it."""
    train = series(syn.chance_level(6, classes=classes))
    finding = found(train_loss=train, val_acc=series(syn.chance_accuracy(6, classes=classes, noise=0.02 / classes))).get("not_learning")
    assert finding is not None and finding.evidence["chance_classes"] == classes
    assert f"ln {classes}" in text(finding)


def test_a_loss_that_fell_to_ln_525_beside_a_high_accuracy_names_no_class_count():
    """An accuracy of 0.8 names no class count: a loss that falls and settles near some ln K is learning."""
    train = series(syn.decay(6, start=8.0, floor=np.log(525), rate=3, noise=0.001))
    assert "not_learning" not in found(train_loss=train, val_acc=series(syn.accuracy_holding(6, start=0.5, top=0.8)))


def test_chance_level_in_base_2_is_recognised():
    finding = found(train_loss=series(syn.chance_level(30, classes=100, base=2)))["not_learning"]
    assert finding.evidence["chance_classes"] == 100 and finding.evidence["chance_base"] == "log2"
    assert "log2 100" in text(finding)


def test_accuracy_that_never_leaves_a_half_is_guessing_though_the_loss_falls():
    """A badly initialised binary model: the loss falls towards ln 2 from far above, accuracy stays at 0.5."""
    train = series(syn.decay(20, start=1.8, floor=0.75, rate=4, noise=0.005))
    acc = series(syn.chance_accuracy(20, classes=2, noise=0.02))
    finding = found(train_loss=train, val_acc=acc).get("not_learning")
    assert finding is not None and finding.evidence["chance_classes"] == 2 and finding.evidence["chance_seen_in"] == "accuracy"
    assert "guess" in text(finding) and "瞎猜" in text(finding, "zh")


def barely_learning_seven_classes(accuracy_end: float) -> dict:
    """Fifteen epochs of a 7-class model: the loss starts at ln 7 = 1.946 and creeps 6% down; accuracy starts at 1/7."""
    train = Series.from_points(range(15), np.linspace(np.log(7), 0.94 * np.log(7), 15) + 0.003 * np.sin(np.arange(15)))
    accuracy = Series.from_points(range(15), np.linspace(1 / 7, accuracy_end, 15))
    return dict(train_loss=train, val_acc=accuracy)


def test_a_loss_that_started_at_ln_7_and_barely_left_it_beside_near_chance_accuracy_is_not_learning():
    finding = found(**barely_learning_seven_classes(accuracy_end=0.19)).get("not_learning")
    assert finding is not None and finding.evidence["chance_classes"] == 7 and finding.evidence["chance_seen_in"] == "start"
    assert "1.946 = ln 7" in text(finding) and "瞎猜" in text(finding, "zh")


def test_the_same_loss_beside_an_accuracy_that_climbed_is_learning():
    """The accuracy, not the loss, shows the model tells the classes apart: 0.5 is far above 1/7."""
    assert "not_learning" not in found(**barely_learning_seven_classes(accuracy_end=0.5))


def detector_run(best_map50: float) -> dict:
    """A from-scratch YOLO-style run of 30 epochs: the summed loss falls 8.3 -> 7.1 beside its validation mAP50."""
    train = series(syn.decay(30, start=8.3, floor=7.0, rate=3, noise=0.01))
    return dict(train_loss=train, val_score=Series.from_points(range(30), np.linspace(0.0, best_map50, 30), tag="metrics/mAP50(B)"))


def test_a_detector_whose_map50_never_passes_a_tenth_is_not_learning_though_its_loss_falls():
    result = outcome(**detector_run(best_map50=0.04))
    finding = {f.code: f for f in result.findings}.get("not_learning")
    assert result.verdict == "not_learning" and finding.evidence["no_detections"] is True
    assert "mAP50" in text(finding) and "检测器" in text(finding, "zh")
    assert "converged" not in {f.code for f in result.findings}


def test_a_detector_whose_map50_climbs_is_not_said_to_find_nothing():
    assert "not_learning" not in found(**detector_run(best_map50=0.6))


def test_an_accuracy_of_six_tenths_on_a_falling_loss_is_not_guessing():
    train = series(syn.decay(20, start=1.9, floor=0.9, rate=4, noise=0.005))
    acc = series(syn.accuracy_holding(20, start=0.4, top=0.62))
    assert "not_learning" not in found(train_loss=train, val_acc=acc)


def test_a_loss_that_ends_near_ln_3_while_accuracy_is_high_is_not_chance():
    train = series(syn.decay(40, start=3.0, floor=np.log(3), rate=8, noise=0.002))
    acc = series(syn.accuracy_holding(40, top=0.9))
    assert "not_learning" not in found(train_loss=train, val_acc=acc)


def test_a_training_loss_falling_through_ln_7_while_training_accuracy_climbs_is_not_chance():
    """A validation accuracy wandering around 1/7 beside it (the model generalises badly) does not make the training loss a uniform guess."""
    epochs = np.arange(24)
    train = Series.from_points(epochs, np.linspace(3.77, 1.95, 24))
    train_acc = Series.from_points(epochs, np.linspace(0.08, 0.52, 24))
    val_acc = Series.from_points(epochs, [0.04, 0.07, 0.08, 0.08, 0.15, 0.15, 0.2, 0.15, 0.22, 0.1, 0.06, 0.04, 0.14, 0.125, 0.11, 0.13, 0.09, 0.13, 0.13, 0.07, 0.08, 0.21, 0.1, 0.123])
    assert "not_learning" not in found(train_loss=train, train_acc=train_acc, val_acc=val_acc)
    assert "not_learning" in found(train_loss=Series.from_points(epochs, np.full(24, np.log(7))), train_acc=Series.from_points(epochs, np.full(24, 1 / 7)), val_acc=val_acc)


def evaluations(values, every=100):
    return Series.from_points(np.arange(1, len(values) + 1) * every, values)


@pytest.mark.parametrize("share", [0.6, 0.7, 0.9])
def test_accuracy_pinned_at_the_majority_share_beside_the_priors_entropy_is_not_learning(share):
    entropy = -(share * np.log(share) + (1 - share) * np.log(1 - share))
    val = evaluations(entropy * np.array([1.004, 0.998, 1.002, 1.001, 0.999]))
    result = found(train_loss=evaluations([5e6, entropy * 1.01, entropy, entropy * 1.005, entropy]), val_loss=val, val_acc=evaluations([share] * 5))
    finding = result["not_learning"]
    assert finding.evidence["chance_seen_in"] == "prior" and finding.evidence["chance_accuracy"] == pytest.approx(share)
    words = text(finding)
    assert "majority class" in words and f"{round(100 * share)}/{100 - round(100 * share)}" in words and "多数类" in text(finding, "zh")


def test_a_high_accuracy_that_wobbles_beside_a_memorised_training_set_is_not_the_prior():
    share = 0.987
    entropy = -(share * np.log(share) + (1 - share) * np.log(1 - share))
    val = evaluations([0.055, 0.045, 0.045, entropy * 0.9, entropy], every=14)
    train = series(syn.decay(70, start=0.16, floor=0.005, rate=5, noise=0.002))
    codes = found(train_loss=train, val_loss=val, val_acc=evaluations([0.9838, 0.9869, 0.987, 0.9866, share], every=14))
    assert "not_learning" not in codes and "overfitting" in codes


def test_a_loss_that_barely_moved_beside_an_accuracy_that_kept_rising_is_learning():
    val = evaluations([0.350, 0.334, 0.365])
    assert "not_learning" not in found(val_loss=val, val_acc=evaluations([0.858, 0.872, 0.878]))
    assert "not_learning" in found(val_loss=evaluations([0.350, 0.349, 0.351, 0.350, 0.349]), val_acc=evaluations([0.5, 0.5, 0.5, 0.5, 0.5]))


def test_field_a_binary_model_answering_the_majority_class_is_not_learning(field):
    run = field["ilmal__gy-arbete__dense-bs10"]
    finding = field_codes(run)["not_learning"]
    assert run["verdict"] == "not_learning" and finding["evidence"]["chance_seen_in"] == "prior"
    assert "majority class" in finding["title"]


def test_field_three_evaluations_beside_a_rising_accuracy_are_not_not_learning(field):
    assert "not_learning" not in field_codes(field["zzethh__mlops-zenith-m25csa032__logs"])


def same_answers_roles(accuracy: float, val_loss) -> dict:
    """Seven evaluations whose accuracy keeps one value (to a few samples in ten thousand), beside a noisy per-step training loss that fell a little."""
    steps = np.arange(7) * 340
    return dict(
        train_loss=series(syn.decay(300, start=1.0, floor=0.85, rate=6, noise=0.03)),
        val_loss=Series.from_points(steps, val_loss),
        val_acc=Series.from_points(steps, accuracy + 0.0002 * np.array([1, 1, 0, 1, 0, 0, 0])),
    )


FLAT_VAL = [0.869, 0.868, 0.866, 0.864, 0.865, 0.866, 0.866]


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_an_accuracy_that_never_moves_beside_a_flat_validation_loss_is_not_learning(scale):
    """The model gives the same answers at every evaluation (one class for everything) and the loss says it learnt nothing."""
    finding = found(**same_answers_roles(0.574, np.array(FLAT_VAL) * scale)).get("not_learning")
    assert finding is not None and finding.evidence["same_answers"] and finding.evidence["accuracy_points"] == 7
    assert "same answers" in text(finding) and "同样的答案" in text(finding, "zh")


def test_a_saturated_accuracy_or_a_falling_validation_loss_is_not_the_same_answers():
    """A classifier at 0.99 keeps its answers too; and a validation loss that falls is learning, whatever the accuracy rounds to."""
    falling = [0.869, 0.80, 0.74, 0.69, 0.65, 0.62, 0.60]
    for accuracy, val_loss in ((0.99, FLAT_VAL), (0.574, falling)):
        finding = found(**same_answers_roles(accuracy, val_loss)).get("not_learning")
        assert finding is None or "same_answers" not in finding.evidence


def flat_after_first_log(first_above: float, scale: float, seed: int = 0) -> Series:
    """A fine-tune's per-step loss: its first log `first_above` (a share of the level) above a flat, noisy band of 40 logs."""
    steps, values = syn.flat(41, level=1.43 * scale, noise=0.015, seed=seed)
    values = values.copy()
    values[0] = 1.43 * scale * (1 + first_above)
    return Series.from_points((steps + 1) * 10, values)


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_loss_that_fell_only_before_its_second_log_is_not_learning(scale, seed):
    """Only the first log (the first steps' average) stood above a band it never left: nothing was learned since."""
    finding = found(train_loss=flat_after_first_log(0.08, scale, seed)).get("not_learning")
    assert finding is not None and finding.evidence["after_first_log"] is True
    assert finding.first_step == 20 and finding.evidence["first_value"] == pytest.approx(1.5444 * scale)
    assert "first log" in text(finding) and "第一次记录" in text(finding, "zh")


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_a_fall_that_dwarfs_the_scatter_or_a_validation_loss_that_improves_is_learning(scale):
    """A loss that converged inside one logging interval learned; so did one whose validation kept falling."""
    converged_at_once = found(train_loss=flat_after_first_log(0.7, scale)).get("not_learning")
    assert converged_at_once is None
    val = Series.from_points(np.arange(1, 9) * 50, np.linspace(1.37, 1.25, 8) * scale)
    assert found(train_loss=flat_after_first_log(0.08, scale), val_loss=val).get("not_learning") is None


# 3. Overfitting that does not keep climbing.


@pytest.mark.parametrize("n,at", [(40, 0.1), (30, 0.1), (12, 0.2)])
def test_validation_that_rises_early_and_stays_worse_is_overfitting(n, at):
    train = series(syn.decay(n, rate=4, noise=0.01))
    val = series(syn.rise_then_hold(n, at=at))
    codes = found(train_loss=train, val_loss=val)
    assert "overfitting" in codes and "converged" not in codes, codes


def step_up_and_hold(held: float, seed: int) -> dict:
    """A language model's evaluations (~5 nats): best at the second, then `held` with 0.8% scatter; training falling gently."""
    rng = np.random.default_rng(seed)
    steps = np.arange(10) * 500
    val = np.r_[7.0, 5.0, held * (1 + 0.008 * rng.standard_normal(8))]
    train = np.linspace(4.9, 4.67, 9) * (1 + 0.002 * rng.standard_normal(9))
    return dict(train_loss=Series.from_points(steps[1:], train), val_loss=Series.from_points(steps, val))


@pytest.mark.parametrize("seed", range(5))
def test_a_loss_far_from_zero_that_steps_up_six_percent_and_holds_is_overfitting(seed):
    assert "overfitting" in found(**step_up_and_hold(5.3, seed))


@pytest.mark.parametrize("seed", range(5))
def test_the_same_loss_holding_within_its_scatter_of_the_best_is_not_overfitting(seed):
    assert "overfitting" not in found(**step_up_and_hold(5.05, seed))


def test_training_driven_to_zero_while_validation_stays_far_above_is_memorisation():
    train = series(syn.decay(300, start=2.3, floor=0.001, rate=8, noise=0.02))
    val = series(syn.decay(30, start=2.3, floor=1.6, rate=8, noise=0.005, every=10))
    finding = found(train_loss=train, val_loss=val).get("overfitting")
    assert finding is not None and finding.evidence["memorisation_gap"] > 10
    assert "memoris" in text(finding)


def test_a_healthy_small_gap_is_not_memorisation():
    train = series(syn.decay(300, start=2.3, floor=0.05, rate=8, noise=0.02))
    val = series(syn.decay(30, start=2.3, floor=0.15, rate=8, noise=0.005, every=10))
    assert outcome(train_loss=train, val_loss=val).severity == "ok"


def test_best_step_zero_gets_its_own_sentence():
    train = series(syn.decay(40, noise=0.01))
    steps = np.arange(40)
    val = Series.from_points(steps, 1.0 + 0.5 * (1 - np.exp(-steps / 6.0)))
    result = outcome(train_loss=train, val_loss=val)
    assert result.verdict == "overfitting" and result.best_step == 0
    finding = result.findings[0]
    assert finding.evidence["best_at_start"] is True
    assert "untrained" in text(finding) and "未训练" in text(finding, "zh")


def test_validation_climbing_beside_a_training_loss_that_drifted_up_is_not_overfitting():
    fall = list(np.linspace(2.0, 1.0, 9))
    val_fall = list(np.linspace(2.0, 1.2, 9))
    drifting = evaluations(fall + list(np.linspace(1.0, 1.06, 12))[1:])
    falling = evaluations(fall + list(np.linspace(1.0, 0.8, 12))[1:])
    val = evaluations(val_fall + list(np.linspace(1.2, 1.8, 12))[1:])
    assert "overfitting" not in found(train_loss=drifting, val_loss=val)
    finding = found(train_loss=falling, val_loss=val)["overfitting"]
    assert finding.evidence["val_rise_of_gain"] == pytest.approx(0.6 / 0.8, rel=0.2)


def test_a_rise_without_an_earlier_gain_has_no_share_of_gain():
    val = evaluations([1.0, 1.3, 1.0, 1.35, 1.02, 1.5, 1.6, 1.7, 1.9, 2.1])
    rise = RunCurves(train_loss=evaluations(list(np.linspace(2.0, 0.5, 10))), val_loss=val).val_rise
    assert rise is not None and rise.rise_of_drop is None


# 4. Training flat while validation improves only modestly.


def test_training_flat_while_validation_improves_modestly():
    train = series(syn.flat(200, level=2.3, noise=0.02))
    val = series(syn.decay(20, start=2.3, floor=2.1, rate=4, noise=0.002, every=10))
    codes = found(train_loss=train, val_loss=val)
    assert "train_flat_val_improving" in codes and "not_learning" not in codes, codes


# 5. No false oscillation, no converged beside findings that contradict it.


@pytest.mark.parametrize("seed", range(4))
def test_warm_up_and_cosine_decay_is_healthy(seed):
    """A fine-tune: the loss gains little beside its minibatch noise, which stays as the LR decays to zero."""
    steps, loss, lr = syn.warmup_cosine(start=0.7, floor=0.35, noise=0.15, seed=seed)
    result = outcome(train_loss=Series.from_points(steps, loss), lr=Series.from_points(steps, lr))
    assert result.severity == "ok", [(f.code, f.evidence) for f in result.findings]


@pytest.mark.parametrize("seed", range(4))
def test_warm_up_and_cosine_decay_without_the_lr_logged_is_healthy(seed):
    steps, loss, _ = syn.warmup_cosine(seed=seed)
    result = outcome(train_loss=Series.from_points(steps, loss))
    assert result.severity == "ok", [(f.code, f.evidence) for f in result.findings]


@pytest.mark.parametrize("seed", range(6))
def test_a_small_noisy_validation_set_is_not_oscillation(seed):
    train = series(syn.decay(600, noise=0.1, seed=seed))
    val = series(syn.decay(30, start=2.2, floor=0.3, every=20, noise=0.1, seed=seed + 50))
    assert "oscillation" not in found(train_loss=train, val_loss=val)


@pytest.mark.parametrize("seed", range(6))
def test_a_run_whose_only_problem_is_spikes_is_not_oscillation(seed):
    curve = syn.with_spikes(syn.decay(60, noise=0.02, seed=seed), (20, 24, 41), height=4.0)
    codes = found(train_loss=series(curve))
    assert "spike" in codes and "oscillation" not in codes, codes


@pytest.mark.parametrize("at", [7, 8])
def test_ten_evaluations_whose_only_problem_is_one_late_jump_are_not_oscillation(at):
    steps = np.arange(1, 11) * 500
    smooth = 2e-5 * np.exp(-np.arange(10) / 3.0) + 5e-7
    jumped = smooth.copy()
    jumped[at] *= 8
    codes = found(train_loss=Series.from_points(steps, jumped), val_loss=Series.from_points(steps, jumped * 0.95))
    assert "spike" in codes and "oscillation" not in codes, codes


def test_converged_never_stands_beside_a_validation_rise():
    for val in (syn.rise_then_hold(40), syn.rise_then_hold(30, at=0.1), syn.rising(40, start=1.0, factor=1.3, noise=0.005), syn.u_shape(40)):
        codes = found(train_loss=series(syn.decay(len(val[0]), rate=4, noise=0.01)), val_loss=series(val))
        assert "converged" not in codes, codes


# 6. A single bad epoch on an epoch-level curve is a spike.


@pytest.mark.parametrize("role", ["train_loss", "val_loss"])
def test_one_bad_epoch_is_a_spike(role):
    good = syn.decay(30, noise=0.01)
    bad = syn.with_spikes(syn.decay(30, noise=0.01, seed=4), (15,), height=2.0)
    roles = {"train_loss": series(good), "val_loss": series(good)}
    roles[role] = series(bad)
    finding = found(**roles).get("spike")
    assert finding is not None and finding.evidence["role"] == role and finding.first_step == 15


def smooth_epochs(n: int, seed: int, noise: float = 0.01):
    """Validation and training losses of n epochs falling smoothly to a floor, with a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    val = (0.4 + np.exp(-t / (n / 4))) * (1 + noise * rng.standard_normal(n))
    train = (0.3 + 1.2 * np.exp(-t / (n / 4))) * (1 + noise * rng.standard_normal(n))
    return t, train, val


@pytest.mark.parametrize("n", [20, 40, 100])  # (12 epochs: a jump during the steep first fall can still be missed)
@pytest.mark.parametrize("seed", range(4))
def test_one_bad_epoch_that_doubles_a_smooth_validation_loss_is_a_spike_wherever_it_falls(n, seed):
    t, train, val = smooth_epochs(n, seed)
    at = int(np.random.default_rng(100 + seed).integers(max(2, n // 5), n - 2))  # during the fall or on the floor
    val[at] *= 2.0
    finding = found(train_loss=Series.from_points(t, train), val_loss=Series.from_points(t, val)).get("spike")
    assert finding is not None and finding.first_step == at


@pytest.mark.parametrize("n", [12, 20, 40, 100])
@pytest.mark.parametrize("seed", range(4))
def test_the_same_smooth_epochs_without_a_bad_one_have_no_spike(n, seed):
    t, train, val = smooth_epochs(n, seed)
    assert "spike" not in found(train_loss=Series.from_points(t, train), val_loss=Series.from_points(t, val))


@pytest.mark.parametrize("n", [40, 100, 200])
@pytest.mark.parametrize("count", [3, 4])
@pytest.mark.parametrize("seed", range(3))
def test_several_bad_epochs_are_spikes_not_the_yardstick_they_are_judged_by(n, count, seed):
    """A few evaluations that each jump well clear of all the others, apart, are spikes: not the noise's own tail."""
    t, train, val = smooth_epochs(n, seed)
    at = np.linspace(n // 5, n - 3, count).astype(int) + np.random.default_rng(200 + seed).integers(0, 2, count)
    val[at] *= 2.5
    finding = found(train_loss=Series.from_points(t, train), val_loss=Series.from_points(t, val)).get("spike")
    assert finding is not None and finding.evidence["steps"] == at.tolist()


# 7. A stall after the learning rate collapsed is a plateau, not convergence.


def test_a_collapsed_learning_rate_stall_is_plateau_not_converged():
    steps, loss, lr = syn.lr_collapse()
    codes = found(train_loss=Series.from_points(steps, loss), lr=Series.from_points(steps, lr))
    assert "plateau" in codes and "converged" not in codes, codes
    finding = codes["plateau"]
    assert finding.evidence["lr_collapsed"] is True
    assert "learning rate collapsed" in text(finding) and "学习率" in text(finding, "zh")


def test_a_cosine_decay_to_zero_is_not_a_collapse():
    steps, loss, lr = syn.warmup_cosine(noise=0.02)
    assert "plateau" not in found(train_loss=Series.from_points(steps, loss), lr=Series.from_points(steps, lr))


# 8. still_improving against converged does not flip on noise.


@pytest.mark.parametrize("rate,expected", [(2.5, "still_improving"), (7.0, "converged")])
def test_slowly_flattening_curves_get_a_stable_verdict(rate, expected):
    verdicts = {
        diagnose(RunCurves(train_loss=series(syn.decay(400, rate=rate, noise=0.25, seed=seed)))).verdict for seed in range(16)
    }
    assert verdicts == {expected}


def epoch_staircase(levels, scale: float, seed: int, per_epoch: int = 24) -> Series:
    """A multi-epoch fine-tune's per-step loss: noisy and level within each epoch, a step down at each new one."""
    values = np.repeat(levels, per_epoch) * (1 + 0.08 * np.random.default_rng(seed).standard_normal(len(levels) * per_epoch))
    return Series.from_points(np.arange(values.size) + 1, values * scale)


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_a_staircase_of_epochs_still_stepping_down_is_still_improving(scale):
    """Read by the medians of its fifths, as practitioners read a noisy curve: each epoch lower than the last.
    A straight line through the last fifth sees one flat step and calls it converged."""
    for seed in range(5):
        codes = found(train_loss=epoch_staircase([1.03, 0.64, 0.56, 0.48, 0.41], scale, seed))
        assert "still_improving" in codes and "converged" not in codes, seed


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_a_staircase_whose_last_epochs_stopped_stepping_down_is_converged(scale):
    verdicts = [outcome(train_loss=epoch_staircase([1.03, 0.64, 0.56, 0.55, 0.55], scale, seed)).verdict for seed in range(5)]
    assert verdicts.count("converged") >= 4, verdicts


# Confidence is part of every finding.


def _flattening_run(lr_values):
    """Training flat after a fast fall; validation flattening, yet a new low at every evaluation."""
    steps = np.arange(300)
    evaluations = np.arange(29, 300, 30)
    return dict(
        train_loss=series(syn.decay(300, rate=8, noise=0.02)),
        val_loss=Series.from_points(evaluations, 0.5 + 0.3 * np.exp(-np.arange(10) / 2.0)),
        lr=Series.from_points(steps, lr_values(steps)),
    )


def test_a_run_stopped_early_in_its_lr_schedule_while_making_new_lows_is_still_improving():
    result = outcome(**_flattening_run(lambda steps: 1e-3 * (1 - steps / 2000)))  # a seventh of a linear decay
    assert result.verdict == "still_improving"
    assert "converged" not in {f.code for f in result.findings}
    finding = result.findings[0]
    assert finding.evidence["schedule_done_share"] == pytest.approx(299 / 2000, rel=0.01)
    assert "schedule" in text(finding) and "调度" in text(finding, "zh")


def test_the_same_curves_at_the_end_of_their_schedule_are_converged():
    result = outcome(**_flattening_run(lambda steps: 1e-3 * (1 - steps / 300) + 1e-7))
    assert result.verdict == "converged"


def test_every_finding_has_a_confidence_in_the_unit_interval():
    runs = [
        dict(train_loss=series(syn.decay())),
        dict(train_loss=series(syn.bouncing())),
        dict(train_loss=series(syn.with_nan(syn.decay(), 100))),
        dict(train_loss=series(syn.decay(600)), val_loss=series(syn.u_shape(every=10))),
        dict(train_loss=series(syn.decay(6, rate=3)), val_loss=series(syn.rising(6, factor=1.5))),
    ]
    for roles in runs:
        for finding in outcome(**roles).findings:
            assert 0.0 <= finding.confidence <= 1.0


# Confidence reaches the user: the JSON, the table, and the exit status.


@pytest.fixture(scope="module")
def short_and_long_overfits(tmp_path_factory):
    import writers

    root = tmp_path_factory.mktemp("confidence")
    for name, n in (("short", 6), ("long", 60)):
        steps, train = syn.decay(n, rate=3, noise=0.01)
        val_steps, val = syn.rising(n, start=0.9, factor=1.6, noise=0.01)
        writers.torch_scalars(str(root / name), {"Loss/train": writers.points(steps, train), "Loss/validation": writers.points(val_steps, val)})
    return root


def run_cli(*args):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "tb_lossdoc", *map(str, args)], capture_output=True, text=True, timeout=120)


def test_json_findings_carry_confidence_lower_on_the_short_run(short_and_long_overfits):
    import tb_lossdoc

    runs = {r["run"]: r for r in tb_lossdoc.diagnose(str(short_and_long_overfits))["runs"]}
    short, long = runs["short"]["findings"][0], runs["long"]["findings"][0]
    assert short["code"] == long["code"] == "overfitting"
    assert short["confidence"] < 0.5 <= long["confidence"] <= 1.0


def test_fail_on_counts_only_findings_at_or_above_min_confidence(short_and_long_overfits, tmp_path):
    import shutil

    only_short = tmp_path / "only_short"
    shutil.copytree(short_and_long_overfits / "short", only_short / "short")
    assert run_cli(only_short, "--fail-on", "overfitting").returncode == 0
    assert run_cli(only_short, "--fail-on", "overfitting", "--min-confidence", "0.2").returncode == 1
    assert run_cli(short_and_long_overfits, "--fail-on", "overfitting").returncode == 1
    assert run_cli(only_short, "--min-confidence", "2").returncode == 2


def test_table_marks_the_low_confidence_verdict(short_and_long_overfits):
    lines = run_cli(short_and_long_overfits).stdout.splitlines()
    short = next(line for line in lines if line.startswith("short "))
    long = next(line for line in lines if line.startswith("long "))
    assert "(low confidence)" in short and "(low confidence)" not in long


# The same classes on real runs from the field corpus (its dev half), rebuilt as
# event files by the corpus's own builder and read through TensorBoard.

FIELD = __import__("pathlib").Path(__file__).resolve().parent.parent / "benchmarks" / "field"
# The field runs the tests below read (sorted, one row per run: what the run shows).
FIELD_RUNS = (
    "10sajan10__cs6994finalproject__v3",  # validation never back to its best: overfitting
    "624mihir__car_damage_app__seg-train",  # validation blown up to 5x for eight epochs, then back: a spike
    "a-alviento__rock-paper-scissors-yolo-object-detection__train",  # YOLO warm-up jump: no alarm
    "ayaa220__propaganda-detection-using-lstm-and-cnn__root",  # two evaluations 0.9% apart: converged
    "aarya01patil__person_ppe_detection_model__train2",  # YOLO losses creeping down, mAP50 never above 0.04: not learning
    "abdulrahmaan03__yolov8-custom-dataset-training__train",  # converged; validation jump long after warm-up: spike
    "aditya24jar__emotion-detection-resnet50__root",  # one bad validation epoch: spike
    "andrean-cyber__segmentation-yolov8__seg-train",  # validation jumps in the warm-up, then a 4x jump at epoch 7: spike
    "adirajjohn__audio_classification__cls-train",  # five epochs, training zig-zagging down, validation falling at each: still improving
    "ageron__handson-ml3__ch11-run12",  # zig-zag validation: not still improving
    "ageron__handson-ml3__ch11-run6",  # accuracy at a half on a binary task: not learning
    "akboles__voice-identification__intro",  # memorised voice model: overfitting
    "alicelouis47__vislungtransformer__model",  # validation swinging widely: not converged
    "armenkarakashian__trocr-number-line-fraction-recognition__root",  # stopped at a seventh of its LR decay, validation at a new low: still improving
    "atulav7__webcane__models",  # loss pinned after an instant drop: not learning
    "benoitpierson__nlp_binary_classification__dense",  # validation creeping up beside flat accuracy: overfitting
    "borisleung__stat4012__cnn-scratch-1970",  # 3 genres: validation at ln 3 for five epochs, accuracy 0.40-0.44: not learning
    "byerenozer__whisper_finetune__root",  # climbed and came partly back: divergence
    "chenguangyang96ucr__kg-llm__outputs",  # per-step loss stepping down at each epoch: still improving
    "danielwillemse__udacity-generative-ai__diagnoses4755",  # evaluation of the untrained model at step 0: training not flat
    "decursusss__rust-auto-fishing__train8",  # validation 7 -> 99 -> 5 over eight validations: a spike
    "dev-debasish-09__nlp_body_washdata__root",  # still improving, not converged
    "devilmayhide__lstm-bade03_assignment__v16",  # validation wobbling slightly while falling: no oscillation
    "dmalakhov1__project_lora__root",  # converged, not still improving
    "dude-0313__logclassifier_roberta_v1__output",  # a stall while the rate warms up from ~0: no plateau
    "edward-samuel__pneumonia-disease-prediction__models",  # validation never better than its first evaluation: plateau
    "emon2358__serial-lain-ai__root",  # six points that fell and settled: converged
    "fastai__course-v3__collab-5ep",  # five epochs whose validation stopped falling: converged
    "fastai__course-v3__rossmann-5ep",  # five epochs of validation swinging at a high LR: oscillation
    "gguan123__qwen2.5-lora-k8senv__model",  # a LoRA fine-tune flat after its first log: not learning
    "ggbao8848__text_classifier__ckpt3000",  # six training logs, the last still 14% below the one before: still improving
    "hekmattaherinejad95__vla__ckpt283",
    "joesirven__bird_feeder__history",  # 525 classes, accuracy exactly 1/525, loss at ln 525: not learning
    "jannik-m12__whale-call-classifier__improved",  # validation accuracy 0.15 at the loss minimum, 0.12 at the end: fell, no overconfidence
    "ilmal__gy-arbete__dense-bs10",  # accuracy pinned at the majority share, loss at the prior's entropy: not learning
    "ilmal__gy-arbete__run7",  # validation rising from the first epoch, training swinging without falling: divergence  # accuracy at 1/6 beside a loss 4x ln 6, still halving: still improving
    "infinity052__distracted-driver-detection__root",  # validation halving at the end: still improving
    "instig8r__cibm_ariadne__v8",  # both losses frozen for the last 47 epochs after a collapse to background: plateau
    "jaong__checkpoint-of-cpt__root",
    "jeerrzy__ultralytics_train__pose-train",  # validation jumping and falling back ten times in its first 130 epochs: oscillation  # converged, not still improving
    "jarvis-69__mapalya__ckpt10",  # evaluations only, turning up: overfitting, unchecked
    "joseph-rathan__finetuningcpu__ckpt250",  # SFT loss with no downward trend: not learning
    "deepblueailab__myanmar_currency_classifier__training-logs",  # validation blown up 40-190x at first, then 60x above a memorised training loss: overfitting
    "haiping-liu__learning-rope__v3",  # per-sample training values scattering around a converged level, no validation: information
    "kateantropova-4415__sigmoidlightning__version_5",  # six training points, the last move a fifth of the fall: still improving
    "krs-dev__irradiance_estimation__lightning-v0",  # per-step loss bursting 10^4-fold for six steps, then back: a spike
    "lidbey__ai4mars__weights",  # seven epochs of validation drifting up: overfitting
    "lxr-max__osccc-detection__main",  # validation never back to its best of epoch 11 for 44 epochs while training fell 65%: overfitting
    "mclangstrong__admin-and-exit-interview__model",  # four evaluations still falling beside a noisy training loss: still improving
    "mennatallahussein__nlp-project-clean__jutsu",  # worse while training never fell: divergence
    "merkulovsvt__nlp__ckpt200",  # per-step loss scattering around 2.0 with no trend: not learning
    "mohamedyoussef06__ai201-project3-takemeter__root",  # three evaluations leaving ln 3: still improving
    "muellerzr__practical-deep-learning-for-coders-2.0__custom-4ep",  # frozen body, training falling slowly: still improving
    "nicolassalvan__mti881-projet2__etape4-focal",  # memorised training set: overfitting
    "nicolassalvan__mti881-projet2__etape4-weighted",  # steadily rising validation: overfitting, not oscillation
    "nied11__phishing-detection-deep_learning__fold1",  # binary accuracy at 0.47-0.49 all run: no confidence gained, no overconfidence
    "niloya77__prompt-mitigation-llm__flan-t5-large-ckpt610",  # an evaluation loss near 1e-5 that blips: no spike
    "nosyarlin__yopoco__root",  # validation scattering around a converged level: no alarm
    "pranjal045__insolare-v1__ckpt1760",  # a small-batch fine-tune's per-step noise that averages out: no alarm
    "octavioarruda__email-classifier__ckpt3",  # three evaluations alone, worse from the first: overfitting, best step the first
    "nmvrodrigues__recsys__v0",  # evaluations alone, better for nine epochs and then worse for fifty-five: overfitting
    "brianshiroe__yolov11-flood-detection__seg-train",  # summed validation 7.6% of its fall back up over the last 30 epochs while training falls: overfitting
    "ohalon__nlpia2__rnn-tanh-1layer-6ep",  # rose at LR 20 until the cut: divergence
    "ohalon__nlpia2__rnn-tanh-2layer-12ep",  # stuck at a high LR until the cut: plateau
    "pallesairam__ai-smar6-complaint-analysis__ckpt500",  # 49 evaluations climbing, one training log below them: overfitting
    "pcrooijendijk__eatvul_revised__ckpt700",  # one training log, 49 evaluations: judged by validation
    "radutuodr__nn-classification---forest-cover-type__v0",  # validation accuracy that never moves: same answers, not learning
    "raiff1982__theai__codette-ckpt50",  # stopped just as it started to learn: still improving
    "rasbt__python-machine-learning-book-3rd-edition__ch16-rnn-run2",  # validation never clearly below its first evaluation, ending above its best: overfitting, no plateau
    "rodwanbagdadi__bert_model__results200",  # two evaluations 36% apart: still improving
    "rtiberiu__cm4107-advanced-artificial-intelligence-cw__ckpt3128",  # three flat evaluations: converged
    "shettysaish20__era-phi-2-oasst-instruct__adapter",  # per-step scatter of a few percent of the level: no oscillation
    "silver-8ce__llamatest__root",  # drops at epoch boundaries of a fine-tune: no plateau
    "sivakamisreejha-g__ev-battery__loss-history",  # ten evaluations, one late jump in both losses: spike, not oscillation
    "tanghulu6__llama3-8b-mob__ckpt3000-4e1fcfa",  # training rose from a low first log: not "training flat"
    "yashgupta018__sentiment-analysis__ckpt30",  # five evaluations still falling: still improving
    "xiaom96__mlops-group-04__v2",  # per-step training loss flat for a quarter of the run while every evaluation fell: no plateau
    "zeiad246__llm-backend__ckpt3000",  # one batch at 1.45 times the level of a per-step loss: no spike
    "zuzaser80__aorta-project__seg-train2",  # validation blown up 30,000x for ten epochs, then back: a spike, no plateau
    "zzethh__mlops-zenith-m25csa032__logs",  # three flat-ish evaluations beside a rising accuracy: not "not learning"
)


@pytest.fixture(scope="module")
def field(tmp_path_factory):
    """run_id → the document's run, for the FIELD_RUNS, built with benchmarks/field/build.py."""
    import csv
    import glob
    import sys

    import tb_lossdoc

    if not (FIELD / "build.py").exists():
        pytest.skip("no field corpus in this tree")
    sys.path.insert(0, str(FIELD))
    import build

    corpus = tmp_path_factory.mktemp("field")
    (corpus / "raw").symlink_to(FIELD / "raw")
    for path in glob.glob(str(FIELD / "SOURCES.*.tsv")):
        with open(path, encoding="utf-8", newline="") as handle:
            rows = [row for row in csv.DictReader(handle, delimiter="\t") if row["run_id"] in FIELD_RUNS]
        with open(corpus / path.rsplit("/", 1)[1], "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(build.Source.__dataclass_fields__), delimiter="\t")
            writer.writeheader()
            writer.writerows({k: row.get(k, "") for k in writer.fieldnames} for row in rows)
    out = corpus / "logs"
    report = build.build(str(out), corpus)
    assert sorted(report.built) == sorted(FIELD_RUNS) and not report.failed
    runs = tb_lossdoc.diagnose(str(out))["runs"]
    return {run_id: next(r for r in runs if r["run"] == run_id or r["run"].startswith(run_id + "/")) for run_id in FIELD_RUNS}


def field_codes(run) -> dict:
    return {f["code"]: f for f in run["findings"]}


def test_field_three_evaluations_leaving_ln_3_are_still_improving(field):
    run = field["mohamedyoussef06__ai201-project3-takemeter__root"]
    assert run["verdict"] == "still_improving" and run["findings"][0]["confidence"] < 0.5
    assert "not_learning" not in field_codes(run)  # it starts at chance level and leaves it


def test_field_accuracy_at_a_half_on_a_binary_task_is_not_learning(field):
    finding = field_codes(field["ageron__handson-ml3__ch11-run6"]).get("not_learning")
    assert finding is not None and finding["evidence"]["chance_classes"] == 2


def test_field_validation_that_started_at_ln_3_and_barely_left_it_is_not_learning(field):
    run = field["borisleung__stat4012__cnn-scratch-1970"]
    finding = field_codes(run).get("not_learning")
    assert run["verdict"] == "not_learning" and finding["evidence"]["chance_classes"] == 3
    assert finding["evidence"]["chance_seen_in"] == "start" and "converged" not in field_codes(run)


def test_field_detector_whose_map50_never_rose_is_not_learning(field):
    run = field["aarya01patil__person_ppe_detection_model__train2"]
    finding = field_codes(run).get("not_learning")
    assert run["verdict"] == "not_learning" and finding["evidence"]["no_detections"] is True
    assert finding["evidence"]["score_best"] < 0.1 and "val_score" in run["series"]


def test_field_six_training_logs_still_falling_by_a_seventh_are_still_improving(field):
    assert field["ggbao8848__text_classifier__ckpt3000"]["verdict"] == "still_improving"


def test_field_accuracy_at_one_in_525_names_the_chance_level(field):
    finding = field_codes(field["joesirven__bird_feeder__history"]).get("not_learning")
    assert finding is not None and finding["evidence"]["chance_classes"] == 525


def test_field_six_points_that_fell_and_settled_are_converged(field):
    assert field["emon2358__serial-lain-ai__root"]["verdict"] == "converged"


def test_field_training_that_climbed_and_came_partly_back_while_validation_jumped_is_divergence_with_best_step_first(field):
    run = field["byerenozer__whisper_finetune__root"]
    finding = field_codes(run).get("divergence")
    assert finding is not None and finding["evidence"]["recovered_partway"] is True
    assert run["best_step"] == 250 and "converged" not in field_codes(run)


def test_field_memorised_training_set_is_overfitting_though_accuracy_creeps_up(field):
    assert "overfitting" in field_codes(field["nicolassalvan__mti881-projet2__etape4-focal"])


def test_field_steadily_rising_validation_is_overfitting_not_oscillation(field):
    codes = field_codes(field["nicolassalvan__mti881-projet2__etape4-weighted"])
    assert "overfitting" in codes and "oscillation" not in codes


def test_field_one_bad_validation_epoch_is_a_spike(field):
    finding = field_codes(field["aditya24jar__emotion-detection-resnet50__root"]).get("spike")
    assert finding is not None and finding["evidence"]["role"] == "val_loss" and finding["first_step"] == 1


def test_field_noisy_per_step_loss_without_a_trend_is_not_learning(field):
    assert field["merkulovsvt__nlp__ckpt200"]["verdict"] == "not_learning"


def test_field_chance_accuracy_beside_a_loss_far_above_chance_and_falling_is_still_improving(field):
    codes = field_codes(field["hekmattaherinejad95__vla__ckpt283"])
    assert "still_improving" in codes and "not_learning" not in codes


def test_field_evaluations_only_that_turn_up_are_overfitting_said_to_be_unchecked(field):
    finding = field_codes(field["jarvis-69__mapalya__ckpt10"]).get("overfitting")
    assert finding is not None and finding["evidence"]["train_logged"] is False


def test_field_evaluations_only_worse_from_the_first_are_overfitting_with_the_first_checkpoint_best(field):
    run = field["octavioarruda__email-classifier__ckpt3"]
    finding = field_codes(run).get("overfitting")
    assert finding is not None and finding["evidence"]["best_at_start"] is True and run["best_step"] == 1


def evaluations_climbing_beside_one_training_log(train_value: float) -> dict:
    steps, values = syn.rising(49, start=4.0, factor=1.35, noise=0.01)
    val = Series.from_points((steps + 1) * 10, values)
    return dict(train_loss=Series.from_points([500], [train_value]), val_loss=val)


def test_evaluations_climbing_beside_a_lone_training_log_below_them_are_overfitting():
    codes = found(**evaluations_climbing_beside_one_training_log(2.4))
    assert "overfitting" in codes and "divergence" not in codes and "not_learning" not in codes


def test_evaluations_climbing_beside_a_lone_training_log_above_them_are_divergence():
    assert "divergence" in found(**evaluations_climbing_beside_one_training_log(6.0))


def test_field_evaluations_climbing_beside_one_low_training_log_are_overfitting(field):
    codes = field_codes(field["pallesairam__ai-smar6-complaint-analysis__ckpt500"])
    assert "overfitting" in codes and "divergence" not in codes and "not_learning" not in codes


def test_field_one_training_log_beside_many_evaluations_is_judged_by_validation(field):
    run = field["pcrooijendijk__eatvul_revised__ckpt700"]
    assert run["verdict"] != "insufficient_data" and run["findings"][0]["evidence"]["tag"] == "eval/loss"


def test_field_training_that_rose_from_a_low_first_log_is_not_flat(field):
    assert "train_flat_val_improving" not in field_codes(field["tanghulu6__llama3-8b-mob__ckpt3000-4e1fcfa"])


def test_field_an_evaluation_before_training_does_not_make_training_look_flat(field):
    assert "train_flat_val_improving" not in field_codes(field["danielwillemse__udacity-generative-ai__diagnoses4755"])


def test_field_a_validation_accuracy_that_never_moves_is_the_same_answers(field):
    finding = field_codes(field["radutuodr__nn-classification---forest-cover-type__v0"]).get("not_learning")
    assert finding is not None and finding["evidence"]["same_answers"] is True


def test_field_a_fine_tune_whose_epochs_still_step_down_is_still_improving(field):
    assert "still_improving" in field_codes(field["chenguangyang96ucr__kg-llm__outputs"])


def test_field_a_fine_tune_flat_since_its_first_log_is_not_learning(field):
    finding = field_codes(field["gguan123__qwen2.5-lora-k8senv__model"]).get("not_learning")
    assert finding is not None and finding["evidence"]["after_first_log"] is True


def test_field_evaluations_that_rose_a_few_percent_and_held_are_overfitting(field):
    assert "overfitting" in field_codes(field["danielwillemse__udacity-generative-ai__diagnoses4755"])


def test_field_one_late_jump_in_ten_evaluations_is_a_spike_not_oscillation(field):
    codes = field_codes(field["sivakamisreejha-g__ev-battery__loss-history"])
    assert "spike" in codes and "oscillation" not in codes


def test_field_a_stall_through_a_slow_warm_up_is_not_a_plateau(field):
    assert "plateau" not in field_codes(field["dude-0313__logclassifier_roberta_v1__output"])


@pytest.mark.parametrize(
    "run_id,expected",
    [
        ("dev-debasish-09__nlp_body_washdata__root", "still_improving"),
        ("armenkarakashian__trocr-number-line-fraction-recognition__root", "still_improving"),
        ("mclangstrong__admin-and-exit-interview__model", "still_improving"),
        ("yashgupta018__sentiment-analysis__ckpt30", "still_improving"),
        ("adirajjohn__audio_classification__cls-train", "still_improving"),
        ("abdulrahmaan03__yolov8-custom-dataset-training__train", "converged"),
        ("jaong__checkpoint-of-cpt__root", "converged"),
        ("dmalakhov1__project_lora__root", "converged"),
    ],
)
def test_field_still_improving_against_converged(field, run_id, expected):
    codes = field_codes(field[run_id])
    other = "converged" if expected == "still_improving" else "still_improving"
    assert expected in codes and other not in codes


# The new cases keep the engine's invariances (chance level excepted: log K is an absolute level).

NEW_CASES = {
    "short overfit": lambda: dict(train_loss=series(syn.decay(6, rate=3, noise=0.01)), val_loss=series(syn.rising(6, start=0.9, factor=1.6, noise=0.01))),
    "short divergence": lambda: dict(train_loss=series(syn.rising(5, factor=3.0, noise=0.01))),
    "short still improving": lambda: dict(train_loss=series(syn.decay(5, rate=2.0, noise=0.01))),
    "rise and hold": lambda: dict(train_loss=series(syn.decay(30, rate=4, noise=0.01)), val_loss=series(syn.rise_then_hold(30, at=0.1))),
    "memorisation": lambda: dict(
        train_loss=series(syn.decay(300, start=2.3, floor=0.001, rate=8, noise=0.02)),
        val_loss=series(syn.decay(30, start=2.3, floor=1.6, rate=8, noise=0.005, every=10)),
    ),
    "modest val gain": lambda: dict(train_loss=series(syn.flat(200, noise=0.02)), val_loss=series(syn.decay(20, start=2.3, floor=2.1, rate=4, noise=0.002, every=10))),
    "bad epoch": lambda: dict(train_loss=series(syn.with_spikes(syn.decay(30, noise=0.01, seed=4), (15,), height=2.0))),
    "lr collapse": lambda: dict(train_loss=series(syn.lr_collapse()), lr=Series.from_points(*syn.lr_collapse()[::2])),
    "validation stall": lambda: validation_stall_roles(),
    "partial recovery": lambda: partial_recovery_roles(),
    "pinned": lambda: pinned_roles(0.0005),
}


@pytest.mark.parametrize("scale", [1e-6, 0.01, 37.0, 1e6])
@pytest.mark.parametrize("name", sorted(NEW_CASES))
def test_new_cases_do_not_depend_on_the_loss_scale_or_the_first_step(name, scale):
    plain = outcome(**NEW_CASES[name]())
    moved = {
        role: Series.from_points(s.steps + 10_000, s.values * (scale if role != "lr" else 1.0)) for role, s in NEW_CASES[name]().items()
    }
    changed = outcome(**moved)
    assert [f.code for f in changed.findings] == [f.code for f in plain.findings]
    assert plain.findings and plain.verdict != INSUFFICIENT_DATA


# 9. A validation loss that never improves on its first evaluation while training
# keeps learning is a plateau (of what carries over to new data), not progress.


def validation_stall_roles() -> dict:
    steps, train, val_steps, val = syn.validation_stall()
    return dict(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(val_steps, val))


def test_validation_stuck_at_its_first_value_while_training_falls_is_a_plateau():
    codes = found(**validation_stall_roles())
    assert "plateau" in codes and codes["plateau"].evidence["val_stalled"] is True
    assert not {"still_improving", "converged", "overfitting"} & set(codes)
    assert "first evaluation" in text(codes["plateau"]) and "第一次评估" in text(codes["plateau"], "zh")


def test_validation_that_improves_beside_the_same_training_is_no_plateau():
    roles = validation_stall_roles()
    steps, values = syn.decay(15, start=1.2, floor=0.5, rate=3.0, noise=0.005)
    roles["val_loss"] = Series.from_points(steps * 20 + 19, values)
    assert "plateau" not in found(**roles)


def epoch_drops(n: int = 300, epochs: int = 3) -> tuple:
    """A fine-tune's training loss: a first fall, then flat within each epoch and a drop at each new one."""
    steps = np.arange(n)
    epoch = steps * epochs // n
    values = 0.55 + 0.15 * np.exp(-steps / 20) - 0.09 * epoch
    return steps, values + np.random.default_rng(1).normal(0, 0.004, n)


def test_a_drop_at_each_new_epoch_that_validation_does_not_follow_is_no_plateau():
    steps, values = epoch_drops()
    val_steps, val = syn.decay(30, start=0.68, floor=0.5, rate=8.0, noise=0.0005)
    codes = found(train_loss=Series.from_points(steps, values), val_loss=Series.from_points(val_steps * 10 + 9, val))
    assert "plateau" not in codes


def test_the_same_stall_is_a_plateau_when_validation_follows_the_drop():
    steps, values = syn.stall_then_drop(300, stall_until=0.5)
    val_steps, val = syn.stall_then_drop(30, stall_until=0.5, start=2.4, end=0.4, seed=5)
    codes = found(train_loss=Series.from_points(steps, values), val_loss=Series.from_points(val_steps * 10 + 9, val))
    assert "plateau" in codes and not codes["plateau"].evidence.get("val_stalled")


def test_field_validation_never_better_than_its_first_evaluation_is_a_plateau(field):
    run = field["edward-samuel__pneumonia-disease-prediction__models"]
    finding = field_codes(run).get("plateau")
    assert finding is not None and finding["evidence"]["val_stalled"] is True
    assert "still_improving" not in field_codes(run)


def test_field_drops_at_epoch_boundaries_of_a_fine_tune_are_no_plateau(field):
    assert "plateau" not in field_codes(field["silver-8ce__llamatest__root"])


# 10. A divergence whose training loss came partway back: still divergence while
# validation rose with it and stayed up.


def partial_recovery_roles(back: float = 0.5) -> dict:
    steps, train, val_steps, val = syn.partial_recovery(back=back)
    return dict(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(val_steps, val))


def test_validation_rising_from_the_first_epoch_while_training_swings_without_falling_is_divergence():
    train = evaluations([124.0, 137.7, 181.5, 56.3, 143.6])
    val = evaluations([34.0, 52.6, 50.6, 88.2, 277.0])
    codes = found(train_loss=train, val_loss=val)
    assert codes["divergence"].evidence["train_never_fell"] is True and "overfitting" not in codes


def test_field_validation_rising_while_training_swings_without_falling_is_divergence(field):
    finding = field_codes(field["ilmal__gy-arbete__run7"]).get("divergence")
    assert finding is not None and finding["evidence"]["train_never_fell"] is True


def test_training_that_climbed_and_came_halfway_back_under_a_worse_validation_is_divergence():
    codes = found(**partial_recovery_roles(back=0.5))
    assert "divergence" in codes and codes["divergence"].evidence["recovered_partway"] is True
    assert "partly came back" in text(codes["divergence"]) and "回落了一部分" in text(codes["divergence"], "zh")
    assert not {"converged", "still_improving"} & set(codes)


def test_training_that_came_all_the_way_back_is_no_divergence():
    assert "divergence" not in found(**partial_recovery_roles(back=1.0))


def test_the_same_training_beside_a_validation_that_did_not_rise_is_no_divergence():
    roles = partial_recovery_roles(back=0.5)
    steps = roles["val_loss"].steps
    roles["val_loss"] = Series.from_points(steps, 0.3 * np.exp(-steps / 400) + 0.1)
    assert "divergence" not in found(**roles)


# 10b. Validation scattering around a healthy ending is information; a training
# loss that bounces is the optimiser's instability and stays a warning.


def scattered_validation(scatter: float) -> dict:
    """A long training loss; validation falls and settles at 0.5, scattered by `scatter` after its first ten evaluations."""
    steps, values = syn.decay(60, start=2.0, floor=0.5, rate=5, noise=0.0)
    values = values + 0.5 * scatter * np.random.default_rng(1).standard_normal(60) * (np.arange(60) > 10)
    return dict(train_loss=series(syn.decay(600, noise=0.02)), val_loss=Series.from_points(steps * 10 + 9, values))


def test_validation_scatter_beside_a_healthy_ending_is_information_but_a_bouncing_training_loss_a_warning():
    beside = found(**scattered_validation(0.3))
    assert beside["oscillation"].severity == "info" and beside["oscillation"].evidence["role"] == "val_loss" and "converged" in beside
    assert found(train_loss=series(syn.bouncing()))["oscillation"].severity == "warning"


def test_field_validation_scatter_of_a_converged_run_is_no_alarm(field):
    codes = field_codes(field["nosyarlin__yopoco__root"])
    assert "converged" in codes and all(f["severity"] not in ("warning", "critical") for f in codes.values())


def batch_noise(n: int = 2000, seed: int = 0):
    """A fine-tune's per-step training loss: a small fall under heavy batch-to-batch noise (as in small-batch LLM runs)."""
    return syn.decay(n, start=1.2, floor=0.9, rate=4, noise=0.06, seed=seed)


@pytest.mark.parametrize("seed", range(4))
def test_batch_noise_that_averages_out_beside_a_healthy_ending_is_information(seed):
    codes = found(train_loss=series(batch_noise(seed=seed)))
    finding = codes["oscillation"]
    assert finding.severity == "info" and finding.evidence["averaged_bounce_ratio"] < 0.12 <= finding.evidence["bounce_ratio"]
    assert "batch" in text(finding) and "batch" in text(finding, "zh")
    assert "converged" in codes or "still_improving" in codes


def test_the_same_noise_beside_a_swinging_validation_loss_stays_a_warning():
    """Validation, computed on fixed data, swinging too means the weights move: the optimiser, not the batches."""
    steps, values = syn.decay(40, start=2.0, floor=0.9, rate=5, noise=0.0)
    swinging = values * (1 + 0.25 * np.random.default_rng(3).standard_normal(40) * (np.arange(40) > 8))
    findings = outcome(train_loss=series(batch_noise()), val_loss=Series.from_points(steps * 50, swinging)).findings
    (training,) = [f for f in findings if f.code == "oscillation" and f.evidence["role"] == "train_loss"]
    assert training.severity == "warning" and "averaged_bounce_ratio" not in training.evidence


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("seed", range(3))
def test_a_bouncing_training_loss_beside_a_steady_validation_loss_is_not_oscillation(scale, seed):
    """Too few logs to average the batches out, but validation (fixed data) never moved off its trend: the weights did not swing.

    The bounce (about a tenth of the level) is beyond what batches scatter (MINIBATCH_SCATTER_OF_LEVEL), yet it is the
    batches' noise: mild noise is normal and is not reported.
    """
    steps, values = syn.decay(20, start=1.15, floor=0.92, rate=4, noise=0.002, seed=seed)
    codes = found(train_loss=series(syn.decay(100, start=1.2 * scale, floor=0.9 * scale, rate=4, noise=0.12, seed=seed)),
                  val_loss=Series.from_points(steps * 5, values * scale))
    assert "oscillation" not in codes and ("converged" in codes or "still_improving" in codes)


def per_step_wobble(scale: float, seed: int, noise: float = 0.02):
    """A fine-tune's per-step loss: a fall of a tenth of its level, under a scatter of a few percent of it."""
    return syn.decay(200, start=1.0 * scale, floor=0.9 * scale, rate=4, noise=noise, seed=seed)


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
@pytest.mark.parametrize("seed", range(3))
def test_a_per_step_loss_scattering_by_a_few_percent_of_its_level_is_not_oscillation(scale, seed):
    """Beside so small a fall the scatter is a large share of the gain, but an optimiser bouncing moves a loss by a large part of its level."""
    steps, values = per_step_wobble(scale, seed)
    assert "oscillation" not in found(train_loss=Series.from_points(steps, values))
    val_steps, val_values = syn.decay(20, start=1.0 * scale, floor=0.92 * scale, rate=4, noise=0.002, seed=seed)
    assert "oscillation" not in found(train_loss=Series.from_points(steps, values), val_loss=Series.from_points(val_steps * 10, val_values))


@pytest.mark.parametrize("seed", range(3))
def test_the_same_wobble_at_many_times_the_level_share_stays_oscillation(seed):
    """Twin: the same curve scattering by a third of its level (an optimiser bouncing) is still reported."""
    steps, values = per_step_wobble(1.0, seed, noise=0.3)
    assert "oscillation" in found(train_loss=Series.from_points(steps, values))


def test_field_per_step_scatter_of_a_fine_tune_is_no_oscillation(field):
    for run_id in ("shettysaish20__era-phi-2-oasst-instruct__adapter", "radutuodr__nn-classification---forest-cover-type__v0"):
        assert "oscillation" not in field_codes(field[run_id]), run_id


def test_a_validation_loss_that_swung_early_does_not_vouch_for_a_bouncing_training_loss():
    """Validation zig-zagging over the first epochs and calm at the end still swung: the training bounce stays a warning."""
    train = Series.from_points(range(8), [2.2443, 2.0427, 1.8766, 1.9891, 1.8041, 1.9496, 1.7745, 1.9259])
    val = Series.from_points(range(8), [6.3439, 3.9113, 5.0069, 3.7105, 4.399, 4.0699, 3.9153, 3.9105])
    (training,) = [f for f in outcome(train_loss=train, val_loss=val).findings if f.code == "oscillation" and f.evidence["role"] == "train_loss"]
    assert training.severity == "warning"


def test_tensorboards_sample_of_batch_noise_reads_the_same():
    """TensorBoard keeps 1000 of a long curve's points: the stretches are shares of the run, so the sample averages alike."""
    steps, values = batch_noise(20_000)
    keep = np.sort(np.random.default_rng(0).choice(values.size, 1000, replace=False))
    keep[-1] = values.size - 1
    for curve in ((steps, values), (steps[keep], values[keep])):
        assert found(train_loss=series(curve))["oscillation"].severity == "info"


def test_field_batch_noise_of_a_healthy_fine_tune_is_no_alarm(field):
    codes = field_codes(field["pranjal045__insolare-v1__ckpt1760"])
    assert codes["oscillation"]["severity"] == "info" and all(f["severity"] not in ("warning", "critical") for f in codes.values())


# 11. A jump during the learning-rate warm-up is reported, but as the expected
# turbulence it is (info), not as a fault; the same jump later is a warning.


def spiky_epochs(at: int) -> dict:
    steps, values = syn.with_spikes(syn.decay(60, noise=0.005, seed=2), (at,), height=2.0)
    # Ultralytics' bias group: its rate falls from 0.1 to the base rate over the warm-up epochs.
    lr = np.where(np.arange(60) < 3, 0.1 - 0.03 * np.arange(60), 0.01 * (1 - np.arange(60) / 60))
    return dict(train_loss=Series.from_points(steps, values), lr=Series.from_points(np.arange(60), lr))


def test_a_jump_inside_the_warm_up_is_an_info_spike_and_later_a_warning():
    early, late = found(**spiky_epochs(2)).get("spike"), found(**spiky_epochs(20)).get("spike")
    assert early is not None and early.severity == "info" and early.evidence["in_warmup"] is True
    assert "warm-up" in text(early) and "warm-up" in text(early, "zh")
    assert late is not None and late.severity == "warning" and late.evidence["in_warmup"] is False


def test_field_yolo_warm_up_jump_is_no_alarm(field):
    run = field["a-alviento__rock-paper-scissors-yolo-object-detection__train"]
    assert all(f["severity"] not in ("warning", "critical") for f in run["findings"])


# 12. A loss that drops at once and then sits pinned at one level, with almost no
# scatter from batch to batch, is a model whose output ignores its input.


def pinned_roles(scatter: float) -> dict:
    return dict(train_loss=series(syn.pinned(scatter=scatter)))


def test_a_loss_pinned_with_no_batch_scatter_after_an_instant_drop_is_not_learning():
    codes = found(**pinned_roles(0.0005))
    assert "not_learning" in codes and codes["not_learning"].evidence["pinned_level"] == pytest.approx(7.4, rel=0.01)
    assert "converged" not in codes
    assert "pinned" in text(codes["not_learning"]) and "钉在" in text(codes["not_learning"], "zh")


def test_the_same_level_with_ordinary_batch_scatter_is_converged():
    codes = found(**pinned_roles(0.03))
    assert "not_learning" not in codes and "converged" in codes


def test_field_loss_pinned_after_an_instant_drop_is_not_learning(field):
    finding = field_codes(field["atulav7__webcane__models"]).get("not_learning")
    assert finding is not None and finding["evidence"]["pinned_share"] > 0.9


# 13. A zig-zagging validation curve whose last points happen to fall is not
# "still improving": its fall must stand clear of its scatter.


def zigzag_validation_roles() -> dict:
    steps = np.arange(12)
    train = 0.34 + 0.2 * np.exp(-steps / 1.5) - 0.004 * steps
    val = 0.44 + 0.004 * steps + 0.06 * np.array([1, -1, 1, -1, 1, -1, 1, -1, 1, 1, -0.3, 0.2])
    return dict(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(steps, val))


def test_a_training_loss_that_alternates_at_every_log_is_oscillation_not_spikes():
    values = [2.43, 1.14] + [1.28 if i % 2 == 0 else 0.86 for i in range(18)]
    lr = Series.from_points(np.arange(20) * 25 + 25, 2e-4 * (1 - np.arange(20) / 20))  # decayed to ~0, as a cosine would
    codes = found(train_loss=evaluations(values, every=25), lr=lr)
    assert codes["oscillation"].evidence["zigzag"] is True and "spike" not in codes
    assert "zigzags" in text(codes["oscillation"]) and "from step" in text(codes["oscillation"]).lower()


def test_an_alternating_training_loss_is_information_beside_a_converged_run_and_a_warning_beside_a_problem():
    values = [2.43, 1.14] + [1.28 if i % 2 == 0 else 0.86 for i in range(18)]
    train = evaluations(values, every=25)
    alone = found(train_loss=train)
    assert alone["oscillation"].severity == "info" and "converged" in alone  # the order of the data, in a run that settled
    rising_val = Series.from_points(train.steps[::4], [1.3, 1.1, 1.25, 1.45, 1.7])
    beside_a_problem = found(train_loss=train, val_loss=rising_val)
    assert beside_a_problem["oscillation"].severity == "warning" and "overfitting" in beside_a_problem


@pytest.mark.parametrize("seed", range(5))
def test_minibatch_noise_around_a_falling_trend_is_no_zigzag(seed):
    codes = found(train_loss=evaluations(syn.decay(200, noise=0.15, seed=seed)[1]))
    assert "oscillation" not in codes or not codes["oscillation"].evidence.get("zigzag")


def test_zigzag_validation_whose_last_points_fall_is_not_still_improving():
    assert "still_improving" not in found(**zigzag_validation_roles())


def test_field_zigzag_validation_is_not_still_improving(field):
    assert "still_improving" not in field_codes(field["ageron__handson-ml3__ch11-run12"])


# 14. Memorisation: training driven to ~0 while validation kept a third of the
# untrained level (ten times above training) is overfitting without a rise.


@pytest.mark.parametrize("val_floor,expected", [(0.8, True), (0.35, False)])
def test_memorised_training_beside_validation_that_kept_a_third_of_its_start(val_floor, expected):
    train = series(syn.decay(300, start=2.3, floor=0.005, rate=8, noise=0.02))
    val = series(syn.decay(30, start=2.3, floor=val_floor, rate=8, noise=0.002, every=10))
    assert ("overfitting" in found(train_loss=train, val_loss=val)) is expected


def test_field_memorised_voice_model_is_overfitting(field):
    assert "overfitting" in field_codes(field["akboles__voice-identification__intro"])


# 15. A loss that sat still and then starts to fall at the very end has only just
# begun to learn: still improving, never "converged", though its whole fall is small.


def late_start(late: bool) -> Series:
    steps = np.arange(40)
    t = steps / 39
    drop = 0.3 * np.clip((t - 0.6) / 0.4, 0, 1) ** 2 if late else 0.3 * (1 - np.exp(-t / 0.05))
    return Series.from_points(steps, (4.65 - drop) * (1 + np.random.default_rng(5).normal(0, 0.002, steps.size)))


def test_a_loss_that_only_starts_falling_at_the_end_is_still_improving():
    codes = found(train_loss=late_start(True))
    assert "still_improving" in codes and "converged" not in codes


def test_the_same_small_fall_made_early_and_kept_is_not_still_improving():
    assert "still_improving" not in found(train_loss=late_start(False))


def test_field_run_stopped_just_as_it_started_to_learn_is_still_improving(field):
    codes = field_codes(field["raiff1982__theai__codette-ckpt50"])
    assert "still_improving" in codes and "converged" not in codes


# ---- Problem codes (not_learning, divergence, spike, oscillation, plateau), second round ----


# 16. Validation climbing from its best while training never fell: the run is
# getting worse, not memorising, so it is divergence (overfitting needs a falling training loss).


def worsening_roles(train_falls: bool) -> dict:
    steps = np.array([1, 2, 3, 4])
    train = np.array([1.0, 1.06, 0.98, 1.02]) * (np.array([1.0, 0.8, 0.6, 0.45]) if train_falls else 1.0)
    val = np.array([1.03, 0.975, 1.22, 1.34])
    return dict(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(steps, val))


def test_validation_climbing_beside_a_training_loss_that_never_fell_is_divergence():
    result = outcome(**worsening_roles(train_falls=False))
    assert result.verdict == "divergence" and result.findings[0].evidence["role"] == "val_loss"
    assert result.findings[0].confidence < 0.5


def test_the_same_validation_beside_a_falling_training_loss_is_overfitting_not_divergence():
    codes = found(**worsening_roles(train_falls=True))
    assert "overfitting" in codes and "divergence" not in codes


def test_field_classifier_getting_worse_while_training_never_fell_is_divergence(field):
    finding = field_codes(field["mennatallahussein__nlp-project-clean__jutsu"]).get("divergence")
    assert finding is not None and finding["evidence"]["role"] == "val_loss"


# 17. A training loss that falls with every epoch, only more slowly than validation
# (a frozen body, dropout, augmentation), is learning: not "training flat".


def slow_training_roles(steady: bool) -> dict:
    steps = np.arange(4)
    train = [2.11, 2.07, 1.98, 1.93] if steady else [2.11, 1.98, 2.07, 1.93]
    return dict(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(steps, [1.52, 1.32, 1.07, 0.85]))


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_an_evaluation_of_the_untrained_model_does_not_make_training_look_flat(scale):
    """Trainer-style: eval at step 0 (untrained, 7.0) and every 500 steps; the training loss first logged at step 500,
    after the steep first fall it never shows. Validation then holds: nothing to compare the 7.0 with."""
    train = Series.from_points(np.arange(500, 4501, 500), scale * np.array([4.90, 4.80, 4.78, 4.75, 4.71, 4.70, 4.70, 4.69, 4.67]))
    val = Series.from_points(np.arange(0, 4501, 500), scale * np.array([7.04, 4.98, 5.02, 5.00, 4.99, 5.01, 5.00, 5.02, 5.01, 5.00]))
    assert "train_flat_val_improving" not in found(train_loss=train, val_loss=val)
    later = Series.from_points(val.steps, scale * np.array([7.04, 6.2, 5.9, 5.6, 5.4, 5.25, 5.1, 5.0, 4.95, 4.9]))
    assert "train_flat_val_improving" in found(train_loss=train, val_loss=later)  # validation still gains long after: it is


def test_training_falling_every_epoch_more_slowly_than_validation_is_not_train_flat():
    codes = found(**slow_training_roles(steady=True))
    assert "train_flat_val_improving" not in codes and "still_improving" in codes


def test_training_zigzagging_by_as_much_beside_falling_validation_is_train_flat():
    assert "train_flat_val_improving" in found(**slow_training_roles(steady=False))


def test_field_frozen_body_training_falling_slowly_is_still_improving(field):
    run = field["muellerzr__practical-deep-learning-for-coders-2.0__custom-4ep"]
    assert run["verdict"] == "still_improving" and "train_flat_val_improving" not in field_codes(run)


# 18. One bad epoch after the early turbulence, on an epoch-level curve with a smooth
# stretch (where a rolling median fits every point, so no noise is measured there),
# is a spike: the smooth stretch must not make every jump look ordinary.


def val_with_smooth_stretch(jump: float) -> Series:
    steps = np.arange(100)
    rng = np.random.default_rng(1)
    val = 4.0 + 6.0 * np.exp(-steps / 15.0)
    val[:20] += rng.normal(0, 1.0, 20)
    val[20:60] += rng.normal(0, 0.08, 40)
    val[55] += jump
    return Series.from_points(steps, val)


def test_one_bad_epoch_beside_a_smooth_stretch_is_a_spike():
    codes = found(val_loss=val_with_smooth_stretch(1.5))
    assert "spike" in codes and codes["spike"].evidence["steps"] == [55]


def test_the_same_curve_without_the_bad_epoch_has_no_spike():
    assert "spike" not in found(val_loss=val_with_smooth_stretch(0.0))


def test_field_yolo_validation_jump_long_after_warm_up_is_a_spike(field):
    finding = field_codes(field["abdulrahmaan03__yolov8-custom-dataset-training__train"]).get("spike")
    assert finding is not None and finding["severity"] == "warning" and 50 <= finding["first_step"] <= 65


# 19. A few-point validation curve whose every move reverses the last, by more than
# half its level, is oscillating (a high learning rate); a few-percent wobble is not.


def zigzag_roles(swing: float) -> dict:
    steps = np.arange(5)
    train = [0.012, 0.011, 0.010, 0.0095, 0.009]
    val = 0.04 * (1 + swing * np.array([-1, 1, -1, 1, -1]))
    return dict(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(steps, val))


def test_a_few_point_validation_swinging_by_multiples_of_its_level_is_oscillation():
    finding = found(**zigzag_roles(0.7)).get("oscillation")
    assert finding is not None and finding.evidence["zigzag"] and finding.confidence < 0.5
    assert "zigzags" in text(finding)


def test_a_few_point_validation_wobbling_by_a_few_percent_is_no_oscillation():
    assert "oscillation" not in found(**zigzag_roles(0.05))


def test_field_five_epochs_of_validation_swinging_at_a_high_lr_is_oscillation(field):
    finding = field_codes(field["fastai__course-v3__rossmann-5ep"]).get("oscillation")
    assert finding is not None and finding["evidence"]["role"] == "val_loss"


# 20. A validation curve that wobbles steadily by a tenth of its level (a small
# validation set) is no oscillation; one whose evaluations land half its level
# off the trend is.


def wobbling_validation_roles(swing: float) -> dict:
    steps = np.arange(1, 26) * 750
    t = np.arange(25)
    train = 0.016 + 0.5 * np.exp(-t / 1.5)
    level = 0.035 + 0.12 * np.exp(-t / 3.0)
    val = level * (1 + swing * np.where(t % 2 == 0, 1.0, -1.0) * np.random.default_rng(4).uniform(0.6, 1.0, 25))
    return dict(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(steps, val))


def test_validation_wobbling_by_a_tenth_of_its_level_is_no_oscillation():
    assert "oscillation" not in found(**wobbling_validation_roles(0.12))


def test_validation_swinging_by_half_its_level_is_oscillation():
    assert "oscillation" in found(**wobbling_validation_roles(0.45))


def test_field_lstm_whose_validation_wobbles_slightly_while_falling_is_no_oscillation(field):
    codes = field_codes(field["devilmayhide__lstm-bade03_assignment__v16"])
    assert "oscillation" not in codes and "still_improving" in codes


# 21. A loss that never improved on its first point at the first learning rate and
# fell only once the rate was cut wasted that rate: plateau. A loss that fell first
# and flattened before a step decay is a schedule at work.


def lr_cut_roles(fell_first: bool) -> dict:
    steps = np.arange(12)
    before = [18.6, 12.0, 9.2, 8.9, 8.8] if fell_first else [18.6, 19.1, 18.5, 18.9, 18.5]
    loss = before + [6.4, 6.3, 6.3, 6.3, 5.9, 5.9, 5.8]
    lr = [20.0] * 5 + [5.0] * 4 + [1.25] * 3
    return dict(train_loss=Series.from_points(steps, loss), lr=Series.from_points(steps, lr))


def test_a_loss_stuck_from_the_start_until_the_lr_cut_is_a_plateau():
    finding = found(**lr_cut_roles(fell_first=False)).get("plateau")
    assert finding is not None and finding.evidence["lr_cut_step"] == 5 and finding.last_step == 4
    assert "no progress until the learning rate was cut" in text(finding)


def test_a_loss_that_fell_before_a_step_decay_is_no_plateau():
    assert "plateau" not in found(**lr_cut_roles(fell_first=True))


def test_field_rnn_stuck_at_a_high_lr_until_it_was_cut_is_a_plateau(field):
    finding = field_codes(field["ohalon__nlpia2__rnn-tanh-2layer-12ep"]).get("plateau")
    assert finding is not None and finding["evidence"]["stuck_until_lr_cut"] and finding["first_step"] == 0


def test_a_flat_loss_that_only_wiggles_after_an_lr_cut_is_not_stuck_until_the_cut():
    steps = np.arange(40)
    loss = 2.303 + 0.002 * np.random.default_rng(2).normal(size=40)
    loss[30:] -= 0.004
    lr = np.where(steps < 30, 1e-7, 1e-8)
    codes = found(train_loss=Series.from_points(steps, loss), lr=Series.from_points(steps, lr))
    assert not ("plateau" in codes and codes["plateau"].evidence.get("stuck_until_lr_cut"))


# 22. The same at a learning rate so high that the loss got worse until the cut:
# divergence the cut rescued, not a plateau.


def test_a_loss_rising_from_the_start_until_the_lr_cut_is_divergence():
    roles = dict(
        train_loss=Series.from_points(range(6), [13.1, 15.1, 14.6, 17.3, 8.1, 7.9]),
        lr=Series.from_points(range(6), [20.0] * 4 + [5.0] * 2),
    )
    result = outcome(**roles)
    assert result.verdict == "divergence" and result.findings[0].evidence["lr_cut_step"] == 4
    assert "plateau" not in {f.code for f in result.findings} and result.findings[0].confidence < 0.5
    assert "until it was cut" in text(result.findings[0])


def test_field_rnn_whose_loss_rose_at_lr_20_until_the_cut_is_divergence(field):
    finding = field_codes(field["ohalon__nlpia2__rnn-tanh-1layer-6ep"]).get("divergence")
    assert finding is not None and finding["evidence"]["rose_until_lr_cut"]


# 23. A loss that never went below its start and keeps hopping back to it (a
# sawtooth that follows the data order) learned nothing, though its last teeth end
# higher; a loss that climbs away from its start for good is divergence only.


def hopping_loss(climbs: bool) -> Series:
    steps = np.arange(5, 255, 5)
    tooth = 0.8 * (np.arange(50) % 10) / 10
    base = 1.42 + (0.04 * np.arange(50) if climbs else 0.0)
    return Series.from_points(steps, base + tooth)


def test_a_loss_hopping_around_its_start_that_never_improved_is_not_learning():
    assert "not_learning" in found(train_loss=hopping_loss(climbs=False))


def test_a_loss_climbing_away_from_its_start_is_not_called_not_learning():
    codes = found(train_loss=hopping_loss(climbs=True))
    assert "not_learning" not in codes and "divergence" in codes


def test_field_sft_loss_with_no_downward_trend_is_not_learning(field):
    assert "not_learning" in field_codes(field["joseph-rathan__finetuningcpu__ckpt250"])


# The problem-code cases above keep the engine's invariances: the loss's scale and the first step.

PROBLEM_CASES = {
    "worsening beside flat training": lambda: worsening_roles(train_falls=False),
    "slow steady training": lambda: slow_training_roles(steady=True),
    "bad epoch beside a smooth stretch": lambda: dict(val_loss=val_with_smooth_stretch(1.5)),
    "short zigzag": lambda: zigzag_roles(0.7),
    "small wobble": lambda: wobbling_validation_roles(0.12),
    "stuck until the lr cut": lambda: lr_cut_roles(fell_first=False),
    "hopping around the start": lambda: dict(train_loss=hopping_loss(climbs=False)),
}


@pytest.mark.parametrize("scale", [1e-6, 0.01, 37.0, 1e6])
@pytest.mark.parametrize("name", sorted(PROBLEM_CASES))
def test_problem_cases_do_not_depend_on_the_loss_scale_or_the_first_step(name, scale):
    plain = outcome(**PROBLEM_CASES[name]())
    moved = {
        role: Series.from_points(s.steps + 10_000, s.values * (scale if role != "lr" else 1.0)) for role, s in PROBLEM_CASES[name]().items()
    }
    assert [f.code for f in outcome(**moved).findings] == [f.code for f in plain.findings]
    assert plain.findings and plain.verdict != INSUFFICIENT_DATA


# --- det-a (healthy codes and overfitting, dev half of the grown field corpus) ---


# 16. Validation loss that climbs a little (12% of its minimum) while training
# keeps falling is overfitting though validation accuracy merely holds: holding
# accuracy adds overconfidence beside it, it does not excuse the rise.


def test_a_modest_validation_rise_beside_holding_accuracy_is_overfitting():
    codes = found(
        train_loss=series(syn.decay(600, noise=0.1)),
        val_loss=series(syn.u_shape(every=10, rise=0.06)),
        val_acc=series(syn.accuracy_holding(every=10)),
    )
    assert "overfitting" in codes and "converged" not in codes


def test_field_validation_creeping_up_beside_flat_accuracy_is_overfitting(field):
    codes = field_codes(field["benoitpierson__nlp_binary_classification__dense"])
    assert "overfitting" in codes and "converged" not in codes


# 17. A validation loss that still halves every few epochs is still improving,
# though beside its huge first drop its last fifth is a sliver of the whole gain:
# practitioners read a loss bounded by zero on the log scale.


@pytest.mark.parametrize("floor,expected", [(0.0, "still_improving"), (0.1, "converged")])
def test_validation_still_falling_by_a_fifth_of_its_level_is_still_improving(floor, expected):
    train = series(syn.decay(10, start=1.4, floor=floor, rate=4, noise=0.02, seed=1))
    val = series(syn.decay(10, start=0.25, floor=floor, rate=4, noise=0.02, seed=2))
    codes = found(train_loss=train, val_loss=val)
    assert expected in codes and ({"still_improving", "converged"} - {expected}).isdisjoint(codes)


def test_field_validation_halving_at_the_end_is_still_improving(field):
    codes = field_codes(field["infinity052__distracted-driver-detection__root"])
    assert "still_improving" in codes and "converged" not in codes


# 18. Seven epochs of validation loss climbing from its second epoch along a
# clear line, though two of its moves go back a little, is overfitting; the same
# points scattered three times wider around that line are not a climb.


@pytest.mark.parametrize("wiggle,expected", [(0.008, True), (0.03, False)])
def test_a_short_validation_climb_with_small_setbacks_is_overfitting(wiggle, expected):
    steps = np.arange(7)
    val = 0.53 + 0.01 * np.maximum(steps - 1, 0) + wiggle * np.array([0, -1, 1, -1, 1, -1, 1]) * (steps > 1)
    val[1] = 0.525
    codes = found(train_loss=Series.from_points(steps, 0.375 * 0.95**steps), val_loss=Series.from_points(steps, val))
    assert ("overfitting" in codes) is expected


def test_field_seven_epochs_of_validation_drifting_up_is_overfitting(field):
    finding = field_codes(field["lidbey__ai4mars__weights"]).get("overfitting")
    assert finding is not None and finding["confidence"] < 0.5  # seven points: said, but not surely


# 19. Five evaluations whose last move barely moved (under 1% of the level, and a
# quarter of the move before it) have flattened: converged, not still improving,
# though training still falls; the same run one real step lower is still improving.


@pytest.mark.parametrize("last,expected", [(0.8147, "converged"), (0.79, "still_improving")])
def test_a_few_evaluations_whose_last_move_stopped_have_converged(last, expected):
    steps = np.arange(5)
    train = Series.from_points(steps, np.array([0.92, 0.87, 0.78, 0.64, 0.56]))
    val = Series.from_points(steps, np.array([0.946, 0.891, 0.837, 0.8154, last]))
    codes = found(train_loss=train, val_loss=val)
    assert expected in codes and ({"still_improving", "converged"} - {expected}).isdisjoint(codes)


def test_field_five_epochs_whose_validation_stopped_falling_have_converged(field):
    codes = field_codes(field["fastai__course-v3__collab-5ep"])
    assert "converged" in codes and "still_improving" not in codes


# 20. Validation that fell steadily to its best evaluation and never came back
# within a tenth of it, however it zig-zagged afterwards, is overfitting (not
# "converged"); a lone lucky dip inside a zig-zag is not such a best point.


def best_then_worse_roles(descent: bool) -> dict:
    steps = np.arange(10)
    before = [1.16, 0.65, 0.43] if descent else [0.5, 0.8, 0.43]
    val = np.array(before + [0.49, 0.58, 0.68, 0.79, 0.68, 0.76, 0.55])
    train = 0.75 * 0.91**steps
    return dict(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(steps, val))


@pytest.mark.parametrize("descent", [True, False])
def test_a_best_evaluation_never_matched_again_is_overfitting(descent):
    codes = found(**best_then_worse_roles(descent))
    assert ("overfitting" in codes) is descent
    assert "converged" not in codes or not descent


def test_field_validation_never_back_to_its_best_is_overfitting(field):
    codes = field_codes(field["10sajan10__cs6994finalproject__v3"])
    assert "overfitting" in codes and "converged" not in codes


# 21. A validation loss that swings by half of all it gained has settled nowhere:
# never "converged" beside the oscillation; the same curve with a small scatter is.


@pytest.mark.parametrize("scatter,settled", [(0.01, True), (0.3, False)])
def test_validation_swinging_by_half_its_gain_is_not_converged(scatter, settled):
    steps = np.arange(16) * 100
    train = Series.from_points(np.arange(1600), 0.3 + np.exp(-np.arange(1600) / 150))
    swing = np.where(np.arange(16) % 2 == 0, -1.0, 1.0)
    val = Series.from_points(steps, 0.7 + 0.5 * np.exp(-steps / 300.0) + scatter * swing)
    assert ("converged" in found(train_loss=train, val_loss=val)) is settled


def test_field_validation_swinging_widely_is_not_converged(field):
    assert "converged" not in field_codes(field["alicelouis47__vislungtransformer__model"])


# 22. Three evaluations whose last one came back up 6% (no noise estimate from
# three points) are flat, not a rise: beside a training loss that fell and
# settled the run has converged; a last step up of 16% is a rise.


@pytest.mark.parametrize("last,settled", [(0.216, True), (0.235, False)])
def test_three_evaluations_with_a_small_last_step_up_have_converged(last, settled):
    train = Series.from_points(np.arange(1, 7) * 500, np.array([0.3785, 0.2438, 0.2068, 0.1773, 0.1682, 0.152]))
    val = Series.from_points(np.array([782, 1564, 2346]), np.array([0.2214, 0.2026, last]))
    assert ("converged" in found(train_loss=train, val_loss=val)) is settled


def test_field_three_flat_evaluations_have_converged(field):
    assert "converged" in field_codes(field["rtiberiu__cm4107-advanced-artificial-intelligence-cw__ckpt3128"])


# 24. A task solved at once: the training loss falls from its first level to
# near zero within a few logs, and an evaluation loss at 1e-5 that doubles once is
# no spike (the jump is nil beside the level the run's losses came from); the same
# jump is one when it is large on that scale.


def solved_at_once(val_level: float, scale: float) -> dict:
    train = np.concatenate([[0.39, 0.21], np.full(23, 3e-4)]) * scale
    val = np.array([5.5, 1.5, 0.8, 1.6, 0.9, 0.7]) * val_level * scale
    return dict(train_loss=Series.from_points(np.arange(25) * 25, train), val_loss=Series.from_points(np.arange(1, 7) * 100, val))


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_a_near_zero_evaluation_loss_that_blips_is_no_spike_but_the_same_shape_higher_up_is(scale):
    assert "spike" not in found(**solved_at_once(1e-5, scale))
    assert "spike" in found(**solved_at_once(0.1, scale))


def test_field_blips_of_a_solved_task_are_no_spike(field):
    assert "spike" not in field_codes(field["niloya77__prompt-mitigation-llm__flan-t5-large-ckpt610"])


# 25. Two evaluations are too few for a curve, but their one move decides what
# a practitioner says of a training loss still falling beside them: validation
# that fell a tenth or more still gains on new data; one that barely moved has
# stopped gaining.


def two_evaluations(second_of_first: float, scale: float) -> dict:
    steps, train = syn.decay(40, start=1.0 * scale, floor=0.2 * scale, rate=1.5, noise=0.01)
    return dict(train_loss=Series.from_points(steps, train), val_loss=Series.from_points([19, 39], [0.6 * scale, 0.6 * second_of_first * scale]))


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_two_evaluations_decide_still_improving_against_converged(scale):
    assert "still_improving" in found(**two_evaluations(0.8, scale))
    stopped = found(**two_evaluations(0.99, scale))
    assert "still_improving" not in stopped and "converged" in stopped


def test_field_two_evaluations_decide_still_improving_against_converged(field):
    assert field["rodwanbagdadi__bert_model__results200"]["verdict"] == "still_improving"
    assert field["ayaa220__propaganda-detection-using-lstm-and-cnn__root"]["verdict"] == "converged"


@pytest.mark.parametrize("scale", [0.01, 1.0, 100.0])
def test_a_second_evaluation_a_tenth_worse_is_overfitting_but_not_a_sure_one(scale):
    worse = found(**two_evaluations(1.5, scale))
    assert worse["overfitting"].confidence < 0.5 and "converged" not in worse
    assert "validation was evaluated only twice" in text(worse["overfitting"]).lower() and "验证只评估了两次" in text(worse["overfitting"], "zh")
    slightly = found(**two_evaluations(1.07, scale))
    assert not {"overfitting", "converged", "still_improving"} & set(slightly)


# 26. One batch of a per-step training loss scoring half again the level is a
# hard batch, not a spike; a batch that triples it is one. On an epoch-level
# training loss (logged as often as validation) the same half-again jump is one.


def per_step_with_batch(height: float, evaluations: int) -> dict:
    steps, values = syn.with_spikes(syn.decay(2000, start=2.0, floor=0.8, rate=5, noise=0.05, seed=1), (1500,), height=height)
    val_steps, val_values = syn.decay(evaluations, start=2.0, floor=0.85, rate=5, noise=0.002, seed=1)
    return dict(train_loss=Series.from_points(steps, values), val_loss=Series.from_points(val_steps * (2000 // evaluations), val_values))


def test_one_hard_batch_of_a_per_step_loss_is_no_spike_but_a_tripled_one_is():
    assert "spike" not in found(**per_step_with_batch(0.5, 20))
    assert found(**per_step_with_batch(2.0, 20))["spike"].evidence["role"] == "train_loss"


def test_the_same_jump_of_half_again_on_an_epoch_level_loss_is_a_spike():
    steps, values = syn.with_spikes(syn.decay(40, start=2.0, floor=0.8, rate=5, noise=0.005, seed=1), (30,), height=0.5)
    val_steps, val_values = syn.decay(40, start=2.0, floor=0.85, rate=5, noise=0.002, seed=1)
    assert "spike" in found(train_loss=Series.from_points(steps, values), val_loss=Series.from_points(val_steps, val_values))


def test_field_one_hard_batch_of_a_fine_tune_is_no_spike(field):
    assert "spike" not in field_codes(field["zeiad246__llm-backend__ckpt3000"])


# 27. A few training points alone, no validation: read as their plot reads. A last
# move that is a fifth of the whole fall still slopes down (the level of the last
# three points lags a six-point curve); one a few thousandths of it has settled.


@pytest.mark.parametrize("scale", [1.0, 1e-3, 1e4])
def test_six_training_points_whose_last_move_is_a_fifth_of_their_fall_are_still_improving(scale):
    values = np.array([251.0, 206.0, 113.0, 89.0, 103.0, 67.0]) * scale
    result = outcome(train_loss=Series.from_points(np.arange(6) * 50 + 49, values))
    assert result.verdict == "still_improving" and result.findings[0].confidence < 0.5


def test_six_training_points_that_fell_and_settled_are_converged():
    values = np.array([0.474, 0.026, 0.014, 0.011, 0.009, 0.008])
    assert outcome(train_loss=Series.from_points(np.arange(6), values)).verdict == "converged"


def test_field_six_training_points_still_falling_at_the_end_are_still_improving(field):
    assert field["kateantropova-4415__sigmoidlightning__version_5"]["verdict"] == "still_improving"


# 28. Validation that jumps about while the learning rate warms up sets no yardstick
# for the rest of the run: one later epoch at four times its neighbours is a spike.


def warm_up_turbulence_then(jump: float) -> dict:
    epochs = np.arange(60)
    val = 1.2 + 2.0 * np.exp(-epochs / 6) + 0.01 * np.random.default_rng(4).standard_normal(60)
    val[1], val[2] = 6 * val[1], 2.5 * val[2]  # the warm-up's turbulence
    val[12] = jump * val[12]
    train = 1.5 + 2.0 * np.exp(-epochs / 8)
    lr = np.where(epochs < 3, 0.004 * (epochs + 1), 0.012 * (1 - epochs / 60))
    return dict(train_loss=Series.from_points(epochs, train), val_loss=Series.from_points(epochs, val), lr=Series.from_points(epochs, lr))


def test_a_jump_after_a_turbulent_warm_up_is_a_spike():
    spike = found(**warm_up_turbulence_then(4.0)).get("spike")
    assert spike is not None and spike.severity == "warning" and 12 in spike.evidence["steps"]
    calm = found(**warm_up_turbulence_then(1.0)).get("spike")
    assert calm is None or (calm.severity == "info" and 12 not in calm.evidence["steps"])  # the warm-up's own, if any


def test_field_a_validation_jump_after_a_turbulent_yolo_warm_up_is_a_spike(field):
    spike = field_codes(field["andrean-cyber__segmentation-yolov8__seg-train"]).get("spike")
    assert spike is not None and spike["severity"] == "warning" and 7 in spike["evidence"]["steps"]


# 29. Validation that blows up for several epochs and comes back to where it was is
# a spike however long it lasts; a rise that stays up is not one, and a small noisy
# set that doubles its level by habit has no spikes.


def validation_with(stretch: np.ndarray, at: int = 30, epochs: int = 80, noise: float = 0.01) -> dict:
    e = np.arange(epochs)
    val = (1.0 + 3.0 * np.exp(-e / 8)) * (1 + noise * np.random.default_rng(5).standard_normal(epochs))
    val[at : at + stretch.size] *= stretch
    train = 0.8 + 3.0 * np.exp(-e / 10)
    return dict(train_loss=Series.from_points(e, train), val_loss=Series.from_points(e, val))


def test_a_validation_blow_up_of_several_epochs_that_recovers_is_a_spike():
    blow_up = np.array([1.6, 2.5, 4.0, 5.5, 6.3, 6.5, 6.2, 5.5, 4.2, 3.0, 2.0, 1.5])  # broad and flat-topped
    spike = found(**validation_with(blow_up)).get("spike")
    assert spike is not None and spike.severity == "warning" and spike.evidence["steps"] == [35]
    assert "spike" not in found(**validation_with(np.full(50, 3.0)))  # the rise that stays up


def test_a_small_validation_set_doubling_its_level_by_habit_has_no_spikes():
    e = np.arange(80)
    habit = np.where((e % 9 == 4) | (e % 9 == 5), 2.6, 1.0)
    assert "spike" not in found(**validation_with(habit[30:], noise=0.05))


def test_field_validation_blow_ups_that_recover_are_spikes(field):
    for run_id, peak in (("decursusss__rust-auto-fishing__train8", 38), ("624mihir__car_damage_app__seg-train", 26)):
        spike = field_codes(field[run_id]).get("spike")
        assert spike is not None and peak in spike["evidence"]["steps"], run_id


def test_a_blow_up_that_came_back_is_no_validation_stall():
    """Validation that lost 70% of its level, blown up 1000x for a few epochs on the way: the blow-up widens the
    curve's spread, not the stall (validation improved, by its level)."""
    outcome_ = found(**validation_with(np.array([50.0, 400.0, 1500.0, 900.0, 200.0, 20.0])))
    assert "plateau" not in outcome_ and "spike" in outcome_


def test_field_a_huge_validation_blow_up_that_recovered_is_a_spike_not_a_plateau(field):
    codes = field_codes(field["zuzaser80__aorta-project__seg-train2"])
    assert "spike" in codes and "plateau" not in codes


# 30. A loss that froze at one value for the end of the run (to within 0.01%, after
# moving at every log) is a model that stopped changing: a plateau, not convergence.


def freezing_at(freeze_from: int, epochs: int = 80, noise: float = 0.004) -> dict:
    e = np.arange(epochs)
    rng = np.random.default_rng(8)
    train = (0.6 + 0.4 * np.exp(-e / 12)) * (1 + noise * rng.standard_normal(epochs))
    val = (0.65 + 0.35 * np.exp(-e / 12)) * (1 + noise * rng.standard_normal(epochs))
    if freeze_from < epochs:
        train[freeze_from:] = train[freeze_from] * (1 + 1e-6 * rng.standard_normal(epochs - freeze_from))
        val[freeze_from:] = val[freeze_from]
    return dict(train_loss=Series.from_points(e, train), val_loss=Series.from_points(e, val))


def test_a_loss_frozen_for_the_end_of_the_run_is_a_plateau():
    plateau = found(**freezing_at(40)).get("plateau")
    assert plateau is not None and plateau.evidence["frozen"] and plateau.evidence["frozen_from_step"] == 40
    assert "froze" in text(plateau) and "冻结" in text(plateau, "zh")
    assert "plateau" not in found(**freezing_at(78))  # two last logs alike: not a freeze
    assert "plateau" not in found(**freezing_at(80))  # never froze: a converging curve


def test_field_a_model_frozen_after_a_collapse_is_a_plateau(field):
    plateau = field_codes(field["instig8r__cibm_ariadne__v8"]).get("plateau")
    assert plateau is not None and plateau["evidence"]["frozen"]


# 31. Overconfidence says the validation accuracy held while the loss rose. An
# accuracy that lost more than its own scatter (and more than one sample in 70)
# fell, and one that never left a guess held nothing: overfitting alone.


def zigzag_accuracy_run(fall: float, epochs: int = 40) -> dict:
    e = np.arange(epochs)
    accuracy = 0.6 + 0.3 * (1 - np.exp(-e / 3)) + 0.03 * (-1.0) ** e
    accuracy[e > 0.35 * epochs] -= fall
    train = 0.2 + 2 * np.exp(-e / 5)
    val = 0.9 + 1.5 * np.exp(-e / 2) + 0.02 * np.maximum(e - 0.35 * epochs, 0)
    return dict(train_loss=Series.from_points(e, train), val_loss=Series.from_points(e, val), val_acc=Series.from_points(e, accuracy))


@pytest.mark.parametrize("fall,expected", [(0.0, True), (0.06, False)])
def test_accuracy_that_falls_beyond_its_scatter_is_no_overconfidence(fall, expected):
    codes = found(**zigzag_accuracy_run(fall))
    assert "overfitting" in codes and ("overconfidence" in codes) == expected


def test_accuracy_at_chance_beside_a_rising_loss_is_no_overconfidence():
    e = np.arange(20)
    accuracy = 0.5 + 0.01 * np.sin(e)
    codes = found(
        train_loss=Series.from_points(e, 0.75 - 0.2 * (1 - np.exp(-e / 5))),
        val_loss=Series.from_points(e, 0.70 + 0.004 * e),
        val_acc=Series.from_points(e, accuracy),
    )
    assert "overfitting" in codes and "overconfidence" not in codes


def test_field_accuracy_that_fell_or_stayed_at_chance_is_no_overconfidence(field):
    for run_id in ("jannik-m12__whale-call-classifier__improved", "nied11__phishing-detection-deep_learning__fold1"):
        codes = field_codes(field[run_id])
        assert "overfitting" in codes and "overconfidence" not in codes, run_id


# 32. Validation (fixed data) that jumps by a quarter of its level and falls
# back, again and again, is oscillating wherever in the run it happens: early
# chaos that later settles is what a practitioner points at. One or two such
# round trips are spikes.


def swinging_validation(swings: int, epochs: int = 60) -> dict:
    e = np.arange(epochs)
    train = 0.3 + 2.0 * np.exp(-e / 10)
    val = 0.4 + 2.0 * np.exp(-e / 10)
    for k in range(swings):
        val[3 + 4 * k] *= 1.6  # one epoch up, back down at the next
    return dict(train_loss=Series.from_points(e, train), val_loss=Series.from_points(e, val))


@pytest.mark.parametrize("swings,expected", [(0, False), (2, False), (5, True)])
def test_validation_that_swings_again_and_again_early_on_is_oscillation(swings, expected):
    oscillation = found(**swinging_validation(swings)).get("oscillation")
    assert (oscillation is not None) == expected
    if expected:
        assert oscillation.evidence["swings"] == swings and oscillation.first_step == 2
        assert "jumped by 25% or more" in text(oscillation) and "反复跳高" in text(oscillation, "zh")


def test_field_validation_swinging_in_the_first_epochs_is_oscillation(field):
    oscillation = field_codes(field["jeerrzy__ultralytics_train__pose-train"]).get("oscillation")
    assert oscillation is not None and oscillation["evidence"]["swings"] >= 4


# 33. Validation that never gets back to a best it reached long ago, and ends a
# few percent above it, while training keeps falling is overfitting, though the
# rise is too small to stand out from the evaluations' scatter as a climb: the
# gap between the losses widens, and early stopping would have ended the run.


def stale_validation(train_keeps_falling: bool, epochs: int = 40) -> dict:
    e = np.arange(epochs)
    train = 0.25 + 0.75 * np.exp(-e / (12 if train_keeps_falling else 3))
    val = 0.3 + 0.7 * np.exp(-e / 3)
    val[9:12] = 0.28  # the best evaluations
    val[12:] = 0.29 + 0.003 * (-1.0) ** e[12:]  # 3.6% above them from then on
    return dict(train_loss=Series.from_points(e, train), val_loss=Series.from_points(e, val))


def test_validation_stuck_above_its_old_best_while_training_falls_is_overfitting():
    codes = found(**stale_validation(train_keeps_falling=True))
    overfitting = codes.get("overfitting")
    assert overfitting is not None and overfitting.evidence["widening_gap"] and "converged" not in codes
    assert overfitting.evidence["val_min_step"] == 9 and overfitting.first_step == 9  # the first of the three
    assert "Early stopping would have ended this run there" in text(overfitting) and "早停" in text(overfitting, "zh")
    assert "overfitting" not in found(**stale_validation(train_keeps_falling=False))  # both flat: converged


def test_field_validation_never_back_to_its_best_while_training_falls_is_overfitting(field):
    codes = field_codes(field["lxr-max__osccc-detection__main"])
    assert "overfitting" in codes and "converged" not in codes


# 34. A training loss logged per step doubles with its batches by habit, but one
# that bursts a hundredfold or more for a few steps and comes back has broken and
# recovered: a spike, however many steps the burst lasts.


def burst_run(factor: float, steps: int = 60) -> dict:
    s = np.arange(steps)
    values = (1.0 + 3 * np.exp(-s / 5)) * (1 + 0.3 * np.random.default_rng(3).standard_normal(steps)).clip(0.2)
    values[30:36] *= factor
    return dict(train_loss=Series.from_points(s, values))


def test_a_training_loss_that_bursts_a_hundredfold_for_a_few_steps_is_a_spike():
    spike = found(**burst_run(1e4)).get("spike")
    assert spike is not None and all(30 <= step <= 35 for step in spike.evidence["steps"])
    assert "spike" not in found(**burst_run(5.0))  # five times the level for six noisy steps: not a break


def test_field_a_per_step_burst_of_five_orders_of_magnitude_is_a_spike(field):
    spike = field_codes(field["krs-dev__irradiance_estimation__lightning-v0"]).get("spike")
    assert spike is not None and all(25 <= step <= 30 for step in spike["evidence"]["steps"])


# 35. Validation that never got clearly below its first evaluation while training
# learned is a stall (plateau) on its own; when validation also ended above a best
# it reached long before, that is the overfitting already reported, not a second story.


def test_a_stalled_validation_that_ends_above_its_best_is_overfitting_alone():
    epochs = np.arange(1, 10)
    train = np.array([0.70, 0.69, 0.63, 0.49, 0.43, 0.41, 0.37, 0.27, 0.17])
    val = np.array([0.70, 0.69, 0.62, 0.78, 0.61, 0.67, 0.78, 0.75, 0.72])  # best 13% under the first, 18% under the end
    codes = found(train_loss=Series.from_points(epochs, train), val_loss=Series.from_points(epochs, val))
    assert "overfitting" in codes and "plateau" not in codes
    stalled = found(train_loss=Series.from_points(epochs, train), val_loss=Series.from_points(epochs, np.full(9, 0.7) + 0.004 * (-1.0) ** epochs))
    assert stalled["plateau"].evidence["val_stalled"] and "overfitting" not in stalled  # flat from the first: the stall is the story


def test_field_validation_stalled_and_ending_above_its_best_is_overfitting_alone(field):
    codes = field_codes(field["rasbt__python-machine-learning-book-3rd-edition__ch16-rnn-run2"])
    assert "overfitting" in codes and "plateau" not in codes


# 36. Evaluations alone (no training loss logged) that improve for a while and
# then climb draw overfitting's U; divergence is a validation loss that got worse
# from its first evaluation on.


def validation_alone(improves_first: bool) -> dict:
    e = np.arange(60)
    best = 9 if improves_first else 0
    values = np.where(e < best, 1.1 - 0.02 * e, 0.92 + 0.007 * (e - best)) * (1 + 0.005 * (-1.0) ** e)
    return dict(val_loss=Series.from_points((e + 1) * 600, values))


def test_evaluations_alone_that_improve_and_then_climb_are_overfitting():
    codes = found(**validation_alone(improves_first=True))
    assert "overfitting" in codes and "divergence" not in codes
    assert codes["overfitting"].evidence["train_logged"] is False  # told as unchecked
    assert "divergence" in found(**validation_alone(improves_first=False))


def test_field_evaluations_alone_better_then_worse_are_overfitting(field):
    codes = field_codes(field["nmvrodrigues__recsys__v0"])
    assert "overfitting" in codes and "divergence" not in codes


# 37. A per-step training loss logged with no validation beside it cannot show
# whether the weights swing or only its batches differ; when it scatters by no
# more than batches of a usual size do (a quarter of its level) and the run ends
# well, its bounce is information. Scattering by half its level stays a warning.


@pytest.mark.parametrize("seed", range(4))
def test_a_per_step_loss_with_no_validation_scattering_like_its_batches_is_information(seed):
    codes = found(train_loss=series(syn.decay(150, start=2.0, floor=1.0, rate=6, noise=0.18, seed=seed)))
    oscillation = codes["oscillation"]
    assert oscillation.severity == "info" and oscillation.evidence["unchecked_by_validation"]
    assert {"converged", "still_improving"} & set(codes)
    assert "16 or more samples" in text(oscillation) and "batch 噪声" in text(oscillation, "zh")
    assert found(train_loss=series(syn.bouncing()))["oscillation"].severity == "warning"  # half its level


def test_field_per_sample_scatter_with_no_validation_is_no_alarm(field):
    codes = field_codes(field["haiping-liu__learning-rope__v3"])
    assert "converged" in codes and codes["oscillation"]["severity"] == "info"


# 38. A training loss driven ~99% down while validation stays far above is the
# memorisation gap, whatever validation's first evaluations did: a validation
# loss that blew up to forty times the training loss at first is no untrained level.


def memorised_beside_blown_up_start(first_evaluations) -> dict:
    e = np.arange(20)
    train = 1.4 * np.exp(-e / 4) + 0.02
    val = np.concatenate([first_evaluations, 1.5 + 0.05 * (-1.0) ** e[len(first_evaluations):]])
    return dict(train_loss=Series.from_points(e, train), val_loss=Series.from_points(e, val))


def test_a_memorisation_gap_is_overfitting_though_validation_blew_up_at_first():
    codes = found(**memorised_beside_blown_up_start([55.0, 170.0, 46.0]))
    assert "overfitting" in codes and codes["overfitting"].evidence["memorisation_gap"] >= 10
    assert "converged" not in codes
    assert "overfitting" in found(**memorised_beside_blown_up_start([2.3]))  # an evaluation before training: the same story


def test_field_a_memorisation_gap_beside_a_blown_up_start_is_overfitting(field):
    assert "overfitting" in field_codes(field["deepblueailab__myanmar_currency_classifier__training-logs"])


# 39. A per-step training loss that looks flat for a stretch, while the
# validation loss logged beside it keeps falling through that stretch, was
# learning all along: no plateau. Validation that stalled with it makes one.


def stall_beside(validation_falls_through: bool) -> dict:
    steps = np.arange(0, 601, 5)
    level = np.where(steps < 150, 0.9 + 1.1 * np.exp(-steps / 40), np.where(steps < 350, 0.9, 0.3 + 0.6 * np.exp(-(steps - 350) / 60)))
    train = level * (1 + 0.04 * np.random.default_rng(0).standard_normal(steps.size))
    evals = np.arange(100, 601, 100)
    knots = ([100, 600], [1.0, 0.35]) if validation_falls_through else ([100, 350, 600], [0.95, 0.95, 0.35])
    return dict(train_loss=Series.from_points(steps, train), val_loss=Series.from_points(evals, np.interp(evals, *knots)))


def test_a_training_stall_that_validation_falls_through_is_no_plateau():
    assert "plateau" not in found(**stall_beside(validation_falls_through=True))
    assert found(**stall_beside(validation_falls_through=False))["plateau"].severity == "info"


def test_field_a_flat_stretch_of_per_step_loss_beside_falling_evaluations_is_no_plateau(field):
    codes = field_codes(field["xiaom96__mlops-group-04__v2"])
    assert "plateau" not in codes and "still_improving" in codes


# 40. A validation loss that climbs back a thirteenth of all it gained over the
# last third of the run, steadily, while training keeps falling, is overfitting,
# though a large first fall (a YOLO warm-up) dwarfs the climb on the plot.


def climb_after_a_large_fall(rise_of_fall: float) -> dict:
    epochs = np.arange(100)
    val = 3.96 + 2.35 * np.exp(-epochs / 10)
    val = np.where(epochs > 69, val[69] + rise_of_fall * 2.35 * (epochs - 69) / 30, val)
    val = val * (1 + 0.002 * np.random.default_rng(2).standard_normal(100))
    return dict(train_loss=Series.from_points(epochs, 2.2 + 3 * np.exp(-epochs / 20)), val_loss=Series.from_points(epochs, val))


def test_validation_climbing_back_a_thirteenth_of_its_fall_is_overfitting():
    assert "overfitting" in found(**climb_after_a_large_fall(0.075))
    assert "overfitting" not in found(**climb_after_a_large_fall(0.05))  # a twentieth: within what converged runs drift


def test_field_summed_validation_climbing_back_while_training_falls_is_overfitting(field):
    assert "overfitting" in field_codes(field["brianshiroe__yolov11-flood-detection__seg-train"])
