"""Untrusted text (run names, tags, file names, error messages) made safe to show.

Terminal output shows control, bidi and other invisible characters as escapes
(`\\x1b`, `\\u202e`) instead of executing them. JSON output escapes the same
characters as `\\uXXXX`, which decodes back to the original text.
"""

from __future__ import annotations

import json
from typing import Any


def printable(text: str) -> str:
    """The text with every character Python deems non-printable (C0, DEL, C1, bidi and
    other format characters, line separators, unassigned code points) shown as an escape."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def printable_document(value: Any) -> Any:
    """A copy of a JSON-like value with every string made `printable` (for the table)."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {printable_document(k): printable_document(v) for k, v in value.items()}
    if isinstance(value, list):
        return [printable_document(v) for v in value]
    return value


def _json_escape(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def dumps(document: Any, indent: int = 1) -> str:
    """JSON with readable non-ASCII text but every non-printable character as \\uXXXX.

    Such characters can only sit inside JSON strings, so escaping them in the
    serialised text keeps it valid and lossless.
    """
    text = json.dumps(document, ensure_ascii=False, indent=indent)
    if text.replace("\n", " ").isprintable():  # the usual case, checked at C speed
        return text
    lines = text.split("\n")
    return "\n".join(
        line if line.isprintable() else "".join(c if c.isprintable() else _json_escape(c) for c in line) for line in lines
    )
