// format.js — number formatting shared by the run list, the charts and the
// findings: steps as grouped integers, values with a few significant digits.

const GROUPED = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A step as a grouped integer ("12,000"); "—" for null. */
export function formatStep(step) {
  if (step === null || step === undefined || !Number.isFinite(Number(step))) return "—";
  return GROUPED.format(Number(step));
}

/** A compact step for axis ticks: 950, 12k, 1.5M. */
export function formatStepTick(step) {
  const abs = Math.abs(step);
  if (abs >= 1e6) return `${trimZeros((step / 1e6).toFixed(abs >= 1e7 ? 0 : 1))}M`;
  if (abs >= 1e4) return `${trimZeros((step / 1e3).toFixed(abs >= 1e5 ? 0 : 1))}k`;
  return GROUPED.format(step);
}

/** A value with about four significant digits, exponent for huge/tiny ones. */
export function formatValue(value) {
  if (value === null || value === undefined) return "NaN/Inf";
  if (typeof value !== "number") return String(value);
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toExponential(3).replace(/\.?0+e/, "e");
  return trimZeros(value.toPrecision(4));
}

/** Axis tick labels: enough decimals to tell ticks `spacing` apart. */
export function formatTick(value, spacing) {
  const abs = Math.max(Math.abs(value), Math.abs(spacing));
  if (value === 0) return "0";
  if (abs >= 1e6 || Math.abs(spacing) < 1e-3) return value.toExponential(1).replace(/\.0e/, "e");
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(Math.abs(spacing)) + 1e-9)));
  return value.toFixed(decimals);
}

/** Local wall-clock time, e.g. "14:03:27". */
export function formatTime(date) {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
}

function trimZeros(text) {
  return text.includes(".") && !text.includes("e") ? text.replace(/\.?0+$/, "") : text;
}
