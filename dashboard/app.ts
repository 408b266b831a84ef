import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import websocket from "@fastify/websocket";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerFactory,
  LogController,
} from "fastify";
import { createWebSocketStream } from "ws";
import type { Logger } from "../core/log.js";
import { errorBody } from "./auth/security.js";
import type { DashboardDeps } from "./auth/types.js";
import { registerDashboard } from "./routes/index.js";
import { staticRoutes } from "./routes/static.js";

export interface ReadinessCheck {
  name: string;
  check(): { ok: boolean; detail?: string };
}

export interface AppDeps {
  log: Logger;
  readiness: ReadinessCheck[];
  metricsText(): Promise<{ contentType: string; body: string }>;
  /** When set, /metrics answers only `Authorization: Bearer <token>` (401 otherwise). */
  metricsToken?: string | undefined;
  /** Hands an MQTT-over-WebSocket stream to the broker. */
  mqttOverWebSocket?(stream: Duplex, request: IncomingMessage): void;
  version: string;
  /** HTTPS (certificate and key in PEM) and the reverse proxies whose X-Forwarded-* headers are believed. */
  server?: {
    https?: { cert: Buffer; key: Buffer };
    trustProxy?: string | false;
    /** Slow clients: the whole request and its headers must arrive within these (Node's defaults otherwise). */
    timeouts?: { requestMs: number; headersMs: number };
  };
  /** Accounts, scope and the dashboard API; without it only health, metrics and docs are served. */
  dashboard?: DashboardDeps;
}

/**
 * Fastify's server, over TLS when a certificate is given: the dashboard, the API and MQTT over WebSocket
 * (ws[s]://…/mqtt) alike. The timeouts bound receiving a request only (a slowloris client trickling headers or
 * a body is answered 408 and closed); a long response such as /api/live and an upgraded /mqtt socket are not
 * cut. Node checks them every connectionsCheckingInterval, so a slow client is closed within timeout + 1 s.
 */
function serverFactory(server: NonNullable<AppDeps["server"]>): FastifyServerFactory {
  const options = {
    // Fastify's own default; Node's 5 s would drop idle keep-alive connections of the dashboard sooner.
    keepAliveTimeout: 72_000,
    ...(server.timeouts
      ? {
          requestTimeout: server.timeouts.requestMs,
          headersTimeout: server.timeouts.headersMs,
          connectionsCheckingInterval: Math.min(1_000, server.timeouts.headersMs),
        }
      : {}),
  };
  return (handler) =>
    server.https
      ? createHttpsServer({ ...options, cert: server.https.cert, key: server.https.key }, handler)
      : createHttpServer(options, handler);
}

/**
 * Compares a request's `Authorization` header with `Bearer <token>` in constant time (both sides hashed to
 * equal length first). No token configured: every request passes.
 */
function bearerCheck(token: string | undefined): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const want = createHash("sha256").update(`Bearer ${token}`).digest();
  return (header) =>
    header !== undefined && timingSafeEqual(createHash("sha256").update(header).digest(), want);
}

/** The HTTP side of Jinlin as a Fastify instance that is never told to listen here (the composition root does). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1_048_576,
    trustProxy: deps.server?.trustProxy ?? false,
    ...(deps.server ? { serverFactory: serverFactory(deps.server) } : {}),
    // Errors Fastify raises before routing (a malformed URL such as %c0%ae) get Jinlin's error shape too.
    frameworkErrors: (error: Error, _req: FastifyRequest, reply: FastifyReply) => {
      reply.code(400).send({
        error: { code: "JINLIN_ERR_INPUT_INVALID", message: `malformed request: ${error.message}` },
      });
    },
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: "Jinlin (近邻) API",
        version: deps.version,
        description: "Health, metrics and the Jinlin HTTP API",
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  await app.register(websocket, { options: { maxPayload: 1_048_576 } });
  if (deps.dashboard) {
    await registerDashboard(app, deps.dashboard);
    await app.register(staticRoutes);
  }

  app.get(
    "/healthz",
    {
      schema: {
        description: "Liveness: the process answers",
        response: { 200: { type: "object", properties: { status: { type: "string" } } } },
      },
    },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    { schema: { description: "Readiness: every dependency is usable" } },
    async (_req, reply) => {
      const checks = deps.readiness.map((c) => ({ name: c.name, ...c.check() }));
      const ok = checks.every((c) => c.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? "ready" : "not_ready", checks });
    },
  );

  const metricsAllowed = bearerCheck(deps.metricsToken);
  app.get("/metrics", { schema: { description: "Prometheus metrics", hide: false } }, async (req, reply) => {
    if (!metricsAllowed(req.headers.authorization))
      return reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="metrics"')
        .send(errorBody("JINLIN_ERR_UNAUTHENTICATED", "/metrics needs Authorization: Bearer <token>"));
    const { contentType, body } = await deps.metricsText();
    return reply.type(contentType).send(body);
  });

  if (deps.mqttOverWebSocket) {
    const handle = deps.mqttOverWebSocket;
    app.get("/mqtt", { websocket: true, schema: { hide: true } }, (socket, req) => {
      handle(createWebSocketStream(socket), req.raw);
    });
  }
  return app;
}
