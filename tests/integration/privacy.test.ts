import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../core/clock.js";
import type { Role } from "../../dashboard/auth/types.js";
import { addAccount } from "../helpers/accounts.js";
import { httpClient } from "../helpers/http-client.js";
import { closeClient, connect, run, waitUntil } from "../helpers/mqtt.js";
import { startTestService, type TestService } from "../helpers/service.js";
import { CLI } from "../helpers/service-proc.js";

/**
 * Personal-data rights over one household (docs/privacy.md) on the real service: real HTTP, real MQTT,
 * a real SQLite file. A's data is exported and erased; B, in the same grid, must not change at all.
 */
let svc: TestService;
type Client = ReturnType<typeof httpClient>;
let op: Client;
let worker: Client;
let famA: Client;
let famB: Client;
let homeA: string;
let homeB: string;
const creds: Record<string, { username: string; password: string }> = {};

type Json = Record<string, unknown>;
const GRID = "fz/gulou/g-7";
const PERSONAL_A = [
  "Lin Xiuying",
  "12 Sanfang Lane",
  "Lin Xiuying keeps insulin",
  "13900000002",
  "meter-a-1",
  "btn-a-1",
];

async function account(role: Role, login: string, extra: { email?: string; phone?: string } = {}) {
  const { account: acc, password, people } = await addAccount(svc.stores.db, role, login, extra);
  if (role === "worker") people.assign(acc.id, svc.stores.registry.ensureGrid(GRID).id, "primary");
  const c = httpClient(`http://127.0.0.1:${svc.httpPort}`);
  expect((await c.login(login, password)).status).toBe(200);
  return c;
}

/** Family registers a parent with a meter serial; the grid worker approves; the meter gets credentials. */
async function register(family: Client, resident: string, address: string, meter: string, contact: string) {
  const reg = await family.request("POST", "/api/registrations", {
    resident,
    address,
    gridPath: GRID,
    phone: "13800000001",
    healthNotes: `${resident} keeps insulin in the fridge`,
    emergencyContacts: [{ name: "Neighbour", phone: contact }],
    consent: { given: true, by: "resident" },
    meterSerial: meter,
  });
  expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  const ok = await worker.request("POST", `/api/registrations/${reg.body.id}/approve`, {});
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  const device = ok.body.device as { mqtt: { username: string; password: string } };
  creds[meter] = device.mqtt;
  return (ok.body.household as { id: string }).id;
}

async function publishWater(meter: string, liters: number[]): Promise<MqttClient> {
  const c = await connect(svc.mqttPort, creds[meter]!);
  for (const l of liters)
    await c.publishAsync(`devices/${meter}/telemetry`, JSON.stringify({ kind: "water", totalLiters: l }), {
      qos: 1,
    });
  return c;
}

/** The `jinlin` command line from the build, on the running service's data directory. */
const jinlin = (...args: string[]) => run(process.execPath, [CLI, ...args, "--data-dir", svc.dataDir]);

/** Every row of every table, as text: what an erase must leave no trace of. */
function wholeStore(): string {
  const db = svc.stores.db;
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()
    .map((t) => t.name);
  return tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t}"`).all())).join("\n");
}

function rowsOf(householdId: string) {
  const db = svc.stores.db;
  const n = (sql: string) => (db.prepare(sql).get(householdId) as { n: number }).n;
  return {
    households: n("SELECT count(*) AS n FROM households WHERE id = ?"),
    devices: n("SELECT count(*) AS n FROM devices WHERE household_id = ? AND revoked_at IS NULL"),
    readings: n("SELECT count(*) AS n FROM readings WHERE household_id = ?"),
    alerts: n("SELECT count(*) AS n FROM alerts WHERE household_id = ?"),
    family: n("SELECT count(*) AS n FROM household_family WHERE household_id = ?"),
    profiles: n("SELECT count(*) AS n FROM household_profiles WHERE household_id = ?"),
    audit: n("SELECT count(*) AS n FROM audit_log WHERE household_id = ?"),
  };
}

beforeAll(async () => {
  svc = await startTestService();
  op = await account("operator", "op-privacy");
  worker = await account("worker", "worker-privacy");
  famA = await account("family", "fam-a", { email: "daughter-a@example.org", phone: "13700000001" });
  famB = await account("family", "fam-b", { email: "son-b@example.org" });
  homeA = await register(famA, "Lin Xiuying", "12 Sanfang Lane", "meter-a-1", "13900000002");
  homeB = await register(famB, "Zhao Guilan", "3 Yijin Lane", "meter-b-1", "13900000003");
  const btn = await op.request("POST", `/api/households/${homeA}/devices`, { kind: "button", id: "btn-a-1" });
  expect(btn.status).toBe(201);
  creds["btn-a-1"] = (btn.body as { mqtt: { username: string; password: string } }).mqtt;
  await closeClient(await publishWater("meter-a-1", [100, 104, 109, 111]));
  await closeClient(await publishWater("meter-b-1", [500, 502, 507]));
  const b = await connect(svc.mqttPort, creds["btn-a-1"]);
  await b.publishAsync("devices/btn-a-1/telemetry", '{"kind":"button","pressed":true}', { qos: 1 });
  await closeClient(b);
  await waitUntil(() => rowsOf(homeA).alerts > 0, 5000, "the panic alert");
  const now = Date.now();
  const absence = await famA.request("POST", `/api/households/${homeA}/absences`, {
    from: now + 86_400_000,
    to: now + 3 * 86_400_000,
    reason: "hospital",
  });
  expect(absence.status).toBe(201);
  expect((await op.request("GET", `/api/households/${homeA}`)).status).toBe(200);
}, 60_000);
afterAll(async () => svc?.stop());

describe("export of one household's data", () => {
  it("gives the operator everything held about the home, and nothing of another home or any secret", async () => {
    const res = await op.request("GET", `/api/households/${homeA}/export`);
    expect(res.status).toBe(200);
    const doc = res.body as Json & {
      household: Json;
      profile: Json;
      family: Json[];
      devices: Json[];
      readings: Json[];
      alerts: (Json & { events: Json[] })[];
      absences: Json[];
      registrations: (Json & { details: Json })[];
      audit: Json[];
      consent: Json;
    };
    expect(doc).toMatchObject({ format: "jinlin-household-export", householdId: homeA });
    expect(doc.household).toMatchObject({ resident: "Lin Xiuying", address: "12 Sanfang Lane" });
    expect(doc.household.emergencyContacts).toEqual([{ name: "Neighbour", phone: "13900000002" }]);
    expect(doc.consent).toEqual({ given: true });
    expect(doc.profile).toMatchObject({
      phone: "13800000001",
      healthNotes: "Lin Xiuying keeps insulin in the fridge",
    });
    expect(doc.family).toEqual([
      expect.objectContaining({ email: "daughter-a@example.org", phone: "13700000001" }),
    ]);
    expect(doc.registrations[0]!.details).toMatchObject({
      resident: "Lin Xiuying",
      consent: { given: true },
    });
    expect(doc.devices.map((d) => d.id).sort()).toEqual(["btn-a-1", "meter-a-1"]);
    expect(doc.readings).toHaveLength(5);
    expect(doc.readings.filter((r) => r.kind === "water").map((r) => r.consumedL)).toEqual([null, 4, 5, 2]);
    expect(doc.alerts).toEqual([expect.objectContaining({ rule: "panic", householdId: homeA })]);
    expect(doc.alerts[0]!.events.length).toBeGreaterThan(0);
    expect(doc.absences).toEqual([expect.objectContaining({ reason: "hospital" })]);
    expect(doc.audit.length).toBeGreaterThan(0);
    const text = JSON.stringify(doc);
    for (const other of ["Zhao Guilan", "3 Yijin Lane", "meter-b-1", "son-b@example.org", homeB])
      expect(text).not.toContain(other);
    expect(text).not.toMatch(/secretHash|passwordHash|idHash|scrypt|\$s0\$/i);
    expect(text).not.toContain(creds["meter-a-1"]!.password);
  });

  it("is offered as a file download and audited", async () => {
    const res = await fetch(`http://127.0.0.1:${svc.httpPort}/api/households/${homeA}/export`, {
      headers: { cookie: (await opCookie()) ?? "" },
    });
    expect(res.headers.get("content-disposition")).toMatch(
      new RegExp(`^attachment; filename="jinlin-${homeA}-\\d{4}-\\d{2}-\\d{2}\\.json"$`),
    );
    const audit = await op.request("GET", `/api/audit?householdId=${homeA}`);
    const entries = (audit.body as { entries: { what: string; detail: unknown }[] }).entries;
    expect(entries).toContainEqual(
      expect.objectContaining({ what: "GET /api/households/:householdId/export", detail: { export: true } }),
    );
  });

  it("lets the family member who registered the resident export, and nobody outside scope", async () => {
    expect((await famA.request("GET", `/api/households/${homeA}/export`)).status).toBe(200);
    const other = await famB.request("GET", `/api/households/${homeA}/export`);
    expect(other.status).toBe(404);
    expect(other.body).toEqual({
      error: { code: "JINLIN_ERR_HOUSEHOLD_NOT_FOUND", message: "household not found" },
    });
    expect((await worker.request("GET", `/api/households/${homeA}/export`)).status).toBe(403);
  });

  it("is also `jinlin household export <id>` on the command line", async () => {
    const r = await jinlin("household", "export", homeA);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { household: Json; readings: unknown[] };
    expect(doc.household.resident).toBe("Lin Xiuying");
    expect(doc.readings).toHaveLength(5);
    const out = join(svc.dataDir, "a.json");
    const f = await jinlin("household", "export", "--id", homeB, "--out", out);
    expect(f.code, f.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8")).household.resident).toBe("Zhao Guilan");
    const missing = await jinlin("household", "export", "hh-nope");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("JINLIN_ERR_HOUSEHOLD_NOT_FOUND");
  });
});

async function opCookie(): Promise<string | undefined> {
  // The operator's session, through a second sign-in (the helper keeps its cookie jar to itself).
  const res = await fetch(`http://127.0.0.1:${svc.httpPort}/api/auth/csrf`);
  const csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  const jar = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const login = await fetch(`http://127.0.0.1:${svc.httpPort}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": csrf, cookie: jar },
    body: JSON.stringify({ login: "op-privacy", password: "op-privacy-password-1" }),
  });
  return login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c?.startsWith("jinlin_session="));
}

describe("erase of one household", () => {
  it("needs an operator and the household id typed as confirmation", async () => {
    expect((await worker.request("POST", `/api/households/${homeA}/erase`, { confirm: homeA })).status).toBe(
      403,
    );
    expect((await famA.request("POST", `/api/households/${homeA}/erase`, { confirm: homeA })).status).toBe(
      403,
    );
    const wrong = await op.request("POST", `/api/households/${homeA}/erase`, { confirm: "yes" });
    expect(wrong.status).toBe(400);
    expect((wrong.body as { error: { code: string } }).error.code).toBe("JINLIN_ERR_ERASE_UNCONFIRMED");
    const cli = await jinlin("household", "erase", homeA, "--confirm", "yes");
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain("JINLIN_ERR_ERASE_UNCONFIRMED");
    expect(rowsOf(homeA).households).toBe(1);
  });

  it("deletes the home's personal data and readings, disconnects its devices, and leaves the other home as it was", async () => {
    const before = rowsOf(homeB);
    const meter = await publishWater("meter-a-1", [115]);
    let closed = false;
    meter.on("close", () => {
      closed = true;
    });
    const res = await op.request("POST", `/api/households/${homeA}/erase`, { confirm: homeA });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ erased: homeA, devices: 2 });
    expect((res.body as { deleted: Record<string, number> }).deleted).toMatchObject({
      readings: 6,
      households: 1,
    });
    await waitUntil(() => closed, 5000, "the erased home's meter to be disconnected");
    meter.end(true);
    await expect(connect(svc.mqttPort, { ...creds["meter-a-1"]!, reconnectPeriod: 0 })).rejects.toThrow();

    const store = wholeStore();
    for (const p of PERSONAL_A) expect(store, p).not.toContain(p);
    expect(rowsOf(homeA)).toEqual({
      households: 0,
      devices: 0,
      readings: 0,
      alerts: 0,
      family: 0,
      profiles: 0,
      audit: 1,
    });
    // What stays: one audit entry saying that an erase happened, by whom, with counts only.
    const audit = await op.request("GET", `/api/audit?householdId=${homeA}`);
    const entries = (audit.body as { entries: { what: string; detail: { deleted: Json } }[] }).entries;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ what: "ERASE household", action: "change", detail: { erased: true } });
    expect((await op.request("GET", `/api/households/${homeA}`)).status).toBe(404);
    expect((await famA.request("GET", `/api/households/${homeA}/export`)).status).toBe(404);

    // The other home: untouched, and its meter still reports.
    expect(rowsOf(homeB)).toEqual(before);
    await closeClient(await publishWater("meter-b-1", [510]));
    expect(rowsOf(homeB).readings).toBe(before.readings + 1);
    expect((await famB.request("GET", `/api/households/${homeB}/export`)).status).toBe(200);
  });

  it("is also `jinlin household erase <id> --confirm <id>` on the command line", async () => {
    const before = svc.stores.registry.listHouseholds().length;
    const extra = await svc.provision("water");
    const r = await jinlin("household", "erase", extra.householdId, "--confirm", extra.householdId, "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ erased: extra.householdId, devices: 1 });
    expect(svc.stores.registry.listHouseholds()).toHaveLength(before);
    expect(svc.stores.registry.getHousehold(homeB)).toBeDefined();
  });
});

describe("erase while the home's rules are live", () => {
  it("leaves no alert or rule state behind when the erased home's deadlines come due", async () => {
    const clock = createManualClock(Date.parse("2026-04-01T00:00:00Z"));
    const s = await startTestService({}, clock);
    try {
      const op = await addAccount(s.stores.db, "operator", "op-live");
      const opLive = httpClient(`http://127.0.0.1:${s.httpPort}`);
      expect((await opLive.login(op.login, op.password)).status).toBe(200);
      const a = await s.provision("water");
      const b = await s.provision("water", { deviceId: "meter-live-b" });
      for (const m of [a, b]) {
        const c = await connect(s.mqttPort, { username: m.deviceId, password: m.secret });
        await c.publishAsync(`devices/${m.deviceId}/telemetry`, '{"kind":"water","totalLiters":10}', {
          qos: 1,
        });
        await closeClient(c);
      }
      clock.advanceBy(2_000); // rule state written for both homes
      const left = (sql: string) => s.stores.db.prepare(sql).pluck().get(a.householdId) as number;
      expect(left("SELECT count(*) FROM rule_state WHERE household_id = ? AND deadline IS NOT NULL")).toBe(1);
      // A reading accepted just before the erase: its rule state is still waiting for the next flush.
      const late = await connect(s.mqttPort, { username: a.deviceId, password: a.secret });
      await late.publishAsync(`devices/${a.deviceId}/telemetry`, '{"kind":"water","totalLiters":11}', {
        qos: 1,
      });
      await closeClient(late);
      const logged = s.logs.lines().length;
      const res = await opLive.request("POST", `/api/households/${a.householdId}/erase`, {
        confirm: a.householdId,
      });
      expect(res.status).toBe(200);
      // Three days without a reading: the rules' deadlines (inactivity, silent meter) fire for both homes.
      clock.advanceBy(3 * 86_400_000);
      await waitUntil(
        () =>
          (s.stores.db
            .prepare("SELECT count(*) AS n FROM alerts WHERE household_id = ?")
            .pluck()
            .get(b.householdId) as number) > 0,
        5000,
        "the other home's alert",
      );
      clock.advanceBy(2_000); // the next rule-state flush
      expect(left("SELECT count(*) FROM alerts WHERE household_id = ?")).toBe(0);
      expect(left("SELECT count(*) FROM rule_state WHERE household_id = ?")).toBe(0);
      expect(left("SELECT count(*) FROM readings WHERE household_id = ?")).toBe(0);
      expect(left("SELECT count(*) FROM notifications WHERE household_id = ?")).toBe(0);
      // The erased home's deadline was cancelled: it did not fire into a missing household (no
      // "deadline handling failed: FOREIGN KEY constraint failed"), and nothing at all went wrong.
      const after = s.logs.lines().slice(logged);
      expect(after.filter((l) => (l.level as number) >= 40).map((l) => l.msg)).toEqual([]);
      expect(after.map((l) => l.msg)).toContain("household erased");
      expect(s.logs.text()).not.toContain("deadline handling failed");
      // The service still takes readings.
      const c = await connect(s.mqttPort, { username: b.deviceId, password: b.secret });
      await c.publishAsync(`devices/${b.deviceId}/telemetry`, '{"kind":"water","totalLiters":12}', {
        qos: 1,
      });
      await closeClient(c);
      expect(s.stores.readings.query({ deviceId: b.deviceId })).toHaveLength(2);
    } finally {
      await s.stop();
    }
  });
});
