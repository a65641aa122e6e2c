// sparkline.js — a run's training and validation loss as a tiny inline SVG
// for its row in the list (from the run's `sparkline`: at most 32 points per
// curve). Both curves share one value scale, fitted to typical values like
// the detail charts, so a blow-up shows as a climb to the top edge.

import { svg } from "./dom.js";
import { valueRange } from "./chart.js";

const SPARK_WIDTH = 72;
const SPARK_HEIGHT = 22;
const PAD = 2;
const ROLES = [
  ["train_loss", "spark-train"],
  ["val_loss", "spark-val"],
];

function usable(points) {
  return Array.isArray(points) ? points.filter((p) => Array.isArray(p) && Number.isFinite(p[0])) : [];
}

/** The SVG path of one curve; null values leave gaps, lone points become dots. */
function sparkPath(points, x, y) {
  let d = "";
  let pen = false;
  for (let i = 0; i < points.length; i++) {
    const value = points[i][1];
    if (value === null || !Number.isFinite(value)) {
      pen = false;
      continue;
    }
    const next = points[i + 1];
    const alone = !pen && !(next && next[1] !== null && Number.isFinite(next[1]));
    const px = x(points[i][0]).toFixed(1);
    const py = Math.max(0, Math.min(SPARK_HEIGHT, y(value))).toFixed(1);
    d += alone ? `M${px},${py}h0.01` : `${pen ? "L" : "M"}${px},${py}`;
    pen = true;
  }
  return d;
}

/** The sparkline SVG of a list entry, or null when it has none. */
export function sparkline(entry) {
  const source = entry && entry.sparkline;
  if (!source || typeof source !== "object") return null;
  const series = ROLES.map(([role, cls]) => ({ role, cls, points: usable(source[role]) })).filter((s) => s.points.length);
  if (!series.length) return null;
  let x0 = Infinity;
  let x1 = -Infinity;
  for (const s of series) {
    x0 = Math.min(x0, s.points[0][0]);
    x1 = Math.max(x1, s.points[s.points.length - 1][0]);
  }
  const span = x1 > x0 ? x1 - x0 : 1;
  const [lo, hi] = valueRange(series, false).domain;
  const x = (step) => PAD + ((step - x0) / span) * (SPARK_WIDTH - 2 * PAD);
  const y = (value) => PAD + (1 - (value - lo) / (hi - lo || 1)) * (SPARK_HEIGHT - 2 * PAD);
  return svg(
    "svg",
    { class: "sparkline", width: SPARK_WIDTH, height: SPARK_HEIGHT, viewBox: `0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`, "aria-hidden": "true", testid: "sparkline" },
    series.map((s) => svg("path", { class: s.cls, d: sparkPath(s.points, x, y), "data-series": s.role })),
  );
}
