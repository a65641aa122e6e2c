// api.js — talks to the plugin's backend routes and builds links into
// TensorBoard. Every URL is resolved against this module's own URL
// (<root>/data/plugin/lossdoc/api.js), so --path_prefix and /experiment/ID/
// prefixes are carried along without knowing them.

const PLUGIN_BASE = new URL("./", import.meta.url); // <root>/data/plugin/lossdoc/
const TENSORBOARD_ROOT = new URL("../../../", import.meta.url); // <root>/

/** An HTTP or network failure with a short message fit for the UI. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

async function getJson(relativeUrl) {
  let response;
  try {
    response = await fetch(new URL(relativeUrl, PLUGIN_BASE), { headers: { Accept: "application/json" } });
  } catch (err) {
    throw new ApiError(err && err.message ? err.message : "network error", 0);
  }
  if (!response.ok) {
    let body = "";
    try {
      body = (await response.text()).trim();
    } catch (err) {
      /* keep the status alone */
    }
    const detail = body && !body.startsWith("<") ? `: ${body.slice(0, 200)}` : "";
    throw new ApiError(`HTTP ${response.status}${detail}`, response.status);
  }
  try {
    return await response.json();
  } catch (err) {
    throw new ApiError("the server sent invalid JSON", response.status);
  }
}

/** The diagnoses document (DESIGN §3 plus lang, sampling, summary, text). */
export async function fetchDiagnoses() {
  const doc = await getJson("diagnoses");
  if (!doc || !Array.isArray(doc.runs)) throw new ApiError("unexpected response shape", 200);
  if (!Array.isArray(doc.skipped)) doc.skipped = [];
  return doc;
}

/** Downsampled curves of one run: {run, series: {role: {run, tag, points}}}. */
export async function fetchCurves(run) {
  const doc = await getJson(`curves?run=${encodeURIComponent(run)}`);
  return doc && typeof doc.series === "object" && doc.series ? doc : { run, series: {} };
}

function escapeRegex(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * TensorBoard's run filter pattern that selects exactly the TensorBoard runs
 * behind a diagnosed run: the runs its series were read from (a Keras run
 * "mnist" is the TensorBoard runs "mnist/train" and "mnist/validation"), or
 * the run itself and its sub-runs when no series is known.
 */
export function runFilterPattern(entry) {
  const seriesRuns = Object.values(entry.series || {})
    .map((series) => series && series.run)
    .filter((name) => typeof name === "string" && name);
  const names = [...new Set(seriesRuns)].sort();
  if (names.length === 0) return `^${escapeRegex(entry.run)}(?:/|$)`;
  if (names.length === 1) return `^${escapeRegex(names[0])}$`;
  return `^(?:${names.map(escapeRegex).join("|")})$`;
}

/**
 * Link to TensorBoard's Time Series dashboard (scalars) filtered to the run:
 * <root>/?runFilter=<regex>#timeseries. TensorBoard 2.21 reads the
 * `runFilter` query parameter into its run selector (a case-insensitive
 * regex over run names). Open it with target="_top".
 */
export function scalarsViewUrl(entry) {
  const url = new URL(TENSORBOARD_ROOT);
  url.search = `?runFilter=${encodeURIComponent(runFilterPattern(entry))}`;
  url.hash = "#timeseries";
  return url.href;
}
