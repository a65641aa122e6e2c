// runlist.js — the table of diagnosed runs, most severe first. Rows are
// built once with DOM calls and kept by run name: a refresh updates only the
// rows whose data changed, filters only toggle `hidden`, so 1,000 runs stay
// fast and the scroll position, focus and selection survive. Rows are grid
// <div>s (ARIA table roles) so the browser can skip laying out off-screen
// rows (content-visibility in style.css).

import { breakable, el, replaceChildren, setText } from "./dom.js";
import { codeLabel, severityLabel, t } from "./i18n.js";
import { formatStep } from "./format.js";

const SEVERITY_RANK = { critical: 0, warning: 1, info: 2, ok: 3 };
const collator = new Intl.Collator("en", { numeric: true });

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

function rowSignature(entry) {
  return JSON.stringify([entry.verdict, entry.severity, entry.best_step, entry.summary, entry.sampled, [...runCodes(entry)]]);
}

export class RunList {
  /** onOpen(runName) is called when a row is clicked or activated by keyboard. */
  constructor({ onOpen }) {
    this.rows = new Map(); // run name -> {node, name, sampled, badge, best, summary, entry, codes, signature}
    this.order = [];
    this.lang = "en";
    this.selected = null;
    const header = (name) => el("div", { class: `cell col-${name}`, role: "columnheader" });
    this.headers = { run: header("run"), verdict: header("verdict"), best: header("best"), summary: header("summary") };
    this.body = el("div", { class: "run-body", role: "rowgroup" });
    this.element = el(
      "div",
      { class: "run-table", role: "table", testid: "run-table" },
      el("div", { class: "run-head", role: "rowgroup" }, el("div", { class: "run-row-grid", role: "row" }, Object.values(this.headers))),
      this.body,
    );
    const activate = (event) => {
      const row = event.target.closest("[data-run]");
      if (row) onOpen(row.getAttribute("data-run"));
    };
    this.body.addEventListener("click", activate);
    this.body.addEventListener("keydown", (event) => {
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
    const sorted = [...runs].sort(compareRuns);
    const seen = new Set();
    for (const entry of sorted) {
      seen.add(entry.run);
      const row = this.rows.get(entry.run);
      if (!row) this.rows.set(entry.run, this.createRow(entry));
      else if (row.signature !== rowSignature(entry)) this.fillRow(row, entry);
      else row.entry = entry;
    }
    for (const [name, row] of this.rows) {
      if (!seen.has(name)) {
        row.node.remove();
        this.rows.delete(name);
      }
    }
    const order = sorted.map((entry) => entry.run);
    if (order.join("\u0000") !== this.order.join("\u0000")) this.reorder(order);
    this.order = order;
    this.renderHeaders();
    performance.measure("lossdoc:update-list", "lossdoc:list-start");
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
      name: el("span", { class: "run-name" }),
      sampled: el("span", { class: "sampled-tag", hidden: true }),
      badge: el("span", { class: "badge", testid: "badge" }),
      best: el("div", { class: "cell col-best", role: "cell", testid: "best-step" }),
      summary: el("div", { class: "cell col-summary", role: "cell", testid: "run-summary" }),
    };
    row.node.setAttribute("data-run", entry.run);
    row.node.append(
      el("div", { class: "cell col-run", role: "cell" }, row.name, row.sampled),
      el("div", { class: "cell col-verdict", role: "cell" }, row.badge),
      row.best,
      row.summary,
    );
    this.fillRow(row, entry);
    return row;
  }

  fillRow(row, entry) {
    row.entry = entry;
    row.codes = runCodes(entry);
    row.signature = rowSignature(entry);
    row.node.setAttribute("data-severity", entry.severity || "");
    row.node.setAttribute("data-verdict", entry.verdict || "");
    row.node.classList.toggle("selected", entry.run === this.selected);
    if (row.name.textContent !== entry.run) replaceChildren(row.name, breakable(entry.run));
    row.name.setAttribute("title", entry.run);
    row.sampled.hidden = !entry.sampled;
    row.badge.className = `badge sev-${entry.severity || "none"} code-${entry.verdict}`;
    row.badge.setAttribute("data-code", entry.verdict || "");
    setText(row.best, formatStep(entry.best_step));
    this.fillTexts(row);
  }

  /** The language-dependent parts of a row. */
  fillTexts(row) {
    const lang = this.lang;
    setText(row.badge, codeLabel(lang, row.entry.verdict));
    row.badge.setAttribute("title", severityLabel(lang, row.entry.severity));
    setText(row.sampled, t(lang, "sampled_badge"));
    const summary = summaryText(row.entry, lang);
    setText(row.summary, summary);
    row.summary.setAttribute("title", summary);
  }

  renderHeaders() {
    setText(this.headers.run, t(this.lang, "col_run"));
    setText(this.headers.verdict, t(this.lang, "col_verdict"));
    setText(this.headers.best, t(this.lang, "col_best"));
    setText(this.headers.summary, t(this.lang, "col_summary"));
  }

  setLang(lang) {
    this.lang = lang;
    for (const row of this.rows.values()) this.fillTexts(row);
    this.renderHeaders();
  }

  /** Shows the rows whose name matches and that carry `code` (if any). */
  applyFilter(matcher, code) {
    performance.mark("lossdoc:filter-start");
    let shown = 0;
    for (const row of this.rows.values()) {
      const visible = matcher.test(row.entry.run) && (!code || row.codes.has(code));
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
