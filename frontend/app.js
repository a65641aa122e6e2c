// app.js — the Diagnosis tab as a whole: lays out the toolbar, summary bar,
// run list and detail panel, loads the diagnoses every 30 s (or on demand;
// an unchanged document costs a 304), and keeps the open run, the runs ticked
// for comparison, the filters, the sort, the language and the scroll position
// across refreshes. A failed refresh shows a banner over the last good data.

import { el, replaceChildren, setText } from "./dom.js";
import { CODE_ORDER, LANGS, LANG_NAMES, chooseLang, codeLabel, storeLang, storedLang, t } from "./i18n.js";
import { formatTime } from "./format.js";
import { fetchDiagnoses } from "./api.js";
import { SummaryBar } from "./summary.js";
import { MAX_COMPARED, RunList, nameMatcher } from "./runlist.js";
import { DetailPanel } from "./detail.js";
import { emptyState, skippedSection } from "./skipped.js";

export const REFRESH_MS = 30000;

export class App {
  constructor(root) {
    this.root = root;
    this.doc = null; // last good diagnoses document
    this.etag = null; // its ETag, for If-None-Match
    this.loadedAt = null;
    this.error = null;
    this.lang = chooseLang(null);
    this.selected = null;
    this.codeFilter = "";
    this.groupFilter = ""; // a summary chip's group
    this.compared = []; // runs ticked for comparison, in order
    this.loading = false;
    this.timer = null;
    this.codeSignature = "";

    this.summary = new SummaryBar({ onFilter: (group) => this.setGroupFilter(group) });
    this.list = new RunList({ onOpen: (run) => this.open(run), onCompare: (run, checked) => this.setCompared(run, checked) });
    this.detail = new DetailPanel({
      onClose: () => this.closeDetail(),
      onOpen: (run) => this.open(run),
      onClearCompare: () => this.clearCompared(),
    });
    this.buildShell();
  }

  buildShell() {
    this.title = el("h1", { class: "title" });
    this.updated = el("span", { class: "updated", testid: "updated" });
    this.refreshButton = el("button", { type: "button", class: "button refresh", testid: "refresh" });
    this.refreshButton.addEventListener("click", () => this.refresh());
    this.langButtons = LANGS.map((lang) => {
      const button = el("button", { type: "button", "data-lang": lang, lang: lang === "zh" ? "zh-CN" : "en", text: LANG_NAMES[lang] });
      button.addEventListener("click", () => this.setLang(lang, true));
      return button;
    });
    this.langSwitch = el("div", { class: "lang-switch", role: "group", testid: "lang-switch" }, this.langButtons);

    this.filterInput = el("input", { type: "search", class: "filter-input", testid: "filter-input", spellcheck: "false", autocomplete: "off" });
    this.filterInput.addEventListener("input", () => this.applyFilter());
    this.filterHint = el("span", { class: "filter-hint", testid: "filter-invalid", hidden: true });
    this.codeSelect = el("select", { class: "code-select", testid: "code-select" });
    this.codeSelect.addEventListener("change", () => {
      this.codeFilter = this.codeSelect.value;
      this.applyFilter();
    });
    this.count = el("span", { class: "count", testid: "run-count" });
    this.compareCount = el("span", { class: "compare-count" });
    this.compareClear = el("button", { type: "button", class: "link-button", testid: "compare-clear" });
    this.compareClear.addEventListener("click", () => this.clearCompared());
    this.compareBar = el("span", { class: "compare-bar", testid: "compare-bar", hidden: true }, this.compareCount, this.compareClear);

    this.banner = el("div", { class: "error-banner", testid: "error-banner", role: "alert", hidden: true });
    this.loadingNote = el("div", { class: "placeholder", testid: "loading" });
    this.noMatch = el("div", { class: "placeholder", testid: "no-match", hidden: true });
    this.skippedBox = el("div", { class: "skipped-box" });
    this.emptyBox = el("div", { class: "empty-box" });
    this.listPane = el("div", { class: "list-pane", testid: "list-pane" }, this.loadingNote, this.emptyBox, this.list.element, this.noMatch, this.skippedBox);
    this.list.element.hidden = true;

    document.addEventListener("keydown", (event) => {
      const typing = event.target.closest && event.target.closest("input, select, textarea");
      if (event.key === "Escape" && !typing) {
        if (this.selected) this.closeDetail();
        else if (this.compared.length) this.clearCompared();
      }
    });

    this.root.classList.add("lossdoc");
    replaceChildren(
      this.root,
      el(
        "div",
        { class: "app" },
        el("header", { class: "topbar" }, this.title, this.summary.element, el("span", { class: "spacer" }), this.updated, this.refreshButton, this.langSwitch),
        el("div", { class: "toolbar" }, this.filterInput, this.codeSelect, this.list.sortSelect, this.count, this.filterHint, this.compareBar),
        this.banner,
        el("main", { class: "layout" }, this.listPane, this.detail.element),
      ),
    );
    this.detail.element.hidden = true;
    this.renderChrome();
  }

  start() {
    this.refresh();
  }

  /** Loads the diagnoses (a 304 keeps the current ones); on failure keeps the last good document. */
  async refresh() {
    if (this.loading) return;
    this.loading = true;
    clearTimeout(this.timer);
    this.refreshButton.disabled = true;
    performance.mark("lossdoc:refresh-start");
    let changed = false;
    try {
      const answer = await fetchDiagnoses(this.doc ? this.etag : null);
      if (!answer.notModified) {
        if (!this.doc && !storedLang()) this.lang = chooseLang(answer.doc.lang);
        this.doc = answer.doc;
        this.etag = answer.etag;
        changed = true;
      }
      this.loadedAt = new Date();
      this.error = null;
    } catch (err) {
      this.error = err;
    } finally {
      this.loading = false;
      this.refreshButton.disabled = false;
      this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
    }
    if (changed) this.renderData();
    else this.renderUnchanged();
    performance.measure("lossdoc:refresh", "lossdoc:refresh-start");
  }

  /** After a 304 or a failure: the same data, but the open run and the compared curves may have moved. */
  renderUnchanged() {
    this.renderBanner();
    this.renderChrome();
    const entry = this.doc && this.selected && this.doc.runs.find((r) => r.run === this.selected);
    if (entry && !this.error) this.detail.show(entry, this.doc, this.lang);
    if (!this.error) this.detail.refreshCompared();
  }

  setLang(lang, remember) {
    if (remember) storeLang(lang);
    if (lang === this.lang) return;
    performance.mark("lossdoc:lang-start");
    this.lang = lang;
    this.renderChrome();
    this.list.setLang(lang);
    this.detail.setLang(lang);
    if (this.doc) {
      this.summary.update(this.doc, lang);
      this.renderCompareBar();
      this.renderCodeOptions(true);
      this.renderSkipped();
      this.applyFilter();
    }
    this.renderBanner();
    performance.measure("lossdoc:set-lang", "lossdoc:lang-start");
  }

  /** Strings that do not depend on the data. */
  renderChrome() {
    const lang = this.lang;
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    setText(this.title, t(lang, "title"));
    setText(this.refreshButton, `⟳ ${t(lang, "refresh")}`);
    this.langSwitch.setAttribute("aria-label", t(lang, "lang_switch"));
    for (const button of this.langButtons) button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
    this.filterInput.setAttribute("placeholder", t(lang, "filter_placeholder"));
    this.filterInput.setAttribute("aria-label", t(lang, "filter_label"));
    this.codeSelect.setAttribute("aria-label", t(lang, "code_label"));
    setText(this.loadingNote, t(lang, "loading"));
    setText(this.noMatch, t(lang, "no_match"));
    setText(this.filterHint, t(lang, "filter_invalid"));
    if (this.loadedAt) setText(this.updated, t(lang, "updated", { time: formatTime(this.loadedAt) }));
  }

  renderData() {
    this.renderBanner();
    const doc = this.doc;
    if (!doc) return;
    this.loadingNote.hidden = true;
    this.renderChrome();
    this.summary.update(doc, this.lang);
    this.list.update(doc.runs, this.lang);
    this.renderCodeOptions(false);
    this.renderSkipped();
    this.applyFilter();
    const names = new Set(doc.runs.map((r) => r.run));
    if (this.compared.some((run) => !names.has(run))) this.compared = this.compared.filter((run) => names.has(run)); // gone runs
    this.list.setCompared(new Set(this.compared));
    this.detail.setCompared(this.compared, doc, this.lang);
    this.detail.refreshCompared();
    this.renderCompareBar();
    const entry = this.selected && doc.runs.find((r) => r.run === this.selected);
    if (entry) this.detail.show(entry, doc, this.lang);
    else if (this.selected) this.open(null); // the run is gone
    this.renderLayout();
  }

  renderBanner() {
    if (!this.error) {
      this.banner.hidden = true;
      return;
    }
    replaceChildren(
      this.banner,
      el("span", { class: "banner-icon", "aria-hidden": "true", text: "⚠" }),
      el("span", { class: "banner-error", text: t(this.lang, "error_load", { message: this.error.message }) }),
      this.loadedAt ? el("span", { class: "banner-stale", text: t(this.lang, "error_stale", { time: formatTime(this.loadedAt) }) }) : null,
    );
    this.banner.hidden = false;
    if (!this.doc) this.loadingNote.hidden = true;
  }

  /** The code filter's options: the codes present, with run counts. */
  renderCodeOptions(force) {
    const counts = this.list.codeCounts();
    if (this.codeFilter && !counts.has(this.codeFilter)) counts.set(this.codeFilter, 0); // keep the user's choice
    const rank = (code) => (CODE_ORDER.includes(code) ? CODE_ORDER.indexOf(code) : CODE_ORDER.length);
    const codes = [...counts.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    const signature = JSON.stringify([this.lang, codes.map((code) => [code, counts.get(code)])]);
    if (!force && signature === this.codeSignature) return;
    this.codeSignature = signature;
    replaceChildren(
      this.codeSelect,
      el("option", { value: "", text: t(this.lang, "code_all") }),
      codes.map((code) => el("option", { value: code, text: `${codeLabel(this.lang, code)} (${counts.get(code)})` })),
    );
    this.codeSelect.value = this.codeFilter;
  }

  renderSkipped() {
    const doc = this.doc;
    const empty = doc.runs.length === 0;
    const previous = this.skippedBox.querySelector("details");
    const open = previous ? previous.open : false;
    replaceChildren(this.emptyBox, empty ? emptyState(doc.skipped, this.lang) : null);
    replaceChildren(this.skippedBox, empty ? null : skippedSection(doc.skipped, this.lang, open || this.groupFilter === "unjudged"));
    this.list.element.hidden = empty;
    this.filterInput.disabled = empty;
    this.codeSelect.disabled = empty;
    this.list.sortSelect.disabled = empty;
  }

  applyFilter() {
    if (!this.doc) return;
    const matcher = nameMatcher(this.filterInput.value);
    this.filterHint.hidden = matcher.valid;
    this.filterInput.classList.toggle("invalid", !matcher.valid);
    const { shown, total } = this.list.applyFilter(matcher, this.codeFilter, this.groupFilter);
    setText(this.count, t(this.lang, "showing", { shown, total }));
    this.count.hidden = total === 0;
    this.noMatch.hidden = !(total > 0 && shown === 0);
  }

  /** Filters the list to a summary chip's group ("" shows every group); not judged shows the skipped runs too. */
  setGroupFilter(group) {
    this.groupFilter = group;
    this.summary.setActive(group);
    if (!this.doc) return;
    if (group === "unjudged") {
      const details = this.skippedBox.querySelector("details");
      if (details) details.open = true;
    }
    this.summary.update(this.doc, this.lang);
    this.applyFilter();
  }

  /** Ticks or unticks a run for comparison (at most MAX_COMPARED). */
  setCompared(run, checked) {
    const without = this.compared.filter((name) => name !== run);
    this.compared = checked && without.length < MAX_COMPARED ? [...without, run] : without;
    this.list.setCompared(new Set(this.compared));
    this.detail.setCompared(this.compared, this.doc, this.lang);
    this.renderCompareBar();
    this.renderLayout();
  }

  clearCompared() {
    this.compared = [];
    this.list.setCompared(new Set());
    this.detail.setCompared([], this.doc, this.lang);
    this.renderCompareBar();
    this.renderLayout();
  }

  renderCompareBar() {
    const n = this.compared.length;
    this.compareBar.hidden = n === 0;
    setText(this.compareCount, t(this.lang, "compare_count", { n, max: MAX_COMPARED }));
    setText(this.compareClear, t(this.lang, "compare_clear"));
    this.compareBar.setAttribute("title", n >= MAX_COMPARED ? t(this.lang, "compare_full", { max: MAX_COMPARED }) : "");
  }

  /** The split layout shows while a run is open or runs are ticked for comparison. */
  renderLayout() {
    const active = this.detail.active;
    this.root.classList.toggle("has-detail", active);
    this.detail.element.hidden = !active;
  }

  /** Closes the detail panel and gives the keyboard focus back to the run's row. */
  closeDetail() {
    const run = this.selected;
    this.open(null);
    const row = run && this.list.rows.get(run);
    if (row && !row.node.hidden) row.node.focus({ preventScroll: true });
  }

  /** Opens a run's detail panel (null closes it). */
  open(run) {
    const entry = run && this.doc ? this.doc.runs.find((r) => r.run === run) : null;
    this.selected = entry ? entry.run : null;
    this.list.setSelected(this.selected);
    if (entry) this.detail.show(entry, this.doc, this.lang);
    else this.detail.closeRun();
    this.renderLayout();
    if (entry) {
      // The split layout re-wraps the rows: keep the clicked one in view.
      const row = this.list.rows.get(entry.run);
      if (row) row.node.scrollIntoView({ block: "nearest" });
    }
  }
}
