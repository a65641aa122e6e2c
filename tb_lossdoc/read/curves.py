"""Find each training run's curves (losses, accuracy, learning rate) among scalar tags.

Writers name things differently (DESIGN.md §5). This module turns the
run → tags listing TensorBoard gives into training runs, each with at most one
series per role, without reading any values.
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
ROLES = (TRAIN_LOSS, VAL_LOSS, TRAIN_ACC, VAL_ACC, LEARNING_RATE)

TRAIN_WORDS = ("train", "training")
# Earlier words win when a run logs several held-out sets (validation over test).
VAL_WORDS = ("val", "valid", "validation", "eval", "evaluation", "dev", "test")
SPLIT_WORDS = TRAIN_WORDS + VAL_WORDS
# Qualifiers ranked for the training loss: per-step before per-epoch before
# Keras's per-batch (whose step axis is not the epoch axis of its validation).
QUALIFIER_RANK = {"step": 0, "epoch": 1, "batch": 2}
ACCURACY_WORDS = ("acc", "accuracy", "top1")
NOT_A_CURVE = ("grad", "norm", "hp", "metric", "time", "runtime", "samples", "flos", "per", "second")

_TOKEN_SPLIT = re.compile(r"[/_\-.\s:]+")


@dataclass(frozen=True)
class SeriesRef:
    """Where one curve lives: the TensorBoard run and tag."""

    run: str
    tag: str


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
    """

    name: str
    candidates: Dict[str, Tuple[SeriesRef, ...]] = field(default_factory=dict)
    runs: Tuple[str, ...] = ()

    @property
    def roles(self) -> Dict[str, SeriesRef]:
        """The preferred series of each role."""
        return {role: refs[0] for role, refs in self.candidates.items()}

    @property
    def refs(self) -> List[SeriesRef]:
        return [ref for refs in self.candidates.values() for ref in refs]

    @property
    def has_loss(self) -> bool:
        return TRAIN_LOSS in self.candidates or VAL_LOSS in self.candidates


def tokens(text: str) -> List[str]:
    """Lower-case words of a tag or run component ("Loss/train" → ["loss", "train"])."""
    return [t for t in _TOKEN_SPLIT.split(text.lower()) if t]


def _split_of_words(words: Sequence[str]) -> Optional[str]:
    for word in words:
        if word in TRAIN_WORDS:
            return "train"
        if word in VAL_WORDS:
            return "val"
    return None


def _metric_of(words: Sequence[str]) -> Optional[str]:
    if any(w in NOT_A_CURVE for w in words):
        return None
    if "loss" in words or any(w.endswith("loss") for w in words):
        return "loss"
    if any(w in ACCURACY_WORDS for w in words):
        return "acc"
    if "lr" in words or ("learning" in words and "rate" in words):
        return "lr"
    return None


def _sibling_split(run: str, tag_names: Iterable[str]) -> Optional[Tuple[str, str]]:
    """(parent, split) when `run` is one split of a training run, else None.

    Covers Keras (`P/train`, `P/validation`), torch `add_scalars`
    (`P/loss_train` with tag `loss`) and tensorboardX `add_scalars`
    (`P/loss/train` with tag `loss`).
    """
    parent, leaf = posixpath.split(run)
    if leaf.lower() in SPLIT_WORDS:
        split = _split_of_words([leaf.lower()])
        for tag in tag_names:  # tensorboardX: P/<main_tag>/<split>, tag == main_tag
            if parent == tag or parent.endswith("/" + tag):
                grand = parent[: -len(tag)].rstrip("/")
                return (grand or ".", split)
        return (parent or ".", split)
    for tag in tag_names:  # torch: P/<main_tag>_<split>, tag == main_tag
        prefix = tag.replace("/", "_") + "_"
        if leaf.startswith(prefix):
            split = _split_of_words([leaf[len(prefix):].lower()])
            if split:
                return (parent or ".", split)
    return None


def _rank(tag: str, role_split: Optional[str]) -> Tuple[int, int, int, str]:
    """Sort key: plainest tag first, then preferred qualifier and split word."""
    words = tokens(tag)
    qualifier = min((QUALIFIER_RANK[w] for w in words if w in QUALIFIER_RANK), default=-1)
    split_rank = min((VAL_WORDS.index(w) for w in words if w in VAL_WORDS), default=0)
    return (len(words), qualifier, split_rank if role_split == "val" else 0, tag)


def find_training_runs(
    tags_by_run: Mapping[str, Iterable[str]], patterns: TagPatterns = TagPatterns()
) -> Tuple[List[TrainingRun], Dict[str, List[str]]]:
    """Group runs into training runs and pick one series per role.

    Returns the training runs that have a loss, and for every run that feeds
    none of them, the tags it holds (so the caller can say what was seen).
    """
    tags_by_run = {run: sorted(tags) for run, tags in tags_by_run.items()}
    group_of: Dict[str, str] = {}
    split_of_run: Dict[str, Optional[str]] = {}
    for run, tag_names in tags_by_run.items():
        sibling = _sibling_split(run, tag_names)
        group_of[run] = sibling[0] if sibling else run
        split_of_run[run] = sibling[1] if sibling else None

    candidates: Dict[str, Dict[str, List[Tuple[tuple, SeriesRef]]]] = {}
    members: Dict[str, List[str]] = {}
    for run, tag_names in tags_by_run.items():
        group = group_of[run]
        members.setdefault(group, []).append(run)
        for tag in tag_names:
            role = _role_of(tag, split_of_run[run], patterns)
            if role is not None:
                key = _rank(tag, "val" if role in (VAL_LOSS, VAL_ACC) else "train")
                candidates.setdefault(group, {}).setdefault(role, []).append((key, SeriesRef(run, tag)))

    found: List[TrainingRun] = []
    unused: Dict[str, List[str]] = {}
    for group, runs in sorted(members.items()):
        by_role = candidates.get(group, {})
        ranked = {role: tuple(ref for _, ref in sorted(options, key=lambda o: o[0])) for role, options in by_role.items()}
        training_run = TrainingRun(group, ranked, tuple(sorted(runs)))
        if training_run.has_loss:
            found.append(training_run)
        else:
            for run in runs:
                unused[run] = tags_by_run[run]
    return found, unused


def _role_of(tag: str, run_split: Optional[str], patterns: TagPatterns) -> Optional[str]:
    if patterns.train_loss is not None and patterns.train_loss.search(tag):
        return TRAIN_LOSS
    if patterns.val_loss is not None and patterns.val_loss.search(tag):
        return VAL_LOSS
    words = tokens(tag)
    metric = _metric_of(words)
    if metric is None:
        return None
    if metric == "lr":
        return LEARNING_RATE
    split = run_split or _split_of_words(words) or "train"
    if metric == "loss":
        return TRAIN_LOSS if split == "train" else VAL_LOSS
    return TRAIN_ACC if split == "train" else VAL_ACC
