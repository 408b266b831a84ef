// DOM helpers. Every piece of data reaches the page as a text node or an attribute value set through
// the DOM API: nothing here, or anywhere in the UI, assigns innerHTML (a resident called
// "<script>alert(1)</script>" is shown as those characters).
import { getLang, t } from "./i18n.js";

/**
 * Creates an element. `spec` is "tag.class1.class2#id"; attrs: on* → listeners, `class`, `text`,
 * booleans as presence, anything else via setAttribute. Children: nodes, strings (text), arrays, null.
 * @param {string} spec
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(spec, attrs, ...children) {
  const [tagAndClasses, id] = spec.split("#");
  const [tag, ...classes] = /** @type {string} */ (tagAndClasses).split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  if (id) el.id = id;
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function")
      el.addEventListener(k.slice(2), /** @type {EventListener} */ (v));
    else if (k === "class") el.className = `${el.className} ${v}`.trim();
    else if (k === "text") el.textContent = String(v);
    else if (k === "value") /** @type {HTMLInputElement} */ (el).value = String(v);
    else if (k === "checked") /** @type {HTMLInputElement} */ (el).checked = Boolean(v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

/** @param {Node} el @param {unknown[]} children */
export function append(el, children) {
  for (const c of children.flat(3)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** @param {Node} el */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** @param {HTMLElement} el @param {...unknown} children */
export function replace(el, ...children) {
  return append(clear(el), children);
}

/**
 * A date and time in the chosen language, on the home's clock when its zone is given (times of a home
 * are always shown in its own zone; without one, the browser's).
 * @param {number | null | undefined} ms @param {string} [timeZone]
 */
export function fmtTime(ms, timeZone) {
  if (ms === null || ms === undefined) return "—";
  return new Intl.DateTimeFormat(getLang(), { dateStyle: "short", timeStyle: "short", timeZone }).format(ms);
}

/** @param {number | null | undefined} ms @param {string} [timeZone] */
export function fmtClock(ms, timeZone) {
  if (ms === null || ms === undefined) return "—";
  return new Intl.DateTimeFormat(getLang(), {
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZone,
  }).format(ms);
}

/** A duration such as "3 min" / "3分钟". @param {number | null | undefined} ms */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined) return "—";
  const min = Math.round(ms / 60_000);
  if (min < 60) return t("dur.min", { n: min });
  const hours = Math.floor(min / 60);
  if (hours < 48) return t("dur.hmin", { h: hours, m: min % 60 });
  return t("dur.days", { n: Math.floor(hours / 24) });
}

/** "5 min ago". @param {number} ms @param {number} [now] */
export function fmtAge(ms, now = Date.now()) {
  return t("dur.ago", { d: fmtDuration(Math.max(0, now - ms)) });
}

/** A label above its control, with a big touch target. @param {string} key @param {HTMLElement} control */
export function field(key, control) {
  return h("label.field", null, h("span.label", { text: t(key) }), control);
}

/** @param {string} key @param {Record<string, unknown>} [attrs] */
export function button(key, attrs = {}) {
  return h("button", { type: "button", ...attrs, text: t(key) });
}

/** A small status badge: `kind` picks the colour. @param {string} kind @param {string} text */
export function badge(kind, text) {
  return h(`span.badge.b-${kind}`, { text });
}

let toastTimer = 0;
/** A short message at the bottom of the screen. @param {string} text @param {"ok" | "error"} [kind] */
export function toast(text, kind = "ok") {
  const el = /** @type {HTMLElement} */ (document.getElementById("toast"));
  el.textContent = text;
  el.className = `show ${kind}`;
  clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => {
    el.className = "";
  }, 4000);
}

/** A section with a heading. @param {string} key @param {...unknown} children */
export function section(key, ...children) {
  return h("section.card", null, h("h2", { text: t(key) }), ...children);
}

/** Turns a form's named controls into an object of trimmed strings (empty ones left out). @param {HTMLFormElement} form */
export function formValues(form) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [k, v] of new FormData(form)) {
    const s = String(v).trim();
    if (s !== "") out[k] = s;
  }
  return out;
}
