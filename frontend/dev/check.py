"""End-to-end checks of the Diagnosis tab against the dev harness (development aid).

    /work/venv/bin/python frontend/dev/check.py [--perf-only]

Starts serve.py on a free port (and stops it by its PID), drives headless
Chromium through the tab and asserts: hostile names stay text, filters
(regex, invalid regex, code), language switch remembered across reloads,
detail panel charts and markers, scalars link, refresh keeping state, error
banner over the last good data, empty state, and 1,000-run timings.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request

from shoot import launch, tab_frame
from playwright.sync_api import sync_playwright

HERE = os.path.dirname(os.path.abspath(__file__))


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
    set_mode(base, "normal")
    frame = open_tab(page, base)
    check_units(frame)

    # Sorting: most severe first, then name.
    runs = visible_runs(frame)
    sev = frame.eval_on_selector_all("[data-testid=run-row]", "rows => rows.map(r => r.dataset.severity)")
    rank = {"critical": 0, "warning": 1, "info": 2, "ok": 3}
    assert [rank[s] for s in sev] == sorted(rank[s] for s in sev), sev
    assert len(runs) == 10, runs

    # Hostile names are text.
    hostile = "<img src=x onerror=alert(1)>"
    assert hostile in runs
    assert frame.locator("img").count() == 0, "an <img> was injected"
    assert frame.locator("script:not([type=module])").count() == 0
    summary = frame.text_content("[data-testid=summary-bar]")
    assert "2" in summary and "critical" in summary, summary
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
    assert len(visible_runs(frame)) == 10
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
    nan: detail.firstNanStep([{code: 'non_finite', first_step: null, evidence: {first_bad_step: 40}}, {code: 'non_finite', first_step: 30}]),
  };
}"""


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
    assert r["nan"] == 30, r["nan"]
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


def check_perf(p, base, n=1000):
    set_mode(base, "big", n)
    browser = launch(p)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    t0 = time.time()
    frame = open_tab(page, base)
    first_rows = time.time() - t0
    build = frame.evaluate("() => performance.getEntriesByName('lossdoc:update-list').map(e => e.duration)")
    rows = frame.locator("[data-testid=run-row]").count()
    assert rows == n, rows
    timings = [frame.evaluate(PERF_JS, text) for text in ["s", "se", "seed", "seed1", "seed12", "lr1e-2.*seed1", "(((", ""]]
    t = time.time()
    frame.click("[data-testid=lang-switch] button[data-lang=zh]")
    frame.wait_for_selector("[data-testid=lang-switch] button[data-lang=zh][aria-pressed=true]")
    lang_ms = (time.time() - t) * 1000
    lang_js = frame.evaluate("() => performance.getEntriesByName('lossdoc:set-lang').map(e => e.duration)")
    frame.click("[data-testid=lang-switch] button[data-lang=en]")
    frame.evaluate("() => performance.clearMeasures()")
    frame.click("[data-testid=refresh]")
    page.wait_for_timeout(1500)
    refresh = frame.evaluate("() => performance.getEntriesByName('lossdoc:update-list').map(e => e.duration)")
    t = time.time()
    frame.locator("[data-testid=run-row]").nth(500).click()
    frame.wait_for_selector("[data-testid=chart]")
    open_ms = (time.time() - t) * 1000

    # A refresh keeps the list's and the detail's scroll positions.
    frame.evaluate("() => { document.querySelector('.list-pane').scrollTop = 9000; document.querySelector('.detail-pane').scrollTop = 200; }")
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
        "page_load_to_rows_s": round(first_rows, 3),
        "first_list_build_ms": [round(x, 1) for x in build],
        "refresh_list_update_ms": [round(x, 1) for x in refresh],
        "filter_handler_ms": [round(x["handler"], 1) for x in timings],
        "filter_to_next_frame_ms": [round(x["frame"], 1) for x in timings],
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
            check_perf(p, base)
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
