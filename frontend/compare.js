// compare.js — the runs ticked for comparison: fetches and keeps each one's
// curves, gives each a colour it keeps while ticked, and turns them into
// overlay series (training solid, validation dashed) and legend items for
// the detail panel's loss chart.

import { fetchCurves } from "./api.js";
import { t } from "./i18n.js";
import { MAX_COMPARED } from "./runlist.js";

/** Overlay colours, distinct from the open run's blue and orange. */
const COMPARE_COLORS = ["#12b5cb", "#e52592", "#34a853", "#9334e6", "#795548", "#b08800"];

export class ComparedCurves {
  /** onChange() is called when a run's curves arrive or fail. */
  constructor(onChange) {
    this.onChange = onChange;
    this.runs = []; // in the order they were ticked
    this.colors = new Map(); // run -> colour index
    this.curves = new Map(); // run -> {status: "loading"|"ok"|"error", data, message, signature}
  }

  /** Follows the ticked runs: loads the new ones, forgets the unticked ones. */
  set(runs) {
    const wanted = [...runs].slice(0, MAX_COMPARED);
    for (const run of [...this.colors.keys()]) {
      if (!wanted.includes(run)) {
        this.colors.delete(run);
        this.curves.delete(run);
      }
    }
    for (const run of wanted) {
      if (this.colors.has(run)) continue;
      const used = new Set(this.colors.values());
      this.colors.set(run, COMPARE_COLORS.findIndex((_, i) => !used.has(i)));
      this.curves.set(run, { status: "loading" });
      this.load(run);
    }
    this.runs = wanted;
  }

  /** Reloads every ticked run's curves (the periodic refresh). */
  refresh() {
    for (const run of this.runs) this.load(run);
  }

  async load(run) {
    let next;
    try {
      const data = await fetchCurves(run);
      next = { status: "ok", data, signature: JSON.stringify(data) };
    } catch (err) {
      next = { status: "error", message: err.message };
    }
    const previous = this.curves.get(run);
    if (!previous) return; // unticked meanwhile
    if (next.status === "error" && previous.status === "ok") return; // keep what is drawn
    if (previous.status === next.status && previous.signature === next.signature && previous.message === next.message) return;
    this.curves.set(run, next);
    this.onChange();
  }

  color(run) {
    return COMPARE_COLORS[this.colors.get(run)] || COMPARE_COLORS[0];
  }

  /** Whether some ticked run's curves are still on their way. */
  loading() {
    return this.runs.some((run) => this.curves.get(run)?.status === "loading");
  }

  /** The runs whose curves failed, with the reason. */
  failures() {
    return this.runs.filter((run) => this.curves.get(run)?.status === "error").map((run) => ({ run, message: this.curves.get(run).message }));
  }

  /** Loss series of the ticked runs other than `exclude`: training solid, validation dashed. */
  series(lang, exclude) {
    const out = [];
    for (const run of this.runs) {
      const state = this.curves.get(run);
      if (run === exclude || !state || state.status !== "ok") continue;
      const available = state.data.series || {};
      for (const role of ["train_loss", "val_loss"]) {
        const points = available[role] && available[role].points;
        if (!Array.isArray(points) || !points.length) continue;
        out.push({ key: `${run}\u0000${role}`, run, label: `${run} · ${t(lang, role)}`, color: this.color(run), dash: role === "val_loss", points });
      }
    }
    return out;
  }

  /** One legend item per ticked run other than `exclude` (its full name as the tooltip; `tails` from names.js). */
  legend(exclude, tails) {
    return this.runs.filter((run) => run !== exclude).map((run) => ({ name: run, tailStart: tails.get(run), title: run, color: this.color(run) }));
  }
}
