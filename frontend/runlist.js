// runlist.js — the table of diagnosed runs: most severe first, or sorted by
// any data column (click its header). Rows are built once with DOM calls and
// kept by run name: a refresh updates only the rows whose data changed,
// filters only toggle `hidden`, so thousands of runs stay fast and the scroll
// position, focus and selection survive. Rows are grid <div>s (ARIA table
// roles) so the browser can skip laying out off-screen rows
// (content-visibility in style.css); a row's sparkline is drawn when the row
// first comes on screen. Each row has a checkbox to compare its losses with
// other runs in the detail chart.

import { el, replaceChildren, setText } from "./dom.js";
import { distinctTails, elidedName } from "./names.js";
import { codeLabel, severityLabel, t } from "./i18n.js";
import { formatStep, formatValue } from "./format.js";
import { sparkline } from "./sparkline.js";
import { runGroup } from "./summary.js";

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2, ok: 3 };
const collator = new Intl.Collator("en", { numeric: true });

/** Findings below this confidence are shown as unsure. */
export const LOW_CONFIDENCE = 0.5;
/** How many runs the detail chart overlays at most. */
export const MAX_COMPARED = 6;

export function severityRank(severity) {
  return severity in SEVERITY_RANK ? SEVERITY_RANK[severity] : 4;
}

/** Most severe first, then by run name (numbers in names compare as numbers). */
export function compareRuns(a, b) {
  return severityRank(a.severity) - severityRank(b.severity) || collator.compare(a.run, b.run);
}

/** Codes a run can be filtered by: its verdict and every finding's code. */
export function runCodes(entry) {
  const codes = new Set();
  if (entry.verdict) codes.add(entry.verdict);
  for (const finding of entry.findings || []) if (finding.code) codes.add(finding.code);
  return codes;
}

/** Whether a finding says it is unsure (confidence below LOW_CONFIDENCE); absent means sure. */
export function isLowConfidence(finding) {
  return Boolean(finding) && typeof finding.confidence === "number" && finding.confidence < LOW_CONFIDENCE;
}

/** The finding behind the run's verdict, if it has one. */
export function verdictFinding(entry) {
  return (entry.findings || []).find((f) => f.code === entry.verdict) || null;
}

/**
 * A run-name matcher like TensorBoard's run filter: a case-insensitive
 * regex; text that is not a valid regex is matched as a plain substring.
 */
export function nameMatcher(text) {
  if (!text) return { valid: true, test: () => true };
  try {
    const regex = new RegExp(text, "i");
    return { valid: true, test: (name) => regex.test(name) };
  } catch (err) {
    const needle = text.toLowerCase();
    return { valid: false, test: (name) => name.toLowerCase().includes(needle) };
  }
}

export function summaryText(entry, lang) {
  const summary = entry.summary || {};
  return summary[lang] || summary.en || summary.zh || "";
}

/** A column's number, "—" where the run does not log it. */
const formatColumn = (format) => (value) => (value === null || value === undefined ? "—" : format(value));

const columnValue = (key) => (entry) => {
  const value = entry.columns ? entry.columns[key] : null;
  return typeof value === "number" && Number.isFinite(value) ? value : null;
};

/**
 * The list's columns. `value` gives what a column sorts by (null sorts last
 * in both directions); `first` is the direction of the first click.
 */
export const COLUMNS = [
  { key: "select", label: "col_select" },
  { key: "run", label: "col_run", value: (entry) => entry.run, first: "ascending" },
  { key: "verdict", label: "col_verdict", first: "ascending" },
  { key: "spark", label: "col_spark" },
  { key: "best_val_loss", label: "col_best_val_loss", value: columnValue("best_val_loss"), first: "ascending", format: formatColumn(formatValue) },
  { key: "best_val_acc", label: "col_best_val_acc", value: columnValue("best_val_acc"), first: "descending", format: formatColumn(formatValue) },
  { key: "final_train_loss", label: "col_final_train_loss", value: columnValue("final_train_loss"), first: "ascending", format: formatColumn(formatValue) },
  { key: "steps", label: "col_steps", value: columnValue("steps"), first: "descending", format: formatColumn(formatStep) },
  { key: "best", label: "col_best", value: (entry) => (typeof entry.best_step === "number" ? entry.best_step : null), first: "ascending", format: formatStep },
  { key: "summary", label: "col_summary", value: (entry, lang) => summaryText(entry, lang) || null, first: "ascending" },
];
const NUMERIC = COLUMNS.filter((c) => c.format);
// Chromium tells when a content-visibility:auto row starts being rendered; elsewhere draw every sparkline at once.
const LAZY_SPARKLINES = typeof window !== "undefined" && "ContentVisibilityAutoStateChangeEvent" in window;
const SORTABLE = new Set(COLUMNS.filter((c) => c.first).map((c) => c.key));
const DEFAULT_SORT = { key: "verdict", dir: "ascending" };

/**
 * Runs in the order of `sort` ({key, dir}). The verdict column orders by
 * severity then name; other columns by their value, missing values last,
 * ties by severity then name (a reversed sort reverses them too).
 */
export function sortRuns(runs, sort, lang) {
  const sign = sort.dir === "descending" ? -1 : 1;
  const column = COLUMNS.find((c) => c.key === sort.key && c.value);
  if (!column) return [...runs].sort((a, b) => sign * compareRuns(a, b));
  const keyed = runs.map((entry) => ({ entry, value: column.value(entry, lang) }));
  keyed.sort((a, b) => {
    const missingA = a.value === null;
    const missingB = b.value === null;
    if (missingA || missingB) return missingA === missingB ? compareRuns(a.entry, b.entry) : missingA ? 1 : -1;
    const order = typeof a.value === "number" ? a.value - b.value : collator.compare(a.value, b.value);
    return sign * (order || compareRuns(a.entry, b.entry));
  });
  return keyed.map((k) => k.entry);
}

/** What a sparkline shows, cheaply: each curve's length and last point (new points move both). */
function sparkSignature(entry) {
  const spark = entry.sparkline || {};
  return ["train_loss", "val_loss"].map((role) => (Array.isArray(spark[role]) ? [spark[role].length, spark[role][spark[role].length - 1]] : null));
}

function rowSignature(entry) {
  const verdict = verdictFinding(entry);
  return JSON.stringify([
    entry.verdict, entry.severity, entry.best_step, entry.summary, entry.sampled, [...runCodes(entry)],
    entry.columns, sparkSignature(entry), entry.notes, verdict && verdict.confidence,
  ]);
}

export class RunList {
  /**
   * onOpen(runName) is called when a row is clicked or activated by keyboard;
   * onCompare(runName, checked) when its compare checkbox changes.
   */
  constructor({ onOpen, onCompare }) {
    this.rows = new Map(); // run name -> {node, parts..., entry, codes, group, signature}
    this.runs = [];
    this.order = [];
    this.lang = "en";
    this.selected = null;
    this.compared = new Set();
    this.sort = { ...DEFAULT_SORT };
    this.headers = {};
    for (const column of COLUMNS) {
      const cell = el("div", { class: `cell col-${column.key}${column.format ? " col-num" : ""}`, role: "columnheader", "data-column": column.key });
      if (SORTABLE.has(column.key)) {
        const button = el("button", { type: "button", class: "sort-button", testid: "sort", "data-column": column.key });
        button.addEventListener("click", () => this.sortBy(column.key));
        cell.appendChild(button);
        cell.setAttribute("aria-sort", "none");
      }
      this.headers[column.key] = cell;
    }
    // The sort as a select too: usable where a narrow list hides the numeric headers.
    this.sortSelect = el("select", { class: "sort-select", testid: "sort-select" });
    this.sortSelect.addEventListener("change", () => {
      if (this.sortSelect.value !== this.sort.key) this.sortBy(this.sortSelect.value);
    });
    this.body = el("div", { class: "run-body", role: "rowgroup" });
    this.element = el(
      "div",
      { class: "run-table", role: "table", testid: "run-table" },
      el("div", { class: "run-head", role: "rowgroup" }, el("div", { class: "run-row-grid", role: "row" }, Object.values(this.headers))),
      this.body,
    );
    const activate = (event) => {
      if (event.target.closest(".col-select")) return; // the checkbox compares, it does not open
      const row = event.target.closest("[data-run]");
      if (row) onOpen(row.getAttribute("data-run"));
    };
    this.body.addEventListener("click", activate);
    // Not bubbling: caught on the way down.
    this.body.addEventListener(
      "contentvisibilityautostatechange",
      (event) => {
        const row = this.rows.get(event.target.getAttribute("data-run"));
        if (!row || row.node !== event.target) return;
        row.onScreen = !event.skipped;
        if (row.onScreen && !row.sparkDrawn) this.drawSparkline(row);
      },
      true,
    );
    this.body.addEventListener("change", (event) => {
      const box = event.target.closest("input.compare-box");
      const row = box && box.closest("[data-run]");
      if (row) onCompare(row.getAttribute("data-run"), box.checked);
    });
    this.body.addEventListener("keydown", (event) => {
      if (event.target.closest(".col-select")) return;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        activate(event);
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        this.moveFocus(event.target.closest("[data-run]"), event.key === "ArrowDown" ? 1 : -1);
      }
    });
  }

  /** Brings the rows in line with `runs`: creates, updates, removes, reorders. */
  update(runs, lang) {
    performance.mark("lossdoc:list-start");
    this.lang = lang;
    this.runs = runs;
    this.tails = distinctTails(runs.map((entry) => entry.run));
    const seen = new Set();
    for (const entry of runs) {
      seen.add(entry.run);
      const row = this.rows.get(entry.run);
      if (!row) this.rows.set(entry.run, this.createRow(entry));
      else if (row.signature !== rowSignature(entry)) this.fillRow(row, entry);
      else {
        row.entry = entry;
        this.syncName(row); // a new run may share its end
      }
    }
    for (const [name, row] of this.rows) {
      if (!seen.has(name)) {
        row.node.remove();
        this.rows.delete(name);
      }
    }
    this.applySort();
    this.renderHeaders();
    performance.measure("lossdoc:update-list", "lossdoc:list-start");
  }

  /** Sorts by a column: a new column starts in its natural direction, the same one flips. */
  sortBy(key) {
    const column = COLUMNS.find((c) => c.key === key);
    if (!column || !column.first) return;
    const flip = (dir) => (dir === "ascending" ? "descending" : "ascending");
    this.sort = { key, dir: this.sort.key === key ? flip(this.sort.dir) : column.first };
    this.applySort();
    this.renderHeaders();
  }

  applySort() {
    const order = sortRuns(this.runs, this.sort, this.lang).map((entry) => entry.run);
    if (order.join("\u0000") !== this.order.join("\u0000")) this.reorder(order);
    this.order = order;
    this.element.setAttribute("data-sort", this.sort.key);
  }

  reorder(order) {
    // Append in order; nodes already in place are skipped to avoid layout churn.
    let cursor = this.body.firstChild;
    const fragment = document.createDocumentFragment();
    const firstBuild = !cursor;
    for (const name of order) {
      const node = this.rows.get(name).node;
      if (firstBuild) fragment.appendChild(node);
      else if (node === cursor) cursor = cursor.nextSibling;
      else this.body.insertBefore(node, cursor);
    }
    if (firstBuild) this.body.appendChild(fragment);
  }

  createRow(entry) {
    const row = {
      node: el("div", { class: "run-row run-row-grid", role: "row", testid: "run-row", tabindex: 0, "aria-selected": "false" }),
      box: el("input", { type: "checkbox", class: "compare-box", testid: "compare-box" }),
      name: elidedName(entry.run, { class: "run-name", testid: "run-name" }, this.tails.get(entry.run)),
      notes: el("span", { class: "notes-marker", testid: "notes-marker", text: "⚠", hidden: true }),
      sampled: el("span", { class: "sampled-tag", hidden: true }),
      badge: el("span", { class: "badge", testid: "badge" }),
      unsure: el("span", { class: "conf-mark", testid: "low-confidence", text: "?", hidden: true }),
      spark: el("div", { class: "cell col-spark", role: "cell" }),
      numbers: NUMERIC.map((column) => ({ column, node: el("div", { class: `cell col-num col-${column.key}`, role: "cell", testid: column.key === "best" ? "best-step" : `col-${column.key}` }) })),
      summary: el("div", { class: "cell col-summary", role: "cell", testid: "run-summary" }),
    };
    row.node.setAttribute("data-run", entry.run);
    row.node.append(
      el("label", { class: "cell col-select", role: "cell" }, row.box),
      el("div", { class: "cell col-run", role: "cell" }, row.name, row.notes, row.sampled),
      el("div", { class: "cell col-verdict", role: "cell" }, row.badge, row.unsure),
      row.spark,
      ...row.numbers.map((n) => n.node),
      row.summary,
    );
    row.box.checked = this.compared.has(entry.run);
    row.box.disabled = !row.box.checked && this.compared.size >= MAX_COMPARED;
    this.fillRow(row, entry);
    return row;
  }

  fillRow(row, entry) {
    row.entry = entry;
    row.codes = runCodes(entry);
    row.group = runGroup(entry);
    row.signature = rowSignature(entry);
    row.node.setAttribute("data-severity", entry.severity || "");
    row.node.setAttribute("data-verdict", entry.verdict || "");
    row.node.setAttribute("data-group", row.group);
    row.node.classList.toggle("selected", entry.run === this.selected);
    this.syncName(row);
    row.sampled.hidden = !entry.sampled;
    const notes = Array.isArray(entry.notes) ? entry.notes : [];
    row.notes.hidden = notes.length === 0;
    row.node.toggleAttribute("data-notes", notes.length > 0);
    row.badge.className = `badge sev-${entry.severity || "none"} code-${entry.verdict}`;
    row.badge.setAttribute("data-code", entry.verdict || "");
    const unsure = isLowConfidence(verdictFinding(entry));
    row.badge.classList.toggle("low-confidence", unsure);
    row.unsure.hidden = !unsure;
    row.sparkDrawn = false;
    if (!LAZY_SPARKLINES || row.onScreen) this.drawSparkline(row);
    for (const { column, node } of row.numbers) setText(node, column.format(column.value(entry)));
    this.fillTexts(row);
  }

  /** Keeps the row's name split where its distinctive end starts (it moves when runs come and go). */
  syncName(row) {
    const start = this.tails.get(row.entry.run);
    if (row.name.getAttribute("data-tail-start") !== String(start)) {
      const fresh = elidedName(row.entry.run, { class: "run-name", testid: "run-name" }, start);
      row.name.replaceWith(fresh);
      row.name = fresh;
    }
    row.name.setAttribute("title", row.entry.run);
  }

  drawSparkline(row) {
    replaceChildren(row.spark, sparkline(row.entry));
    row.sparkDrawn = true;
  }

  /** The language-dependent parts of a row. */
  fillTexts(row) {
    const lang = this.lang;
    const entry = row.entry;
    setText(row.badge, codeLabel(lang, entry.verdict));
    row.badge.setAttribute("title", `${codeLabel(lang, entry.verdict)} · ${severityLabel(lang, entry.severity)}`);
    setText(row.sampled, t(lang, "sampled_badge"));
    const label = t(lang, "low_confidence");
    row.unsure.setAttribute("title", label);
    row.unsure.setAttribute("aria-label", label);
    if (!row.notes.hidden) {
      const text = t(lang, "notes_marker", { notes: entry.notes.map(String).join("; ") });
      row.notes.setAttribute("title", text);
      row.notes.setAttribute("aria-label", text);
    }
    row.box.setAttribute("aria-label", t(lang, "select_run", { run: entry.run }));
    const summary = summaryText(entry, lang);
    setText(row.summary, summary);
    row.summary.setAttribute("title", summary);
  }

  renderHeaders() {
    const signature = `${this.lang} ${this.sort.key} ${this.sort.dir}`;
    if (signature === this.headerSignature) return;
    this.headerSignature = signature;
    this.sortSelect.setAttribute("aria-label", t(this.lang, "sort_label"));
    replaceChildren(
      this.sortSelect,
      COLUMNS.filter((c) => c.first).map((c) => el("option", { value: c.key, text: t(this.lang, "sort_by", { column: t(this.lang, c.label) }) })),
    );
    this.sortSelect.value = this.sort.key;
    for (const column of COLUMNS) {
      const cell = this.headers[column.key];
      const label = t(this.lang, column.label);
      const button = cell.querySelector(".sort-button");
      if (!button) {
        if (column.key === "select") cell.setAttribute("aria-label", label);
        else setText(cell, label);
        cell.setAttribute("title", label);
        continue;
      }
      const sorted = this.sort.key === column.key;
      cell.setAttribute("aria-sort", sorted ? this.sort.dir : "none");
      setText(button, `${label}${sorted ? (this.sort.dir === "ascending" ? " ▲" : " ▼") : ""}`);
      button.setAttribute("title", t(this.lang, "sort_by", { column: label }));
    }
  }

  setLang(lang) {
    this.lang = lang;
    for (const row of this.rows.values()) this.fillTexts(row);
    if (this.sort.key === "summary") this.applySort();
    this.renderHeaders();
  }

  /** Shows the rows whose name matches, that carry `code` (if any) and fall in `group` (if any). */
  applyFilter(matcher, code, group) {
    performance.mark("lossdoc:filter-start");
    let shown = 0;
    for (const row of this.rows.values()) {
      const visible = matcher.test(row.entry.run) && (!code || row.codes.has(code)) && (!group || row.group === group);
      if (row.node.hidden === visible) row.node.hidden = !visible;
      if (visible) shown++;
    }
    performance.measure("lossdoc:filter", "lossdoc:filter-start");
    return { shown, total: this.rows.size };
  }

  setSelected(run) {
    const previous = this.rows.get(this.selected);
    if (previous) {
      previous.node.classList.remove("selected");
      previous.node.setAttribute("aria-selected", "false");
    }
    this.selected = run;
    const current = this.rows.get(run);
    if (current) {
      current.node.classList.add("selected");
      current.node.setAttribute("aria-selected", "true");
    }
  }

  /** Ticks the compared runs' checkboxes; the others are disabled once MAX_COMPARED are ticked. */
  setCompared(runs) {
    const full = runs.size >= MAX_COMPARED;
    const wasFull = this.compared.size >= MAX_COMPARED;
    const changed = new Set([...runs, ...this.compared]);
    this.compared = new Set(runs);
    const touch = full !== wasFull ? this.rows.keys() : changed;
    for (const name of touch) {
      const row = this.rows.get(name);
      if (!row) continue;
      row.box.checked = runs.has(name);
      row.box.disabled = full && !row.box.checked;
    }
    this.element.classList.toggle("compare-full", full);
  }

  moveFocus(node, direction) {
    let next = node;
    do next = direction > 0 ? next && next.nextElementSibling : next && next.previousElementSibling;
    while (next && next.hidden);
    if (next) next.focus();
  }

  /** Codes present with their run counts, for the code filter. */
  codeCounts() {
    const counts = new Map();
    for (const row of this.rows.values()) for (const code of row.codes) counts.set(code, (counts.get(code) || 0) + 1);
    return counts;
  }
}
