"""The Diagnosis tab end to end: the real `tensorboard` command, headless chromium.

Each test starts `python -m tensorboard.main` on a free port (with the Python
loader and with the Rust data server), opens the tab the way a user does and
stops the server by its PID, checking that no child process outlives it.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import pytest

import tb_lossdoc
from browser import TensorBoard, chromium_missing_reason, launch_chromium

REPO = Path(__file__).resolve().parent.parent
DEMO_LOGS = REPO / "demo_logs"
SCREENSHOT = REPO / "docs" / "diagnosis-tab.png"
SCREENSHOT_LIST = REPO / "docs" / "diagnosis-list.png"
FRAME = 'iframe[src*="plugin_entry.html?name=lossdoc"]'
TIMEOUT_MS = 20000

_missing = chromium_missing_reason()
pytestmark = [pytest.mark.browser, pytest.mark.skipif(_missing is not None, reason=_missing or "")]


def _has_event_files(folder: Path) -> bool:
    return any("tfevents" in name for _, _, files in os.walk(folder) for name in files)


def _format_step(step):
    """As the tab shows a step (format.js formatStep)."""
    return "—" if step is None else "{:,}".format(int(step))


@pytest.fixture(scope="module")
def demo_expected():
    if not _has_event_files(DEMO_LOGS):
        pytest.skip("demo_logs/ has no event files yet (written by scripts/make_demo_logs.py)")
    return tb_lossdoc.diagnose(str(DEMO_LOGS))


def _overfitting_run(expected):
    """A run demo_logs/labels.json calls overfitting, as the command diagnoses it.

    Only series below TensorBoard's 1000-point reservoir, so the server (which
    samples) and the command (which reads everything) see the same points.
    """
    labels_path = DEMO_LOGS / "labels.json"
    if not labels_path.exists():
        pytest.skip("demo_logs/labels.json is missing")
    labels = json.loads(labels_path.read_text(encoding="utf-8"))["runs"]
    runs = {r["run"]: r for r in expected["runs"]}
    candidates = [
        runs[name]
        for name, label in sorted(labels.items())
        if "overfitting" in label.get("required", [])
        and name in runs
        and all(s["points"] < 1000 for s in runs[name]["series"].values())
    ]
    if not candidates:
        pytest.skip("no run labelled overfitting in demo_logs/ yet")
    candidates.sort(key=lambda r: (r["verdict"] != "overfitting", r["best_step"] is None, r["run"]))
    return candidates[0]


def _wait_until_loaded(tb: TensorBoard, names, timeout=60):
    """Poll `diagnoses` until the server has loaded every expected run (warms the cache too)."""
    import time

    deadline = time.monotonic() + timeout
    seen = set()
    while time.monotonic() < deadline:
        document = json.loads(tb.get("/data/plugin/lossdoc/diagnoses"))
        seen = {r["run"] for r in document["runs"]}
        if set(names) <= seen:
            return document
        time.sleep(0.5)
    raise AssertionError("tensorboard loaded only %s of %s" % (sorted(seen), sorted(names)))


def _watch(page):
    problems = []
    page.on("pageerror", lambda error: problems.append("pageerror: %s" % error))
    page.on(
        "console",
        lambda message: problems.append("console: " + message.text)
        if message.type == "error" and ("Content Security Policy" in message.text or "Refused" in message.text)
        else None,
    )
    return problems


@pytest.mark.parametrize("load_fast", ["false", "true"])
def test_diagnosis_tab_on_demo_logs(demo_expected, load_fast, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    target = _overfitting_run(demo_expected)
    names = [r["run"] for r in demo_expected["runs"]]
    with TensorBoard(DEMO_LOGS, load_fast=load_fast, log_path=str(tmp_path / "tensorboard.log")) as tb:
        if load_fast == "true":
            assert tb.children, "the Rust data server should run as tensorboard's child"
        _wait_until_loaded(tb, names)
        with sync_playwright() as playwright:
            context = launch_chromium(playwright, tmp_path / "profile")
            try:
                page = context.new_page()
                problems = _watch(page)
                page.goto(tb.url + "/#lossdoc")
                frame = page.frame_locator(FRAME)
                rows = frame.locator('[data-testid="run-row"]')
                expect(rows).to_have_count(len(names), timeout=TIMEOUT_MS)

                # The overfitting run shows the command's verdict and best step.
                row = frame.locator('[data-testid="run-row"][data-run="%s"]' % target["run"])
                expect(row).to_have_attribute("data-verdict", target["verdict"])
                expect(row.locator('[data-testid="badge"]')).to_have_attribute("data-code", target["verdict"])
                expect(row.locator('[data-testid="best-step"]')).to_have_text(_format_step(target["best_step"]))
                expect(row.locator('[data-testid="run-summary"]')).to_have_text(target["summary"]["en"])

                if load_fast == "false":  # the list alone: comparison columns and sparklines
                    expect(frame.locator('[data-testid="sparkline"]').first).to_be_attached()
                    SCREENSHOT_LIST.parent.mkdir(exist_ok=True)
                    page.screenshot(path=str(SCREENSHOT_LIST))

                # Open it: the detail panel names it and its chart draws lines.
                row.click()
                detail = frame.locator('[data-testid="detail-panel"]')
                expect(detail).to_be_visible()
                expect(detail.locator('[data-testid="detail-run"]')).to_have_text(target["run"])
                expect(detail.locator('[data-testid="detail-best-step"]')).to_have_text(_format_step(target["best_step"]))
                findings = detail.locator('[data-testid="finding"]')
                expect(findings).to_have_count(len(target["findings"]))
                lines = detail.locator('[data-testid="chart"] path.line')
                expect(lines.first).to_be_visible(timeout=TIMEOUT_MS)
                paths = [lines.nth(i).get_attribute("d") for i in range(lines.count())]
                assert all(re.match(r"^M[-\d.]+,[-\d.]+(\s*L[-\d.]+,[-\d.]+)+", d or "") for d in paths), paths
                if load_fast == "false":
                    SCREENSHOT.parent.mkdir(exist_ok=True)
                    page.screenshot(path=str(SCREENSHOT), full_page=True)

                # 中文: the same run's texts switch language.
                frame.locator('[data-testid="lang-switch"] button[data-lang="zh"]').click()
                expect(row.locator('[data-testid="run-summary"]')).to_have_text(target["summary"]["zh"])
                expect(findings.first).to_contain_text(target["findings"][0]["text"]["zh"]["title"])
                assert target["summary"]["zh"] != target["summary"]["en"]

                # A filter shrinks the list to the matching runs.
                pattern = "overfit"
                matching = [n for n in names if re.search(pattern, n, re.IGNORECASE)]
                assert 0 < len(matching) < len(names)
                frame.locator('[data-testid="filter-input"]').fill(pattern)
                expect(frame.locator('[data-testid="run-row"]:visible')).to_have_count(len(matching))
                for name in matching:
                    expect(frame.locator('[data-testid="run-row"][data-run="%s"]' % name)).to_be_visible()
                assert problems == []
            finally:
                context.close()
    assert tb.proc.returncode is not None
    assert tb.stray == [], "processes outlived tensorboard: %s" % tb.stray


HOSTILE_RUN = "<img src=x onerror=alert(1)>"
HOSTILE_SKIPPED = "\"'><svg onload=alert(3)>"
HOSTILE_TAG = "<img src=y onerror=alert(4)>"


def test_hostile_run_names_are_text(tmp_path):
    from playwright.sync_api import expect, sync_playwright
    from torch.utils.tensorboard import SummaryWriter

    logdir = tmp_path / "logs"
    writer = SummaryWriter(str(logdir / HOSTILE_RUN))
    for step in range(0, 600, 10):
        writer.add_scalar("train_loss", 2.0 * math.exp(-step / 150) + 0.2, step)
        writer.add_scalar("val_loss", 2.0 * math.exp(-step / 150) + 0.25, step)
    writer.close()
    writer = SummaryWriter(str(logdir / HOSTILE_SKIPPED))
    for step in range(5):
        writer.add_scalar(HOSTILE_TAG, 0.5, step)
    writer.close()

    with TensorBoard(logdir, load_fast="true", log_path=str(tmp_path / "tensorboard.log")) as tb:
        _wait_until_loaded(tb, [HOSTILE_RUN])
        with sync_playwright() as playwright:
            context = launch_chromium(playwright, tmp_path / "profile")
            try:
                page = context.new_page()
                dialogs = []

                def on_dialog(dialog):
                    dialogs.append(dialog.message)
                    dialog.dismiss()

                page.on("dialog", on_dialog)
                problems = _watch(page)
                page.goto(tb.url + "/#lossdoc")
                frame = page.frame_locator(FRAME)
                rows = frame.locator('[data-testid="run-row"]')
                expect(rows).to_have_count(1, timeout=TIMEOUT_MS)
                row = rows.first
                assert row.get_attribute("data-run") == HOSTILE_RUN
                expect(row.locator(".run-name")).to_have_text(HOSTILE_RUN)
                row.click()
                expect(frame.locator('[data-testid="detail-run"]')).to_have_text(HOSTILE_RUN)
                skipped = frame.locator('[data-testid="skipped"]')
                expect(skipped).to_contain_text(HOSTILE_SKIPPED)
                page.wait_for_timeout(1000)  # give an injected handler time to fire

                assert frame.locator("img, svg[onload], [onerror], [onload], script").count() == 0
                assert dialogs == []
                assert problems == []
            finally:
                context.close()
    assert tb.stray == []


# ---- the comparison view, the summary chips and the layout at 900 px ------------------------

SCREENSHOT_900 = REPO / "docs" / "diagnosis-tab-900.png"
GROUPS = ("critical", "warning", "info", "ok", "unjudged")


def _group(entry):
    """The summary chip a run counts under (as summary.js groups it)."""
    return "unjudged" if entry["verdict"] == "insufficient_data" else entry["severity"]


@pytest.fixture(scope="module")
def demo_server(demo_expected, tmp_path_factory):
    """One `tensorboard --logdir demo_logs` (Rust data server) for the tests below, and its list document."""
    names = [r["run"] for r in demo_expected["runs"]]
    log = tmp_path_factory.mktemp("tb") / "tensorboard.log"
    with TensorBoard(DEMO_LOGS, load_fast="true", log_path=str(log)) as tb:
        document = _wait_until_loaded(tb, names)
        yield tb, document
    assert tb.stray == []


def _visible_runs(frame):
    return frame.locator('[data-testid="run-row"]:visible').evaluate_all("rows => rows.map(r => r.dataset.run)")


def _open_tab(playwright, tb, profile, viewport, expected_rows):
    from playwright.sync_api import expect

    context = launch_chromium(playwright, profile, viewport=viewport)
    page = context.new_page()
    problems = _watch(page)
    page.goto(tb.url + "/#lossdoc")
    frame = page.frame_locator(FRAME)
    expect(frame.locator('[data-testid="run-row"]')).to_have_count(expected_rows, timeout=TIMEOUT_MS)
    return context, page, frame, problems


def test_summary_chips_count_and_filter_by_group(demo_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    tb, document = demo_server
    runs = document["runs"]
    with sync_playwright() as playwright:
        context, page, frame, problems = _open_tab(playwright, tb, tmp_path / "profile", (1400, 900), len(runs))
        try:
            for group in GROUPS:
                members = sorted(r["run"] for r in runs if _group(r) == group)
                expected = len(members) + (len(document["skipped"]) if group == "unjudged" else 0)
                chip = frame.locator('[data-testid="summary-chip"][data-group="%s"]' % group)
                expect(chip).to_have_attribute("data-count", str(expected))
                if not members:
                    continue
                chip.click()
                expect(chip).to_have_attribute("aria-pressed", "true")
                expect(frame.locator('[data-testid="run-row"]:visible')).to_have_count(len(members))
                assert sorted(_visible_runs(frame)) == members
                chip.click()  # again: every run
                expect(chip).to_have_attribute("aria-pressed", "false")
                expect(frame.locator('[data-testid="run-row"]:visible')).to_have_count(len(runs))
            # "fine" holds no plateau, overconfidence or insufficient data.
            fine = {r["verdict"] for r in runs if _group(r) == "ok"}
            assert not fine & {"plateau", "overconfidence", "insufficient_data"}, fine

            # A refresh of unchanged data asks If-None-Match and gets a 304: the list stays.
            statuses = []
            page.on("response", lambda r: statuses.append(r.status) if r.url.endswith("/lossdoc/diagnoses") else None)
            frame.locator('[data-testid="refresh"]').click()
            page.wait_for_timeout(1500)
            assert statuses == [304], statuses
            expect(frame.locator('[data-testid="run-row"]:visible')).to_have_count(len(runs))
            assert problems == []
        finally:
            context.close()


def test_sorting_by_best_validation_loss_follows_the_json(demo_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    tb, document = demo_server
    runs = document["runs"]
    best = {r["run"]: r["columns"]["best_val_loss"] for r in runs}
    assert any(v is not None for v in best.values()), "no run of demo_logs has a validation loss"
    with sync_playwright() as playwright:
        context, page, frame, problems = _open_tab(playwright, tb, tmp_path / "profile", (1400, 900), len(runs))
        try:
            header = frame.locator('[role="columnheader"][data-column="best_val_loss"]')
            for direction in ("ascending", "descending"):
                frame.locator('[data-testid="sort"][data-column="best_val_loss"]').click()
                expect(header).to_have_attribute("aria-sort", direction)
                order = _visible_runs(frame)
                assert sorted(order) == sorted(best)
                logged = [best[name] for name in order if best[name] is not None]
                assert logged == sorted(logged, reverse=direction == "descending"), (direction, order)
                # Runs without a validation loss come last either way.
                assert [best[name] for name in order[len(logged):]] == [None] * (len(order) - len(logged))
                # Each row shows the JSON's number.
                first = order[0]
                cell = frame.locator('[data-testid="run-row"][data-run="%s"] [data-testid="col-best_val_loss"]' % first)
                assert float(cell.text_content()) == pytest.approx(best[first], rel=1e-3)
            assert problems == []
        finally:
            context.close()


TEXT_LINES_JS = """(items) => items.map((item) => {
  // How many lines the item's text runs over: 1 when it did not break.
  const tops = [];
  const walker = document.createTreeWalker(item, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of range.getClientRects()) if (rect.width > 0) tops.push(rect.top);
  }
  tops.sort((a, b) => a - b);
  const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1] > 6).length;
  return {text: item.textContent, lines};
})"""


def test_layout_at_900px_with_a_run_open(demo_server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    tb, document = demo_server
    runs = document["runs"]
    # The longest name is the hardest to keep on one line.
    target = max(runs, key=lambda r: (len(r["run"]), r["run"]))
    with sync_playwright() as playwright:
        context, page, frame, problems = _open_tab(playwright, tb, tmp_path / "profile", (900, 900), len(runs))
        try:
            row = frame.locator('[data-testid="run-row"][data-run="%s"]' % target["run"])
            row.click()
            detail = frame.locator('[data-testid="detail-panel"]')
            expect(detail.locator('[data-testid="detail-run"]')).to_have_text(target["run"])
            expect(detail.locator('[data-testid="chart"] path.line').first).to_be_visible(timeout=TIMEOUT_MS)
            expect(detail.locator('[data-testid="finding"]')).to_have_count(len(target["findings"]))

            pane = frame.locator('[data-testid="list-pane"]').bounding_box()
            name = row.locator('[data-testid="run-name"]')
            badge = row.locator('[data-testid="badge"]')
            expect(name).to_have_attribute("title", target["run"])
            expect(badge).to_have_attribute("data-code", target["verdict"])
            for part in (name, badge):
                box = part.bounding_box()
                assert box and box["width"] > 20, part
                assert pane["x"] <= box["x"] and box["x"] + box["width"] <= pane["x"] + pane["width"] + 0.5, (box, pane)
                assert pane["y"] <= box["y"] and box["y"] + box["height"] <= pane["y"] + pane["height"], (box, pane)
            # The name is one line (elided, never wrapped); the verdict is whole.
            assert frame.locator('[data-testid="run-row"][data-run="%s"] [data-testid="run-name"]' % target["run"]).evaluate(
                "n => n.getBoundingClientRect().height <= 1.5 * parseFloat(getComputedStyle(n).lineHeight)"
            )
            assert badge.evaluate("b => b.scrollWidth <= b.clientWidth + 1"), "the verdict badge is cut"
            # The reason stays readable: a wide enough cell.
            reason = row.locator('[data-testid="run-summary"]').bounding_box()
            assert reason["width"] >= 200, reason

            # Legends break between items only.
            legends = detail.locator('[data-testid="legend-item"], [data-testid="series-item"], .range-legend .legend-item')
            assert legends.count() >= 2
            broken = [item for item in legends.evaluate_all(TEXT_LINES_JS) if item["lines"] != 1]
            assert broken == [], broken
            SCREENSHOT_900.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOT_900))

            # Tick two other runs: the loss chart overlays them, legends still whole.
            others = [r["run"] for r in runs if r["run"] != target["run"] and r["series"].get("train_loss")][:2]
            frame.locator('[data-testid="filter-input"]').fill("")
            for other in others:
                frame.locator('[data-testid="run-row"][data-run="%s"] [data-testid="compare-box"]' % other).check()
            for other in others:
                expect(detail.locator('[data-chart="loss"] path.line[data-run="%s"]' % other).first).to_be_attached(timeout=TIMEOUT_MS)
            broken = [item for item in legends.evaluate_all(TEXT_LINES_JS) if item["lines"] != 1]
            assert broken == [], broken
            expect(detail.locator('[data-testid="detail-run"]')).to_have_text(target["run"])
            assert problems == []
        finally:
            context.close()
