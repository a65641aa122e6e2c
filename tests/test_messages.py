"""Every message template, rendered with edge values in both languages, reads as words.

Findings come from the real detectors on synthetic curves (scaled to tiny,
huge and negative levels), and directly from `Finding` objects whose evidence
holds 0, -0.0, negatives, tiny and huge numbers, inf, -inf, NaN and None. The
run-level texts (summaries, insufficient data) and the forecast's texts are
rendered the same way. Two runs written with torch's SummaryWriter and read
through TensorBoard check the NaN/inf words end to end.
"""

from __future__ import annotations

import math
import re
import string
from typing import Dict, Iterable, List, Optional

import numpy as np
import pytest
import writers

import tb_lossdoc
from tb_lossdoc.detect import synthetic as syn
from tb_lossdoc.detect.detectors import CODES
from tb_lossdoc.detect.detectors.base import Finding, RunCurves
from tb_lossdoc.detect.engine import diagnose
from tb_lossdoc.forecast import document as forecast_document
from tb_lossdoc.forecast.forecast import LR_ENDS, RISING, TOO_NOISY, TOO_SHORT, UNSTABLE, Prediction
from tb_lossdoc.read.series import Series
from tb_lossdoc.report import messages

NAN, INF = float("nan"), float("inf")
EDGE_FLOATS = [0.0, -0.0, -1.5, -1e-12, 1e-12, 1e-300, 0.004, -0.004, 0.999, 1e300, -1e300, INF, -INF, NAN]
EDGE_INTS = [0, 1, -5, 2**40]
CJK = re.compile(r"[\u4e00-\u9fff]")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


# What every rendered text must satisfy.


def problems(text: str, lang: Optional[str], may_name_inf: bool = False) -> List[str]:
    """What is wrong with one rendered text, as a list of complaints (empty when it reads well).

    `lang` None checks a fragment, whose script is not checked."""
    found = []
    if not text.strip():
        found.append("empty")
    if "{" in text or "}" in text:
        found.append("unfilled placeholder")
    if "None" in text:
        found.append("None shown")
    if re.search(r"(?<![\w?])\?(?![\w?])", text):
        found.append("missing field shown as ?")
    if re.search(r"\bnan\b", text) or "nan%" in text.lower():
        found.append("nan shown as a number")
    if re.search(r"\binf%|\binfinity%", text, re.IGNORECASE):
        found.append("inf shown as a percentage")
    if not may_name_inf and re.search(r"(?<![\w-])-?inf\b", text):
        found.append("inf shown as a number")
    for match in NUMBER.finditer(text):
        if match.group().startswith("-") and float(match.group()) == 0:
            found.append(f"negative zero {match.group()!r}")
    if lang == "zh" and not CJK.search(text):
        found.append("Chinese text without CJK")
    if lang == "en" and CJK.search(text):
        found.append("English text with CJK")
    return found


def assert_reads_well(words: Dict[str, object], lang: str, context: object, may_name_inf: bool = False) -> None:
    texts = [str(words["title"]), str(words["detail"])] + [str(a) for a in words["actions"]]
    assert words["actions"], (context, lang, "no actions")
    for text in texts:
        assert not problems(text, lang, may_name_inf), (context, lang, text, problems(text, lang, may_name_inf))


def assert_finding_reads_well(finding: Finding, context: object) -> None:
    for lang in messages.LANGUAGES:
        assert_reads_well(messages.text(finding, lang), lang, context, may_name_inf=finding.code == "non_finite")


def test_the_checks_catch_what_they_are_meant_to():
    """The checker itself: each defect it looks for is found in a text that has it."""
    assert problems("brought -0% of it", "en") and problems("is -0.0 now", "en")
    assert problems("ended at nan", "en") and problems("a share of inf%", "en") and problems("from inf to 2", "en")
    assert problems("step None", "en") and problems("{role} rose", "en") and problems("at step ?", "en")
    assert problems("loss 到 2", "en") and problems("loss rose", "zh") and problems("  ", "en")
    assert not problems("fell from 2.3 to 0.1 (1e-05 of it), 3-10x smaller", "en")
    assert not problems("became inf at step 4 and NaN at step 5", "en", may_name_inf=True)


# 1. The formatting helpers.


@pytest.mark.parametrize("lang", messages.LANGUAGES)
@pytest.mark.parametrize("value", EDGE_FLOATS, ids=repr)
def test_numbers_and_percentages_read_as_words_for_every_edge_value(value, lang):
    for shown in (messages.number(value, lang), messages.percent(value, lang), messages.percent(value, lang, gain=True)):
        assert shown and not problems(shown, None), (value, shown)
        assert len(shown) < 30, (value, shown)


def test_percentages_of_tiny_negative_and_non_finite_shares():
    assert messages.percent(-0.0) == messages.percent(-0.001) == messages.percent(0.0) == "0%"
    assert messages.percent(0.001) == messages.percent(0.001, "zh") == "0.1%" and messages.percent(0.0046) == "0.5%"
    assert messages.percent(1e-5) == "0%" and messages.percent(0.006) == "1%"
    assert messages.percent(-0.03) == "-3%" and messages.percent(-0.03, gain=True) == "0%"
    assert messages.percent(0.42) == "42%" and messages.percent(1.0) == "100%"
    assert messages.percent(NAN) == "an unknown share" and "%" not in messages.percent(INF)
    assert messages.number(-0.0) == "0" and messages.number(-1e-5) == "-1e-05" and messages.number(2.302585) == "2.303"
    assert messages.number(NAN) == "NaN" and messages.number(INF) == "infinity" and messages.number(-INF, "zh") == "负无穷大"


# 2. Findings from the real detectors, on synthetic curves at edge scales.


def _s(curve, scale: float = 1.0, shift: float = 0.0) -> Series:
    steps, values = curve[:2]
    return Series.from_points(steps, np.asarray(values) * scale + shift, tag="loss")


def _pair(curves, scale, shift):
    steps, train, val_steps, val = curves
    return dict(train_loss=_s((steps, train), scale, shift), val_loss=_s((val_steps, val), scale, shift))


def _lr_collapse_roles(scale, shift):
    steps, loss, lr = syn.lr_collapse()
    return dict(train_loss=_s((steps, loss), scale, shift), lr=Series.from_points(steps, lr, tag="lr"))


def _frozen_from(at: int = 40):
    steps, values = syn.decay(80, noise=0.01)
    values = values.copy()
    values[at:] = values[at]
    return steps, values


def _inf_then_nan(n: int = 60, at: int = 20):
    steps, values = syn.decay(n)
    values = values.copy()
    values[at] = np.inf
    values[at + 1 :] = np.nan
    return steps, values


# (name, roles at a scale and shift, the code the plain curves must show: it proves the template is reached)
CURVES = [
    ("converged", lambda k, d: dict(train_loss=_s(syn.decay(600, noise=0.15), k, d)), "converged"),
    ("still improving", lambda k, d: dict(train_loss=_s(syn.decay(rate=1.5), k, d)), "still_improving"),
    (
        "overfitting",
        lambda k, d: dict(train_loss=_s(syn.decay(600, noise=0.1), k, d), val_loss=_s(syn.u_shape(every=10), k, d)),
        "overfitting",
    ),
    (
        "memorisation",
        lambda k, d: dict(
            train_loss=_s(syn.decay(300, start=2.3, floor=0.001, rate=8, noise=0.02), k, d),
            val_loss=_s(syn.decay(30, start=2.3, floor=1.6, rate=8, noise=0.005, every=10), k, d),
        ),
        "overfitting",
    ),
    (
        "best at start",
        lambda k, d: dict(
            train_loss=_s(syn.decay(40, noise=0.01), k, d),
            val_loss=Series.from_points(np.arange(40), (1.0 + 0.5 * (1 - np.exp(-np.arange(40) / 6.0))) * k + d, tag="val"),
        ),
        "overfitting",
    ),
    (
        "overconfidence",
        lambda k, d: dict(
            train_loss=_s(syn.decay(600, noise=0.1), k, d),
            val_loss=_s(syn.u_shape(every=10), k, d),
            val_acc=_s(syn.accuracy_holding(every=10)),
        ),
        "overconfidence",
    ),
    ("divergence", lambda k, d: dict(train_loss=_s(syn.rising(), k, d)), "divergence"),
    ("spike", lambda k, d: dict(train_loss=_s(syn.with_spikes(syn.decay(500, noise=0.05), (200, 350)), k, d)), "spike"),
    ("oscillation", lambda k, d: dict(train_loss=_s(syn.bouncing(), k, d)), "oscillation"),
    ("batch noise", lambda k, d: dict(train_loss=_s(syn.decay(2000, start=1.2, floor=0.9, rate=4, noise=0.06), k, d)), "oscillation"),
    (
        "batch noise beside a steady validation loss",
        lambda k, d: dict(
            train_loss=_s(syn.decay(100, start=1.2, floor=0.9, rate=4, noise=0.06), k, d),
            val_loss=_s(syn.decay(20, start=1.15, floor=0.92, rate=4, noise=0.002, every=5), k, d),
        ),
        "converged",
    ),
    ("plateau", lambda k, d: dict(train_loss=_s(syn.stall_then_drop(), k, d)), "plateau"),
    ("plateau, learning rate collapsed", _lr_collapse_roles, "plateau"),
    ("plateau, frozen", lambda k, d: dict(train_loss=_s(_frozen_from(), k, d)), "plateau"),
    ("not learning", lambda k, d: dict(train_loss=_s(syn.flat(), k, d)), "not_learning"),
    ("chance level", lambda k, d: dict(train_loss=_s(syn.chance_level(30), k, d), val_acc=_s(syn.chance_accuracy(30))), "not_learning"),
    (
        "guessing",
        lambda k, d: dict(
            train_loss=_s(syn.decay(20, start=1.8, floor=0.75, rate=4, noise=0.005), k, d),
            val_acc=_s(syn.chance_accuracy(20, classes=2, noise=0.02)),
        ),
        "not_learning",
    ),
    (
        "train flat, validation improving",
        lambda k, d: dict(train_loss=_s(syn.flat(), k, d), val_loss=_s(syn.decay(40, every=5), k, d)),
        "train_flat_val_improving",
    ),
    ("NaN", lambda k, d: dict(train_loss=_s(syn.with_nan(syn.decay(), 150), k, d)), "non_finite"),
    ("inf then NaN", lambda k, d: dict(train_loss=_s(_inf_then_nan(), k, d)), "non_finite"),
    (
        "all-NaN validation",
        lambda k, d: dict(train_loss=_s(syn.decay(60), k, d), val_loss=Series.from_points(np.arange(0, 60, 5), [NAN] * 12, tag="val")),
        "non_finite",
    ),
    (
        "NaN gradients behind a filtered loss",
        lambda k, d: dict(
            train_loss=_s((range(60), [2.3 - 0.02 * i if i < 20 else 0.0 for i in range(60)]), k, d),
            grad_norm=Series.from_points(range(60), [1.0] * 20 + [NAN] * 40, tag="train/grad_norm"),
        ),
        "non_finite",
    ),
    (
        "evaluations only, turning up",
        lambda k, d: dict(val_loss=_s((range(9), [0.416, 0.368, 0.297, 0.261, 0.259, 0.270, 0.291, 0.308, 0.316]), k, d)),
        "overfitting",
    ),
    (
        "evaluations turning up beside one training log",
        lambda k, d: dict(
            val_loss=_s((range(9), [0.416, 0.368, 0.297, 0.261, 0.259, 0.270, 0.291, 0.308, 0.316]), k, d),
            train_loss=_s(([8], [0.12]), k, d),
        ),
        "overfitting",
    ),
    ("short run", lambda k, d: dict(train_loss=_s(syn.decay(5, rate=2.0, noise=0.01), k, d)), "still_improving"),
    ("validation stalled", lambda k, d: _pair(syn.validation_stall(), k, d), "plateau"),
    ("divergence that partly came back", lambda k, d: _pair(syn.partial_recovery(), k, d), "divergence"),
    ("pinned", lambda k, d: dict(train_loss=_s(syn.pinned(), k, d)), "not_learning"),
    (
        "answers the majority class",
        lambda k, d: dict(
            val_loss=Series.from_points(range(5), [0.612, 0.611, 0.610, 0.611, 0.611], tag="val"),
            val_acc=Series.from_points(range(5), [0.7] * 5, tag="val_acc"),
        ),
        "not_learning",
    ),
    (
        "the same answers at every evaluation",
        lambda k, d: dict(
            train_loss=_s(syn.decay(300, start=1.0, floor=0.85, rate=6, noise=0.03), k, d),
            val_loss=Series.from_points(range(7), np.array([0.869, 0.868, 0.866, 0.864, 0.865, 0.866, 0.866]) * k + d, tag="val"),
            val_acc=Series.from_points(range(7), [0.5741, 0.5741, 0.5739, 0.5741, 0.5739, 0.5739, 0.5739], tag="val_acc"),
        ),
        "not_learning",
    ),
    (
        "barely above chance",
        lambda k, d: dict(
            train_loss=_s((range(15), np.linspace(np.log(7), 0.94 * np.log(7), 15) + 0.003 * np.sin(np.arange(15))), k, d),
            val_acc=Series.from_points(range(15), np.linspace(1 / 7, 0.19, 15), tag="val_acc"),
        ),
        "not_learning",
    ),
    (
        "a detector that finds nothing",
        lambda k, d: dict(
            train_loss=_s(syn.decay(30, start=8.0, floor=6.5, rate=3, noise=0.01), k, d),
            val_score=Series.from_points(range(30), np.linspace(0.0, 0.03, 30), tag="metrics/mAP50(B)"),
        ),
        "not_learning",
    ),
    (
        "flat after its first log",
        lambda k, d: dict(train_loss=_s((range(41), [1.58, *syn.flat(40, level=1.43, noise=0.02)[1]]), k, d)),
        "not_learning",
    ),
    ("one NaN point", lambda k, d: dict(train_loss=Series.from_points([3], [NAN], tag="loss")), "non_finite"),
    (
        "validation worsening beside a training loss that never fell",
        lambda k, d: _pair((range(4), [1.0, 1.06, 0.98, 1.02], range(4), [1.03, 0.975, 1.22, 1.34]), k, d),
        "divergence",
    ),
    (
        "short zigzag",
        lambda k, d: _pair((range(5), [0.012, 0.011, 0.010, 0.0095, 0.009], range(5), [0.013, 0.058, 0.043, 0.117, 0.018]), k, d),
        "oscillation",
    ),
    (
        "validation stuck above an old best while training falls",
        lambda k, d: _pair(
            (range(40), 0.25 + 0.75 * np.exp(-np.arange(40) / 12), range(40), [*(0.3 + 0.7 * np.exp(-np.arange(9) / 3)), 0.28, 0.28, 0.28, *(0.29 + 0.003 * (-1.0) ** np.arange(28))]),
            k,
            d,
        ),
        "overfitting",
    ),
    (
        "validation swinging early",
        lambda k, d: _pair(
            (range(30), 0.3 + 2.0 * np.exp(-np.arange(30) / 6), range(30), (0.4 + 2.0 * np.exp(-np.arange(30) / 6)) * np.where(np.arange(30) % 4 == 3, 1.6, 1.0) * (np.arange(30) < 20) + (0.4 + 2.0 * np.exp(-np.arange(30) / 6)) * (np.arange(30) >= 20)),
            k,
            d,
        ),
        "oscillation",
    ),
    (
        "stuck until the learning rate was cut",
        lambda k, d: dict(
            train_loss=_s((range(12), [18.6, 19.1, 18.5, 18.9, 18.5, 8.4, 8.4, 8.4, 8.4, 7.1, 7.1, 7.0]), k, d),
            lr=Series.from_points(range(12), [20.0] * 5 + [5.0] * 4 + [1.25] * 3, tag="lr"),
        ),
        "plateau",
    ),
    (
        "rose until the learning rate was cut",
        lambda k, d: dict(
            train_loss=_s((range(6), [13.1, 15.1, 14.6, 17.3, 8.1, 7.9]), k, d),
            lr=Series.from_points(range(6), [20.0] * 4 + [5.0] * 2, tag="lr"),
        ),
        "divergence",
    ),
]
SCALES = [(1.0, 0.0), (1e-30, 0.0), (1e30, 0.0), (1.0, -10.0), (-1.0, 0.0), (0.0, 0.0)]


def test_the_curves_cover_every_code_and_every_variant():
    """Each code and each variant of a code is reached by some synthetic curve above."""
    codes = set()
    variants = set()
    for name, make, expected in CURVES:
        findings = diagnose(RunCurves(**make(1.0, 0.0))).findings
        assert expected in {f.code for f in findings}, (name, [f.code for f in findings])
        codes |= {f.code for f in findings}
        for f in findings:
            variants |= {v for v in messages.VARIANTS if _shows_variant(f, v)}
    assert codes == set(CODES)
    assert variants == set(messages.VARIANTS)


@pytest.mark.parametrize("scale,shift", SCALES, ids=lambda v: repr(v))
@pytest.mark.parametrize("name,make,expected", CURVES, ids=[c[0] for c in CURVES])
def test_findings_of_the_real_detectors_read_well_at_every_scale(name, make, expected, scale, shift):
    outcome = diagnose(RunCurves(**make(scale, shift)))
    for finding in outcome.findings:
        assert_finding_reads_well(finding, (name, scale, shift, finding.code, finding.evidence))
    texts = [messages.all_texts(f) for f in outcome.findings]
    summary = messages.summaries(texts)
    if texts:
        for lang in messages.LANGUAGES:
            assert summary[lang] == texts[0][lang]["title"]
    else:
        assert summary is None


def test_still_improving_and_converged_never_say_minus_zero_percent():
    """A converged loss whose last fifth went slightly up: the issue's "-0% of the total improvement"."""
    steps, values = syn.decay(300, noise=0.0)
    values = values + np.where(steps > 240, 1e-6, 0.0)  # a last fifth a hair worse than before
    for finding in diagnose(RunCurves(train_loss=Series.from_points(steps, values, tag="loss"))).findings:
        assert_finding_reads_well(finding, finding.evidence)
        for share in (-0.0, -0.004, -0.3, 0.0, 0.003):
            edged = Finding(finding.code, finding.severity, finding.first_step, finding.last_step, {**finding.evidence, "recent_gain_share": share})
            detail = messages.text(edged, "en")["detail"]
            assert "-0%" not in detail and "-" not in re.findall(r"\S*%", detail)[0][:1], detail


# 3. NaN and inf, named right.


def _non_finite(**roles) -> List[Finding]:
    return [f for f in diagnose(RunCurves(**roles)).findings if f.code == "non_finite"]


def test_inf_then_nan_says_inf_first_and_when_nan_came():
    (finding,) = _non_finite(train_loss=_s(_inf_then_nan(60, at=20)))
    assert finding.evidence["first_bad_value"] == "inf"
    assert finding.evidence["first_bad_step"] == finding.evidence["first_inf_step"] == 20
    assert finding.evidence["first_nan_step"] == 21 and finding.evidence["recovers"] is False
    en, zh = messages.text(finding, "en"), messages.text(finding, "zh")
    assert "inf at step 20" in en["title"] and "NaN at step 21" in en["title"]
    assert "became inf at step 20 and NaN at step 21" in en["detail"] and "never returns" in en["detail"]
    assert "is inf from step" not in en["detail"]
    assert "第 20 步变成了 inf" in zh["detail"] and "第 21 步变成了 NaN" in zh["detail"]


def test_nan_that_comes_back_to_finite_values_is_not_called_permanent():
    steps, values = syn.decay(60)
    values = values.copy()
    values[[10, 30]] = [NAN, -INF]
    (finding,) = _non_finite(train_loss=Series.from_points(steps, values, tag="loss"))
    assert finding.evidence["first_bad_value"] == "nan" and finding.evidence["first_inf_step"] == 30
    en = messages.text(finding, "en")["detail"]
    assert "became NaN at step 10 and inf at step 30" in en and "finite again after step 30" in en and "never" not in en


@pytest.mark.parametrize("role", ["train_loss", "val_loss"])
@pytest.mark.parametrize("fill", [[NAN], [INF], [NAN, INF]], ids=["nan", "inf", "both"])
def test_a_curve_with_no_finite_point_is_reported_as_a_whole(role, fill):
    other = "val_loss" if role == "train_loss" else "train_loss"
    broken = Series.from_points(np.arange(10, 70, 5), (fill * 12)[:12], tag="broken")
    findings = _non_finite(**{role: broken, other: _s(syn.decay(60))})
    (finding,) = [f for f in findings if f.evidence["role"] == role]
    assert finding.evidence["finite_points"] == 0 and finding.evidence["bad_points"] == 12
    kind = {1: "NaN" if fill == [NAN] else "inf", 2: "NaN or inf"}[len(fill)]
    en, zh = messages.text(finding, "en"), messages.text(finding, "zh")
    assert f"is {kind}: not one finite point" in en["title"] and "Every one of the 12 points" in en["detail"]
    assert "整条" in zh["title"] and kind.replace(" or ", " 或 ") in zh["title"]
    assert "Caution" not in en["detail"]


def test_an_all_nan_validation_curve_is_reported_though_training_broke_first():
    """Training turns inf at step 4 and NaN after; every evaluation (from step 10) is NaN: both are said."""
    train = _s(_inf_then_nan(60, at=4))
    val = Series.from_points(np.arange(10, 70, 10), [NAN] * 6, tag="val")
    findings = _non_finite(train_loss=train, val_loss=val)
    assert [f.evidence["role"] for f in findings] == ["train_loss", "val_loss"]
    assert "whole validation loss is NaN" in messages.text(findings[1], "en")["title"]
    # A curve that was finite before it broke, after the other broke, is still one finding per run.
    later = _s(syn.with_nan(syn.decay(60, every=1), 30))
    assert len(_non_finite(train_loss=train, val_loss=later)) == 1


def test_inf_then_nan_and_an_all_nan_validation_through_tensorboard(tmp_path):
    """Written with torch's SummaryWriter, read through TensorBoard's data layer: the document says both."""
    train = [(s, float(v)) for s, v in zip(*_inf_then_nan(40, at=4))]
    val = [(s, NAN) for s in range(0, 40, 5)]
    writers.torch_scalars(str(tmp_path / "broken"), {"train_loss": train, "val_loss": val})
    for lang in messages.LANGUAGES:
        (run,) = tb_lossdoc.diagnose(str(tmp_path), lang=lang)["runs"]
        assert run["verdict"] == "non_finite"
        by_role = {f["evidence"]["role"]: f for f in run["findings"] if f["code"] == "non_finite"}
        assert by_role["train_loss"]["evidence"]["first_bad_value"] == "inf"
        assert by_role["train_loss"]["evidence"]["first_nan_step"] == 5
        assert by_role["val_loss"]["evidence"]["finite_points"] == 0
        words = {"title": by_role["train_loss"]["title"], "detail": by_role["train_loss"]["detail"], "actions": by_role["train_loss"]["actions"]}
        assert_reads_well(words, lang, run["run"], may_name_inf=True)
    assert "NaN at step 5" in tb_lossdoc.diagnose(str(tmp_path))["runs"][0]["findings"][0]["title"]


# 4. Every template, straight from Finding objects with extreme evidence.

# Evidence that selects each variant of a code.
VARIANT_EVIDENCE = {
    "not_learning.guessing": {"chance_seen_in": "accuracy", "chance_classes": 2, "chance_base": "ln"},
    "not_learning.chance": {"chance_seen_in": "loss", "chance_classes": 10, "chance_base": "ln"},
    "not_learning.prior": {"chance_seen_in": "prior", "chance_classes": 2, "chance_base": "prior"},
    "not_learning.barely": {"chance_seen_in": "start", "chance_classes": 7, "chance_base": "ln"},
    "not_learning.no_detections": {"no_detections": True},
    "overfitting.memorisation": {"memorisation_gap": 40.0},
    "plateau.lr_collapse": {"lr_collapsed": True},
    "plateau.frozen": {"frozen": True},
    "non_finite.whole_curve": {"finite_points": 0},
    "non_finite.hidden": {"hidden_by_loss_filter": True, "role": "grad_norm"},
    "overfitting.val_only": {"train_logged": False, "train_points": 0},
    "overfitting.val_sparse": {"train_logged": False, "train_points": 1},
    "plateau.val_stall": {"val_stalled": True},
    "divergence.partial": {"recovered_partway": True},
    "not_learning.pinned": {"pinned": True},
    "not_learning.same_answers": {"same_answers": True},
    "not_learning.after_first_log": {"after_first_log": True},
    "divergence.worsening": {"train_never_fell": True},
    "oscillation.zigzag": {"zigzag": True},
    "oscillation.batch_noise": {"averaged_bounce_ratio": 0.05},
    "oscillation.swings": {"swinging": True},
    "overfitting.widening_gap": {"widening_gap": True},
    "plateau.stuck_until_cut": {"stuck_until_lr_cut": True},
    "divergence.until_cut": {"rose_until_lr_cut": True},
}
# Fields a detector always fills with an int, and fields that hold a word.
INT_FIELDS = re.compile(r"(step|steps|points|count|classes)$")
WORD_FIELDS = {"role": "val_loss", "tag": "epoch_loss", "chance_base": "log2", "first_bad_value": "inf"}


def _shows_variant(finding: Finding, variant: str) -> bool:
    """Whether a finding renders with a variant's title (its longest fixed words appear)."""
    code = variant.split(".")[0]
    if finding.code != code:
        return False
    title = messages.VARIANTS[variant]["en"]["title"]
    fixed = max((literal for literal, *_ in string.Formatter().parse(title)), key=len).strip()
    return fixed.lower() in messages.text(finding, "en")["title"].lower()


def _template_fields(template: Dict[str, object]) -> set:
    texts = [template["title"], template["detail"], *template["actions"]]
    return {name for t in texts for _, name, _, _ in string.Formatter().parse(str(t)) if name}


def _all_fields() -> set:
    fields = set()
    for by_lang in list(messages.TEXTS.values()) + list(messages.VARIANTS.values()):
        for template in by_lang.values():
            fields |= _template_fields(template)
    return fields - {"role", "bad_story", "bad_kind", "bad_then", "lr_note", "first_step", "last_step"}


def _evidence(value_of_float, value_of_int) -> Dict[str, object]:
    evidence = {}
    for name in _all_fields() | {"chance_value", "chance_accuracy", "points", "bad_points", "finite_points", "first_nan_step"}:
        if name in WORD_FIELDS:
            evidence[name] = WORD_FIELDS[name]
        elif name == "steps":
            evidence[name] = [value_of_int, 7, 9, 11, 13, 15]
        elif INT_FIELDS.search(name):
            evidence[name] = value_of_int
        else:
            evidence[name] = value_of_float
    evidence.update(lr_constant=True, recovers=False, best_at_start=True, chance_seen_in=None, chance_classes=None)
    return evidence


TEMPLATES = [(code, None) for code in messages.TEXTS] + [(v.split(".")[0], v) for v in messages.VARIANTS]


@pytest.mark.parametrize("value", EDGE_FLOATS + [None], ids=repr)
@pytest.mark.parametrize("code,variant", TEMPLATES, ids=[v or c for c, v in TEMPLATES])
def test_every_template_reads_well_with_extreme_evidence(code, variant, value):
    for count in EDGE_INTS:
        evidence = {**_evidence(value, count), **VARIANT_EVIDENCE.get(variant or "", {})}
        if variant is None:  # none of the evidence that selects a variant
            evidence.pop("memorisation_gap")
            evidence["finite_points"] = 3
        for first_step, last_step in ((count, count), (None, None)):
            finding = Finding(code, "warning", first_step, last_step, evidence)
            assert_finding_reads_well(finding, (code, variant, value, count, first_step))
        if variant:
            assert _shows_variant(finding, variant), (variant, messages.text(finding, "en")["title"])
        elif code in ("not_learning", "overfitting", "plateau", "non_finite"):
            assert not any(_shows_variant(finding, v) for v in messages.VARIANTS), code


@pytest.mark.parametrize("value", [0.0, -0.0, 0.1, 1e-300, 1e300, INF, NAN, None], ids=repr)
def test_the_chance_and_short_run_notes_read_well(value):
    """The sentences added for chance level, guessing and a short run, with edge numbers in them."""
    base = {"tag": "loss", "start_value": value, "end_value": value, "best_change": value, "chance_base": "ln", "chance_value": value}
    for extra in (
        {"chance_classes": 10, "chance_seen_in": "loss", "chance_accuracy": value},
        {"chance_classes": 2, "chance_seen_in": "accuracy", "chance_accuracy": value},
        {"points": 1},
        {"points": 0, "best_at_start": True, "val_min_step": 0},
    ):
        finding = Finding("not_learning", "critical", 0, 0, {**base, **extra})
        assert_finding_reads_well(finding, extra)
        if "points" in extra:
            assert "short run" in messages.text(finding, "en")["detail"]


@pytest.mark.parametrize("points", [0, 1, 2, 7, 10**9])
def test_insufficient_data_reads_well(points):
    words = messages.insufficient(points, 8)
    for lang in messages.LANGUAGES:
        assert not problems(words[lang], lang), words[lang]
        assert str(points) in words[lang]


def test_summaries_are_the_verdicts_title_or_none():
    assert messages.summaries([]) is None
    finding = Finding("spike", "warning", 5, 9, {"role": "train_loss", "tag": "loss", "count": 1, "steps": [5], "largest_jump_of_spread": -0.0})
    summary = messages.summaries([messages.all_texts(finding)])
    for lang in messages.LANGUAGES:
        assert summary[lang] == messages.text(finding, lang)["title"] and not problems(summary[lang], lang)


def test_labels_name_every_code_in_both_languages():
    for code in list(CODES) + ["insufficient_data"]:
        for lang in messages.LANGUAGES:
            assert messages.LABELS[code][lang].strip()
        assert CJK.search(messages.LABELS[code]["zh"]) or code == "non_finite"


# 5. The forecast's texts.


def _predictions(value) -> Iterable[Prediction]:
    for refused in (TOO_SHORT, LR_ENDS, RISING, TOO_NOISY, UNSTABLE):
        yield Prediction(refused=refused, last_step=0, last_value=value)
    for floor, reach in ((None, None), (value, None), (value, 0), (value, 2**40)):
        yield Prediction(None, 0, value, 1, value, value, value, floor, reach)


@pytest.mark.parametrize("value", EDGE_FLOATS, ids=repr)
def test_forecast_texts_read_well_with_edge_values(value):
    for prediction in _predictions(value):
        for role in ("val_loss", "train_loss"):
            for lost, best in ((None, None), (value, 0), (1e-9, 2**40)):
                for lang in messages.LANGUAGES:
                    shown = forecast_document._text(prediction, role, lost, best, lang)
                    assert not problems(shown, lang), (prediction, lost, lang, shown)


@pytest.mark.parametrize("scale,shift", SCALES, ids=lambda v: repr(v))
@pytest.mark.parametrize("name", ["converged", "still improving", "overfitting", "short run"])
def test_forecast_of_real_curves_reads_well_at_every_scale(name, scale, shift):
    make = next(m for n, m, _ in CURVES if n == name)
    roles = make(scale, shift)
    outcome = diagnose(RunCurves(**roles))
    field = forecast_document.forecast_field(
        outcome.verdict, {f.code for f in outcome.findings}, roles.get("val_loss"), roles.get("train_loss"), None, outcome.best_step
    )
    if field is None:
        assert outcome.verdict not in ("still_improving", "converged", "overfitting")
        return
    for lang in messages.LANGUAGES:
        assert not problems(field["text"][lang], lang), (name, scale, shift, field)
    assert all(v is None or isinstance(v, (int, list)) or math.isfinite(v) for v in (field["expected"], field["floor"]))


def test_a_run_without_findings_is_told_too_few_points_only_when_it_has_too_few():
    few, many = messages.insufficient(4, 8), messages.insufficient(40, 8)
    assert "Too few points" in few["en"] and "4 finite" in few["en"] and "点太少" in few["zh"]
    assert "Too few" not in many["en"] and "40 finite" in many["en"] and "点太少" not in many["zh"]
