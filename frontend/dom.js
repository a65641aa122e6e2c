// dom.js — tiny DOM builders for the Diagnosis tab.
// Data (run names, tags, texts from the server) is untrusted: it only ever
// reaches the page through textContent / createTextNode / setAttribute on
// harmless attributes. Event-handler attributes (on*) are refused outright.

const SVG_NS = "http://www.w3.org/2000/svg";

function applyProps(node, props) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (/^on/i.test(key)) throw new Error(`refusing event attribute ${key}`);
    if (key === "class") node.setAttribute("class", value);
    else if (key === "text") node.textContent = String(value);
    else if (key === "testid") node.setAttribute("data-testid", value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
}

function appendChildren(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Creates an HTML element: el("a", {href, class, text}, ...children). */
export function el(tag, props, ...children) {
  const node = document.createElement(tag);
  applyProps(node, props);
  appendChildren(node, children);
  return node;
}

/** Creates an SVG element with the same conventions as el(). */
export function svg(tag, props, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  applyProps(node, props);
  appendChildren(node, children);
  return node;
}

/** Replaces every child of node with the given children. */
export function replaceChildren(node, ...children) {
  node.textContent = "";
  appendChildren(node, children);
  return node;
}

/** Sets textContent only when it changes (avoids needless layout work). */
export function setText(node, text) {
  const value = String(text);
  if (node.textContent !== value) node.textContent = value;
}

/**
 * Nodes for a long name with line-break opportunities (<wbr>) after / _ - = ,
 * as TensorBoard shows run names; textContent stays the exact name.
 */
export function breakable(text) {
  const parts = String(text).split(/(?<=[/=_,-])/);
  return parts.flatMap((part, i) => (i ? [document.createElement("wbr"), part] : [part]));
}
