// summary.js — the summary bar at the top of the tab: one chip per verdict
// group (needs action, worth a look, good to know, fine, not judged) with its
// run count and what it means. Clicking a chip filters the run list to that
// group; clicking it again clears the filter.

import { el, setText } from "./dom.js";
import { codeLabel, t } from "./i18n.js";

/** The groups in display order: a run's severity, or "unjudged". */
const GROUPS = [
  { group: "critical", icon: "✖" },
  { group: "warning", icon: "▲" },
  { group: "info", icon: "ⓘ" },
  { group: "ok", icon: "✔" },
  { group: "unjudged", icon: "○" },
];

const JUDGED = new Set(["critical", "warning", "info", "ok"]);

/** The group a diagnosed run falls in: insufficient data is not judged. */
export function runGroup(entry) {
  if (entry.verdict === "insufficient_data" || !JUDGED.has(entry.severity)) return "unjudged";
  return entry.severity;
}

/** Per group: how many runs, and how many of each verdict; skipped runs count as not judged. */
export function groupCounts(doc) {
  const counts = Object.fromEntries(GROUPS.map(({ group }) => [group, { n: 0, codes: new Map() }]));
  for (const entry of doc.runs) {
    const bucket = counts[runGroup(entry)];
    bucket.n++;
    bucket.codes.set(entry.verdict, (bucket.codes.get(entry.verdict) || 0) + 1);
  }
  counts.unjudged.skipped = (doc.skipped || []).length;
  counts.unjudged.n += counts.unjudged.skipped;
  return counts;
}

function chipTitle(lang, group, bucket) {
  const present = [...bucket.codes].map(([code, n]) => `${codeLabel(lang, code)} ×${n}`);
  if (bucket.skipped) present.push(t(lang, "group_skipped", { n: bucket.skipped }));
  return [t(lang, `group_${group}_help`), present.length ? t(lang, "group_here", { codes: present.join(", ") }) : "", t(lang, "group_filter_hint")]
    .filter(Boolean)
    .join("\n");
}

export class SummaryBar {
  /** onFilter(group | "") is called when a chip is clicked. */
  constructor({ onFilter }) {
    this.chips = {};
    this.active = "";
    const chip = ({ group, icon }) => {
      const count = el("span", { class: "count" });
      const label = el("span", { class: "label" });
      const node = el(
        "button",
        { type: "button", class: `chip chip-${group}`, "data-group": group, testid: "summary-chip", "aria-pressed": "false" },
        el("span", { class: "icon", "aria-hidden": "true", text: icon }),
        count,
        label,
      );
      node.addEventListener("click", () => onFilter(this.active === group ? "" : group));
      this.chips[group] = { node, count, label };
      return node;
    };
    this.total = el("span", { class: "total" });
    this.element = el("div", { class: "summary-bar", testid: "summary-bar", role: "group" }, GROUPS.map(chip), this.total);
    this.element.hidden = true;
  }

  update(doc, lang) {
    if (!doc) return;
    const counts = groupCounts(doc);
    this.element.hidden = false;
    this.element.setAttribute("aria-label", t(lang, "summary_label"));
    for (const [group, parts] of Object.entries(this.chips)) {
      const bucket = counts[group];
      setText(parts.count, bucket.n);
      setText(parts.label, t(lang, `group_${group}`));
      parts.node.setAttribute("data-count", bucket.n);
      parts.node.setAttribute("title", chipTitle(lang, group, bucket));
      parts.node.classList.toggle("zero", bucket.n === 0);
      parts.node.disabled = bucket.n === 0 && this.active !== group;
    }
    setText(this.total, t(lang, "runs_total", { n: doc.runs.length }));
  }

  /** Marks the chip whose group filters the list ("" for none). */
  setActive(group) {
    this.active = group;
    for (const [name, parts] of Object.entries(this.chips)) {
      parts.node.setAttribute("aria-pressed", String(name === group));
      parts.node.classList.toggle("active", name === group);
    }
  }
}
