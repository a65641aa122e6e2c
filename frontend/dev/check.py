"""End-to-end checks of the Diagnosis tab against the dev harness (development aid).

    python frontend/dev/check.py [--perf-only]   # a Python with playwright

Starts serve.py on a free port (and stops it by its PID), drives headless
Chromium through the tab and asserts: hostile names stay text, summary chips
by verdict group and their filter, filters (regex, invalid regex, code),
column sorting, sparklines, file-note markers, low-confidence marks, the
`run` route's full findings, comparison of ticked runs, a 304 on an
unchanged refresh, the older plugin's document (no columns, no `run` route),
language switch remembered across reloads, detail panel charts and markers,
scalars link, refresh keeping state, error banner over the last good data,
empty state, and timings at 1,000 and 3,000 runs.
"""

import json
import math
import os
import subprocess
import sys
import time
import urllib.request

from shoot import launch, tab_frame
from playwright.sync_api import sync_playwright
import fixtures

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE, _ = fixtures.make_fixture()


def start_server(prefix=""):
    args = [sys.executable, os.path.join(HERE, "serve.py"), "--port", "0"]
    if prefix:
        args += ["--path-prefix", prefix]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    port = int(proc.stdout.readline().split()[1])
    return proc, f"http://127.0.0.1:{port}{prefix}"


def set_mode(base, mode, n=1000):
    urllib.request.urlopen(f"{base}/dev/mode?set={mode}&n={n}").read()


def open_tab(page, base):
    page.goto(base + "/")
    page.wait_for_timeout(200)
    frame = tab_frame(page)
    frame.wait_for_selector("[data-testid=run-row], [data-testid=empty-state]", timeout=15000)
    return frame


def open_tab_error(page, base):
    page.goto(base + "/")
    page.wait_for_timeout(200)
    frame = tab_frame(page)
    frame.wait_for_selector("[data-testid=error-banner]:not([hidden])", timeout=15000)
    return frame


def visible_runs(frame):
    return frame.eval_on_selector_all("[data-testid=run-row]:not([hidden])", "rows => rows.map(r => r.dataset.run)")


def check_functional(p, base):
    browser = launch(p)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    statuses = []
    page.on("response", lambda r: statuses.append((r.status, r.url.split("/lossdoc/")[-1])) if "/lossdoc/" in r.url else None)
    set_mode(base, "normal")
    frame = open_tab(page, base)
    check_units(frame)
    check_comparison_view(page, frame, statuses)

    # Sorting: most severe first, then name.
    runs = visible_runs(frame)
    sev = frame.eval_on_selector_all("[data-testid=run-row]", "rows => rows.map(r => r.dataset.severity)")
    rank = {"critical": 0, "warning": 1, "info": 2, "ok": 3}
    assert [rank[s] for s in sev] == sorted(rank[s] for s in sev), sev
    assert len(runs) == len(FIXTURE["runs"]), runs

    # Hostile names are text.
    hostile = "<img src=x onerror=alert(1)>"
    assert hostile in runs
    assert frame.locator("img").count() == 0, "an <img> was injected"
    assert frame.locator("script:not([type=module])").count() == 0
    summary = frame.text_content("[data-testid=summary-bar]")
    assert "needs action" in summary and "not judged" in summary, summary
    row = frame.locator(f'[data-testid=run-row][data-run="{hostile}"]')
    assert row.locator("[data-testid=badge]").text_content() == "not learning"
    assert frame.locator('[data-testid=run-row][data-run="quick_test"] [data-testid=best-step]').text_content() == "—"

    # Regex filter, invalid regex as plain text, code filter.
    frame.fill("[data-testid=filter-input]", "^MNIST/")
    assert sorted(visible_runs(frame)) == ["mnist/adam_lr1e-3", "mnist/sgd_lr1e-1"], visible_runs(frame)
    assert frame.is_hidden("[data-testid=filter-invalid]")
    frame.fill("[data-testid=filter-input]", "<img src=x")
    assert visible_runs(frame) == [hostile]
    frame.fill("[data-testid=filter-input]", "resnet50_long(")
    assert frame.is_visible("[data-testid=filter-invalid]")
    frame.fill("[data-testid=filter-input]", "_long(")
    assert visible_runs(frame) == [], visible_runs(frame)
    frame.fill("[data-testid=filter-input]", "")
    options = frame.eval_on_selector_all("[data-testid=code-select] option", "o => o.map(x => x.value)")
    assert "spike" in options and "converged" in options and "insufficient_data" in options, options
    frame.select_option("[data-testid=code-select]", "converged")
    assert sorted(visible_runs(frame)) == ["bert/finetune", "cifar10/resnet50_long"], visible_runs(frame)
    frame.select_option("[data-testid=code-select]", "")

    # Detail panel: charts, markers, findings, link.
    frame.click('[data-testid=run-row][data-run="mnist/sgd_lr1e-1"]')
    frame.wait_for_selector("[data-testid=chart][data-chart=loss]")
    assert frame.locator("[data-testid=chart] [data-mark=nan]").count() == 1
    assert frame.get_attribute("[data-testid=chart] [data-mark=nan]", "data-step") == "2400"
    assert frame.get_attribute("[data-testid=chart] [data-mark=best]", "data-step") == "1200"
    assert frame.locator("[data-testid=finding]").count() == 2
    href = frame.get_attribute("[data-testid=scalars-link]", "href")
    assert frame.get_attribute("[data-testid=scalars-link]", "target") == "_top"
    assert href == base + "/?runFilter=%5Emnist%2Fsgd_lr1e-1%24#timeseries", href
    frame.click('[data-testid=run-row][data-run="bert/finetune"]')
    frame.wait_for_selector("[data-testid=chart] [data-mark=spike]")
    assert frame.eval_on_selector_all("[data-testid=chart] [data-mark=spike]", "s => s.map(x => x.dataset.step)") == ["1200", "3400"]
    frame.click('[data-testid=run-row][data-run="keras/mnist_cnn"]')
    frame.wait_for_selector("[data-testid=chart][data-chart=acc]")
    assert frame.locator("[data-testid=chart][data-chart=lr]").count() == 1
    href = frame.get_attribute("[data-testid=scalars-link]", "href")
    assert "runFilter=%5E(%3F%3Akeras%2Fmnist_cnn%2Ftrain%7Ckeras%2Fmnist_cnn%2Fvalidation)%24" in href, href
    frame.click(f'[data-testid=run-row][data-run="{hostile}"]')
    frame.wait_for_selector("[data-testid=chart]")
    assert frame.text_content("[data-testid=detail-run]") == hostile
    assert frame.locator("img").count() == 0
    frame.click('[data-testid=run-row][data-run="cifar10/resnet50_long"]')
    frame.wait_for_selector("[data-testid=sampled-note]")
    assert "--samples_per_plugin=scalars=0" in frame.text_content("[data-testid=sampled-note]")
    # Tooltip on hover.
    box = frame.locator("[data-testid=chart][data-chart=loss]").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert frame.is_visible(".chart-tooltip") and "Step" in frame.text_content(".chart-tooltip")

    # Refresh keeps the open run, filter text, code filter and scroll position.
    frame.fill("[data-testid=filter-input]", "c")
    frame.select_option("[data-testid=code-select]", "converged")
    frame.click("[data-testid=refresh]")
    page.wait_for_timeout(500)
    assert frame.input_value("[data-testid=filter-input]") == "c"
    assert frame.input_value("[data-testid=code-select]") == "converged"
    assert frame.text_content("[data-testid=detail-run]") == "cifar10/resnet50_long"
    frame.fill("[data-testid=filter-input]", "")
    frame.select_option("[data-testid=code-select]", "")

    # Language switch, remembered across reloads.
    frame.click("[data-testid=lang-switch] button[data-lang=zh]")
    assert frame.locator(f'[data-testid=run-row][data-run="{hostile}"] [data-testid=badge]').text_content() == "没有学习"
    assert "诊断发现" in frame.text_content("[data-testid=findings]")
    frame = open_tab(page, base)
    assert frame.get_attribute("[data-testid=lang-switch] button[data-lang=zh]", "aria-pressed") == "true"
    frame.click("[data-testid=lang-switch] button[data-lang=en]")

    # Error banner keeps the last good data.
    frame.click('[data-testid=run-row][data-run="bert/finetune"]')
    frame.wait_for_selector("[data-testid=chart]")
    set_mode(base, "error")
    frame.click("[data-testid=refresh]")
    frame.wait_for_selector("[data-testid=error-banner]:not([hidden])")
    assert "HTTP 500" in frame.text_content("[data-testid=error-banner]")
    assert len(visible_runs(frame)) == len(FIXTURE["runs"])
    assert frame.locator("[data-testid=chart]").count() >= 1
    set_mode(base, "normal")
    frame.click("[data-testid=refresh]")
    frame.wait_for_selector("[data-testid=error-banner][hidden]", state="attached")

    # Empty state lists the skipped runs with their tags.
    set_mode(base, "empty")
    frame.click("[data-testid=refresh]")
    frame.wait_for_selector("[data-testid=empty-state]")
    text = frame.text_content("[data-testid=empty-state]")
    assert "gan/discriminator" in text and "d_fake" in text, text
    assert frame.is_hidden("[data-testid=detail-panel]")
    set_mode(base, "normal")

    # Server default language applies when the user has not chosen one.
    page.evaluate("() => {}")
    frame.evaluate("() => localStorage.removeItem('lossdoc.lang')")
    set_mode(base, "zh")
    frame = open_tab(page, base)
    assert frame.get_attribute("[data-testid=lang-switch] button[data-lang=zh]", "aria-pressed") == "true"
    set_mode(base, "normal")

    # It refreshes itself every 30 s.
    clock_page = context.new_page()
    requests = []
    clock_page.on("request", lambda r: requests.append(r.url) if r.url.endswith("/diagnoses") else None)
    clock_page.clock.install()
    open_tab(clock_page, base)
    clock_page.wait_for_timeout(300)
    loaded = len(requests)
    clock_page.clock.run_for(31000)
    clock_page.wait_for_timeout(500)
    assert len(requests) == loaded + 1, (loaded, requests)
    clock_page.close()

    # The first load failing: a banner, no rows, no endless "Loading".
    set_mode(base, "error")
    frame = open_tab_error(page, base)
    assert "HTTP 500" in frame.text_content("[data-testid=error-banner]")
    assert frame.is_hidden("[data-testid=loading]")
    set_mode(base, "normal")

    assert not dialogs, dialogs
    errors = [e for e in errors if "500" not in e]  # the error-banner step's own 500
    assert not errors, errors
    browser.close()
    print("functional checks passed")


UNIT_JS = """async () => {
  const base = new URL('./', document.baseURI);
  const chart = await import(new URL('chart.js', base));
  const api = await import(new URL('api.js', base));
  const list = await import(new URL('runlist.js', base));
  const fmt = await import(new URL('format.js', base));
  const detail = await import(new URL('detail.js', base));
  const names = await import(new URL('names.js', base));
  const pts = (values) => values.map((v, i) => [i, v]);
  const decay = Array.from({length: 100}, (_, i) => 0.1 + 2.2 * Math.exp(-i / 10));
  const blowup = decay.map((v, i) => (i > 80 ? 1e30 : v));
  return {
    decayRange: chart.valueRange([{points: pts(decay)}], false),
    blowupRange: chart.valueRange([{points: pts(blowup)}], false),
    blowupFull: chart.valueRange([{points: pts(blowup)}], true),
    nullsOnly: chart.valueRange([{points: pts([null, null])}], false),
    ticks: chart.niceTicks(0, 1000, 5).ticks,
    pattern1: api.runFilterPattern({run: 'a.b(c)', series: {}}),
    pattern2: api.runFilterPattern({run: 'k', series: {t: {run: 'k/train'}, v: {run: 'k/validation'}, a: {run: 'k/train'}}}),
    regex: list.nameMatcher('^ab').test('ABC'),
    invalid: [list.nameMatcher('a(').valid, list.nameMatcher('a(').test('xa(y')],
    steps: [fmt.formatStep(1234567), fmt.formatStep(null), fmt.formatStepTick(15000), fmt.formatValue(0.000012345)],
    spikes: [detail.spikeSteps({evidence: {steps: '3, 5;7'}}), detail.spikeSteps({first_step: 9, evidence: {}})],
    tails: Object.fromEntries(names.distinctTails(['a/runs/Nov21_x', 'b/runs/Nov21_x', 'c/d/seed1', 'c/d/seed2', 'e/runs/Nov22_y', 'plain_name_7', 'single'])),
    nan: detail.firstBadPoint([{code: 'non_finite', first_step: null, evidence: {first_bad_step: 40, first_bad_value: 'nan'}}, {code: 'non_finite', first_step: 30, evidence: {first_bad_value: 'inf'}}]),
  };
}"""


def _group(entry):
    return "unjudged" if entry["verdict"] == "insufficient_data" else entry["severity"]


def _sort_key(value):
    return (value is None, value if value is not None else 0)


def check_comparison_view(page, frame, statuses):
    """Summary chips, sorting, sparklines, notes, confidence, run route, compare, 304."""
    runs = FIXTURE["runs"]
    # Chips count by group; skipped runs are not judged.
    for group in ("critical", "warning", "info", "ok", "unjudged"):
        expected = sum(_group(r) == group for r in runs) + (len(FIXTURE["skipped"]) if group == "unjudged" else 0)
        chip = frame.locator(f'[data-testid=summary-chip][data-group="{group}"]')
        assert chip.get_attribute("data-count") == str(expected), (group, chip.get_attribute("data-count"), expected)
    assert "plateau" in frame.get_attribute('[data-testid=summary-chip][data-group="info"]', "title")
    frame.click('[data-testid=summary-chip][data-group="info"]')
    assert sorted(visible_runs(frame)) == sorted(r["run"] for r in runs if _group(r) == "info"), visible_runs(frame)
    assert frame.get_attribute('[data-testid=summary-chip][data-group="info"]', "aria-pressed") == "true"
    frame.click('[data-testid=summary-chip][data-group="unjudged"]')
    assert visible_runs(frame) == [r["run"] for r in runs if _group(r) == "unjudged"], visible_runs(frame)
    assert frame.locator("[data-testid=skipped][open]").count() == 1
    frame.click('[data-testid=summary-chip][data-group="unjudged"]')
    assert len(visible_runs(frame)) == len(runs)

    # Every numeric column sorts, missing values last; aria-sort follows.
    for key, first in (("best_val_loss", "ascending"), ("best_val_acc", "descending"), ("steps", "descending")):
        frame.click(f'[data-testid=sort][data-column="{key}"]')
        order = visible_runs(frame)
        values = {r["run"]: r["columns"][key] for r in runs}
        ranked = sorted((r for r in runs if values[r["run"]] is not None), key=lambda r: values[r["run"]], reverse=first == "descending")
        shown = [name for name in order if values[name] is not None]
        assert [values[n] for n in shown] == [values[r["run"]] for r in ranked], (key, order)
        assert all(values[n] is None for n in order[len(shown):]), order
        header = frame.locator(f'[role=columnheader][data-column="{key}"]')
        assert header.get_attribute("aria-sort") == first
    # The sort select follows the headers and sorts too (a narrow list hides numeric headers).
    assert frame.input_value("[data-testid=sort-select]") == "steps"
    frame.select_option("[data-testid=sort-select]", "best_val_loss")
    assert frame.get_attribute('[role=columnheader][data-column="best_val_loss"]', "aria-sort") == "ascending"
    assert frame.get_attribute('[role=columnheader][data-column="steps"]', "aria-sort") == "none"
    # Names and reasons sort too; a second click reverses the order.
    for key in ("run", "summary"):
        frame.click(f'[data-testid=sort][data-column="{key}"]')
        once = visible_runs(frame)
        frame.click(f'[data-testid=sort][data-column="{key}"]')
        assert visible_runs(frame) == once[::-1], (key, once)
        assert frame.get_attribute(f'[role=columnheader][data-column="{key}"]', "aria-sort") == "descending"
    frame.click('[data-testid=sort][data-column="verdict"]')
    assert frame.get_attribute('[role=columnheader][data-column="verdict"]', "aria-sort") == "ascending"
    assert frame.get_attribute('[role=columnheader][data-column="run"]', "aria-sort") == "none"

    # Sparklines: a path per logged curve.
    for entry in runs:
        row = f'[data-testid=run-row][data-run="{entry["run"]}"]'
        drawn = frame.eval_on_selector_all(f"{row} [data-testid=sparkline] path", "p => p.map(x => x.dataset.series)")
        assert drawn == [k for k in ("train_loss", "val_loss") if entry["sparkline"].get(k)], (entry["run"], drawn)
        # Notes marker and low confidence mark, from the document.
        assert frame.is_visible(f"{row} [data-testid=notes-marker]") == bool(entry["notes"]), entry["run"]
        verdict = next((f for f in entry["findings"] if f["code"] == entry["verdict"]), None)
        unsure = verdict is not None and verdict["confidence"] < 0.5
        assert frame.is_visible(f"{row} [data-testid=low-confidence]") == unsure, entry["run"]
    noted = next(r for r in runs if r["notes"] and r["run"].startswith("sweeps/"))
    assert frame.get_attribute(f'[data-testid=run-row][data-run="{noted["run"]}"] .run-name', "title") == noted["run"]

    # Opening a run fetches its full entry: the list view has no finding detail.
    frame.click(f'[data-testid=run-row][data-run="{noted["run"]}"]')
    frame.wait_for_selector("[data-testid=finding] .finding-detail")
    assert ("200", "run") in {(str(s), u.split("?")[0]) for s, u in statuses}, statuses
    assert noted["notes"][0] in frame.text_content("[data-testid=run-notes]")
    assert frame.is_visible("[data-testid=verdict-damaged]")
    frame.click('[data-testid=run-row][data-run="mnist/adam_lr1e-3"]')
    frame.wait_for_selector('[data-testid=finding][data-code="oscillation"] [data-testid=low-confidence]')
    assert frame.locator('[data-testid=finding][data-code="overfitting"] [data-testid=low-confidence]').count() == 0
    assert frame.locator("[data-testid=verdict-damaged]").count() == 0
    assert frame.locator("[data-testid=forecast]").count() == 0
    frame.click('[data-testid=run-row][data-run="cifar10/resnet18"]')
    frame.wait_for_selector("[data-testid=forecast]")
    assert "0.52" in frame.text_content("[data-testid=forecast]")
    frame.click('[data-testid=run-row][data-run="mnist/adam_lr1e-3"]')
    frame.wait_for_selector('[data-testid=detail-panel][data-run="mnist/adam_lr1e-3"]')

    # Ticked runs overlay the open run's loss chart; then alone in the comparison.
    for name in ("bert/finetune", "cifar10/resnet18"):
        frame.click(f'[data-testid=run-row][data-run="{name}"] [data-testid=compare-box]')
    frame.wait_for_selector('[data-chart=loss] path.line[data-run="cifar10/resnet18"]')
    frame.wait_for_selector('[data-chart=loss] path.line[data-run="bert/finetune"]')
    assert frame.text_content("[data-testid=detail-run]") == "mnist/adam_lr1e-3"  # ticking does not open
    dashed = frame.eval_on_selector_all('[data-chart=loss] path.line[data-run="bert/finetune"]', "p => p.map(x => x.getAttribute('stroke-dasharray'))")
    assert dashed == [None, "5 3"], dashed
    frame.click("[data-testid=detail-panel] button.close")
    frame.wait_for_selector("[data-testid=comparison] [data-chart=compare]")
    assert frame.locator("[data-testid=compare-table] tbody tr").count() == 2
    for entry in runs[:6]:
        box = frame.locator(f'[data-testid=run-row][data-run="{entry["run"]}"] [data-testid=compare-box]')
        if not box.is_checked() and not box.is_disabled():
            box.check()
    ticked = frame.eval_on_selector_all("[data-testid=compare-box]:checked", "b => b.length")
    disabled = frame.eval_on_selector_all("[data-testid=compare-box]:disabled", "b => b.length")
    assert ticked == 6 and disabled == len(runs) - 6, (ticked, disabled)
    frame.click("[data-testid=compare-clear]")
    assert frame.is_hidden("[data-testid=detail-panel]")
    assert frame.eval_on_selector_all("[data-testid=compare-box]:checked", "b => b.length") == 0

    # An unchanged document is a 304 and keeps the list as it is.
    statuses.clear()
    frame.click("[data-testid=refresh]")
    page.wait_for_timeout(400)
    assert (304, "diagnoses") in statuses, statuses
    assert len(visible_runs(frame)) == len(runs)
    print("comparison view checks passed")


def check_legacy(p, base):
    """The older plugin: full findings in the list, no columns, no `run` route."""
    browser = launch(p)
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    set_mode(base, "legacy")
    frame = open_tab(page, base)
    assert frame.locator("[data-testid=sparkline]").count() == 0
    assert frame.locator("[data-testid=notes-marker]:visible").count() == 0
    assert set(frame.eval_on_selector_all("[data-testid=col-best_val_loss]", "c => c.map(x => x.textContent)")) == {"—"}
    frame.click('[data-testid=sort][data-column="best_val_loss"]')
    assert len(visible_runs(frame)) == len(FIXTURE["runs"])
    frame.click('[data-testid=run-row][data-run="mnist/adam_lr1e-3"]')
    frame.wait_for_selector("[data-testid=finding] .finding-detail")
    assert frame.locator("[data-testid=run-error]").count() == 0
    set_mode(base, "normal")
    assert not errors, errors
    browser.close()
    print("legacy document checks passed")


def check_units(frame):
    r = frame.evaluate(UNIT_JS)
    assert not r["decayRange"]["clipped"] and r["decayRange"]["domain"][1] > 2.3, r["decayRange"]
    assert r["blowupRange"]["clipped"] and r["blowupRange"]["domain"][1] < 10, r["blowupRange"]
    assert r["blowupFull"]["domain"][1] > 1e29, r["blowupFull"]
    assert r["nullsOnly"]["domain"] == [0, 1]
    assert r["ticks"] == [0, 200, 400, 600, 800, 1000], r["ticks"]
    assert r["pattern1"] == "^a\\.b\\(c\\)(?:/|$)", r["pattern1"]
    assert r["pattern2"] == "^(?:k/train|k/validation)$", r["pattern2"]
    assert r["regex"] is True and r["invalid"] == [False, True]
    assert r["steps"] == ["1,234,567", "—", "15k", "1.234e-5"], r["steps"]
    assert r["spikes"] == [[3, 5, 7], [9]], r["spikes"]
    assert r["nan"] == {"step": 30, "value": "inf"}, r["nan"]
    # Kept ends: the fewest last segments no other run ends with; none when only the start differs.
    assert r["tails"] == {"a/runs/Nov21_x": 0, "b/runs/Nov21_x": 0, "c/d/seed1": 4, "c/d/seed2": 4, "e/runs/Nov22_y": 7, "plain_name_7": 11, "single": 0}, r["tails"]
    print("unit checks passed")


PERF_JS = """async (text) => {
  const input = document.querySelector('[data-testid=filter-input]');
  const t0 = performance.now();
  input.value = text;
  input.dispatchEvent(new Event('input'));
  const t1 = performance.now();
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return {handler: t1 - t0, frame: performance.now() - t0};
}"""


SORT_JS = """async (column) => {
  const t0 = performance.now();
  document.querySelector(`[data-testid=sort][data-column="${column}"]`).click();
  const t1 = performance.now();
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return {handler: t1 - t0, frame: performance.now() - t0};
}"""


def check_perf(p, base, n=1000):
    set_mode(base, "big", n)
    # The harness builds the document on first request: build it now so the timings are the tab's.
    size = len(urllib.request.urlopen(f"{base}/data/plugin/lossdoc/diagnoses").read())
    browser = launch(p)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    t0 = time.time()
    frame = open_tab(page, base)
    first_rows = time.time() - t0
    build = frame.evaluate("() => performance.getEntriesByName('lossdoc:update-list').map(e => e.duration)")
    rows = frame.locator("[data-testid=run-row]").count()
    assert rows == n, rows
    timings = [frame.evaluate(PERF_JS, text) for text in ["s", "se", "seed", "seed1", "seed12", "lr1e-2.*seed1", "(((", ""]]
    sorts = [frame.evaluate(SORT_JS, column) for column in ["best_val_loss", "best_val_loss", "run", "summary", "verdict"]]
    t = time.time()
    frame.click("[data-testid=lang-switch] button[data-lang=zh]")
    frame.wait_for_selector("[data-testid=lang-switch] button[data-lang=zh][aria-pressed=true]")
    lang_ms = (time.time() - t) * 1000
    lang_js = frame.evaluate("() => performance.getEntriesByName('lossdoc:set-lang').map(e => e.duration)")
    frame.click("[data-testid=lang-switch] button[data-lang=en]")
    frame.evaluate("() => performance.clearMeasures()")
    frame.click("[data-testid=refresh]")
    page.wait_for_timeout(1500)
    refresh = frame.evaluate("() => performance.getEntriesByName('lossdoc:refresh').map(e => e.duration)")
    t = time.time()
    frame.locator("[data-testid=run-row]").nth(500).click()
    frame.wait_for_selector("[data-testid=chart]")
    open_ms = (time.time() - t) * 1000

    # A refresh keeps the list's and the detail's scroll positions.
    frame.wait_for_selector("[data-testid=finding] .finding-detail")  # the run route's full entry
    frame.evaluate("() => { document.querySelector('.list-pane').scrollTop = 9000; document.querySelector('.detail-pane').scrollTop = 200; }")
    page.wait_for_timeout(500)  # rows scrolled into view lay out (content-visibility) and may move the anchor
    before = frame.evaluate("() => [document.querySelector('.list-pane').scrollTop, document.querySelector('.detail-pane').scrollTop]")
    frame.click("[data-testid=refresh]")
    page.wait_for_timeout(1000)
    after = frame.evaluate("() => [document.querySelector('.list-pane').scrollTop, document.querySelector('.detail-pane').scrollTop]")
    assert before == after and before[0] > 8000, (before, after)
    page.keyboard.press("Escape")
    assert frame.is_hidden("[data-testid=detail-panel]")
    set_mode(base, "normal")
    browser.close()
    result = {
        "runs": n,
        "diagnoses_bytes": size,
        "page_load_to_rows_s": round(first_rows, 3),
        "first_list_build_ms": [round(x, 1) for x in build],
        "refresh_304_total_ms": [round(x, 1) for x in refresh],
        "filter_handler_ms": [round(x["handler"], 1) for x in timings],
        "filter_to_next_frame_ms": [round(x["frame"], 1) for x in timings],
        "sort_handler_ms": [round(x["handler"], 1) for x in sorts],
        "sort_to_next_frame_ms": [round(x["frame"], 1) for x in sorts],
        "language_switch_click_to_done_ms": round(lang_ms, 1),
        "language_switch_js_ms": [round(x, 1) for x in lang_js],
        "open_run_detail_ms": round(open_ms, 1),
    }
    print(json.dumps(result, indent=1))
    return result


def main():
    proc, base = start_server()
    try:
        with sync_playwright() as p:
            if "--perf-only" not in sys.argv:
                check_functional(p, base)
                check_legacy(p, base)
            check_perf(p, base, 1000)
            check_perf(p, base, 3000)
    finally:
        proc.terminate()
        proc.wait()
    proc, base = start_server("/prefix/x")
    try:
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            frame = open_tab(page, base)
            frame.click('[data-testid=run-row][data-run="bert/finetune"]')
            frame.wait_for_selector("[data-testid=chart]")
            href = frame.get_attribute("[data-testid=scalars-link]", "href")
            assert href.startswith(base + "/?runFilter="), href
            browser.close()
            print("path prefix check passed")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
