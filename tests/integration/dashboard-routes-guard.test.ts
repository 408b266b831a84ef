import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../alerts/notify/signature.js";
import { CHECKIN_ANSWER_PATH } from "../../dashboard/routes/checkin.js";
import { startTestService, type TestService } from "../helpers/service.js";
import { type Dashboard, GATEWAY_SECRET, startDashboard } from "./dashboard-harness.js";

/**
 * The scope test (dashboard-scope.test.ts) is table-driven over the routes the test harness registers.
 * This guard starts the real service and compares the routes its OpenAPI document lists with the
 * harness's: a route added to cli/service.ts but not to the harness fails here, not silently unscoped.
 */
let service: TestService;
let d: Dashboard;
let base: string;

/**
 * Routes of the real service that answer without a session, so have no household scope to prove:
 * health and readiness probes, Prometheus metrics, the API documentation (Swagger UI and its JSON/YAML),
 * and the call/SMS gateway's check-in answer, authenticated by its HMAC signature (proved below).
 * Hidden routes (the MQTT WebSocket, the static browser UI) are not in the document at all.
 */
const PUBLIC_INFRASTRUCTURE = new Set([
  "GET /healthz",
  "GET /readyz",
  "GET /metrics",
  `POST ${CHECKIN_ANSWER_PATH}`,
]);
const isDocs = (route: string) => /^GET \/docs(\/|$)/.test(route);

const SECRET = "guard-gateway-secret-0123456789";

beforeAll(async () => {
  service = await startTestService({
    JINLIN_WEBHOOK_URL: "http://127.0.0.1:9/gateway",
    JINLIN_WEBHOOK_SECRET: SECRET,
  });
  base = `http://127.0.0.1:${service.httpPort}`;
  d = await startDashboard();
});
afterAll(async () => {
  await d?.close();
  await service?.stop();
});

/** `/api/households/{householdId}/water` → `/api/households/:householdId/water`. */
const fastifyPath = (openApiPath: string) => openApiPath.replace(/\{([^}]+)\}/g, ":$1");

async function serviceRoutes(): Promise<string[]> {
  const res = await fetch(`${base}/docs/json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  const out: string[] = [];
  for (const [path, ops] of Object.entries(doc.paths))
    for (const method of Object.keys(ops))
      if (method !== "head") out.push(`${method.toUpperCase()} ${fastifyPath(path)}`);
  return out.sort();
}

const harnessRoutes = () =>
  new Set(d.routes.filter((r) => r.method !== "HEAD").map((r) => `${r.method} ${r.url}`));

describe("every route of the real service is in the scope table", () => {
  it("lists no route the harness (and so the scope test) lacks, except public infrastructure", async () => {
    const real = await serviceRoutes();
    // The document is the real one: the dashboard, history, rules, check-in and live routes are all there.
    expect(real.length).toBeGreaterThan(50);
    expect(real).toEqual(
      expect.arrayContaining([
        "GET /api/households/:id/water",
        "PUT /api/households/:householdId/rules",
        "PUT /api/households/:householdId/checkin",
        "GET /api/live",
        ...PUBLIC_INFRASTRUCTURE,
      ]),
    );
    const covered = harnessRoutes();
    const missing = real.filter((r) => !covered.has(r) && !PUBLIC_INFRASTRUCTURE.has(r) && !isDocs(r));
    expect(missing, "routes of cli/service.ts missing from tests/integration/dashboard-harness.ts").toEqual(
      [],
    );
  });

  it("has the harness register no /api/ route the real service lacks", async () => {
    const real = new Set(await serviceRoutes());
    const extra = [...harnessRoutes()].filter((r) => r.includes(" /api/") && !real.has(r));
    expect(extra).toEqual([]);
  });
});

describe("the gateway's check-in answer (public, HMAC-authenticated)", () => {
  const answer = (body: string, headers: Record<string, string>) =>
    fetch(`${base}${CHECKIN_ANSWER_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });
  const body = JSON.stringify({ alertId: 424242, answer: "ok" });
  const now = () => Math.floor(Date.now() / 1000);

  it("refuses an unsigned, a wrongly signed, a tampered and a stale answer", async () => {
    const ts = now();
    const refused = [
      await answer(body, {}),
      await answer(body, { "x-jinlin-timestamp": String(ts) }),
      await answer(body, {
        "x-jinlin-timestamp": String(ts),
        "x-jinlin-signature": signWebhook("not-the-gateway-secret-0123", ts, body),
      }),
      await answer(JSON.stringify({ alertId: 424243, answer: "ok" }), {
        "x-jinlin-timestamp": String(ts),
        "x-jinlin-signature": signWebhook(SECRET, ts, body),
      }),
      await answer(body, {
        "x-jinlin-timestamp": String(ts - 3600),
        "x-jinlin-signature": signWebhook(SECRET, ts - 3600, body),
      }),
    ];
    for (const [i, res] of refused.entries()) {
      expect(res.status, `case ${i}`).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        "JINLIN_ERR_UNAUTHENTICATED",
      );
    }
  });

  it("accepts the gateway's signature (so the refusals above are the signature's doing)", async () => {
    const ts = now();
    const res = await answer(body, {
      "x-jinlin-timestamp": String(ts),
      "x-jinlin-signature": signWebhook(SECRET, ts, body),
    });
    // Signed correctly, the answer gets as far as looking up the alert, which does not exist.
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("JINLIN_ERR_ALERT_NOT_FOUND");
  });

  it("refuses an unsigned answer in the harness too (its gateway secret is set as in the service)", async () => {
    const res = await d.app.inject({
      method: "POST",
      url: CHECKIN_ANSWER_PATH,
      payload: { alertId: 1, answer: "ok" },
    });
    expect(res.statusCode).toBe(401);
    expect(GATEWAY_SECRET.length).toBeGreaterThanOrEqual(16);
  });
});
