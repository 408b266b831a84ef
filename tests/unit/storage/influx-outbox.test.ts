import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import { createInfluxOutbox } from "../../../storage/sqlite/influx-outbox.js";
import { createTestStore, type TestStore, waterSeries } from "../../helpers/influxd.js";

const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
const stores: TestStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.destroy();
});
function setup() {
  const store = createTestStore();
  stores.push(store);
  const home = store.addHome("ob");
  return { store, home, outbox: createInfluxOutbox(store.db, () => T0 + 1_000) };
}

describe("the SQLite outbox for InfluxDB", () => {
  test("pages readings after the cursor, with the household's grid", () => {
    const { store, home, outbox } = setup();
    expect(outbox.next(10)).toBeNull();
    store.append(waterSeries(home.water, T0, 5), home.household.id);
    const batch = outbox.next(3)!;
    expect(batch.readings.map((r) => r.fields.totalLiters)).toEqual([1000, 1001.5, 1003]);
    expect(batch).toMatchObject({ full: true, lastId: batch.readings[2]?.id });
    expect(batch.readings[0]).toMatchObject({
      householdId: home.household.id,
      gridId: home.household.gridId,
    });
    expect(outbox.depth()).toBe(5);
    expect(outbox.next(3)?.lastId).toBe(batch.lastId); // nothing moves until commit
    outbox.commit(batch.lastId);
    expect(outbox.depth()).toBe(2);
    expect(outbox.next(3)).toMatchObject({ full: false });
  });

  test("commit records parked lines with the cursor, and the cursor never goes back", () => {
    const { store, home, outbox } = setup();
    store.append(waterSeries(home.water, T0, 4), home.household.id);
    const batch = outbox.next(4)!;
    outbox.commit(batch.lastId, [
      { readingId: batch.lastId, line: "water x=1", status: 400, error: "bad", parkedAt: T0 },
    ]);
    outbox.commit(1);
    expect(outbox.cursor()).toBe(batch.lastId);
    expect(outbox.listParked()).toEqual([
      { readingId: batch.lastId, line: "water x=1", status: 400, error: "bad", parkedAt: T0 },
    ]);
    expect(outbox.parkedCount()).toBe(1);
    outbox.unpark(batch.lastId);
    expect(outbox.parkedCount()).toBe(0);
  });

  test("depth and oldest age survive a restart: the cursor is in the file", () => {
    const { store, home } = setup();
    store.append(waterSeries(home.water, T0, 3), home.household.id);
    const first = createInfluxOutbox(store.db, Date.now);
    first.commit(first.next(1)!.lastId);
    store.reopen();
    const again = createInfluxOutbox(store.db, Date.now);
    expect(again.depth()).toBe(2);
    expect(again.oldestReceivedAt()).toBeGreaterThan(0);
    again.commit(again.next(10)!.lastId);
    expect(again.oldestReceivedAt()).toBeNull();
  });

  test("a late water reading brings the already-sent reading whose consumption it revised", () => {
    const { store, home, outbox } = setup();
    const hh = home.household.id;
    store.append([{ deviceId: home.water, kind: "water", ts: T0, fields: { totalLiters: 10 } }], hh);
    store.append([{ deviceId: home.water, kind: "water", ts: T0 + 20_000, fields: { totalLiters: 30 } }], hh);
    outbox.commit(outbox.next(10)!.lastId);
    store.append([{ deviceId: home.water, kind: "water", ts: T0 + 10_000, fields: { totalLiters: 15 } }], hh);
    store.append([{ deviceId: home.water, kind: "water", ts: T0 + 30_000, fields: { totalLiters: 40 } }], hh);
    const batch = outbox.next(10)!;
    expect(batch.readings.map((r) => [r.ts - T0, r.consumedLiters])).toEqual([
      [10_000, 5],
      [30_000, 10],
      [20_000, 15], // revised: re-sent; the in-order reading at 30 s brings nothing extra
    ]);
  });
});

describe("the outbox keeps InfluxDB equal to SQLite", () => {
  test("whatever the arrival order, batching and restarts, the last line sent per reading is the stored state", () => {
    const store = createTestStore();
    stores.push(store);
    const home = store.addHome("prop");
    const meters = [
      home.water,
      store.registry.addDevice({
        householdId: home.household.id,
        kind: "water",
        id: `${home.water}-2`,
        secretHash: "x",
      }).id,
    ];
    let run = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 1 }),
            fc.integer({ min: 0, max: 12 }),
            fc.integer({ min: 0, max: 500 }),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.constantFrom("drain", "reread", "restart", "none"), { minLength: 1, maxLength: 10 }),
        (events, chunkSizes, actions) => {
          const t0 = T0 + run++ * 3_600_000; // each run its own hour: no clash with earlier runs
          const sent = new Map<number, number | null>();
          let outbox = createInfluxOutbox(store.db, Date.now);
          const drain = (commit: boolean) => {
            for (let b = outbox.next(3); b; b = outbox.next(3)) {
              for (const r of b.readings) sent.set(r.id, r.consumedLiters);
              if (!commit) return;
              outbox.commit(b.lastId);
            }
          };
          let i = 0;
          for (let k = 0; i < events.length; k++) {
            const size = chunkSizes[k % chunkSizes.length]!;
            const chunk = events.slice(i, i + size);
            i += size;
            store.append(
              chunk.map(([m, minute, liters]) => ({
                deviceId: meters[m]!,
                kind: "water" as const,
                ts: t0 + minute * 60_000,
                fields: { totalLiters: liters },
              })),
              home.household.id,
            );
            const action = actions[k % actions.length];
            if (action === "drain") drain(true);
            if (action === "reread") drain(false);
            if (action === "restart") outbox = createInfluxOutbox(store.db, Date.now);
          }
          drain(true);
          for (const r of store.readings.query({
            householdId: home.household.id,
            since: t0,
            until: t0 + 3_600_000,
          }))
            expect(sent.get(r.id), `reading ${r.id}`).toBe(r.consumedLiters);
        },
      ),
      { numRuns: 150 },
    );
  });
});
