// The JSON API (docs/dashboard-api.md): same-origin fetch with the session cookie, and the CSRF token
// in x-csrf-token on every state-changing request.
let csrf = "";
/** @type {() => void} */
let onSignedOut = () => {};

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** @param {() => void} fn */
export function whenSignedOut(fn) {
  onSignedOut = fn;
}

/** @param {string} token */
export function setCsrf(token) {
  csrf = token;
}

async function refreshCsrf() {
  const res = await fetch("/api/auth/csrf", { credentials: "same-origin" });
  csrf = (await res.json()).csrfToken;
}

/**
 * @param {string} method @param {string} url @param {unknown} [body]
 * @returns {Promise<any>}
 */
export async function api(method, url, body, retried = false) {
  const unsafe = method !== "GET";
  if (unsafe && !csrf) await refreshCsrf();
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
  if (unsafe) headers["x-csrf-token"] = csrf;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, {
    method,
    headers,
    credentials: "same-origin",
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (res.ok) {
    if (data && typeof data.csrfToken === "string") csrf = data.csrfToken;
    return data;
  }
  const code = data?.error?.code ?? "JINLIN_ERR_INTERNAL";
  if (code === "JINLIN_ERR_CSRF_INVALID" && !retried) {
    await refreshCsrf();
    return api(method, url, body, true);
  }
  if (res.status === 401 && code === "JINLIN_ERR_UNAUTHENTICATED") onSignedOut();
  throw new ApiError(res.status, code, data?.error?.message ?? res.statusText);
}

export const get = (/** @type {string} */ url) => api("GET", url);
export const post = (/** @type {string} */ url, /** @type {unknown} */ body = {}) => api("POST", url, body);
export const put = (/** @type {string} */ url, /** @type {unknown} */ body) => api("PUT", url, body);
export const patch = (/** @type {string} */ url, /** @type {unknown} */ body) => api("PATCH", url, body);
export const del = (/** @type {string} */ url) => api("DELETE", url);

/** Query string from the defined values. @param {Record<string, unknown>} q */
export function qs(q) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** A path segment from data. @param {string | number} s */
export const seg = (s) => encodeURIComponent(String(s));

/**
 * The service's clock (epoch ms, `now` of GET /api/auth/me). Under the demo's 60× clock or a backtest's
 * it runs apart from the browser's, so chart windows and "3 min ago" are built on it. Asked afresh each
 * time: a compressed clock drifts from any offset measured once.
 * @returns {Promise<number>}
 */
export async function serverNow() {
  const r = await get("/api/auth/me");
  return typeof r?.now === "number" ? r.now : Date.now();
}
