// chart.js — a small hand-drawn SVG line chart: linear axes with ticks,
// several series (null values leave gaps), shaded step ranges, vertical
// markers (best step, first NaN), spike markers, and a hover tooltip with
// the step and each series' value. Redraws itself when its width changes.

import { el, svg, replaceChildren } from "./dom.js";
import { elidedName } from "./names.js";
import { formatStep, formatStepTick, formatTick, formatValue } from "./format.js";

const MARGIN = { top: 22, right: 18, bottom: 26, left: 58 };

/** "Nice" tick values (1, 2, 5 × 10^k) covering [min, max]. */
export function niceTicks(min, max, count) {
  if (!(max > min)) return { ticks: [min], spacing: 1 };
  const raw = (max - min) / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const spacing = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) || 10 * power;
  const ticks = [];
  for (let v = Math.ceil(min / spacing - 1e-9) * spacing; v <= max + spacing * 1e-9; v += spacing) {
    ticks.push(Math.abs(v) < spacing * 1e-9 ? 0 : v);
  }
  return { ticks, spacing };
}

/** Smallest and largest step over the series' points. */
export function stepExtent(seriesList) {
  let min = Infinity;
  let max = -Infinity;
  for (const series of seriesList) {
    for (const [step] of series.points) {
      if (step < min) min = step;
      if (step > max) max = step;
    }
  }
  return min <= max ? [min, max] : null;
}

/**
 * The value axis range. A loss exploding to 1e30 before it turns NaN would
 * flatten every other point on a linear axis, so unless fullRange is asked
 * for, values more than 100 "typical magnitudes" beyond the quartiles of the
 * first half of each curve fall off the chart (the typical magnitude is the
 * larger of |median| and the interquartile range there). The initial loss and
 * ordinary spikes stay visible; a blow-up shows as a climb to the top edge.
 * Returns {domain: [lo, hi], clipped}.
 */
export function valueRange(seriesList, fullRange) {
  const finite = (value) => value !== null && Number.isFinite(value);
  const values = [];
  const early = [];
  for (const series of seriesList) {
    const half = Math.ceil(series.points.length / 2);
    series.points.forEach(([, value], i) => {
      if (!finite(value)) return;
      values.push(value);
      if (i < half) early.push(value);
    });
  }
  if (!values.length) return { domain: [0, 1], clipped: false };
  values.sort((a, b) => a - b);
  const reference = early.length ? early.sort((a, b) => a - b) : values;
  const quantile = (q) => reference[Math.floor(q * (reference.length - 1))];
  const [q25, q50, q75] = [quantile(0.25), quantile(0.5), quantile(0.75)];
  const scale = Math.max(Math.abs(q50), q75 - q25) || 1;
  const inside = values.filter((v) => v >= q25 - 100 * scale && v <= q75 + 100 * scale);
  const clipped = inside.length < values.length;
  const lo = fullRange || !inside.length ? values[0] : inside[0];
  const hi = fullRange || !inside.length ? values[values.length - 1] : inside[inside.length - 1];
  const pad = lo === hi ? Math.abs(lo) * 0.1 || 1 : (hi - lo) * 0.05;
  return { domain: [lo - pad, hi + pad], clipped };
}

/** Index of the point whose step is nearest to `step` (points sorted by step). */
function nearestIndex(points, step) {
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid][0] < step) lo = mid;
    else hi = mid;
  }
  return Math.abs(points[lo][0] - step) <= Math.abs(points[hi][0] - step) ? lo : hi;
}

function linePath(points, x, y) {
  let d = "";
  let pen = false;
  for (const [step, value] of points) {
    if (value === null || !Number.isFinite(value)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${x(step).toFixed(1)},${y(value).toFixed(1)}`;
    pen = true;
  }
  return d;
}

/** Points standing alone between gaps: a path cannot show them, dots can. */
function isolatedPoints(points) {
  const ok = (p) => p && p[1] !== null && Number.isFinite(p[1]);
  const alone = [];
  for (let i = 0; i < points.length; i++) {
    if (ok(points[i]) && !ok(points[i - 1]) && !ok(points[i + 1])) alone.push(points[i]);
  }
  return alone;
}

/**
 * Creates a chart. spec = {
 *   name: "loss" | "acc" | "lr", title, height, ariaLabel,
 *   series: [{key, label, color, dash?, run?, points: [[step, value|null], ...]}],
 *   legend?: [{label | name (a run name, elided in the middle, kept from tailStart), color, dash?, title?}]
 *     (default: one item per series),
 *   xDomain: [minStep, maxStep],
 *   ranges: [{from, to, severity, label}], best: {step, label} | null,
 *   nan: {step, label} | null, spikes: [{step, role}], stepLabel,
 *   fullRange, onToggleRange(), labels: {showAll, fit, clipped},
 * }
 * Returns {element, destroy()}.
 */
export function createChart(spec) {
  const series = spec.series.map((s) => ({ ...s, points: [...s.points].sort((a, b) => a[0] - b[0]) }));
  const body = el("div", { class: "chart-body" });
  const tooltip = el("div", { class: "chart-tooltip", role: "status", hidden: true });
  const legend = el(
    "div",
    { class: "chart-legend", testid: "chart-legend" },
    (spec.legend || series).map((item) =>
      el(
        "span",
        { class: "legend-item", title: item.title, testid: "legend-item" },
        item.color ? el("span", { class: `swatch${item.dash ? " dashed" : ""}`, style: item.dash ? `--swatch:${item.color}` : `background:${item.color}` }) : null,
        item.name ? elidedName(item.name, { class: "legend-label" }, item.tailStart) : el("span", { class: "legend-label", text: item.label }),
      ),
    ),
  );
  const yRange = valueRange(series, spec.fullRange);
  let rangeToggle = null;
  if (yRange.clipped && spec.onToggleRange) {
    rangeToggle = el("button", {
      type: "button",
      class: "link-button range-toggle",
      testid: "range-toggle",
      text: spec.fullRange ? spec.labels.fit : spec.labels.showAll,
      title: spec.fullRange ? undefined : spec.labels.clipped,
    });
    rangeToggle.addEventListener("click", spec.onToggleRange);
  }
  const element = el(
    "section",
    { class: `chart chart-${spec.name}` },
    el("div", { class: "chart-head" }, el("h3", { class: "chart-title", text: spec.title }), legend, rangeToggle),
    body,
  );

  let width = 0;
  const draw = () => {
    const measured = Math.floor(body.clientWidth || 600);
    if (Math.abs(measured - width) < 2) return;
    width = measured;
    replaceChildren(body, drawSvg(spec, series, yRange, width, tooltip), tooltip);
  };
  const observer = typeof ResizeObserver === "function" ? new ResizeObserver(() => draw()) : null;
  if (observer) observer.observe(body);
  requestAnimationFrame(draw);

  return {
    element,
    destroy() {
      if (observer) observer.disconnect();
    },
  };
}

function drawSvg(spec, series, yRange, width, tooltip) {
  const height = spec.height;
  const plotW = Math.max(40, width - MARGIN.left - MARGIN.right);
  const plotH = Math.max(30, height - MARGIN.top - MARGIN.bottom);
  const [x0, x1raw] = spec.xDomain;
  const x1 = x1raw > x0 ? x1raw : x0 + 1;
  const [yMin, yMax] = yRange.domain;
  const x = (step) => MARGIN.left + ((step - x0) / (x1 - x0)) * plotW;
  const y = (value) => MARGIN.top + (1 - (value - yMin) / (yMax - yMin)) * plotH;
  const clipId = `clip-${spec.name}-${Math.random().toString(36).slice(2, 8)}`;

  const root = svg("svg", {
    class: "chart-svg",
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": spec.ariaLabel || spec.title,
    testid: "chart",
    "data-chart": spec.name,
  });
  root.appendChild(
    svg("defs", null, svg("clipPath", { id: clipId }, svg("rect", { x: MARGIN.left, y: MARGIN.top, width: plotW, height: plotH }))),
  );

  // Finding ranges, shaded behind everything.
  const ranges = svg("g", { class: "ranges" });
  (spec.ranges || []).forEach((range, lane) => {
    const left = x(Math.max(x0, range.from));
    const right = x(Math.min(x1, range.to));
    if (right < MARGIN.left || left > MARGIN.left + plotW) return;
    const w = Math.max(2, right - left);
    ranges.appendChild(
      svg("rect", {
        class: `range sev-${range.severity}`,
        x: left.toFixed(1),
        y: MARGIN.top,
        width: w.toFixed(1),
        height: plotH,
        "data-mark": "range",
        "data-code": range.code,
      }),
    );
    ranges.appendChild(
      // A thin strip per finding, one lane each, so overlapping ranges stay readable.
      svg("rect", { class: `range-strip sev-${range.severity}`, x: left.toFixed(1), y: MARGIN.top + lane * 4, width: w.toFixed(1), height: 3 }),
    );
  });
  root.appendChild(ranges);

  // Axes and grid.
  const grid = svg("g", { class: "grid" });
  const axes = svg("g", { class: "axes" });
  const yTicks = niceTicks(yMin, yMax, Math.max(2, Math.round(plotH / 32)));
  for (const value of yTicks.ticks) {
    const py = y(value).toFixed(1);
    grid.appendChild(svg("line", { x1: MARGIN.left, x2: MARGIN.left + plotW, y1: py, y2: py }));
    axes.appendChild(
      svg("text", { class: "tick y-tick", x: MARGIN.left - 6, y: py, "text-anchor": "end", dy: "0.32em" }, formatTick(value, yTicks.spacing)),
    );
  }
  const xTicks = niceTicks(x0, x1, Math.max(2, Math.round(plotW / 90)));
  for (const step of xTicks.ticks) {
    if (!Number.isInteger(step) && xTicks.spacing >= 1) continue;
    const px = x(step).toFixed(1);
    grid.appendChild(svg("line", { x1: px, x2: px, y1: MARGIN.top, y2: MARGIN.top + plotH }));
    axes.appendChild(svg("text", { class: "tick x-tick", x: px, y: MARGIN.top + plotH + 16, "text-anchor": "middle" }, formatStepTick(step)));
  }
  axes.appendChild(svg("line", { class: "axis-line", x1: MARGIN.left, x2: MARGIN.left + plotW, y1: MARGIN.top + plotH, y2: MARGIN.top + plotH }));
  axes.appendChild(svg("line", { class: "axis-line", x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: MARGIN.top + plotH }));
  root.appendChild(grid);
  root.appendChild(axes);

  // The curves. Off-chart values are clamped to a finite pixel range so the
  // path stays well-formed; the clip path hides what lies outside the plot.
  const yClamped = (value) => Math.max(-1e6, Math.min(1e6, y(value)));
  const lines = svg("g", { class: "lines", "clip-path": `url(#${clipId})` });
  for (const s of series) {
    lines.appendChild(
      svg("path", {
        class: "line",
        d: linePath(s.points, x, yClamped),
        stroke: s.color,
        "stroke-dasharray": s.dash ? "5 3" : undefined,
        "data-series": s.key,
        "data-run": s.run,
      }),
    );
    for (const [step, value] of isolatedPoints(s.points)) {
      lines.appendChild(svg("circle", { cx: x(step).toFixed(1), cy: y(value).toFixed(1), r: 2.5, fill: s.color }));
    }
  }
  root.appendChild(lines);

  // Vertical markers and spikes, above the curves.
  const marks = svg("g", { class: "marks" });
  const vertical = (mark, kind, labelY) => {
    if (!mark || mark.step === null || mark.step === undefined) return;
    if (mark.step < x0 || mark.step > x1) return;
    const px = x(mark.step);
    const anchor = px > MARGIN.left + plotW - 80 ? "end" : "start";
    marks.appendChild(
      svg(
        "g",
        { class: `vmark ${kind}`, "data-mark": kind, "data-step": mark.step },
        svg("line", { x1: px.toFixed(1), x2: px.toFixed(1), y1: MARGIN.top - 4, y2: MARGIN.top + plotH }),
        svg("text", { x: (px + (anchor === "end" ? -4 : 4)).toFixed(1), y: labelY, "text-anchor": anchor }, mark.label),
      ),
    );
  };
  vertical(spec.best, "best", MARGIN.top - 8);
  vertical(spec.nan, "nan", MARGIN.top + 14);
  for (const spike of spec.spikes || []) {
    if (spike.step < x0 || spike.step > x1) continue;
    const px = x(spike.step);
    const peak = peakNear(series, spike);
    const group = svg("g", { class: "spike", "data-mark": "spike", "data-step": spike.step });
    group.appendChild(
      svg("path", { d: `M${(px - 5).toFixed(1)},${MARGIN.top + 1} L${(px + 5).toFixed(1)},${MARGIN.top + 1} L${px.toFixed(1)},${MARGIN.top + 8} Z` }),
    );
    if (peak) {
      const cy = Math.max(MARGIN.top, Math.min(MARGIN.top + plotH, y(peak[1]))); // kept on the chart when clipped
      group.appendChild(svg("circle", { cx: x(peak[0]).toFixed(1), cy: cy.toFixed(1), r: 5 }));
    }
    marks.appendChild(group);
  }
  root.appendChild(marks);

  root.appendChild(hoverLayer(spec, series, { x, y, x0, x1, plotW, plotH, tooltip, width }));
  return root;
}

/** The spike's point: on its role's series if drawn here, else the highest one near its step. */
function peakNear(series, { step, role }) {
  const own = series.filter((s) => s.key === role);
  let best = null;
  for (const s of own.length ? own : series) {
    if (!s.points.length) continue;
    const point = s.points[nearestIndex(s.points, step)];
    if (point[1] !== null && Number.isFinite(point[1]) && (!best || point[1] > best[1])) best = point;
  }
  return best;
}

function hoverLayer(spec, series, geo) {
  const { x, y, x0, x1, plotW, plotH, tooltip, width } = geo;
  const group = svg("g", { class: "hover" });
  const cursor = svg("line", { class: "hover-line", y1: MARGIN.top, y2: MARGIN.top + plotH, visibility: "hidden" });
  const dots = series.map((s) => svg("circle", { class: "hover-dot", r: 3.5, fill: s.color, visibility: "hidden" }));
  const overlay = svg("rect", { class: "hover-target", x: MARGIN.left, y: MARGIN.top, width: plotW, height: plotH });
  group.append(cursor, ...dots, overlay);

  const hide = () => {
    tooltip.hidden = true;
    cursor.setAttribute("visibility", "hidden");
    dots.forEach((dot) => dot.setAttribute("visibility", "hidden"));
  };
  overlay.addEventListener("mouseleave", hide);
  overlay.addEventListener("mousemove", (event) => {
    const box = overlay.getBoundingClientRect();
    const mouseStep = x0 + ((event.clientX - box.left) / box.width) * (x1 - x0);
    // Snap to the nearest logged step of any series.
    let step = null;
    for (const s of series) {
      if (!s.points.length) continue;
      const candidate = s.points[nearestIndex(s.points, mouseStep)][0];
      if (step === null || Math.abs(candidate - mouseStep) < Math.abs(step - mouseStep)) step = candidate;
    }
    if (step === null) return hide();
    const rows = [el("div", { class: "tt-step", text: `${spec.stepLabel} ${formatStep(step)}` })];
    series.forEach((s, i) => {
      const point = s.points.length ? s.points[nearestIndex(s.points, step)] : null;
      const visible = point && point[0] === step && point[1] !== null && Number.isFinite(point[1]);
      dots[i].setAttribute("visibility", visible ? "visible" : "hidden");
      if (visible) {
        dots[i].setAttribute("cx", x(point[0]).toFixed(1));
        dots[i].setAttribute("cy", y(point[1]).toFixed(1));
      }
      if (!point) return;
      rows.push(
        el(
          "div",
          { class: "tt-row" },
          el("span", { class: "swatch", style: `background:${s.color}` }),
          el("span", { class: "tt-label", text: s.label }),
          el("span", { class: "tt-value", text: point[0] === step ? formatValue(point[1]) : `${formatValue(point[1])} @ ${formatStep(point[0])}` }),
        ),
      );
    });
    for (const range of spec.ranges || []) {
      if (step >= range.from && step <= range.to) rows.push(el("div", { class: `tt-range sev-${range.severity}`, text: range.label }));
    }
    replaceChildren(tooltip, rows);
    tooltip.hidden = false;
    const px = x(step);
    cursor.setAttribute("x1", px.toFixed(1));
    cursor.setAttribute("x2", px.toFixed(1));
    cursor.setAttribute("visibility", "visible");
    const tipWidth = tooltip.offsetWidth || 160;
    const left = px + 14 + tipWidth > width ? px - 14 - tipWidth : px + 14;
    tooltip.style.left = `${Math.max(0, left)}px`;
    tooltip.style.top = `${MARGIN.top}px`;
  });
  return group;
}
