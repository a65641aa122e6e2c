"""Screenshots of the Diagnosis tab in headless Chromium (development aid).

    python frontend/dev/shoot.py URL [OUTDIR]   # a Python with playwright

URL is the harness root (serve.py) or a real TensorBoard's; the tab's frame is
found by its URL. Writes list/detail screenshots in English and Chinese.
"""

import sys

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def launch(p):
    return p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)


def tab_frame(page):
    for frame in page.frames:
        if "plugin_entry.html" in frame.url:
            return frame
    raise RuntimeError("no plugin frame")


def main():
    url = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else "/tmp"
    run = sys.argv[3] if len(sys.argv) > 3 else "mnist/adam_lr1e-3"
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        errors = []
        page.on("console", lambda m: errors.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
        page.goto(url)
        page.wait_for_timeout(500)
        frame = tab_frame(page)
        frame.wait_for_selector("[data-testid=run-row], [data-testid=empty-state]", timeout=15000)
        for lang in ("en", "zh"):
            frame.click(f"[data-testid=lang-switch] button[data-lang={lang}]")
            page.screenshot(path=f"{out}/lossdoc_list_{lang}.png")
            frame.click(f'[data-testid=run-row][data-run="{run}"]')
            frame.wait_for_selector("[data-testid=chart]", timeout=10000)
            page.wait_for_timeout(300)
            svg = frame.locator("[data-testid=chart]").first
            box = svg.bounding_box()
            page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
            page.wait_for_timeout(100)
            page.screenshot(path=f"{out}/lossdoc_detail_{lang}.png")
            frame.locator(".detail-pane").evaluate("e => e.scrollTop = e.scrollHeight")
            page.mouse.move(5, 5)
            page.screenshot(path=f"{out}/lossdoc_findings_{lang}.png")
            frame.click("[data-testid=detail-panel] button.close")
        print("\n".join(errors) or "no console errors")
        browser.close()


if __name__ == "__main__":
    main()
