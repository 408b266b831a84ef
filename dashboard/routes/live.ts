import type { ServerResponse } from "node:http";
import type { FastifyPluginAsync } from "fastify";
import type { Alert } from "../../alerts/alert-types.js";
import type { AlertNews } from "../../alerts/lifecycle.js";
import { principal } from "../auth/scope.js";
import { type DashboardDeps, DEFAULT_AUTH_OPTIONS, type Principal } from "../auth/types.js";
import { ALL_ROLES } from "./context.js";
import { familyAlertView } from "./status.js";

export interface LiveRoutesOptions {
  deps: DashboardDeps;
  /** The service's committed alert changes (RunningService.onAlert); returns an unsubscribe. */
  onAlert(listener: (alert: Alert, news: AlertNews) => void): () => void;
  /** How often a comment line keeps proxies from closing the stream and the session is checked again. */
  heartbeatMs?: number;
}

interface Subscriber {
  who: Principal;
  res: ServerResponse;
}

/**
 * GET /api/live: Server-Sent Events of alert changes, each only to people whose scope holds the
 * household (the same `seesHousehold` as every route; a family gets the family view, no evidence
 * internals or worker notes). The session is checked again at every heartbeat, so signing out, a password
 * change or a disabled account ends the stream; an open stream counts as activity, so a worker's inbox left
 * open on a phone keeps receiving alerts (the 24 h session limit still holds).
 */
export const liveRoutes: FastifyPluginAsync<LiveRoutesOptions> = async (app, opts) => {
  const { deps } = opts;
  const idleMs = deps.options?.sessionIdleMs ?? DEFAULT_AUTH_OPTIONS.sessionIdleMs;
  const subscribers = new Set<Subscriber>();

  const write = (s: Subscriber, chunk: string) => {
    if (!s.res.writableEnded) s.res.write(chunk);
  };
  const end = (s: Subscriber) => {
    subscribers.delete(s);
    if (!s.res.writableEnded) s.res.end();
  };
  const stillSignedIn = (s: Subscriber) => {
    const account = deps.accounts.sessionAccount(s.who.sessionHash, idleMs);
    return account !== undefined && account.id === s.who.id;
  };

  const unsubscribe = opts.onAlert((alert, news) => {
    if (subscribers.size === 0) return;
    const home = deps.registry.getHousehold(alert.householdId);
    const household = home
      ? { id: home.id, resident: home.resident, address: home.address, gridPath: home.gridPath }
      : null;
    for (const s of subscribers) {
      if (!deps.homes.seesHousehold(s.who, alert.householdId)) continue;
      const view =
        s.who.role === "family"
          ? { ...familyAlertView(alert), householdId: alert.householdId }
          : { ...alert, household };
      write(s, `event: alert\ndata: ${JSON.stringify({ news, alert: view })}\n\n`);
    }
  });

  const heartbeat = setInterval(() => {
    for (const s of subscribers) {
      if (stillSignedIn(s)) write(s, ": ping\n\n");
      else {
        write(s, "event: signed-out\ndata: {}\n\n");
        end(s);
      }
    }
  }, opts.heartbeatMs ?? 25_000);
  heartbeat.unref();

  // Open streams would keep app.close() waiting for ever: end them before the server closes.
  app.addHook("preClose", async () => {
    clearInterval(heartbeat);
    unsubscribe();
    for (const s of subscribers) end(s);
  });

  app.get(
    "/api/live",
    { config: { roles: ALL_ROLES }, schema: { description: "Server-Sent Events: alert changes in scope" } },
    (req, reply) => {
      const s: Subscriber = { who: principal(req), res: reply.raw };
      reply.hijack();
      // The security headers helmet put on the reply, plus what an event stream needs.
      reply.raw.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
        connection: "keep-alive",
      });
      reply.raw.write("retry: 3000\nevent: hello\ndata: {}\n\n");
      subscribers.add(s);
      req.raw.on("close", () => end(s));
    },
  );
};
