import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createLogger } from "../../core/log.js";
import { buildApp } from "../../dashboard/app.js";
import { historyRoutes, type ReadingHistory } from "../../dashboard/routes/history.js";
import { createInfluxHistory } from "../../storage/influx/history.js";
import { createInfluxQl, type InfluxTarget } from "../../storage/influx/http.js";
import { createSqliteHistory } from "../../storage/sqlite/history.js";
import {
  createTestStore,
  forwardAll,
  freshInfluxDatabase,
  type Influxd,
  startInfluxd,
  type TestStore,
  waterSeries,
} from "../helpers/influxd.js";

/** The HTTP routes over both history implementations: same JSON whichever store answers. */
const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
let influxd: Influxd;
let store: TestStore;
let home: ReturnType<TestStore["addHome"]>;
/** A home with 2 L every hour for the 8 days before T0: its usual range is 2–2 L. */
let steady: ReturnType<TestStore["addHome"]>;
let target: InfluxTarget;

beforeAll(async () => {
  influxd = await startInfluxd();
  store = createTestStore();
  home = store.addHome("routes");
  store.append(waterSeries(home.water, T0, 120, 60_000, 0.5), home.household.id);
  steady = store.addHome("steady");
  store.append(waterSeries(steady.water, T0 - 8 * 24 * H - H / 2, 8 * 24, H, 2), steady.household.id);
  const config = await freshInfluxDatabase(influxd, "routes", 10);
  await forwardAll(store, config);
  target = config;
});
afterAll(async () => {
  store?.destroy();
  await influxd?.destroy();
});

async function appWith(history: ReadingHistory, preHandler = false): Promise<FastifyInstance> {
  const app = await buildApp({
    log: createLogger("silent"),
    version: "test",
    readiness: [],
    metricsText: async () => ({ contentType: "text/plain", body: "" }),
  });
  await app.register(historyRoutes, {
    history,
    canSeeHousehold: (id) => store.registry.getHousehold(id) !== undefined,
    canSeeDevice: (id) => store.registry.getDevice(id) !== undefined,
    householdTimeZone: (id) => store.registry.getHousehold(id)?.timezone,
    now: () => T0 + 2 * H,
    preHandler: preHandler
      ? [
          async (req, reply) => {
            if (req.headers.authorization !== "Bearer ok")
              await reply.code(401).send({ error: "unauthorized" });
          },
        ]
      : [],
  });
  return app;
}

describe.each([
  { name: "sqlite", history: () => createSqliteHistory(store.db) },
  { name: "influxdb", history: () => createInfluxHistory(createInfluxQl(target)) },
])("history routes over $name", ({ history }) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await appWith(history());
  });
  afterAll(async () => {
    await app?.close();
  });

  test("GET /api/households/:id/water: litres per hour, every bucket", async () => {
    const hh = home.household.id;
    const res = await app.inject(
      `/api/households/${hh}/water?from=${T0 - H}&to=${new Date(T0 + 3 * H).toISOString()}&every=1h`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      householdId: hh,
      from: T0 - H,
      to: T0 + 3 * H,
      everyMs: H,
      unit: "L",
      buckets: [
        { start: T0 - H, liters: null, readings: 0 },
        { start: T0, liters: 29.5, readings: 60 },
        { start: T0 + H, liters: 30, readings: 60 },
        { start: T0 + 2 * H, liters: null, readings: 0 },
      ],
    });
  });

  test("defaults: the last 24 h in hours; 404 for an unknown household; 400 for a bad query", async () => {
    const ok = await app.inject(`/api/households/${home.household.id}/water`);
    expect(ok.json().buckets).toHaveLength(24);
    const missing = await app.inject("/api/households/hh-nobody/water");
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: "JINLIN_ERR_HOUSEHOLD_NOT_FOUND" });
    for (const q of [
      "every=1w",
      "every=0h",
      "from=yesterday",
      `from=${T0}&to=${T0}`,
      `from=0&to=${T0}&every=1s`,
    ]) {
      const bad = await app.inject(`/api/households/${home.household.id}/water?${q}`);
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json()).toMatchObject({ code: "JINLIN_ERR_INPUT_INVALID" });
    }
  });

  test("GET /api/households/:id/water/normal: the home's usual range per interval", async () => {
    const hh = steady.household.id;
    const res = await app.inject(`/api/households/${hh}/water/normal?from=${T0}&to=${T0 + 3 * H}&every=1h`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      householdId: hh,
      from: T0,
      to: T0 + 3 * H,
      everyMs: H,
      timezone: steady.household.timezone,
      unit: "L",
      baselineDays: 9,
      band: [0, 1, 2].map((i) => ({ start: T0 + i * H, low: 2, high: 2 })),
    });
    // Defaults: the last 24 h (the service clock is T0 + 2 h) in hours.
    const day = await app.inject(`/api/households/${hh}/water/normal`);
    expect(day.json()).toMatchObject({ from: T0 - 22 * H, to: T0 + 2 * H, everyMs: H });
    expect(day.json().band).toHaveLength(24);
    // Too little history: an empty band, not an error.
    const young = await app.inject(
      `/api/households/${home.household.id}/water/normal?from=${T0}&to=${T0 + H}`,
    );
    expect(young.json()).toMatchObject({ baselineDays: 0, band: [] });
    expect((await app.inject("/api/households/hh-nobody/water/normal")).statusCode).toBe(404);
    for (const q of ["every=7m", "every=1m", "every=2d", `from=${T0}&to=${T0}`]) {
      const bad = await app.inject(`/api/households/${hh}/water/normal?${q}`);
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json()).toMatchObject({ code: "JINLIN_ERR_INPUT_INVALID" });
    }
  });

  test("GET /api/households/:id/latest and /api/devices/:id/readings", async () => {
    const latest = await app.inject(`/api/households/${home.household.id}/latest`);
    expect(latest.json().readings).toEqual([
      expect.objectContaining({
        deviceId: home.water,
        kind: "water",
        ts: T0 + 119 * 60_000,
        consumedLiters: 0.5,
      }),
    ]);
    const readings = await app.inject(`/api/devices/${home.water}/readings?from=${T0}&to=${T0 + 3 * 60_000}`);
    expect(readings.json().readings.map((r: { fields: unknown }) => r.fields)).toEqual([
      { totalLiters: 1000 },
      { totalLiters: 1000.5 },
      { totalLiters: 1001 },
    ]);
    expect((await app.inject("/api/devices/nope/readings")).statusCode).toBe(404);
    expect((await app.inject(`/api/households/hh-nobody/latest`)).statusCode).toBe(404);
  });
});

test("a preHandler passed to the plugin guards every history route", async () => {
  const app = await appWith(createSqliteHistory(store.db), true);
  for (const url of [
    `/api/households/${home.household.id}/water`,
    `/api/households/${home.household.id}/latest`,
    `/api/households/${home.household.id}/water/normal`,
    `/api/devices/${home.water}/readings`,
  ]) {
    expect((await app.inject(url)).statusCode, url).toBe(401);
    expect((await app.inject({ url, headers: { authorization: "Bearer ok" } })).statusCode, url).toBe(200);
  }
  await app.close();
});
