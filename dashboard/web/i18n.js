// Two complete dictionaries (zh-CN, the default, and en); markup holds no text of its own.
import { en } from "./i18n-en.js";
import { zh } from "./i18n-zh.js";

/** @type {Record<string, Record<string, string>>} */
export const DICTIONARIES = { "zh-CN": zh, en };
export const LANGS = /** @type {const} */ (["zh-CN", "en"]);
const KEY = "jinlin.lang";

let lang = "zh-CN";
try {
  const saved = globalThis.localStorage?.getItem(KEY);
  if (saved && saved in DICTIONARIES) lang = saved;
} catch {
  // storage may be disabled; the default language stays.
}

export function getLang() {
  return lang;
}

/** Whether the person chose a language on this device (otherwise their account's language is used). */
export function langChosen() {
  try {
    return globalThis.localStorage?.getItem(KEY) !== null;
  } catch {
    return false;
  }
}

/** @param {string} next @param {boolean} [remember] */
export function setLang(next, remember = true) {
  if (!(next in DICTIONARIES)) return;
  lang = next;
  if (remember) {
    try {
      globalThis.localStorage?.setItem(KEY, next);
    } catch {
      // not remembered; still switched for this page.
    }
  }
  if (globalThis.document) {
    document.documentElement.lang = next;
    document.title = t("app.title");
  }
}

/**
 * The text for `key` in the current language with `{name}` placeholders filled. Results are only ever
 * used as text, so values need no escaping. A missing key shows itself, which the tests catch.
 * @param {string} key @param {Record<string, unknown>} [vars]
 */
export function t(key, vars) {
  const s = DICTIONARIES[lang]?.[key] ?? DICTIONARIES["zh-CN"]?.[key] ?? key;
  return vars ? s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`)) : s;
}
