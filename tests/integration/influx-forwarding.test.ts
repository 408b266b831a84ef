import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { InfluxConfig } from "../../core/config.js";
import { createLogger } from "../../core/log.js";
import { createInfluxForwarder } from "../../storage/influx/forwarder.js";
import { createLineWriter, type LineWriter } from "../../storage/influx/http.js";
import { createInfluxOutbox } from "../../storage/sqlite/influx-outbox.js";
import {
  createTestStore,
  freshInfluxDatabase,
  type Influxd,
  startInfluxd,
  type TestStore,
  until,
  waterSeries,
} from "../helpers/influxd.js";

const log = createLogger("silent");
const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
let influxd: Influxd;

beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.destroy();
});

const freshDatabase = () => freshInfluxDatabase(influxd);

function forwarder(store: TestStore, config: InfluxConfig, writer: LineWriter = createLineWriter(config)) {
  const outbox = createInfluxOutbox(store.db, Date.now);
  const f = createInfluxForwarder({
    outbox,
    writer,
    log,
    batchSize: config.batchSize,
    flushMs: config.flushMs,
    backoff: { baseMs: 50, maxMs: 400 },
  });
  f.start();
  return { outbox, forwarder: f, drained: () => until(() => outbox.depth() === 0, 30_000, "outbox drained") };
}

describe("forwarding readings to a real influxd 1.6.7", () => {
  test("every kind lands with its tags and typed fields", async () => {
    const config = await freshDatabase();
    const store = createTestStore();
    const home = store.addHome("kinds");
    const hh = home.household.id;
    store.append(
      [
        ...waterSeries(home.water, T0, 3),
        { deviceId: home.door, kind: "door", ts: T0, fields: { open: true } },
        { deviceId: home.motion, kind: "motion", ts: T0 + 1, fields: { detected: false } },
        { deviceId: home.power, kind: "power", ts: T0 + 2, fields: { watts: 120.5, totalKwh: 3 } },
        { deviceId: home.climate, kind: "climate", ts: T0 + 3, fields: { celsius: 21.25, humidity: 40 } },
        { deviceId: home.button, kind: "button", ts: T0 + 4, fields: { pressed: true } },
        { deviceId: home.water, kind: "heartbeat", ts: T0 + 5, fields: {} },
        // The resident's "I'm OK" press (a check-in answer) keeps its `ok`.
        { deviceId: home.button, kind: "button", ts: T0 + 6, fields: { pressed: false, ok: true } },
      ],
      hh,
    );
    const { forwarder: f, drained } = forwarder(store, config);
    await drained();
    await f.close();

    const db = config.database;
    expect(await influxd.count(db, "water", "total_l", `"household" = '${hh}'`)).toBe(3);
    const water = await influxd.query(db, `SELECT * FROM "water" WHERE "household" = '${hh}'`);
    expect(water[0]?.columns).toEqual([
      "time",
      "baseline",
      "consumed_l",
      "device",
      "grid",
      "household",
      "register_reset",
      "total_l",
    ]);
    const grid = String(home.household.gridId);
    expect(water[0]?.values).toEqual([
      [T0, true, 0, home.water, grid, hh, false, 1000],
      [T0 + 60_000, false, 1.5, home.water, grid, hh, false, 1001.5],
      [T0 + 120_000, false, 1.5, home.water, grid, hh, false, 1003],
    ]);
    const types = await influxd.query(db, "SHOW FIELD KEYS");
    const typeOf = Object.fromEntries(types.flatMap((s) => s.values.map((v) => [`${s.name}.${v[0]}`, v[1]])));
    expect(typeOf).toEqual({
      "button.ok": "boolean",
      "button.pressed": "boolean",
      "climate.celsius": "float",
      "climate.humidity": "float",
      "door.open": "boolean",
      "heartbeat.alive": "boolean",
      "motion.detected": "boolean",
      "power.total_kwh": "float",
      "power.watts": "float",
      "water.baseline": "boolean",
      "water.consumed_l": "float",
      "water.register_reset": "boolean",
      "water.total_l": "float",
    });
    const button = await influxd.query(
      db,
      `SELECT "pressed", "ok" FROM "button" WHERE "household" = '${hh}'`,
    );
    expect(button[0]?.values).toEqual([
      [T0 + 4, true, null],
      [T0 + 6, false, true],
    ]);
    const tagKeys = await influxd.query(db, "SHOW TAG KEYS");
    for (const s of tagKeys) expect(s.values.map((v) => v[0])).toEqual(["device", "grid", "household"]);
    store.destroy();
  });

  test("a late water reading re-sends the reading whose consumption it changed", async () => {
    const config = await freshDatabase();
    const store = createTestStore();
    const home = store.addHome("late");
    const hh = home.household.id;
    const { forwarder: f, drained } = forwarder(store, config);
    store.append(
      [
        { deviceId: home.water, kind: "water", ts: T0, fields: { totalLiters: 100 } },
        { deviceId: home.water, kind: "water", ts: T0 + 20_000, fields: { totalLiters: 130 } },
      ],
      hh,
    );
    await drained();
    const late = store.append(
      [{ deviceId: home.water, kind: "water", ts: T0 + 10_000, fields: { totalLiters: 110 } }],
      hh,
    );
    expect(late.revised).toHaveLength(1);
    await drained();
    const sql = `SELECT "consumed_l", "baseline", "register_reset" FROM "water" WHERE "household" = '${hh}'`;
    expect((await influxd.query(config.database, sql))[0]?.values).toEqual([
      [T0, 0, true, false],
      [T0 + 10_000, 10, false, false],
      [T0 + 20_000, 20, false, false],
    ]);
    // A later late reading above its successor's register: the successor becomes a reset, with no
    // consumption; every field is re-written, so no stale consumed_l survives in InfluxDB.
    const reset = store.append(
      [{ deviceId: home.water, kind: "water", ts: T0 + 15_000, fields: { totalLiters: 150 } }],
      hh,
    );
    expect(reset.revised[0]).toMatchObject({ consumedLiters: null, registerReset: true });
    await drained();
    expect((await influxd.query(config.database, sql))[0]?.values).toEqual([
      [T0, 0, true, false],
      [T0 + 10_000, 10, false, false],
      [T0 + 15_000, 40, false, false],
      [T0 + 20_000, 0, true, true],
    ]);
    await f.close();
    store.destroy();
  });

  test("outage: 10,000 readings wait in the outbox and land exactly once after influxd returns", async () => {
    const config = { ...(await freshDatabase()), batchSize: 2_000 };
    const store = createTestStore();
    const home = store.addHome("outage");
    await influxd.stop();
    try {
      const { forwarder: f, outbox, drained } = forwarder(store, config);
      for (let i = 0; i < 10; i++)
        store.append(waterSeries(home.water, T0 + i * 1_000 * 60_000, 1_000), home.household.id);
      await until(() => f.status().state === "retrying", 10_000, "forwarder retrying");
      expect(outbox.depth()).toBe(10_000);
      expect(f.status()).toMatchObject({ depth: 10_000, lastStatus: 0 });
      await influxd.start();
      await drained();
      expect(f.status()).toMatchObject({ depth: 0, state: "ok", oldestSeconds: 0 });
      await f.close();
    } finally {
      await influxd.start();
    }
    expect(
      await influxd.count(config.database, "water", "total_l", `"household" = '${home.household.id}'`),
    ).toBe(10_000);
    store.destroy();
  });

  test("a line InfluxDB rejects (field type conflict) is parked and the rest of its batch lands", async () => {
    const config = await freshDatabase();
    const store = createTestStore();
    const home = store.addHome("conflict");
    const hh = home.household.id;
    // Someone else's writer already made door.open a string in this shard: our boolean clashes.
    await influxd.write(config.database, `door,device=legacy open="yes" ${T0}`);
    store.append(
      [
        ...waterSeries(home.water, T0, 300),
        { deviceId: home.door, kind: "door", ts: T0 + 30_000, fields: { open: true } },
      ],
      hh,
    );
    const { forwarder: f, outbox, drained } = forwarder(store, config);
    await drained();
    expect(await influxd.count(config.database, "water", "total_l", `"household" = '${hh}'`)).toBe(300);
    const parked = outbox.listParked();
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({
      status: 400,
      line: expect.stringContaining(`door,device=${home.door}`),
    });
    expect(parked[0]?.error).toContain("field type conflict");
    expect(f.status().parkedSinceStart).toBe(1);
    // The operator removes the clashing data; the parked reading can then be sent again.
    expect(await f.retryParked()).toEqual({ delivered: 0, stillParked: 1 });
    await influxd.query(config.database, `DROP SERIES FROM "door" WHERE "device" = 'legacy'`);
    await influxd.query(config.database, `DROP MEASUREMENT "door"`);
    expect(await f.retryParked()).toEqual({ delivered: 1, stillParked: 0 });
    expect(outbox.listParked()).toEqual([]);
    expect(await influxd.count(config.database, "door", "open", `"household" = '${hh}'`)).toBe(1);
    await f.close();
    store.destroy();
  });

  test("closing the forwarder and the store with a non-empty outbox loses nothing", async () => {
    const config = { ...(await freshDatabase()), batchSize: 500 };
    const store = createTestStore();
    const home = store.addHome("restart");
    store.append(waterSeries(home.water, T0, 3_000), home.household.id);
    const real = createLineWriter(config);
    const slow: LineWriter = {
      async write(lines, signal) {
        await new Promise((r) => setTimeout(r, 100));
        return real.write(lines, signal);
      },
    };
    const first = forwarder(store, config, slow);
    await until(() => first.outbox.cursor() > 0, 10_000, "first batch delivered");
    await first.forwarder.close();
    const left = first.outbox.depth();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(3_000);
    store.reopen();
    const second = forwarder(store, config);
    await second.drained();
    await second.forwarder.close();
    expect(
      await influxd.count(config.database, "water", "total_l", `"household" = '${home.household.id}'`),
    ).toBe(3_000);
    store.destroy();
  });
});
