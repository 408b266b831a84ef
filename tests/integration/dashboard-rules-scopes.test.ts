import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock } from "../../core/clock.js";
import { createAccount } from "../../dashboard/auth/passwords.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import { createPeopleStore, type Role } from "../../storage/sqlite/people.js";
import { appendWater, tapRun } from "../e2e/history.js";
import { httpClient } from "../helpers/http-client.js";
import { startTestService, type TestService } from "../helpers/service.js";

/**
 * Thresholds for every home and per grid, over the real service: an operator previews a grid's change on
 * the real history of a home below it, saves it, and the homes of that grid (and only they) have it in
 * force. Changes are audit-logged; workers and family members cannot use these routes.
 */
const T = Date.parse("2026-03-20T04:00:00Z");
const DAY = 86_400_000;
let svc: TestService;
let op: ReturnType<typeof httpClient>;
let opId = "";
let worker: ReturnType<typeof httpClient>;
let family: ReturnType<typeof httpClient>;
let inGrid = "";
let elsewhere = "";
let gridId = 0;
let otherGridId = 0;

async function user(role: Role, login: string, setup: { grid?: string; household?: string } = {}) {
  const people = createPeopleStore(svc.stores.db, Date.now);
  const password = `${login}-password-1`;
  const account = await createAccount(
    {
      people,
      accounts: createAccountStore(svc.stores.db, Date.now),
      transaction: (fn) => svc.stores.db.transaction(fn)(),
    },
    { role, login, name: login, password },
  );
  if (setup.grid) people.assign(account.id, svc.stores.registry.ensureGrid(setup.grid).id, "primary");
  if (setup.household) people.linkFamily(account.id, setup.household, "son");
  const client = httpClient(`http://127.0.0.1:${svc.httpPort}`);
  expect((await client.login(login, password)).status).toBe(200);
  return { id: account.id, client };
}

beforeAll(async () => {
  svc = await startTestService({}, createManualClock(T));
  const meter = await svc.provision("water");
  inGrid = meter.householdId;
  appendWater(svc, inGrid, meter.deviceId, tapRun(T - 2 * DAY));
  elsewhere = svc.stores.registry.addHousehold({
    resident: "Other Grid Resident",
    address: "2 Other Road",
    gridPath: "test/grid-2",
  }).id;
  gridId = svc.stores.registry.ensureGrid("test/grid-1").id;
  otherGridId = svc.stores.registry.ensureGrid("test/grid-2").id;
  const o = await user("operator", "operator");
  op = o.client;
  opId = o.id;
  worker = (await user("worker", "worker", { grid: "test/grid-1" })).client;
  family = (await user("family", "family", { household: inGrid })).client;
});
afterAll(async () => {
  await svc?.stop();
});

const tapRow = (body: Record<string, unknown>) => {
  const b = body as {
    current: { summary: { byRule: Record<string, { alerts: number }> } };
    proposed: { summary: { byRule: Record<string, { alerts: number }> } };
  };
  return [
    b.current.summary.byRule.water_running?.alerts ?? 0,
    b.proposed.summary.byRule.water_running?.alerts ?? 0,
  ];
};

describe("grid and global thresholds", () => {
  it("previews a grid's change on the real history of a home below it", async () => {
    const r = await op.request("POST", `/api/grids/${gridId}/rules/preview`, {
      householdId: inGrid,
      params: { water_running: { defaultThresholdMin: 30 } },
      days: 7,
    });
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe(`grid:${gridId}`);
    // The 45-minute run is not an alert at the 57-minute default, and is one at 30 minutes.
    expect(tapRow(r.body)).toEqual([0, 1]);
    const global = await op.request("POST", "/api/rules/preview", {
      householdId: inGrid,
      params: { water_running: { defaultThresholdMin: 40 } },
    });
    expect(tapRow(global.body)).toEqual([0, 1]);
  });

  it("refuses a preview on a home outside the grid, unknown parameters and unknown grids", async () => {
    const outside = await op.request("POST", `/api/grids/${gridId}/rules/preview`, {
      householdId: elsewhere,
      params: {},
    });
    expect(outside.status).toBe(400);
    expect(JSON.stringify(outside.body)).toContain("householdId");
    const bad = await op.request("PUT", `/api/grids/${gridId}/rules`, {
      params: { water_running: { thresholdMinutes: 30 } },
      reason: "typo",
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("thresholdMinutes");
    const tooLow = await op.request("PUT", "/api/rules", {
      params: { water_running: { defaultThresholdMin: -5 } },
      reason: "negative",
    });
    expect(tooLow.status).toBe(400);
    expect((await op.request("GET", "/api/grids/999999/rules")).status).toBe(404);
    expect((await op.request("PUT", "/api/grids/999999/rules", { params: {}, reason: "none" })).status).toBe(
      404,
    );
    // Nothing was saved by any of these.
    expect((await op.request("GET", `/api/grids/${gridId}/rules`)).body).toMatchObject({ settings: null });
  });

  it("saves it: in force for the grid's homes, not for another grid's, with history and audit", async () => {
    const saved = await op.request("PUT", `/api/grids/${gridId}/rules`, {
      params: { water_running: { defaultThresholdMin: 30 } },
      reason: "grid-1 flats have small tanks",
    });
    expect(saved.status).toBe(200);
    const mine = await op.request("GET", `/api/households/${inGrid}/rules`);
    expect(mine.body).toMatchObject({ effective: { water_running: { defaultThresholdMin: 30 } } });
    expect((mine.body.layers as { scope: string }[]).map((l) => l.scope)).toContain(`grid:${gridId}`);
    const other = await op.request("GET", `/api/households/${elsewhere}/rules`);
    expect(other.body).toMatchObject({ effective: { water_running: { defaultThresholdMin: 57 } } });
    const grid = await op.request("GET", `/api/grids/${gridId}/rules`);
    expect(grid.body).toMatchObject({
      path: "test/grid-1",
      settings: { params: { water_running: { defaultThresholdMin: 30 } } },
      history: [{ reason: "grid-1 flats have small tanks", changedBy: opId }],
    });
    expect((await op.request("GET", `/api/grids/${otherGridId}/rules`)).body).toMatchObject({
      settings: null,
    });
    await op.request("PUT", "/api/rules", { params: { slow_leak: {} }, reason: "global review" });
    expect((await op.request("GET", "/api/rules")).body).toMatchObject({
      global: { reason: "global review" },
      history: [{ reason: "global review" }],
    });
    const audit = await op.request("GET", `/api/audit?actor=${opId}`);
    const changes = (audit.body.entries as { action: string; detail: { scope?: string } | null }[])
      .filter((e) => e.action === "change")
      .map((e) => e.detail?.scope);
    expect(changes).toEqual(["global", `grid:${gridId}`]);
  });

  it("is for operators only: workers and family members get 403", async () => {
    for (const c of [worker, family]) {
      expect((await c.request("GET", "/api/rules")).status).toBe(403);
      expect(
        (await c.request("PUT", `/api/grids/${gridId}/rules`, { params: {}, reason: "mine now" })).status,
      ).toBe(403);
      expect(
        (await c.request("POST", `/api/grids/${gridId}/rules/preview`, { householdId: inGrid, params: {} }))
          .status,
      ).toBe(403);
    }
  });
});
