"""TensorBoard's entry point for LossDoc: flags, and the plugin built lazily.

TensorBoard imports this module at start-up through the `tensorboard_plugins`
entry point, without any error handling, so it imports nothing beyond the
standard library and TensorBoard's own (already loaded) `base_plugin`. The
engine and its NumPy only load in `load()`.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional, Pattern

from tensorboard.plugins import base_plugin

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"

LANG_FLAG = "lossdoc_lang"
TRAIN_TAG_FLAG = "lossdoc_train_loss_tag"
VAL_TAG_FLAG = "lossdoc_val_loss_tag"


class Settings(NamedTuple):
    """The plugin's flags, checked and compiled."""

    lang: str = DEFAULT_LANGUAGE
    train_loss_tag: Optional[Pattern[str]] = None
    val_loss_tag: Optional[Pattern[str]] = None


def settings_from_flags(flags) -> Settings:
    """Check the LossDoc flags on `flags` (any object; absent flags take defaults).

    Raises `base_plugin.FlagsError` with a message naming the flag and the fix.
    """
    lang = getattr(flags, LANG_FLAG, None) or DEFAULT_LANGUAGE
    if not isinstance(lang, str) or lang.strip().lower() not in LANGUAGES:
        raise base_plugin.FlagsError(
            "--%s must be one of %s, got %r" % (LANG_FLAG, ", ".join(LANGUAGES), lang)
        )
    return Settings(
        lang=lang.strip().lower(),
        train_loss_tag=_pattern(flags, TRAIN_TAG_FLAG),
        val_loss_tag=_pattern(flags, VAL_TAG_FLAG),
    )


def _pattern(flags, name: str) -> Optional[Pattern[str]]:
    text = getattr(flags, name, None)
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        raise base_plugin.FlagsError("--%s must be a regular expression, got %r" % (name, text))
    try:
        return re.compile(text)
    except re.error as err:
        raise base_plugin.FlagsError(
            "--%s is not a valid regular expression (%s): %r" % (name, err, text)
        ) from None


class LossDocLoader(base_plugin.TBLoader):
    """Adds LossDoc's flags and builds the Diagnosis tab's plugin."""

    def define_flags(self, parser):
        group = parser.add_argument_group("lossdoc")
        group.add_argument(
            "--" + LANG_FLAG,
            metavar="{en,zh}",
            type=str,
            default=DEFAULT_LANGUAGE,
            help="Language of the Diagnosis tab's explanations when the page does not "
            "ask for one: en (English) or zh (Simplified Chinese). Default: en.",
        )
        group.add_argument(
            "--" + TRAIN_TAG_FLAG,
            metavar="REGEX",
            type=str,
            default=None,
            help="Regular expression (searched anywhere in the tag) naming the "
            "training-loss scalar tag when LossDoc cannot recognise it, e.g. "
            "'^objective/fit$'.",
        )
        group.add_argument(
            "--" + VAL_TAG_FLAG,
            metavar="REGEX",
            type=str,
            default=None,
            help="Regular expression (searched anywhere in the tag) naming the "
            "validation-loss scalar tag when LossDoc cannot recognise it, e.g. "
            "'^objective/holdout$'.",
        )

    def fix_flags(self, flags):
        settings = settings_from_flags(flags)
        setattr(flags, LANG_FLAG, settings.lang)

    def load(self, context):
        if context.data_provider is None:  # only very old TensorBoards lack one
            return None
        from .plugin import LossDocPlugin  # the engine (and NumPy) load only now

        return LossDocPlugin(context)
