// skipped.js — the runs LossDoc could not diagnose: a collapsible list under
// the run table, and the empty state shown when no run has a loss-like
// scalar (each skipped run with its reason and the scalar tags it logs).

import { el } from "./dom.js";
import { t } from "./i18n.js";

function skippedTable(skipped, lang) {
  return el(
    "table",
    { class: "skipped-table" },
    el(
      "thead",
      null,
      el("tr", null, el("th", { text: t(lang, "col_run") }), el("th", { text: t(lang, "skipped_reason") }), el("th", { text: t(lang, "skipped_tags") })),
    ),
    el(
      "tbody",
      null,
      skipped.map((item) => {
        const tags = Array.isArray(item.tags) ? item.tags : [];
        const tr = el(
          "tr",
          { testid: "skipped-row" },
          el("td", { class: "run-name", text: item.run }),
          el("td", { text: item.reason || "" }),
          el(
            "td",
            { class: "tags" },
            tags.length ? tags.map((tag) => el("code", { class: "tag", text: tag })) : el("span", { class: "muted", text: t(lang, "no_tags") }),
          ),
        );
        tr.setAttribute("data-run", item.run);
        return tr;
      }),
    ),
  );
}

/** The collapsible "Skipped runs (N)" section, or null when none. */
export function skippedSection(skipped, lang, open) {
  if (!skipped.length) return null;
  return el(
    "details",
    { class: "skipped", testid: "skipped", open: open || undefined },
    el("summary", { text: t(lang, "skipped_title", { n: skipped.length }) }),
    skippedTable(skipped, lang),
  );
}

/** Shown instead of the run table when no run could be diagnosed. */
export function emptyState(skipped, lang) {
  return el(
    "div",
    { class: "empty-state", testid: "empty-state" },
    el("h2", { text: t(lang, "empty_title") }),
    el("p", { text: t(lang, skipped.length ? "empty_help" : "empty_none") }),
    skipped.length ? skippedTable(skipped, lang) : null,
  );
}
