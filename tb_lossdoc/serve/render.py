"""JSON bodies for the tab's routes: gzipped once, and a run's text reused while its entry is unchanged.

A live logdir changes a few runs at a time; re-encoding thousands of unchanged
entries on every change would cost more than diagnosing the changed ones.
"""

from __future__ import annotations

import gzip
import json
import threading
from typing import Dict, Tuple

from tensorboard.backend import json_util

GZIP_LEVEL = 3


def to_json(value) -> str:
    """Compact ASCII JSON (C0/C1 and bidi characters escaped); NaN/Inf cleaned as TensorBoard cleans them."""
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(json_util.Cleanse(value), separators=(",", ":"))


class Body:
    """A rendered JSON response, gzipped once and served many times."""

    def __init__(self, text: str):
        self.gzipped = gzip.compress(text.encode("ascii"), compresslevel=GZIP_LEVEL, mtime=0)


class DocumentRenderer:
    """Renders documents, re-encoding only the run entries that differ from the last rendering."""

    def __init__(self):
        self._lock = threading.Lock()
        # (lang, run name) → (entry, its JSON text)
        self._runs: Dict[Tuple[str, str], Tuple[dict, str]] = {}

    def document(self, document: dict) -> Body:
        """The body of `document` (any view of it)."""
        lang = document.get("lang", "")
        with self._lock:
            kept = {}
            texts = []
            for entry in document["runs"]:
                key = (lang, entry["run"])
                previous = self._runs.get(key)
                text = previous[1] if previous is not None and previous[0] == entry else to_json(entry)
                kept[key] = (entry, text)
                texts.append(text)
            self._runs = {k: v for k, v in self._runs.items() if k[0] != lang}
            self._runs.update(kept)
        runs = "[" + ",".join(texts) + "]"
        fields = (json.dumps(k) + ":" + (runs if k == "runs" else to_json(v)) for k, v in document.items())
        return Body("{" + ",".join(fields) + "}")

    @staticmethod
    def entry(entry: dict) -> Body:
        """The body of one run's entry."""
        return Body(to_json(entry))
