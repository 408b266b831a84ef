import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Reading } from "../../core/domain.js";
import type { HistoryReading, ReadingHistory } from "../../dashboard/routes/history.js";
import { createInfluxHistory } from "../../storage/influx/history.js";
import { createInfluxQl } from "../../storage/influx/http.js";
import { createSqliteHistory } from "../../storage/sqlite/history.js";
import {
  createTestStore,
  forwardAll,
  freshInfluxDatabase,
  type Influxd,
  startInfluxd,
  type TestStore,
} from "../helpers/influxd.js";

/** One suite, every ReadingHistory: the SQLite store and InfluxDB (fed by the real forwarder). */
const H = 3_600_000;
const M = 60_000;
const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
let influxd: Influxd;
const stores: TestStore[] = [];

beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  for (const s of stores) s.destroy();
  await influxd?.destroy();
});

const water = (deviceId: string, ts: number, totalLiters: number, flowLpm?: number): Reading => ({
  deviceId,
  kind: "water",
  ts,
  fields: flowLpm === undefined ? { totalLiters } : { totalLiters, flowLpm },
});

/** The fixture every implementation answers for: two meters, a door, heartbeats, and a neighbour. */
function seed(store: TestStore) {
  const home = store.addHome(`c${randomBytes(3).toString("hex")}`);
  const hh = home.household.id;
  const meter2 = store.registry.addDevice({
    householdId: hh,
    kind: "water",
    id: `${home.water}-b`,
    secretHash: "x",
  }).id;
  store.append(
    [
      water(home.water, T0 + 10 * M, 100), // first reading: no consumption known
      water(home.water, T0 + 50 * M, 100), // 0 L: the meter reported, nobody used water
      water(home.water, T0 + 2 * H + 5 * M, 112.5, 3.5),
      water(home.water, T0 + 2 * H + 30 * M, 120),
      { deviceId: home.water, kind: "heartbeat", ts: T0 + 2 * H + 30 * M, fields: {} },
      { deviceId: home.water, kind: "heartbeat", ts: T0 + 3 * H, fields: { battery: 87, rssi: -60 } },
      water(meter2, T0 + 2 * H + 40 * M, 50),
      water(meter2, T0 + 2 * H + 50 * M, 55),
      water(meter2, T0 + 3 * H + 10 * M, 40), // register went backwards: reset
      { deviceId: home.door, kind: "door", ts: T0 + 5 * M, fields: { open: true } },
      { deviceId: home.door, kind: "door", ts: T0 + H + 15 * M, fields: { open: false } },
    ],
    hh,
  );
  const neighbour = store.addHome(`n${randomBytes(3).toString("hex")}`);
  store.append(
    [water(neighbour.water, T0 + 2 * H, 10), water(neighbour.water, T0 + 2 * H + M, 30)],
    neighbour.household.id,
  );
  return { hh, meter1: home.water, meter2, door: home.door, band: seedBand(store) };
}

/** Local midnight in Shanghai (UTC+8): the window the band is asked for starts here. */
const D0 = Date.UTC(2026, 10, 20, 16);
const DAY = 24 * H;
/** Days (before D0) with readings: two runs with 9 silent days between, which must not count as 0 L. */
const BAND_DAYS = [19, 18, 17, 16, 15, 5, 4, 3, 2, 1];

/** Hourly meter readings on 10 of the 28 days: 1…10 L at 07:00 local (one value a day), 20 L at 19:00. */
function seedBand(store: TestStore): string {
  const home = store.addHome(`b${randomBytes(3).toString("hex")}`);
  let total = 1_000;
  const readings: Reading[] = [water(home.water, D0 - 19 * DAY + 10 * M, total)];
  BAND_DAYS.forEach((d, i) => {
    for (let hour = 0; hour < 24; hour++) {
      if (hour === 7) total += i + 1;
      if (hour === 19) total += 20;
      readings.push(water(home.water, D0 - d * DAY + hour * H + 30 * M, total));
    }
  });
  store.append(readings, home.household.id);
  return home.household.id;
}

async function viaInflux(store: TestStore): Promise<ReadingHistory> {
  const config = await freshInfluxDatabase(influxd, "contract", 10);
  await forwardAll(store, config);
  return createInfluxHistory(createInfluxQl(config));
}

const implementations: { name: string; make(store: TestStore): Promise<ReadingHistory> }[] = [
  { name: "sqlite", make: async (store) => createSqliteHistory(store.db) },
  { name: "influxdb (InfluxQL)", make: viaInflux },
];

describe.each(implementations)("ReadingHistory contract: $name", ({ make }) => {
  let history: ReadingHistory;
  let f: ReturnType<typeof seed>;

  beforeAll(async () => {
    const store = createTestStore();
    stores.push(store);
    f = seed(store);
    history = await make(store);
  });

  test("water use per hour: every bucket, null for no data, 0 for no use, meters summed", async () => {
    const buckets = await history.waterUse(f.hh, { from: T0, to: T0 + 4 * H, everyMs: H });
    expect(buckets).toEqual([
      { start: T0, liters: 0, readings: 2 },
      { start: T0 + H, liters: null, readings: 0 },
      { start: T0 + 2 * H, liters: 25, readings: 4 },
      { start: T0 + 3 * H, liters: 0, readings: 1 },
    ]);
  });

  test("buckets align to UTC epoch multiples of `every`, whatever `from` is; to is exclusive", async () => {
    const buckets = await history.waterUse(f.hh, { from: T0 + 30 * M, to: T0 + 2 * H + 30 * M, everyMs: H });
    expect(buckets).toEqual([
      { start: T0, liters: 0, readings: 1 },
      { start: T0 + H, liters: null, readings: 0 },
      { start: T0 + 2 * H, liters: 12.5, readings: 1 },
    ]);
    const day = await history.waterUse(f.hh, { from: T0, to: T0 + 4 * H, everyMs: 24 * H });
    expect(day).toEqual([{ start: Date.UTC(2026, 10, 2), liters: 25, readings: 7 }]);
  });

  test("an unknown household has only empty buckets", async () => {
    const buckets = await history.waterUse("hh-nobody", { from: T0, to: T0 + 2 * H, everyMs: H });
    expect(buckets).toEqual([
      { start: T0, liters: null, readings: 0 },
      { start: T0 + H, liters: null, readings: 0 },
    ]);
  });

  test("normal band: p10–p90 per local hour of the 28 days before `from`, days without data left out", async () => {
    const normal = await history.waterNormal(f.band, {
      from: D0,
      to: D0 + DAY,
      everyMs: H,
      timeZone: "Asia/Shanghai",
    });
    expect(normal.baselineDays).toBe(10);
    expect(normal.band).toEqual(
      Array.from({ length: 24 }, (_, hour) => ({
        start: D0 + hour * H,
        ...(hour === 7 ? { low: 1.9, high: 9.1 } : hour === 19 ? { low: 20, high: 20 } : { low: 0, high: 0 }),
      })),
    );
    // The band repeats over a longer window, and starts at the first bucket of `from`.
    const two = await history.waterNormal(f.band, {
      from: D0 + 30 * M,
      to: D0 + DAY + 8 * H,
      everyMs: H,
      timeZone: "Asia/Shanghai",
    });
    expect(two.band).toHaveLength(32);
    expect(two.band[31]).toEqual({ start: D0 + DAY + 7 * H, low: 1.9, high: 9.1 });
  });

  test("normal band: empty with fewer than 7 days of data, and for an unknown home", async () => {
    // 28 days before D0 − 14 d hold the first run only: 5 days.
    const early = await history.waterNormal(f.band, {
      from: D0 - 14 * DAY,
      to: D0 - 13 * DAY,
      everyMs: H,
      timeZone: "Asia/Shanghai",
    });
    expect(early).toEqual({ baselineDays: 5, band: [] });
    const nobody = await history.waterNormal("hh-nobody", {
      from: D0,
      to: D0 + DAY,
      everyMs: H,
      timeZone: "Asia/Shanghai",
    });
    expect(nobody).toEqual({ baselineDays: 0, band: [] });
  });

  test("latest: the last reading of each kind per device, by device then kind", async () => {
    const latest = await history.latest(f.hh);
    const expected: HistoryReading[] = [
      {
        deviceId: f.door,
        householdId: f.hh,
        kind: "door",
        ts: T0 + H + 15 * M,
        fields: { open: false },
        consumedLiters: null,
        registerReset: false,
      },
      {
        deviceId: f.meter1,
        householdId: f.hh,
        kind: "heartbeat",
        ts: T0 + 3 * H,
        fields: { battery: 87, rssi: -60 },
        consumedLiters: null,
        registerReset: false,
      },
      {
        deviceId: f.meter1,
        householdId: f.hh,
        kind: "water",
        ts: T0 + 2 * H + 30 * M,
        fields: { totalLiters: 120 },
        consumedLiters: 7.5,
        registerReset: false,
      },
      {
        deviceId: f.meter2,
        householdId: f.hh,
        kind: "water",
        ts: T0 + 3 * H + 10 * M,
        fields: { totalLiters: 40 },
        consumedLiters: null,
        registerReset: true,
      },
    ];
    expect(latest).toEqual(expected);
    expect(await history.latest("hh-nobody")).toEqual([]);
  });

  test("readings in a window: from inclusive, to exclusive, by ts then kind, limited", async () => {
    const rows = await history.readings(f.meter1, { from: T0 + 10 * M, to: T0 + 3 * H, limit: 100 });
    expect(rows.map((r) => [r.ts - T0, r.kind, r.fields, r.consumedLiters])).toEqual([
      [10 * M, "water", { totalLiters: 100 }, null],
      [50 * M, "water", { totalLiters: 100 }, 0],
      [2 * H + 5 * M, "water", { totalLiters: 112.5, flowLpm: 3.5 }, 12.5],
      [2 * H + 30 * M, "heartbeat", {}, null],
      [2 * H + 30 * M, "water", { totalLiters: 120 }, 7.5],
    ]);
    expect(rows.every((r) => r.householdId === f.hh && r.deviceId === f.meter1 && !r.registerReset)).toBe(
      true,
    );
    const limited = await history.readings(f.meter1, { from: T0, to: T0 + 4 * H, limit: 2 });
    expect(limited.map((r) => r.ts - T0)).toEqual([10 * M, 50 * M]);
    expect(await history.readings(f.door, { from: T0 + 6 * M, to: T0 + H, limit: 10 })).toEqual([]);
  });
});
