"""Find each training run's curves (losses, accuracy, detection score, learning rate) among scalar tags.

Writers name things differently (README, "Which curves are used"). This module
turns the run → tags listing TensorBoard gives into training runs, each with
its candidate series per role, without reading any values.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Pattern, Sequence, Tuple

TRAIN_LOSS = "train_loss"
VAL_LOSS = "val_loss"
TRAIN_ACC = "train_acc"
VAL_ACC = "val_acc"
LEARNING_RATE = "lr"
GRAD_NORM = "grad_norm"
VAL_SCORE = "val_score"  # a detector's validation mAP50: read to tell a detector that finds nothing
ROLES = (TRAIN_LOSS, VAL_LOSS, TRAIN_ACC, VAL_ACC, LEARNING_RATE, GRAD_NORM, VAL_SCORE)
LOSS_ROLES = (TRAIN_LOSS, VAL_LOSS)

TRAIN_WORDS = ("train", "training")
# Earlier words win when a run logs several held-out sets (validation over test).
VAL_WORDS = ("val", "valid", "validation", "eval", "evaluation", "dev", "test")
SPLIT_WORDS = TRAIN_WORDS + VAL_WORDS
# Qualifiers ranked for the training loss: per-step before per-epoch before
# Keras's per-batch (whose step axis is not the epoch axis of its validation).
QUALIFIER_RANK = {"step": 0, "epoch": 1, "batch": 2}
STEP, EPOCH = QUALIFIER_RANK["step"], QUALIFIER_RANK["epoch"]
# Run folders that hold per-update values beside per-epoch ones (fairseq's
# `train_inner`, `train_step`, `iter`).
PER_STEP_RUN_WORDS = ("inner", "step", "steps", "iter", "iters", "iteration", "update", "updates")

ACCURACY_WORDS = ("acc", "accuracy", "top1")
# A detector's mean average precision at IoU 0.5 (Ultralytics' `metrics/mAP50(B)`, camel case split to
# "m", "ap50"); `mAP50-95` (the stricter average) names "95" too.
DETECTION_SCORE_WORD = "ap50"
# Ultralytics' validator logs what it measures under `metrics/` (`metrics/accuracy_top1` of a
# classifier, `metrics/mAP50(B)`): without a split word of its own, such a tag is validation's.
VALIDATOR_PREFIX = "metrics"
LOSS_WORDS = ("loss", "losses")
# YOLOv10's loss parts name no "loss": `box_om`, `cls_om`, `dfl_om` (one-to-many head) and
# `box_oo`, `cls_oo`, `dfl_oo` (one-to-one head), whose sum is the loss it trains on.
YOLOV10_PARTS = ("box", "cls", "dfl")
YOLOV10_HEADS = ("om", "oo")
# Names of losses that do not say "loss": used only when no loss is logged.
METRIC_LOSS_WORDS = ("xent", "nll", "ce", "mse", "mae", "rmse", "bce")
PERPLEXITY_WORDS = ("ppl", "perplexity")
TOTAL_WORDS = ("total", "overall", "elbo")  # a VAE's ELBO is its reconstruction and KL terms together
# A loss tag with one of these words is no loss curve: fp16 loss scaling, a running best,
# a statistic of the loss over its batches (`min_loss`, `max_loss`, `loss_std` beside `avg_loss`).
NOT_A_LOSS = ("scale", "scaler", "best", "min", "max", "std")
# Gradients, timing, throughput, memory, hyper-parameters.
NOT_A_CURVE = (
    "grad", "gnorm", "norm", "hp", "metric", "time", "timing", "runtime", "elapsed", "eta", "flos",
    "per", "second", "seconds", "sec", "throughput", "fps", "wps", "ups", "tgtper", "memory", "mem",
)  # fmt: skip
# Kinds of loss, most trusted first: a tag named loss wins over metric-like names,
# which win over perplexity.
LOSS_KINDS = ("loss", "metric_loss", "perplexity")

# Reinforcement learning: rollouts and episodes (Stable-Baselines3), policy/value/actor/critic
# objectives, a reward beside a KL penalty (RLHF: PPO, GRPO). DPO's `rewards/*` alone is not RL.
RL_WORDS = ("rollout", "episode", "policy", "actor", "critic")
GENERATOR_WORDS = ("g", "gen", "generator")
DISCRIMINATOR_WORDS = ("d", "disc", "discriminator")
REINFORCEMENT_LEARNING = "not a supervised loss: reinforcement learning"
ADVERSARIAL = "not a supervised loss: GAN generator and discriminator"

_TOKEN_SPLIT = re.compile(r"[/_\-.\s:()]+")
# A lower-case letter or digit followed by a capital starts a new word of a tag: `ValLoss`, `trainLoss`.
_CAMEL_CASE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NUMBERED_LR = re.compile(r"^lr\d+$")


@dataclass(frozen=True)
class SeriesRef:
    """Where one curve lives: the TensorBoard run and tag.

    `transform` says how its values become a loss: "" (as logged), "ln" or
    "log2" (perplexity, judged in log space).
    """

    run: str
    tag: str
    transform: str = ""


@dataclass(frozen=True)
class TagPatterns:
    """User-supplied regular expressions that name the loss tags outright."""

    train_loss: Optional[Pattern[str]] = None
    val_loss: Optional[Pattern[str]] = None


@dataclass
class TrainingRun:
    """One training run as the user thinks of it, with its candidate series per role.

    `candidates[role]` is in order of preference; the first is used unless it
    has too few points to judge and a later one has enough (Keras with an
    integer `update_freq` logs `epoch_loss` only every that many epochs).
    `components[role]`, when set, are loss components logged without a total
    (YOLO's box/cls/dfl losses): their sum is the loss when they share steps.
    `val_sets`, when set, names several validation sets of the same kind (the
    Hugging Face Trainer's `eval/<name>_loss`), each to be diagnosed.
    """

    name: str
    candidates: Dict[str, Tuple[SeriesRef, ...]] = field(default_factory=dict)
    runs: Tuple[str, ...] = ()
    components: Dict[str, Tuple[SeriesRef, ...]] = field(default_factory=dict)
    val_sets: Dict[str, SeriesRef] = field(default_factory=dict)

    @property
    def roles(self) -> Dict[str, SeriesRef]:
        """The preferred series of each role."""
        return {role: refs[0] for role, refs in self.candidates.items()}

    @property
    def refs(self) -> List[SeriesRef]:
        listed = [ref for refs in (*self.candidates.values(), *self.components.values()) for ref in refs]
        return listed + list(self.val_sets.values())

    @property
    def has_loss(self) -> bool:
        return TRAIN_LOSS in self.candidates or VAL_LOSS in self.candidates


@dataclass(frozen=True)
class _Tagged:
    """One candidate tag with what its name says."""

    ref: SeriesRef
    role: str
    kind: str
    words: Tuple[str, ...]
    qualifier: int


def tokens(text: str) -> List[str]:
    """Lower-case words of a run component or tag ("Loss/train" → ["loss", "train"])."""
    return [t for t in _TOKEN_SPLIT.split(text.lower()) if t]


def tag_tokens(tag: str) -> List[str]:
    """Lower-case words of a tag, camel case split too ("ValLoss" → ["val", "loss"]): hand-written
    loops name CSV columns and tags that way. (Run folders are not split: `myTrainRun` names no split.)"""
    return tokens(_CAMEL_CASE.sub("_", tag))


def _split_of_words(words: Sequence[str]) -> Optional[str]:
    for word in words:
        if word in TRAIN_WORDS:
            return "train"
        if word in VAL_WORDS:
            return "val"
    return None


GRAD_WORDS = ("grad", "gradient", "gradients")


def _kind_of(words: Sequence[str]) -> Optional[str]:
    """What a tag measures: a kind of loss, "acc", "score" (mAP50), "lr", "grad_norm" (read for NaN/inf only), or None."""
    if (any(w in GRAD_WORDS for w in words) and "norm" in words) or "gnorm" in words:
        return None if any(w in LOSS_WORDS for w in words) else GRAD_NORM
    if any(w in NOT_A_CURVE for w in words):
        return None
    if any(w in PERPLEXITY_WORDS for w in words):
        return "perplexity"
    if any(w in LOSS_WORDS or w.endswith("loss") for w in words):
        return None if any(w in NOT_A_LOSS for w in words) else "loss"
    if any(w in YOLOV10_PARTS for w in words) and any(w in YOLOV10_HEADS for w in words):
        return "loss"
    if any(w in METRIC_LOSS_WORDS for w in words) or ("cross" in words and "entropy" in words):
        return "metric_loss"
    if any(w in ACCURACY_WORDS for w in words):
        return "acc"
    if DETECTION_SCORE_WORD in words and "95" not in words:
        return "score"
    if "lr" in words or ("learning" in words and "rate" in words) or any(_NUMBERED_LR.match(w) for w in words):
        return "lr"
    return None


def _qualifier_of(words: Sequence[str]) -> int:
    return min((QUALIFIER_RANK[w] for w in words if w in QUALIFIER_RANK), default=-1)


def _leaf_split(leaf: str, beside_splits: bool = False) -> Optional[Tuple[str, int]]:
    """(split, qualifier) when a run folder names a split: `validation`, `train_inner`;
    beside other split folders also a bare `iter` (per-step training) or `epoch`."""
    words = tokens(leaf)
    if beside_splits and words and all(w in PER_STEP_RUN_WORDS for w in words):
        return ("train", STEP)
    if beside_splits and words == ["epoch"]:
        return ("train", EPOCH)
    if not words or words[0] not in SPLIT_WORDS:
        return None
    rest = words[1:]
    if not rest:
        return (_split_of_words(words), -1)
    if all(w in PER_STEP_RUN_WORDS for w in rest):
        return (_split_of_words(words), STEP)
    if rest == ["epoch"]:
        return (_split_of_words(words), EPOCH)
    return None


def _holds_both_splits(tag_names: Iterable[str]) -> bool:
    """True when a run's own tags name training and validation losses (a whole training run)."""
    splits = set()
    for tag in tag_names:
        words = tag_tokens(tag)
        if _kind_of(words) in LOSS_KINDS:
            splits.add(_split_of_words(words))
    return {"train", "val"} <= splits


def _sibling_split(run: str, tag_names: Sequence[str], beside_splits: bool = False) -> Optional[Tuple[str, str, int]]:
    """(parent, split, qualifier) when `run` is one split of a training run, else None.

    Covers Keras (`P/train`, `P/validation`), fairseq (`P/train_inner`,
    `P/train`, `P/valid`), torch `add_scalars` (`P/loss_train` with tag `loss`)
    and tensorboardX `add_scalars` (`P/loss/train` with tag `loss`). A folder
    named like a split whose tags hold both splits is a run of its own
    (Ultralytics' `runs/detect/train`).
    """
    parent, leaf = posixpath.split(run)
    leaf_split = _leaf_split(leaf, beside_splits)
    if leaf_split is not None and not _holds_both_splits(tag_names):
        split, qualifier = leaf_split
        for tag in tag_names:  # tensorboardX: P/<main_tag>/<split>, tag == main_tag
            if parent == tag or parent.endswith("/" + tag):
                grand = parent[: -len(tag)].rstrip("/")
                return (grand or ".", split, qualifier)
        return (parent or ".", split, qualifier)
    for tag in tag_names:  # torch: P/<main_tag>_<split>, tag == main_tag
        prefix = tag.replace("/", "_") + "_"
        if leaf.startswith(prefix):
            split = _split_of_words([leaf[len(prefix):].lower()])
            if split:
                return (parent or ".", split, -1)
    return None


def _per_epoch_runs(split_of_run: Dict[str, Optional[Tuple[str, int]]], group_of: Dict[str, str]) -> None:
    """Mark `P/train` as per-epoch when `P/train_inner` holds the per-step values."""
    stepped = {(group_of[run], s[0]) for run, s in split_of_run.items() if s is not None and s[1] == STEP}
    for run, s in split_of_run.items():
        if s is not None and s[1] == -1 and (group_of[run], s[0]) in stepped:
            split_of_run[run] = (s[0], EPOCH)


def _rank(tagged: _Tagged) -> Tuple[int, int, int, int, int, str, str]:
    """Sort key: plainest tag first, a total before its components, then
    preferred qualifier (per step for training, per epoch for validation), split
    word, a loss that names no component (`train_loss` beside `kl_loss`), and name."""
    words = tagged.words
    total = 0 if any(w in TOTAL_WORDS for w in words) else 1
    split_words = words + tuple(tokens(posixpath.basename(tagged.ref.run)))  # Keras-style `LOG/validation`, `LOG/test`
    split_rank = min((VAL_WORDS.index(w) for w in split_words if w in VAL_WORDS), default=0)
    names_a_part = 1 if _component_words(tagged) else 0
    validation = tagged.role in (VAL_LOSS, VAL_ACC, VAL_SCORE)
    # Validation is measured over the whole validation set: its per-epoch value is the curve, a per-step one
    # (Lightning's `val_loss_step`, one batch of it, on the validation loop's own counter) is not.
    qualifier = {STEP: EPOCH, EPOCH: STEP}.get(tagged.qualifier, tagged.qualifier) if validation else tagged.qualifier
    return (len(words), total, qualifier, split_rank if validation else 0, names_a_part, tagged.ref.tag, tagged.ref.run)


def unsupervised_reason(tag_names: Iterable[str]) -> Optional[str]:
    """Why a training run's losses are no supervised loss (RL, GAN), else None."""
    word_sets = [set(tag_tokens(tag)) for tag in tag_names]
    if any(words & set(RL_WORDS) or {"ep", "rew"} <= words or {"value", "loss"} <= words for words in word_sets):
        return REINFORCEMENT_LEARNING
    if any("reward" in words for words in word_sets) and any("kl" in words for words in word_sets):
        return REINFORCEMENT_LEARNING
    # GRPO (TRL's GRPOTrainer and its forks) logs the group's mean reward and its spread at
    # every step, and its KL only when beta is not 0: those two alone name it.
    unsplit = [words - set(SPLIT_WORDS) for words in word_sets]
    if {"reward"} in unsplit and {"reward", "std"} in unsplit:
        return REINFORCEMENT_LEARNING
    losses = [words for words in word_sets if _kind_of(sorted(words)) == "loss"]
    if any(words & set(GENERATOR_WORDS) for words in losses) and any(words & set(DISCRIMINATOR_WORDS) for words in losses):
        return ADVERSARIAL
    return None


def _perplexity_transform(tags: Sequence[Tuple[str, str]]) -> str:
    """Base of a run's perplexity: 2 for fairseq (per-update `wpb` meter), else e."""
    fairseq = any(tag_tokens(tag) == ["wpb"] or tokens(posixpath.basename(run))[:2] == ["train", "inner"] for run, tag in tags)
    return "log2" if fairseq else "ln"


def _component_words(tagged: _Tagged) -> frozenset:
    return frozenset(w for w in tagged.words if w not in SPLIT_WORDS and w not in LOSS_WORDS and w not in QUALIFIER_RANK)


def _components(role: str, ranked: List[_Tagged], train_components: frozenset) -> Tuple[SeriesRef, ...]:
    """Loss components logged without a total: the plainest tags of one run that
    differ only by a component word. Validation components must name training
    components too (otherwise they are several validation sets)."""
    first = ranked[0]
    if any(w in TOTAL_WORDS for w in first.words) or not _component_words(first):
        return ()  # a total, or the plain loss of its split (`train_loss` beside `kl_loss`, `recon_loss`), is logged
    if first.kind != "loss":
        return ()  # metric-like names (`mse`, `rmse`, `mae`) are other measures of one error, not its parts
    same = [t for t in ranked if t.ref.run == first.ref.run and len(t.words) == len(first.words) and t.qualifier == first.qualifier and not t.ref.transform]
    if len(same) < 2 or len({_component_words(t) for t in same}) < len(same):
        return ()
    if role == VAL_LOSS and not all(_component_words(t) <= train_components for t in same):
        return ()
    return tuple(t.ref for t in same)


def _parts_validation_has(
    train: List[_Tagged], train_parts: Tuple[SeriesRef, ...], val_parts: Tuple[SeriesRef, ...], val: List[_Tagged]
) -> Tuple[SeriesRef, ...]:
    """The training parts to sum: those validation logs too, so both sums add the same terms (YOLO26's
    `train/rle_loss` has no validation value; a term only training computes is no gap between them)."""
    logged = frozenset().union(*(_component_words(t) for t in val if t.ref in val_parts)) if val_parts else _component_words(val[0])
    kept = tuple(t.ref for t in train if t.ref in train_parts and _component_words(t) <= logged)
    return kept if kept else train_parts


def set_of_tag(tag: str) -> str:
    """The validation set a tag names: `eval/squad_loss` and `eval/squad_accuracy` → "squad"."""
    return "_".join(w for w in tag_tokens(tag) if w not in SPLIT_WORDS and w not in LOSS_WORDS and w not in ACCURACY_WORDS)


def _validation_sets(ranked: List[_Tagged]) -> Dict[str, SeriesRef]:
    """Set name → validation loss, when the plainest validation losses differ
    only by a name under one split word (`eval/squad_loss`, `eval/xsum_loss`) and none is their total."""
    first = ranked[0]
    split = _split_of_words(first.words)
    same = [
        t for t in ranked
        if len(t.words) == len(first.words) and t.qualifier == first.qualifier and t.kind == first.kind
        and [w for w in t.words if w in SPLIT_WORDS] == [w for w in first.words if w in SPLIT_WORDS]
    ]  # fmt: skip
    names = {set_of_tag(t.ref.tag): t.ref for t in same}
    if split is None or len(same) < 2 or len(names) < len(same) or "" in names or any(w in TOTAL_WORDS for w in first.words):
        return {}
    return dict(sorted(names.items()))


def find_training_runs(
    tags_by_run: Mapping[str, Iterable[str]], patterns: TagPatterns = TagPatterns()
) -> Tuple[List[TrainingRun], Dict[str, List[str]], Dict[str, str]]:
    """Group runs into training runs and rank the series of each role.

    Returns the training runs that have a supervised loss; for every run that
    feeds none of them, the tags it holds (so the caller can say what was
    seen); and for those skipped for a reason other than having no loss, that
    reason.
    """
    tags_by_run = {run: sorted(tags) for run, tags in tags_by_run.items()}
    group_of: Dict[str, str] = {}
    split_of_run: Dict[str, Optional[Tuple[str, int]]] = {}
    split_parents = {posixpath.dirname(run) for run in tags_by_run if _leaf_split(posixpath.basename(run))}
    for run, tag_names in tags_by_run.items():
        sibling = _sibling_split(run, tag_names, posixpath.dirname(run) in split_parents)
        group_of[run] = sibling[0] if sibling else run
        split_of_run[run] = sibling[1:] if sibling else None
    _per_epoch_runs(split_of_run, group_of)

    members: Dict[str, List[str]] = {}
    for run in tags_by_run:
        members.setdefault(group_of[run], []).append(run)

    found: List[TrainingRun] = []
    unused: Dict[str, List[str]] = {}
    reasons: Dict[str, str] = {}
    for group, runs in sorted(members.items()):
        all_tags = [(run, tag) for run in sorted(runs) for tag in tags_by_run[run]]
        tagged = [t for run, tag in all_tags if (t := _tag_role(run, tag, split_of_run[run], patterns)) is not None]
        training_run = _training_run(group, sorted(runs), tagged, _perplexity_transform(all_tags))
        reason = unsupervised_reason(tag for _, tag in all_tags) if training_run.has_loss else None
        if training_run.has_loss and reason is None:
            found.append(training_run)
            continue
        for run in runs:
            unused[run] = tags_by_run[run]
            if reason is not None:
                reasons[run] = reason
    return found, unused, reasons


def _training_run(name: str, runs: List[str], tagged: List[_Tagged], perplexity: str) -> TrainingRun:
    """Rank each role's candidates, keeping only the most trusted kind of loss present."""
    loss_kinds = [t.kind for t in tagged if t.role in LOSS_ROLES]
    kind = min(loss_kinds, key=LOSS_KINDS.index) if loss_kinds else None
    by_role: Dict[str, List[_Tagged]] = {}
    for t in tagged:
        if t.role in LOSS_ROLES and t.kind != kind:
            continue
        if t.kind == "perplexity":
            t = _Tagged(SeriesRef(t.ref.run, t.ref.tag, perplexity), t.role, t.kind, t.words, t.qualifier)
        by_role.setdefault(t.role, []).append(t)
    ranked = {role: sorted(options, key=_rank) for role, options in by_role.items()}
    components: Dict[str, Tuple[SeriesRef, ...]] = {}
    train_components: frozenset = frozenset()
    for role in LOSS_ROLES:
        if role in ranked:
            parts = _components(role, ranked[role], train_components)
            if parts:
                components[role] = parts
                if role == TRAIN_LOSS:
                    train_components = frozenset().union(*(_component_words(t) for t in ranked[role] if t.ref in parts))
    if TRAIN_LOSS in components and VAL_LOSS in ranked:
        components[TRAIN_LOSS] = _parts_validation_has(ranked[TRAIN_LOSS], components[TRAIN_LOSS], components.get(VAL_LOSS, ()), ranked[VAL_LOSS])
    val_sets = _validation_sets(ranked[VAL_LOSS]) if VAL_LOSS in ranked and VAL_LOSS not in components else {}
    candidates = {role: tuple(t.ref for t in options) for role, options in ranked.items()}
    return TrainingRun(name, candidates, tuple(runs), components, val_sets)


def _tag_role(run: str, tag: str, run_split: Optional[Tuple[str, int]], patterns: TagPatterns) -> Optional[_Tagged]:
    """The role a tag can play in its training run, with what its name says."""
    words = tuple(tag_tokens(tag))
    run_qualifier = run_split[1] if run_split else -1
    qualifier = _qualifier_of(words) if _qualifier_of(words) >= 0 else run_qualifier
    ref = SeriesRef(run, tag)
    if patterns.train_loss is not None and patterns.train_loss.search(tag):
        return _Tagged(ref, TRAIN_LOSS, "loss", (), qualifier)
    if patterns.val_loss is not None and patterns.val_loss.search(tag):
        return _Tagged(ref, VAL_LOSS, "loss", (), qualifier)
    kind = _kind_of(words)
    if kind is None:
        return None
    if kind == "lr":
        return _Tagged(ref, LEARNING_RATE, kind, words, qualifier)
    if kind == GRAD_NORM:
        return _Tagged(ref, GRAD_NORM, kind, words, qualifier)
    split = _split_of_words(words) or (run_split[0] if run_split else None) or ("val" if words[0] == VALIDATOR_PREFIX else "train")
    if kind == "acc":
        return _Tagged(ref, TRAIN_ACC if split == "train" else VAL_ACC, kind, words, qualifier)
    if kind == "score":
        return _Tagged(ref, VAL_SCORE, kind, words, qualifier) if split == "val" else None
    return _Tagged(ref, TRAIN_LOSS if split == "train" else VAL_LOSS, kind, words, qualifier)
