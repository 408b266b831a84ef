import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ERRORS, type ErrorCode, isJinlinError, jinlinError } from "../../core/errors.js";

export const CSRF_COOKIE = "jinlin_csrf";
export const CSRF_HEADER = "x-csrf-token";
/** A year, subdomains included; no `preload` (that is a promise to the browsers' lists an operator must make). */
export const HSTS = "max-age=31536000; includeSubDomains";

/**
 * A same-origin static UI: scripts, styles, images and API calls from this origin only, nothing framed,
 * no plugins. No `upgrade-insecure-requests`: a LAN install without HTTPS must still load its own files.
 */
const CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

export function errorBody(code: ErrorCode, message?: string) {
  return { error: { code, message: message ?? ERRORS[code].message } };
}

function send(reply: FastifyReply, code: ErrorCode, message?: string) {
  return reply.code(ERRORS[code].status).send(errorBody(code, message));
}

/** Every error leaves as `{ error: { code, message } }` with a code from core/errors.ts. */
export function errorHandler(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (isJinlinError(err)) return reply.code(err.statusCode).send(errorBody(err.code, err.message));
  const code = err.code ?? "";
  if (code.startsWith("FST_CSRF_")) return send(reply, "JINLIN_ERR_CSRF_INVALID");
  if (code === "FST_ERR_CTP_INVALID_JSON_BODY" || code === "FST_ERR_CTP_EMPTY_JSON_BODY")
    return send(reply, "JINLIN_ERR_JSON_INVALID");
  if (err.statusCode === 413) return send(reply, "JINLIN_ERR_PAYLOAD_TOO_LARGE");
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return reply
      .code(status)
      .send(errorBody("JINLIN_ERR_INPUT_INVALID", ERRORS.JINLIN_ERR_INPUT_INVALID.message));
  req.log.error({ err }, "request failed");
  return send(reply, "JINLIN_ERR_INTERNAL");
}

/** Cookies, security headers, CSRF tokens, rate limiting, the error format. At the root: applies to every route. */
export async function registerSecurity(app: FastifyInstance, secureCookies: boolean | "auto") {
  await app.register(cookie);
  // HSTS only on responses that went out over HTTPS (directly, or from a trusted proxy that says so):
  // RFC 6797 §7.2 — a browser ignores it over plain HTTP, and a LAN install without HTTPS must not claim it.
  await app.register(helmet, { contentSecurityPolicy: CSP, crossOriginEmbedderPolicy: false, hsts: false });
  app.addHook("onSend", async (req, reply) => {
    if (req.protocol === "https") reply.header("strict-transport-security", HSTS);
  });
  await app.register(csrf, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: "/", sameSite: "strict", httpOnly: true, secure: secureCookies },
    getToken: (req: FastifyRequest) => {
      const t = req.headers[CSRF_HEADER];
      return typeof t === "string" ? t : "";
    },
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => jinlinError("JINLIN_ERR_RATE_LIMITED"),
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) =>
    send(reply, "JINLIN_ERR_NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`),
  );
}
