// summary.js — the summary bar at the top of the tab: how many runs are
// critical, need attention (warning), are healthy (ok/info), and how many
// runs were skipped for lack of a loss-like scalar.

import { el, setText } from "./dom.js";
import { t } from "./i18n.js";

const KINDS = [
  { kind: "critical", icon: "✖", severities: ["critical"] },
  { kind: "attention", icon: "▲", severities: ["warning"] },
  { kind: "healthy", icon: "✔", severities: ["ok", "info"] },
];

/** Counts of runs per summary kind, plus skipped runs. */
export function summaryCounts(doc) {
  const counts = { critical: 0, attention: 0, healthy: 0, skipped: (doc.skipped || []).length, total: doc.runs.length };
  for (const entry of doc.runs) {
    const kind = KINDS.find((k) => k.severities.includes(entry.severity));
    if (kind) counts[kind.kind]++;
  }
  return counts;
}

export class SummaryBar {
  constructor() {
    this.chips = {};
    const chip = (kind, icon) => {
      const count = el("span", { class: "count" });
      const label = el("span", { class: "label" });
      const node = el("span", { class: `chip chip-${kind}`, "data-kind": kind }, el("span", { class: "icon", "aria-hidden": "true", text: icon }), count, label);
      this.chips[kind] = { node, count, label };
      return node;
    };
    this.total = el("span", { class: "total" });
    this.element = el(
      "div",
      { class: "summary-bar", testid: "summary-bar", role: "status" },
      KINDS.map((k) => chip(k.kind, k.icon)),
      chip("skipped", "○"),
      this.total,
    );
    this.element.hidden = true;
  }

  update(doc, lang) {
    if (!doc) return;
    const counts = summaryCounts(doc);
    this.element.hidden = false;
    for (const [kind, parts] of Object.entries(this.chips)) {
      setText(parts.count, counts[kind]);
      setText(parts.label, t(lang, kind));
      parts.node.setAttribute("data-count", counts[kind]);
      parts.node.classList.toggle("zero", counts[kind] === 0);
    }
    setText(this.total, t(lang, "runs_total", { n: counts.total }));
  }
}
