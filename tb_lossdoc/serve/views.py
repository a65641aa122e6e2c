"""The documented views the tab's routes serve of the full document: the run list, and one run.

Views only leave fields out; they never rename or compute one, so a client
reads the same field names as in the command's document.
"""

from __future__ import annotations

from typing import Optional

# The per-finding explanation and numbers, fetched with the run when it is opened.
DETAIL_FIELDS = frozenset(("detail", "actions", "evidence", "text"))


def list_view(document: dict) -> dict:
    """The document with each finding reduced to what a list row shows (no detail, actions, evidence, text)."""
    runs = [
        {**run, "findings": [{k: v for k, v in f.items() if k not in DETAIL_FIELDS} for f in run["findings"]]}
        for run in document["runs"]
    ]
    return {**document, "runs": runs}


def run_entry(document: dict, name: str) -> Optional[dict]:
    """The full entry of the diagnosed run `name`, or None."""
    return next((run for run in document["runs"] if run["run"] == name), None)
