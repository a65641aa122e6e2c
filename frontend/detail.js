// detail.js — the panel for one run: header with verdict and a link to
// TensorBoard's scalars, the sampling and file-problem notes, the loss /
// accuracy / learning rate charts (finding ranges shaded, best step, spikes
// and first NaN marked; the loss chart overlays the runs ticked for
// comparison) and the findings with their explanation, actions and evidence.
// With no run open but runs ticked, it shows their losses side by side.
// The list document carries findings without detail; the panel fetches the
// run's full entry from the `run` route and keeps it fresh with its ETag.

import { breakable, el, replaceChildren } from "./dom.js";
import { distinctTails, elidedName } from "./names.js";
import { codeLabel, severityLabel, t } from "./i18n.js";
import { formatStep, formatValue } from "./format.js";
import { createChart, stepExtent } from "./chart.js";
import { fetchCurves, fetchRun, scalarsViewUrl } from "./api.js";
import { COLUMNS, MAX_COMPARED, isLowConfidence, summaryText, verdictFinding } from "./runlist.js";
import { ComparedCurves } from "./compare.js";

const COLORS = { train: "#1a73e8", val: "#e8710a", lr: "#9334e6" };

const CHARTS = [
  { name: "loss", title: "chart_loss", height: 260, roles: ["train_loss", "val_loss"] },
  { name: "acc", title: "chart_acc", height: 200, roles: ["train_acc", "val_acc"] },
  { name: "lr", title: "chart_lr", height: 130, roles: ["lr"] },
];

function roleColor(role) {
  if (role === "lr") return COLORS.lr;
  return role.startsWith("val") ? COLORS.val : COLORS.train;
}

/** A finding's texts in `lang`, falling back to the server-language fields. */
export function findingText(finding, lang) {
  const localized = (finding.text && finding.text[lang]) || {};
  return {
    title: localized.title || finding.title || codeLabel(lang, finding.code),
    detail: localized.detail || finding.detail || "",
    actions: Array.isArray(localized.actions) ? localized.actions : Array.isArray(finding.actions) ? finding.actions : [],
  };
}

function toSteps(value) {
  if (Array.isArray(value)) return value.map(Number).filter(Number.isFinite);
  if (typeof value === "number") return Number.isFinite(value) ? [value] : [];
  if (typeof value === "string") return value.split(/[\s,;]+/).filter(Boolean).map(Number).filter(Number.isFinite);
  return [];
}

/** Steps of a spike finding: evidence.steps (list or "1,2,3"), else first_step. */
export function spikeSteps(finding) {
  const evidence = finding.evidence || {};
  for (const key of ["steps", "spike_steps", "step", "spike_step", "peak_step"]) {
    const steps = toSteps(evidence[key]);
    if (steps.length) return steps;
  }
  return finding.first_step === null || finding.first_step === undefined ? [] : [finding.first_step];
}

/** The first non-finite point over the non_finite findings, {step, value: "nan"|"inf"|"-inf"}, or null. */
export function firstBadPoint(findings) {
  let first = null;
  for (const f of findings) {
    if (f.code !== "non_finite") continue;
    const step = f.first_step ?? (f.evidence && f.evidence.first_bad_step);
    if (typeof step !== "number" || (first !== null && first.step <= step)) continue;
    first = { step, value: (f.evidence && f.evidence.first_bad_value) || "nan" };
  }
  return first;
}

/** What the first non-finite point was, in the chart marker's words. */
function badValueName(value) {
  if (value === "inf") return "inf";
  if (value === "-inf") return "−inf";
  return "NaN";
}

function stepRangeText(finding, lang) {
  const { first_step: from, last_step: to } = finding;
  if (from === null || from === undefined) return "";
  if (to === null || to === undefined) return t(lang, "steps_from", { from: formatStep(from) });
  if (to === from) return t(lang, "step_single", { step: formatStep(from) });
  return t(lang, "steps_range", { from: formatStep(from), to: formatStep(to) });
}

function evidenceValue(value) {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.map(evidenceValue).join(", ");
  if (typeof value === "number") return formatValue(value);
  return String(value);
}


/** Whether every finding carries its texts in both languages. */
function hasAllTexts(entry) {
  return (entry.findings || []).every((f) => f.text && f.text.en && f.text.zh);
}

/** The "?" shown beside an unsure finding, its confidence in the tooltip. */
function confidenceMark(finding, lang) {
  const label = `${t(lang, "low_confidence")} (${t(lang, "confidence", { pct: Math.round(finding.confidence * 100) })})`;
  return el("span", { class: "conf-mark", testid: "low-confidence", title: label, "aria-label": label, text: "?" });
}

export class DetailPanel {
  /**
   * onClose() is called by the close button of an open run, onOpen(run) by a
   * run name in the comparison, onClearCompare() by the comparison's close button.
   */
  constructor({ onClose, onOpen, onClearCompare }) {
    this.onClose = onClose;
    this.onOpen = onOpen;
    this.onClearCompare = onClearCompare;
    this.element = el("aside", { class: "detail-pane", testid: "detail-panel" });
    this.entry = null; // the open run's list entry
    this.full = null; // {run, lang, status: "ok"|"error", entry, etag, message}: the `run` route's answer
    this.doc = null;
    this.lang = "en";
    this.curves = null; // {run, status: "loading"|"ok"|"error", data, message, signature}
    this.compare = new ComparedCurves(() => this.render());
    this.charts = [];
    this.request = 0;
    this.runRequest = 0;
    this.fullRange = false; // charts fit typical values unless asked for the full range
  }

  /** Where each run name's distinctive end starts (names.js), for one-line names; kept per document. */
  nameTails() {
    if (!this.tailsOf || this.tailsOf.doc !== this.doc) {
      this.tailsOf = { doc: this.doc, tails: distinctTails(this.doc ? this.doc.runs.map((entry) => entry.run) : []) };
    }
    return this.tailsOf.tails;
  }

  /** Whether the panel has something to show (an open run or ticked runs). */
  get active() {
    return Boolean(this.entry) || this.compare.runs.length > 0;
  }

  /** Opens a run (or refreshes it when it is already open). */
  show(entry, doc, lang) {
    const sameRun = this.entry && this.entry.run === entry.run;
    const changed = !sameRun || JSON.stringify(this.entry) !== JSON.stringify(entry) || this.doc?.sampling?.limit !== doc.sampling?.limit;
    this.entry = entry;
    this.doc = doc;
    this.lang = lang;
    if (!sameRun) {
      this.curves = { run: entry.run, status: "loading" };
      this.full = null;
      this.element.scrollTop = 0;
    }
    if (changed) this.render();
    this.loadRun(entry.run);
    this.loadCurves(entry.run);
  }

  /** Closes the open run; the comparison stays if runs are ticked. */
  closeRun() {
    this.entry = null;
    this.full = null;
    this.curves = null;
    this.request++;
    this.runRequest++;
    this.render();
  }

  /** Follows the runs ticked for comparison. */
  setCompared(runs, doc, lang) {
    const same = runs.length === this.compare.runs.length && runs.every((run, i) => run === this.compare.runs[i]);
    const tableStale = doc !== this.doc && !this.entry && runs.length > 0; // the comparison lists the document's columns
    this.doc = doc;
    this.lang = lang;
    if (same && !tableStale) return;
    this.compare.set(runs);
    this.render();
  }

  /** The periodic refresh: reloads the ticked runs' curves. */
  refreshCompared() {
    this.compare.refresh();
  }

  setLang(lang) {
    this.lang = lang;
    if (!this.active) return;
    if (this.entry && this.full && this.full.status === "ok" && !hasAllTexts(this.full.entry)) this.loadRun(this.entry.run);
    this.render();
  }

  /** The open run's entry: the list entry, completed by the `run` route's answer when it came. */
  current() {
    const full = this.full;
    if (full && full.status === "ok" && full.run === this.entry.run) return { ...this.entry, ...full.entry };
    return this.entry;
  }

  async loadRun(run) {
    const request = ++this.runRequest;
    const previous = this.full && this.full.run === run && this.full.lang === this.lang ? this.full : null;
    let next;
    try {
      const answer = await fetchRun(run, this.lang, previous && previous.status === "ok" ? previous.etag : null);
      if (answer.notModified) return;
      next = { run, lang: this.lang, status: "ok", entry: answer.entry, etag: answer.etag };
    } catch (err) {
      // A server without the `run` route serves the full entries in the list (404 here).
      next = { run, lang: this.lang, status: err.status === 404 ? "absent" : "error", message: err.message };
    }
    if (request !== this.runRequest || !this.entry || this.entry.run !== run) return;
    const current = this.full;
    if (next.status === "error" && current && current.status === "ok") return; // keep the last good entry
    if (current && JSON.stringify(current.entry) === JSON.stringify(next.entry) && current.status === next.status) return;
    this.full = next;
    this.render();
  }

  async loadCurves(run) {
    const request = ++this.request;
    let next;
    try {
      const data = await fetchCurves(run);
      next = { run, status: "ok", data, signature: JSON.stringify(data) };
    } catch (err) {
      next = { run, status: "error", message: err.message };
    }
    if (request !== this.request || !this.entry || this.entry.run !== run) return; // a newer request won
    const previous = this.curves;
    // On a failed refresh keep the curves already drawn.
    if (next.status === "error" && previous && previous.status === "ok") return;
    if (previous && previous.status === next.status && previous.signature === next.signature && previous.message === next.message) return;
    this.curves = next;
    this.render();
  }

  destroyCharts() {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
  }

  render() {
    this.destroyCharts();
    if (!this.active) {
      // Nothing to show; reading scrollTop here would force a layout of the whole list.
      replaceChildren(this.element);
      this.element.removeAttribute("data-run");
      return;
    }
    const scroll = this.element.scrollTop;
    if (this.entry) {
      const entry = this.current();
      const lang = this.lang;
      replaceChildren(
        this.element,
        this.renderHeader(entry, lang),
        this.renderMeta(entry, lang),
        this.renderSampledNote(entry, lang),
        this.renderNotes(entry, lang),
        this.renderForecast(entry, lang),
        this.full && this.full.status === "error"
          ? el("div", { class: "note error-note", testid: "run-error", text: t(lang, "run_detail_error", { message: this.full.message }) })
          : null,
        this.renderCharts(entry, lang),
        this.renderFindings(entry, lang),
      );
      this.element.setAttribute("data-run", entry.run);
      this.element.setAttribute("aria-label", entry.run);
    } else {
      replaceChildren(this.element, this.renderComparison(this.lang));
      this.element.removeAttribute("data-run");
      this.element.setAttribute("aria-label", t(this.lang, "compare_title", { n: this.compare.runs.length }));
    }
    this.element.scrollTop = scroll;
  }

  renderHeader(entry, lang) {
    const close = el("button", { type: "button", class: "icon-button close", "aria-label": t(lang, "close"), title: t(lang, "close"), text: "✕" });
    close.addEventListener("click", () => this.onClose());
    const link = el("a", {
      class: "scalars-link",
      testid: "scalars-link",
      href: scalarsViewUrl(entry),
      target: "_top",
      rel: "noopener",
      text: `${t(lang, "open_scalars")} ↗`,
    });
    const verdict = verdictFinding(entry);
    const unsure = isLowConfidence(verdict);
    const badge = el("span", {
      class: `badge sev-${entry.severity || "none"}${unsure ? " low-confidence" : ""}`,
      testid: "detail-badge",
      "data-code": entry.verdict,
      text: codeLabel(lang, entry.verdict),
    });
    const notes = Array.isArray(entry.notes) && entry.notes.length > 0;
    return el(
      "header",
      { class: "detail-header" },
      el("div", { class: "detail-title-row" }, el("h2", { class: "detail-run", testid: "detail-run" }, breakable(entry.run)), close),
      el(
        "div",
        { class: "detail-sub" },
        badge,
        unsure ? confidenceMark(verdict, lang) : null,
        el("span", { class: "detail-summary", text: summaryText(entry, lang) }),
      ),
      notes ? el("div", { class: "verdict-damaged", testid: "verdict-damaged", text: `⚠ ${t(lang, "verdict_damaged")}` }) : null,
      link,
    );
  }

  renderMeta(entry, lang) {
    const series = Object.entries(entry.series || {});
    return el(
      "dl",
      { class: "detail-meta" },
      el("div", null, el("dt", { text: t(lang, "best_step") }), el("dd", { testid: "detail-best-step", text: formatStep(entry.best_step) })),
      series.length
        ? el(
            "div",
            { class: "series-meta" },
            el("dt", { text: t(lang, "series_used") }),
            el(
              "dd",
              { class: "series-list" },
              series.map(([role, info]) =>
                el(
                  "span",
                  { class: "series-item", testid: "series-item", title: [info.run, info.tag].filter(Boolean).join(" · ") },
                  el("span", { class: "swatch", style: `background:${roleColor(role)}` }),
                  el("span", { class: "series-role", text: t(lang, role) }),
                  el("code", { text: info.tag }),
                  info.run && info.run !== entry.run ? el("span", { class: "muted", text: ` (${info.run})` }) : null,
                  typeof info.points === "number" ? el("span", { class: "muted", text: ` · ${t(lang, "points", { n: info.points })}` }) : null,
                ),
              ),
            ),
          )
        : null,
    );
  }

  renderSampledNote(entry, lang) {
    if (!entry.sampled) return null;
    const limit = this.doc && this.doc.sampling ? this.doc.sampling.limit : null;
    const text = limit ? t(lang, "sampled_note", { limit: formatStep(limit) }) : t(lang, "sampled_note_nolimit");
    return el("div", { class: "note sampled-note", testid: "sampled-note", role: "note" }, el("span", { class: "note-icon", "aria-hidden": "true", text: "ⓘ" }), el("span", { text }));
  }

  /** What could not be used as written in the run's logs (damaged files, points replaced after a restart), when the server reports any. */
  renderNotes(entry, lang) {
    const notes = Array.isArray(entry.notes) ? entry.notes : [];
    if (!notes.length) return null;
    return el(
      "div",
      { class: "note file-notes", testid: "run-notes", role: "note" },
      el("span", { class: "note-icon", "aria-hidden": "true", text: "⚠" }),
      el(
        "div",
        null,
        el("strong", { text: t(lang, "notes_title") }),
        el("ul", null, notes.map((note) => el("li", { text: typeof note === "string" ? note : JSON.stringify(note) }))),
      ),
    );
  }

  /** What more training would buy, in words, when the server forecast it. */
  renderForecast(entry, lang) {
    const text = entry.forecast && entry.forecast.text ? entry.forecast.text[lang] || entry.forecast.text.en : "";
    if (!text) return null;
    return el(
      "div",
      { class: "note forecast-note", testid: "forecast", role: "note" },
      el("span", { class: "note-icon", "aria-hidden": "true", text: "➚" }),
      el("div", null, el("strong", { text: t(lang, "forecast_title") }), " ", el("span", { text: String(text) })),
    );
  }

  renderCharts(entry, lang) {
    const box = el("div", { class: "charts" });
    const curves = this.curves;
    if (!curves || curves.status === "loading") {
      box.appendChild(el("div", { class: "placeholder chart-placeholder", testid: "curves-loading", text: t(lang, "curves_loading") }));
      return box;
    }
    if (curves.status === "error") {
      box.appendChild(el("div", { class: "note error-note", testid: "curves-error", text: t(lang, "curves_error", { message: curves.message }) }));
      return box;
    }
    const available = curves.data.series || {};
    const overlay = this.compare.series(lang, entry.run);
    const all = Object.values(available).filter((s) => s && Array.isArray(s.points));
    const extent = stepExtent(all.concat(overlay));
    if (!extent) {
      box.appendChild(el("div", { class: "placeholder", testid: "curves-empty", text: t(lang, "curves_empty") }));
      return box;
    }
    const marks = this.chartMarks(entry, lang, extent);
    for (const chart of CHARTS) {
      const isLoss = chart.name === "loss";
      const own = chart.roles
        .filter((role) => available[role] && Array.isArray(available[role].points) && available[role].points.length)
        .map((role) => ({ key: role, label: t(lang, role), color: roleColor(role), points: available[role].points }));
      const series = isLoss ? own.concat(overlay) : own;
      if (!series.length) continue;
      const compared = isLoss ? this.compare.legend(entry.run, this.nameTails()) : [];
      const created = createChart({
        name: chart.name,
        title: t(lang, chart.title),
        height: chart.height,
        series,
        legend: compared.length ? [...own, ...compared, { label: t(lang, "compare_style") }] : undefined,
        xDomain: extent,
        stepLabel: t(lang, "step"),
        ranges: chart.name === "lr" ? [] : marks.ranges,
        best: marks.best,
        nan: isLoss ? marks.nan : null,
        spikes: isLoss ? marks.spikes : [],
        ...this.rangeToggle(lang),
      });
      this.charts.push(created);
      box.appendChild(created.element);
      // The shaded ranges are explained once, under the first chart.
      if (this.charts.length === 1 && marks.ranges.length) box.appendChild(this.rangeLegend(marks.ranges));
    }
    return box;
  }

  /** The chart options that let extreme values fall off the chart, with the toggle that shows them. */
  rangeToggle(lang) {
    return {
      fullRange: this.fullRange,
      onToggleRange: () => {
        this.fullRange = !this.fullRange;
        this.render();
      },
      labels: { showAll: t(lang, "range_show_all"), fit: t(lang, "range_fit"), clipped: t(lang, "range_clipped") },
    };
  }

  /** The ticked runs' losses in one chart, and their list columns side by side. */
  renderComparison(lang) {
    const compare = this.compare;
    const close = el("button", { type: "button", class: "icon-button close", "aria-label": t(lang, "compare_clear"), title: t(lang, "compare_clear"), text: "✕" });
    close.addEventListener("click", () => this.onClearCompare());
    const series = compare.series(lang, null);
    const extent = stepExtent(series);
    let chart = null;
    if (extent) {
      const created = createChart({
        name: "compare",
        title: t(lang, "chart_loss"),
        height: 300,
        series,
        legend: [...compare.legend(null, this.nameTails()), { label: t(lang, "compare_style") }],
        xDomain: extent,
        stepLabel: t(lang, "step"),
        ranges: [],
        ...this.rangeToggle(lang),
      });
      this.charts.push(created);
      chart = created.element;
    } else if (compare.loading()) {
      chart = el("div", { class: "placeholder chart-placeholder", testid: "curves-loading", text: t(lang, "compare_loading") });
    }
    return el(
      "section",
      { class: "comparison", testid: "comparison" },
      el("div", { class: "detail-title-row" }, el("h2", { class: "detail-run", text: t(lang, "compare_title", { n: compare.runs.length }) }), close),
      el("p", { class: "muted", testid: "compare-count", text: t(lang, "compare_count", { n: compare.runs.length, max: MAX_COMPARED }) }),
      el("p", { class: "muted", text: t(lang, "compare_hint") }),
      compare.failures().map(({ run, message }) => el("div", { class: "note error-note", text: t(lang, "compare_failed", { run, message }) })),
      chart,
      el("div", { class: "compare-table-box" }, this.compareTable(lang)),
    );
  }

  /** The ticked runs' verdicts and list columns; a name opens its run. */
  compareTable(lang) {
    const byName = new Map((this.doc ? this.doc.runs : []).map((entry) => [entry.run, entry]));
    const numeric = COLUMNS.filter((c) => c.format);
    const head = el("tr", null, el("th", { text: t(lang, "col_run") }), el("th", { text: t(lang, "col_verdict") }), numeric.map((c) => el("th", { class: "num", text: t(lang, c.label) })));
    const rows = this.compare.runs.map((run) => {
      const entry = byName.get(run) || { run };
      const open = el(
        "button",
        { type: "button", class: "link-button compare-run", title: run },
        el("span", { class: "swatch", style: `background:${this.compare.color(run)}` }),
        elidedName(run, { class: "compare-name" }, this.nameTails().get(run)),
      );
      open.addEventListener("click", () => this.onOpen(run));
      return el(
        "tr",
        null,
        el("td", { class: "compare-name-cell" }, open),
        el("td", null, entry.verdict ? el("span", { class: `badge sev-${entry.severity || "none"}`, "data-code": entry.verdict, text: codeLabel(lang, entry.verdict) }) : null),
        numeric.map((c) => el("td", { class: "num", text: c.format(c.value(entry, lang)) })),
      );
    });
    return el("table", { class: "compare-table", testid: "compare-table" }, el("thead", null, head), el("tbody", null, rows));
  }

  chartMarks(entry, lang, extent) {
    const findings = entry.findings || [];
    const ranges = findings
      .filter((f) => f.first_step !== null && f.first_step !== undefined)
      .map((f) => ({
        code: f.code,
        severity: f.severity,
        from: f.first_step,
        to: f.last_step === null || f.last_step === undefined ? extent[1] : f.last_step,
        label: `${codeLabel(lang, f.code)} · ${stepRangeText(f, lang)}`,
      }));
    const firstBad = firstBadPoint(findings);
    const spikes = findings
      .filter((f) => f.code === "spike")
      .flatMap((f) => spikeSteps(f).map((step) => ({ step, role: f.evidence && f.evidence.role })));
    const best = entry.best_step === null || entry.best_step === undefined ? null : { step: entry.best_step, label: t(lang, "best_marker", { step: formatStep(entry.best_step) }) };
    const nan = firstBad === null ? null : { step: firstBad.step, label: t(lang, "nan_marker", { what: badValueName(firstBad.value) }) };
    return { ranges, spikes, best, nan };
  }

  rangeLegend(ranges) {
    return el(
      "div",
      { class: "range-legend" },
      ranges.map((range) => el("span", { class: "legend-item" }, el("span", { class: `swatch range-swatch sev-${range.severity}` }), range.label)),
    );
  }

  renderFindings(entry, lang) {
    const findings = entry.findings || [];
    return el(
      "section",
      { class: "findings", testid: "findings" },
      el("h3", { text: t(lang, "findings") }),
      findings.length ? findings.map((finding) => this.renderFinding(finding, lang)) : el("p", { class: "muted", text: t(lang, "no_findings") }),
    );
  }

  renderFinding(finding, lang) {
    const text = findingText(finding, lang);
    const evidence = Object.entries(finding.evidence || {});
    const article = el(
      "article",
      { class: `finding sev-${finding.severity}${isLowConfidence(finding) ? " low-confidence" : ""}`, testid: "finding" },
      el(
        "header",
        { class: "finding-head" },
        el("span", { class: `badge sev-${finding.severity}`, title: severityLabel(lang, finding.severity), text: codeLabel(lang, finding.code) }),
        isLowConfidence(finding) ? confidenceMark(finding, lang) : null,
        el("h4", { class: "finding-title", text: text.title }),
        el("span", { class: "finding-range", text: stepRangeText(finding, lang) }),
      ),
      text.detail ? el("p", { class: "finding-detail", text: text.detail }) : null,
      text.actions.length
        ? el("div", { class: "finding-actions" }, el("h5", { text: t(lang, "actions") }), el("ul", null, text.actions.map((action) => el("li", { text: action }))))
        : null,
      evidence.length
        ? el(
            "details",
            { class: "evidence" },
            el("summary", { text: t(lang, "evidence") }),
            el("dl", null, evidence.map(([key, value]) => el("div", null, el("dt", { text: key }), el("dd", { text: evidenceValue(value) })))),
          )
        : null,
    );
    article.setAttribute("data-code", finding.code);
    return article;
  }
}
