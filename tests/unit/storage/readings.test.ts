import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import type { Reading } from "../../../core/domain.js";
import { type Db, openDatabase } from "../../../storage/sqlite/open.js";
import { createReadingStore } from "../../../storage/sqlite/readings.js";
import { createRegistry } from "../../../storage/sqlite/registry.js";
import { tempDir } from "../../helpers/service.js";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const open: Db[] = [];

function makeStore() {
  const db = openDatabase(`${tempDir()}/jinlin.db`, { sync: "normal" });
  open.push(db);
  const registry = createRegistry(db, () => T0);
  const h = registry.addHousehold({ resident: "A", address: "B", gridPath: "c/d" });
  const store = createReadingStore(db, registry.touchDevices);
  const water = (ts: number, totalLiters: number) => ({
    reading: { deviceId: "m1", kind: "water", ts, fields: { totalLiters } } as Reading,
    householdId: h.id,
    receivedAt: T0,
  });
  const consumption = () =>
    store
      .query({ deviceId: "m1" })
      .map((r) => ({ ts: r.ts, consumed: r.consumedLiters, reset: r.registerReset }));
  return { db, store, water, consumption, reopen: () => createReadingStore(db, registry.touchDevices) };
}

afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describe("water readings", () => {
  it("derives litres between consecutive register readings", () => {
    const s = makeStore();
    s.store.append([s.water(T0, 100), s.water(T0 + 60_000, 106), s.water(T0 + 120_000, 106)]);
    expect(s.consumption()).toEqual([
      { ts: T0, consumed: null, reset: false },
      { ts: T0 + 60_000, consumed: 6, reset: false },
      { ts: T0 + 120_000, consumed: 0, reset: false },
    ]);
  });

  it("starts a new baseline when the register goes backwards, never a negative consumption", () => {
    const s = makeStore();
    s.store.append([s.water(T0, 5000), s.water(T0 + 60_000, 5010)]);
    s.store.append([s.water(T0 + 120_000, 3), s.water(T0 + 180_000, 9)]);
    expect(s.consumption().map((c) => [c.consumed, c.reset])).toEqual([
      [null, false],
      [10, false],
      [null, true],
      [6, false],
    ]);
  });

  it("stores a redelivered reading once", () => {
    const s = makeStore();
    const first = s.store.append([s.water(T0, 1), s.water(T0 + 1000, 2)]);
    const again = s.store.append([s.water(T0 + 1000, 2)]);
    expect(first.stored).toHaveLength(2);
    expect(again).toMatchObject({ stored: [], duplicates: 1 });
    expect(s.store.count()).toBe(2);
  });

  it("revises the next reading when an earlier one arrives late", () => {
    const s = makeStore();
    s.store.append([s.water(T0, 10), s.water(T0 + 120_000, 30)]);
    const late = s.store.append([s.water(T0 + 60_000, 18)]);
    expect(late.revised.map((r) => [r.ts, r.consumedLiters])).toEqual([[T0 + 120_000, 12]]);
    expect(s.consumption().map((c) => c.consumed)).toEqual([null, 8, 12]);
  });

  it("gives the same consumption whatever the order and batching of delivery", () => {
    const registers = [10, 12, 12, 20, 3, 5, 5, 9, 40, 41];
    const readings = registers.map((v, i) => ({ ts: T0 + i * 60_000, v }));
    const reference = makeStore();
    reference.store.append(readings.map((r) => reference.water(r.ts, r.v)));
    const expected = reference.consumption();
    fc.assert(
      fc.property(
        fc.shuffledSubarray(readings, { minLength: readings.length, maxLength: readings.length }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 10, maxLength: 10 }),
        fc.boolean(),
        (order, sizes, restart) => {
          const s = makeStore();
          let store = s.store;
          let i = 0;
          for (const size of sizes) {
            if (i >= order.length) break;
            store.append(order.slice(i, i + size).map((r) => s.water(r.ts, r.v)));
            i += size;
            if (restart) store = s.reopen(); // a restart loses the in-memory register cache
          }
          expect(s.consumption()).toEqual(expected);
          s.db.close();
          open.pop();
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("other readings", () => {
  it("stores each kind with its fields and updates the device's last-seen time", () => {
    const s = makeStore();
    const h = s.db.prepare("SELECT id FROM households").get() as { id: string };
    s.db
      .prepare(
        "INSERT INTO devices (id, household_id, kind, secret_hash, created_at) VALUES ('d1', ?, 'door', 'x', 0)",
      )
      .run(h.id);
    s.store.append([
      {
        reading: { deviceId: "d1", kind: "door", ts: T0, fields: { open: true } },
        householdId: h.id,
        receivedAt: T0 + 5,
      },
      {
        reading: { deviceId: "d1", kind: "heartbeat", ts: T0, fields: { battery: 70 } },
        householdId: h.id,
        receivedAt: T0 + 9,
      },
    ]);
    const rows = s.store.query({ deviceId: "d1" });
    expect(rows.map((r) => [r.kind, r.fields])).toEqual([
      ["door", { open: true }],
      ["heartbeat", { battery: 70 }],
    ]);
    expect(
      (s.db.prepare("SELECT last_seen_at FROM devices WHERE id = 'd1'").get() as { last_seen_at: number })
        .last_seen_at,
    ).toBe(T0 + 9);
  });
});
