import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeClient, connect, waitUntil } from "../helpers/mqtt.js";
import { type E2E, GRID, startE2E } from "./setup.js";

/** A signed-in HTTP client that keeps its cookies, as the browser does. */
async function signedIn(url: string, who: { login: string; password: string }) {
  const cookies = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [k, v] = pair!.split("=");
      cookies.set(k!, v ?? "");
    }
  };
  const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrf = await fetch(`${url}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const login = await fetch(`${url}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": csrfToken, cookie: cookie() },
    body: JSON.stringify(who),
  });
  expect(login.status).toBe(200);
  keep(login);
  return { cookie };
}

/** Opens GET /api/live and collects its events. */
async function stream(url: string, cookie: string) {
  const abort = new AbortController();
  const res = await fetch(`${url}/api/live`, { headers: { cookie }, signal: abort.signal });
  type LiveData = { alert: { evidence?: unknown; note?: unknown } } | null;
  const events: { event: string; data: LiveData }[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buf = "";
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let end = buf.indexOf("\n\n");
      while (end >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event) events.push({ event, data: data ? (JSON.parse(data) as LiveData) : null });
        end = buf.indexOf("\n\n");
      }
    }
  })().catch(() => {});
  return { res, events, close: () => abort.abort(), reading };
}

describe("GET /api/live", () => {
  let env: E2E;
  beforeAll(async () => {
    env = await startE2E();
  });
  afterAll(() => env?.stop());

  it("answers 401 to a caller who is not signed in", async () => {
    const res = await fetch(`${env.url}/api/live`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "JINLIN_ERR_UNAUTHENTICATED" } });
  });

  it("sends each alert change only to people whose scope holds the home", async () => {
    const button = await env.svc.provision("button");
    const home = button.householdId;
    const other = env.svc.stores.registry.addHousehold({
      resident: "Other",
      address: "2 Road",
      gridPath: GRID,
    });
    const worker = await env.user("worker", { grid: "test/grid-1" });
    const outsider = await env.user("worker", { grid: GRID });
    const family = await env.user("family", { household: home });
    const otherFamily = await env.user("family", { household: other.id });
    const streams = await Promise.all(
      [worker, outsider, family, otherFamily].map(async (u) =>
        stream(env.url, (await signedIn(env.url, u)).cookie()),
      ),
    );
    for (const s of streams) {
      expect(s.res.status).toBe(200);
      expect(s.res.headers.get("content-type")).toContain("text/event-stream");
      expect(s.res.headers.get("content-security-policy")).toContain("default-src 'self'");
    }
    await waitUntil(() => streams.every((s) => s.events.some((e) => e.event === "hello")), 5000, "hello");

    const device = await connect(env.svc.mqttPort, { username: button.deviceId, password: button.secret });
    await device.publishAsync(
      `devices/${button.deviceId}/telemetry`,
      JSON.stringify({ kind: "button", pressed: true }),
      { qos: 1 },
    );
    await closeClient(device);
    const alerts = (i: number) => streams[i]!.events.filter((e) => e.event === "alert");
    await waitUntil(() => alerts(0).length > 0 && alerts(2).length > 0, 5000, "alert events");
    await new Promise((r) => setTimeout(r, 300));
    const [w, o, f, of] = [0, 1, 2, 3].map(alerts);
    expect(w![0]!.data).toMatchObject({
      news: "raised",
      alert: { householdId: home, rule: "panic", household: { id: home } },
    });
    expect(w![0]!.data?.alert.evidence).toBeDefined();
    // The family view: what happened, not the workers' internals.
    expect(f![0]!.data).toMatchObject({ news: "raised", alert: { householdId: home, rule: "panic" } });
    expect(f![0]!.data?.alert.evidence).toBeUndefined();
    expect(f![0]!.data?.alert.note).toBeUndefined();
    expect(o).toEqual([]);
    expect(of).toEqual([]);
    for (const s of streams) s.close();
  });
});
