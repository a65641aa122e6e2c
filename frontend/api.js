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

/**
 * GETs a JSON route. With `etag`, asks If-None-Match and resolves to
 * {notModified: true} on a 304; otherwise to {data, etag}.
 */
async function getJson(relativeUrl, etag) {
  const headers = { Accept: "application/json" };
  if (etag) headers["If-None-Match"] = etag;
  let response;
  try {
    response = await fetch(new URL(relativeUrl, PLUGIN_BASE), { headers });
  } catch (err) {
    throw new ApiError(err && err.message ? err.message : "network error", 0);
  }
  if (response.status === 304) return { notModified: true, etag };
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
    return { data: await response.json(), etag: response.headers.get("ETag") };
  } catch (err) {
    throw new ApiError("the server sent invalid JSON", response.status);
  }
}

/**
 * The diagnoses document (the list view: findings without detail, actions,
 * evidence). Resolves to {doc, etag}, or {notModified: true} when `etag`
 * still matches.
 */
export async function fetchDiagnoses(etag) {
  const answer = await getJson("diagnoses", etag);
  if (answer.notModified) return answer;
  const doc = answer.data;
  if (!doc || !Array.isArray(doc.runs)) throw new ApiError("unexpected response shape", 200);
  if (!Array.isArray(doc.skipped)) doc.skipped = [];
  return { doc, etag: answer.etag };
}

/** One run's full entry (findings with detail, actions, evidence): {entry, etag} or {notModified: true}. */
export async function fetchRun(run, lang, etag) {
  const answer = await getJson(`run?run=${encodeURIComponent(run)}&lang=${encodeURIComponent(lang)}`, etag);
  if (answer.notModified) return answer;
  if (!answer.data || answer.data.run !== run) throw new ApiError("unexpected response shape", 200);
  return { entry: answer.data, etag: answer.etag };
}

/** Downsampled curves of one run: {run, series: {role: {run, tag, points}}}. */
export async function fetchCurves(run) {
  const { data: doc } = await getJson(`curves?run=${encodeURIComponent(run)}`);
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
