import { toast } from "./dom.js";
import { t } from "./i18n.js";

/** A translated message for an API error (by its stable code). @param {any} err */
export function errorText(err) {
  const code = err?.code;
  if (code) {
    const key = `err.${code}`;
    const text = t(key);
    return text === key ? `${t("err.generic")} (${code})` : text;
  }
  return t("err.network");
}

/** Shows an API error as a toast. @param {any} err */
export function showError(err) {
  toast(errorText(err), "error");
}

/**
 * Runs an action from a button: disables it meanwhile, shows errors as a toast, a success message if given.
 * @param {HTMLButtonElement | null} btn @param {() => Promise<unknown>} fn @param {string} [ok]
 */
export async function act(btn, fn, ok) {
  if (btn) btn.disabled = true;
  try {
    await fn();
    if (ok) toast(ok);
    return true;
  } catch (err) {
    showError(err);
    return false;
  } finally {
    if (btn) btn.disabled = false;
  }
}
