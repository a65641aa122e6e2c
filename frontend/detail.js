// detail.js — the panel for one run: header with verdict and a link to
// TensorBoard's scalars, the sampling note, the loss / accuracy / learning
// rate charts (finding ranges shaded, best step, spikes and first NaN
// marked) and the findings with their explanation, actions and evidence.

import { breakable, el, replaceChildren } from "./dom.js";
import { codeLabel, severityLabel, t } from "./i18n.js";
import { formatStep, formatValue } from "./format.js";
import { createChart, stepExtent } from "./chart.js";
import { fetchCurves, scalarsViewUrl } from "./api.js";
import { summaryText } from "./runlist.js";

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

/** First non-finite step over the non_finite findings, or null. */
export function firstNanStep(findings) {
  const steps = findings
    .filter((f) => f.code === "non_finite")
    .map((f) => (f.first_step ?? (f.evidence && f.evidence.first_bad_step)))
    .filter((step) => typeof step === "number");
  return steps.length ? Math.min(...steps) : null;
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

export class DetailPanel {
  /** onClose() is called by the panel's close button. */
  constructor({ onClose }) {
    this.onClose = onClose;
    this.element = el("aside", { class: "detail-pane", testid: "detail-panel" });
    this.entry = null;
    this.doc = null;
    this.lang = "en";
    this.curves = null; // {run, status: "loading"|"ok"|"error", data, message, signature}
    this.charts = [];
    this.request = 0;
    this.fullRange = false; // charts fit typical values unless asked for the full range
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
      this.element.scrollTop = 0;
    }
    if (changed) this.render();
    this.loadCurves(entry.run);
  }

  clear() {
    this.entry = null;
    this.curves = null;
    this.request++;
    this.destroyCharts();
    replaceChildren(this.element);
  }

  setLang(lang) {
    this.lang = lang;
    if (this.entry) this.render();
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
    const { entry, lang } = this;
    const scroll = this.element.scrollTop;
    this.destroyCharts();
    replaceChildren(
      this.element,
      this.renderHeader(entry, lang),
      this.renderMeta(entry, lang),
      this.renderSampledNote(entry, lang),
      this.renderNotes(entry),
      this.renderCharts(entry, lang),
      this.renderFindings(entry, lang),
    );
    this.element.setAttribute("data-run", entry.run);
    this.element.setAttribute("aria-label", entry.run);
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
    const badge = el("span", { class: `badge sev-${entry.severity || "none"}`, testid: "detail-badge", "data-code": entry.verdict, text: codeLabel(lang, entry.verdict) });
    return el(
      "header",
      { class: "detail-header" },
      el("div", { class: "detail-title-row" }, el("h2", { class: "detail-run", testid: "detail-run" }, breakable(entry.run)), close),
      el("div", { class: "detail-sub" }, badge, el("span", { class: "detail-summary", text: summaryText(entry, lang) })),
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
            null,
            el("dt", { text: t(lang, "series_used") }),
            el(
              "dd",
              { class: "series-list" },
              series.map(([role, info]) =>
                el(
                  "span",
                  { class: "series-item" },
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

  /** Problems with the run's event files, when the server reports any. */
  renderNotes(entry) {
    const notes = Array.isArray(entry.notes) ? entry.notes : [];
    if (!notes.length) return null;
    return el(
      "div",
      { class: "note file-notes", testid: "run-notes", role: "note" },
      el("span", { class: "note-icon", "aria-hidden": "true", text: "ⓘ" }),
      el("ul", null, notes.map((note) => el("li", { text: typeof note === "string" ? note : JSON.stringify(note) }))),
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
    const all = Object.values(available).filter((s) => s && Array.isArray(s.points));
    const extent = stepExtent(all);
    if (!extent) {
      box.appendChild(el("div", { class: "placeholder", testid: "curves-empty", text: t(lang, "curves_empty") }));
      return box;
    }
    const marks = this.chartMarks(entry, lang, extent);
    for (const chart of CHARTS) {
      const series = chart.roles
        .filter((role) => available[role] && Array.isArray(available[role].points) && available[role].points.length)
        .map((role) => ({ key: role, label: t(lang, role), color: roleColor(role), points: available[role].points }));
      if (!series.length) continue;
      const isLoss = chart.name === "loss";
      const created = createChart({
        name: chart.name,
        title: t(lang, chart.title),
        height: chart.height,
        series,
        xDomain: extent,
        stepLabel: t(lang, "step"),
        ranges: chart.name === "lr" ? [] : marks.ranges,
        best: marks.best,
        nan: isLoss ? marks.nan : null,
        spikes: isLoss ? marks.spikes : [],
        fullRange: this.fullRange,
        onToggleRange: () => {
          this.fullRange = !this.fullRange;
          this.render();
        },
        labels: { showAll: t(lang, "range_show_all"), fit: t(lang, "range_fit"), clipped: t(lang, "range_clipped") },
      });
      this.charts.push(created);
      box.appendChild(created.element);
      // The shaded ranges are explained once, under the first chart.
      if (this.charts.length === 1 && marks.ranges.length) box.appendChild(this.rangeLegend(marks.ranges));
    }
    return box;
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
    const nanStep = firstNanStep(findings);
    const spikes = findings
      .filter((f) => f.code === "spike")
      .flatMap((f) => spikeSteps(f).map((step) => ({ step, role: f.evidence && f.evidence.role })));
    const best = entry.best_step === null || entry.best_step === undefined ? null : { step: entry.best_step, label: t(lang, "best_marker", { step: formatStep(entry.best_step) }) };
    return { ranges, spikes, best, nan: nanStep === null ? null : { step: nanStep, label: t(lang, "nan_marker") } };
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
      { class: `finding sev-${finding.severity}`, testid: "finding" },
      el(
        "header",
        { class: "finding-head" },
        el("span", { class: `badge sev-${finding.severity}`, title: severityLabel(lang, finding.severity), text: codeLabel(lang, finding.code) }),
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
