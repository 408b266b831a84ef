import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECKIN_ANSWER_PATH } from "../../dashboard/routes/checkin.js";
import type { Role } from "../../storage/sqlite/people.js";
import { type Client, type Dashboard, type RouteRecord, startDashboard } from "./dashboard-harness.js";

/**
 * Scope, proved on every route the Fastify instance has: anonymous callers get 401; a family member of
 * another household and a worker of another grid get 403 where their role may not use the route at all,
 * and otherwise exactly what a non-existent id gets (404), so nothing can be probed. A route whose
 * parameters are not in PARAMS fails here: add it to the table, do not skip it.
 */
let d: Dashboard;
let values: Record<string, string>;
let bogus: Record<string, string>;
let marks: string[];
let outsiders: { name: string; role: Role; client: Client }[];
let insiders: { name: string; role: Role; client: Client }[];
let homes: { a: string; b: string };

/** Routes outside /api/ that may answer anyone: health, metrics, docs and the MQTT WebSocket. */
// The browser UI (dashboard/routes/static.ts) serves only static files: the page and its modules, no data.
// The gateway's check-in answer is authenticated by its HMAC signature, not a session
// (tests/integration/dashboard-routes-guard.test.ts proves unsigned and wrongly signed answers are refused).
const PUBLIC_INFRASTRUCTURE = new Set([
  "/healthz",
  "/readyz",
  "/metrics",
  "/mqtt",
  "/",
  "/web/*",
  CHECKIN_ANSWER_PATH,
]);
/** Server-Sent Event streams never end under inject: the live test below proves their scope on a socket. */
const STREAMS = new Set(["/api/live"]);

beforeAll(async () => {
  d = await startDashboard({ loginRateLimit: { max: 10_000, windowMs: 60_000 } });
  // Household A comes from its family member's registration, approved by the grid worker: so she is the
  // one who registered the resident, and may export (tests/integration/privacy.test.ts).
  const fa = await d.user("family");
  const wa = await d.user("worker", { grid: "city/d1/s1/c1/g-a" });
  const asked = await fa.client.post("/api/registrations", {
    resident: "Scope Resident A",
    address: "1 Scope Road",
    gridPath: "city/d1/s1/c1/g-a",
    consent: { given: true, by: "resident" },
  });
  const approved = await wa.client.post(`/api/registrations/${asked.json().id}/approve`, {});
  expect(approved.statusCode, approved.body).toBe(200);
  const a = approved.json<{ household: { id: string } }>().household;
  const b = d.household("city/d2/s2/c2/g-b", "Scope Resident B");
  const sup = await d.user("worker", { grid: "city/d1", duty: "supervisor" });
  const op = await d.user("operator");
  const fb = await d.user("family", { household: b.id });
  const wb = await d.user("worker", { grid: "city/d2/s2/c2/g-b" });
  const wbSupervisor = await d.user("worker", { grid: "city/d2", duty: "supervisor" });
  const alert = d.raise(a.id, "critical");
  const device = d.registry.addDevice({
    householdId: a.id,
    kind: "water",
    id: "scope-meter-a",
    secretHash: "x",
  });
  const reg = await fa.client.post("/api/registrations", {
    resident: "Scope Pending",
    address: "9 Pending Lane",
    gridPath: "city/d1/s1/c1/g-a",
    consent: { given: true, by: "resident" },
  });
  const absence = await fa.client.post(`/api/households/${a.id}/absences`, {
    from: d.clock.now() + 86_400_000,
    to: d.clock.now() + 3 * 86_400_000,
    reason: "hospital",
  });
  const gridA = d.registry.ensureGrid("city/d1/s1/c1/g-a");
  values = {
    householdId: a.id,
    alertId: String(alert.id),
    deviceId: device.id,
    registrationId: reg.json().id,
    absenceId: String(absence.json().id),
    personId: fa.account.id,
    gridId: String(gridA.id),
    notificationId: "1",
  };
  bogus = {
    householdId: "hh-0000000000",
    alertId: "999999",
    deviceId: "no-such-device",
    registrationId: "reg-000000000000",
    absenceId: "999999",
    personId: "p-0000000000",
    gridId: "999999",
    notificationId: "999999",
  };
  homes = { a: a.id, b: b.id };
  marks = [a.id, "Scope Resident A", "Scope Pending", device.id, reg.json().id, fa.account.id];
  outsiders = [
    { name: "family of another household", role: "family", client: fb.client },
    { name: "worker of another grid", role: "worker", client: wb.client },
    { name: "supervisor of another district", role: "worker", client: wbSupervisor.client },
  ];
  insiders = [
    { name: "family", role: "family", client: fa.client },
    { name: "grid worker", role: "worker", client: wa.client },
    { name: "supervisor above", role: "worker", client: sup.client },
    { name: "operator", role: "operator", client: op.client },
  ];
});
afterAll(async () => d?.close());

/** History routes (someone else's module) name both kinds of id `:id`; the prefix says which. */
function paramValue(url: string, name: string, table: Record<string, string>): string {
  if (name === "id") return url.startsWith("/api/devices/") ? table.deviceId! : table.householdId!;
  const v = table[name];
  if (v === undefined) throw new Error(`${url}: parameter :${name} is not in the scope table`);
  return v;
}

function fill(url: string, table: Record<string, string>): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(paramValue(url, name, table)));
}

const apiRoutes = () => d.routes.filter((r) => r.url.startsWith("/api/"));
/** Routes that answer a request with a response (not a stream). */
const answering = () => apiRoutes().filter((r) => !STREAMS.has(r.url));
/** Routes about the caller only (sign-out, password): no household to be out of scope of. */
const householdRoutes = () => answering().filter((r) => !r.public && !r.url.startsWith("/api/auth/"));
const allowed = (r: RouteRecord, role: Role) => r.roles === undefined || r.roles.includes(role);

describe("scope on every route", () => {
  it("lists the dashboard's routes, and nothing outside /api/ but infrastructure", () => {
    expect(apiRoutes().length).toBeGreaterThan(35);
    // The history, rules, check-in and live routes are registered as in cli/service.ts; they are in scope too.
    expect(apiRoutes().map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        "GET /api/households/:id/water",
        "GET /api/households/:id/latest",
        "GET /api/devices/:id/readings",
        "GET /api/rules",
        "PUT /api/grids/:gridId/rules",
        "GET /api/households/:householdId/rules",
        "DELETE /api/households/:householdId/rules/learned",
        "GET /api/households/:householdId/checkin",
        "PUT /api/households/:householdId/checkin",
        "GET /api/households/:householdId/export",
        "GET /api/live",
      ]),
    );
    for (const r of d.routes.filter((x) => !x.url.startsWith("/api/")))
      expect(PUBLIC_INFRASTRUCTURE.has(r.url), `${r.method} ${r.url}`).toBe(true);
  });

  it("answers 401 to anonymous callers on every non-public /api/ route", async () => {
    const anon = d.client();
    await anon.fetchCsrf();
    for (const r of apiRoutes().filter((x) => !x.public)) {
      const res = await anon.request(
        r.method,
        fill(r.url, values),
        r.method === "GET" || r.method === "HEAD" ? undefined : {},
      );
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
    }
  });

  it("answers outsiders 403 (role) or the same 404 as a missing id, and never leaks the household", async () => {
    for (const o of outsiders) {
      for (const r of householdRoutes()) {
        const what = `${o.name}: ${r.method} ${r.url}`;
        const body = r.method === "GET" || r.method === "HEAD" ? undefined : {};
        const real = await o.client.request(r.method, fill(r.url, values), body);
        expect(real.statusCode, what).not.toBe(401);
        for (const m of marks) expect(real.body, what).not.toContain(m);
        if (!allowed(r, o.role)) {
          expect(real.statusCode, what).toBe(403);
          continue;
        }
        if (!r.url.includes(":")) continue;
        expect(real.statusCode, what).toBe(404);
        const missing = await o.client.request(r.method, fill(r.url, bogus), body);
        expect(real.statusCode, what).toBe(missing.statusCode);
        expect(real.body, what).toBe(missing.body);
      }
    }
  });

  it("keeps lists free of other households", async () => {
    for (const o of outsiders)
      for (const r of answering().filter((x) => x.method === "GET" && !x.url.includes(":") && !x.public)) {
        const res = await o.client.get(r.url);
        if (res.statusCode === 200)
          for (const m of marks) expect(res.body, `${o.name}: ${r.url}`).not.toContain(m);
      }
  });

  it("shows the household to everyone in scope (so the 404s above are scope, not bugs)", async () => {
    for (const i of insiders)
      for (const r of answering().filter(
        (x) => x.method === "GET" && x.url.includes(":") && allowed(x, i.role),
      )) {
        if (r.url.includes(":registrationId") && i.role === "family") continue;
        const res = await i.client.get(fill(r.url, values));
        expect(res.statusCode, `${i.name}: ${r.url} ${res.body}`).toBe(200);
      }
  });

  it("streams a household's alerts live only to people in its scope, and nothing to anonymous callers", async () => {
    const base = await d.app.listen({ port: 0, host: "127.0.0.1" });
    const anonymous = await fetch(`${base}/api/live`);
    expect(anonymous.status).toBe(401);
    await anonymous.body?.cancel();
    const streams = await Promise.all([...insiders, ...outsiders].map((p) => openStream(base, p.client)));
    for (const s of streams) await until(() => s.text().includes("event: hello"));
    d.raise(homes.a, "critical", "no_data");
    d.raise(homes.b, "critical", "no_data");
    const seen = (i: number) => streams[i]!.text();
    // Insiders see A's alert (and only the operator B's); outsiders see B's (so their stream works) and,
    // A's coming first, never A's.
    for (const [i, who] of insiders.entries()) {
      await until(() => seen(i).includes(homes.a));
      if (who.role === "operator") await until(() => seen(i).includes(homes.b));
      else expect(seen(i), who.name).not.toContain(homes.b);
    }
    for (const [j, who] of outsiders.entries()) {
      const i = insiders.length + j;
      await until(() => seen(i).includes(homes.b));
      for (const m of marks) expect(seen(i), who.name).not.toContain(m);
    }
    await Promise.all(streams.map((s) => s.close()));
  });
});

async function until(done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error("timed out waiting for the live stream");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** An EventSource-like reader of /api/live with the client's session cookie. */
async function openStream(base: string, client: Client) {
  const stop = new AbortController();
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(`${base}/api/live`, { headers: { cookie }, signal: stop.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // Aborted by close().
    }
  })();
  return {
    text: () => text,
    close: () => {
      stop.abort();
      return pump;
    },
  };
}
