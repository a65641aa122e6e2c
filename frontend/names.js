// names.js — run names on one line: the middle is elided when space is
// short, the end that tells runs apart is kept (the full name goes in a
// title attribute by the caller). textContent stays the exact name.

import { el } from "./dom.js";

const MAX_TAIL_SEGMENTS = 4;

/** Where the kept end of a name starts when nothing else is known: its last segment, else after its last "_". */
function defaultTailStart(name) {
  let cut = name.lastIndexOf("/", name.length - 2);
  if (cut < 0) cut = name.lastIndexOf("_", name.length - 2);
  return cut > 0 ? cut + 1 : 0;
}

/**
 * For each name, where its shortest distinctive end starts: the fewest last
 * path segments no other name ends with. When only its first segment tells it
 * apart ("a/runs/Nov21_host" beside "b/runs/Nov21_host"), 0: the name is cut
 * at its end instead, so its start stays visible.
 */
export function distinctTails(names) {
  const split = names.map((name) => String(name).split("/"));
  const suffix = (parts, k) => parts.slice(parts.length - k).join("/");
  const counts = new Map();
  for (const parts of split) {
    for (let k = 1; k < parts.length && k <= MAX_TAIL_SEGMENTS; k++) counts.set(suffix(parts, k), (counts.get(suffix(parts, k)) || 0) + 1);
  }
  const starts = new Map();
  names.forEach((name, i) => {
    const parts = split[i];
    const text = String(name);
    if (parts.length < 2) return starts.set(name, defaultTailStart(text));
    for (let k = 1; k < parts.length && k <= MAX_TAIL_SEGMENTS; k++) {
      if (counts.get(suffix(parts, k)) === 1) return starts.set(name, text.length - suffix(parts, k).length);
    }
    starts.set(name, 0);
  });
  return starts;
}

/** The name as a head (elided first) and a kept tail starting at `tailStart` (default: its last segment). */
export function elidedName(name, props, tailStart) {
  const text = String(name);
  const start = typeof tailStart === "number" ? tailStart : defaultTailStart(text);
  const head = start > 0 ? text.slice(0, start) : text;
  const tail = start > 0 ? text.slice(start) : "";
  const node = el("span", props, el("span", { class: "name-head", text: head }), tail ? el("span", { class: "name-tail", text: tail }) : null);
  node.classList.add("elided-name");
  node.setAttribute("data-tail-start", String(start));
  return node;
}
