// index.js — entry point of the LossDoc Diagnosis tab. TensorBoard's
// data/plugin_entry.html?name=lossdoc imports this module in an iframe and
// calls render(). Loads style.css (next to this module) and starts the app.

import { App } from "./app.js";

function loadStylesheet() {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = new URL("./style.css", import.meta.url).href;
  return new Promise((resolve) => {
    link.addEventListener("load", resolve);
    link.addEventListener("error", resolve); // unstyled beats nothing
    (document.head || document.documentElement).appendChild(link);
  });
}

let started = null;

/** Builds the tab in document.body; later calls return the same app. */
export function render() {
  if (!started) {
    started = loadStylesheet().then(() => {
      const app = new App(document.body);
      app.start();
      return app;
    });
  }
  return started;
}
