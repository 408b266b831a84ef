import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { jinlinError } from "../../core/errors.js";
import { sha256 } from "../../core/secrets.js";
import type { Account } from "../../storage/sqlite/accounts.js";
import type { AuthOptions, DashboardDeps } from "./types.js";

export const SESSION_COOKIE = "jinlin_session";
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function isApi(url: string): boolean {
  return url === "/api" || url.startsWith("/api/");
}

/** Sessions: a random 256-bit id in an HttpOnly cookie; the store keeps only its sha256. */
export function createSessions(deps: DashboardDeps, opts: AuthOptions) {
  const { accounts, clock } = deps;
  return {
    start(reply: FastifyReply, account: Account): Buffer {
      const id = randomBytes(32).toString("base64url");
      const hash = sha256(id);
      accounts.createSession(hash, account.id, clock.now() + opts.sessionMaxMs);
      reply.setCookie(SESSION_COOKIE, id, {
        path: "/",
        httpOnly: true,
        sameSite: "strict",
        secure: opts.secureCookies,
        maxAge: Math.floor(opts.sessionMaxMs / 1000),
      });
      return hash;
    },
    end(req: FastifyRequest, reply: FastifyReply): void {
      if (req.principal) accounts.deleteSession(req.principal.sessionHash);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
    },
    /** The account behind the request's cookie, if its session is live. */
    resolve(req: FastifyRequest): void {
      const id = req.cookies[SESSION_COOKIE];
      if (!id) return;
      const hash = sha256(id);
      const account = accounts.sessionAccount(hash, opts.sessionIdleMs);
      req.principal = account ? { ...account, sessionHash: hash } : null;
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;

/**
 * Default deny for /api/: every route needs a live session unless it says `public: true`, the signed-in
 * role must be one the route lists, and every state-changing request must carry the CSRF token.
 * Authentication comes first, so an anonymous caller learns nothing but 401.
 */
export function guard(app: FastifyInstance, sessions: Sessions) {
  return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    if (!isApi(req.url)) return done();
    sessions.resolve(req);
    const config = req.routeOptions.config;
    if (!config.public) {
      if (!req.principal) return done(jinlinError("JINLIN_ERR_UNAUTHENTICATED"));
      if (config.roles && !config.roles.includes(req.principal.role))
        return done(jinlinError("JINLIN_ERR_FORBIDDEN"));
    }
    if (UNSAFE.has(req.method)) return app.csrfProtection(req, reply, done);
    done();
  };
}
