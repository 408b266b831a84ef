import type { Reading, ReadingKind, StoredReading } from "../../core/domain.js";
import type { AppendResult, ReadingToAppend } from "../../ingest/reading-sink.js";
import type { Db } from "./open.js";

interface Row {
  id: number;
  device_id: string;
  household_id: string;
  kind: ReadingKind;
  ts: number;
  received_at: number;
  fields: string;
  consumed_l: number | null;
  register_reset: number;
}

function primaryValue(r: Reading): number | null {
  switch (r.kind) {
    case "water":
      return r.fields.totalLiters;
    case "power":
      return r.fields.watts;
    case "climate":
      return r.fields.celsius;
    case "door":
      return r.fields.open ? 1 : 0;
    case "motion":
      return r.fields.detected ? 1 : 0;
    case "button":
      return r.fields.pressed ? 1 : 0;
    case "heartbeat":
      return r.fields.battery ?? null;
  }
}

export const toStored = (r: Row): StoredReading => ({
  id: r.id,
  deviceId: r.device_id,
  householdId: r.household_id,
  kind: r.kind,
  ts: r.ts,
  receivedAt: r.received_at,
  fields: JSON.parse(r.fields) as StoredReading["fields"],
  consumedLiters: r.consumed_l,
  registerReset: r.register_reset === 1,
});

/** Consumption between two register values: a register that goes backwards starts a new baseline. */
function delta(prev: number | undefined, value: number): { consumed: number | null; reset: boolean } {
  if (prev === undefined) return { consumed: null, reset: false };
  if (value < prev) return { consumed: null, reset: true };
  return { consumed: value - prev, reset: false };
}

export function createReadingStore(db: Db, touchDevices: (seen: Map<string, number>) => void) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO readings (device_id, household_id, kind, ts, received_at, value, fields, consumed_l, register_reset)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const prevWater = db.prepare<[string, number], { value: number }>(
    "SELECT value FROM readings WHERE device_id = ? AND kind = 'water' AND ts < ? ORDER BY ts DESC LIMIT 1",
  );
  const nextWater = db.prepare<[string, number], Row & { value: number }>(
    "SELECT * FROM readings WHERE device_id = ? AND kind = 'water' AND ts > ? ORDER BY ts ASC LIMIT 1",
  );
  const updateDelta = db.prepare("UPDATE readings SET consumed_l = ?, register_reset = ? WHERE id = ?");
  // Latest (ts, register) per water meter, so in-order readings skip the neighbour look-ups.
  const latest = new Map<string, { ts: number; value: number }>();

  function appendWater(item: ReadingToAppend, value: number, out: AppendResult): void {
    const { reading } = item;
    const last = latest.get(reading.deviceId);
    const inOrder = last !== undefined && reading.ts > last.ts;
    const prev = inOrder ? last.value : prevWater.get(reading.deviceId, reading.ts)?.value;
    const d = delta(prev, value);
    const fields = JSON.stringify(reading.fields);
    const info = insert.run(
      reading.deviceId,
      item.householdId,
      "water",
      reading.ts,
      item.receivedAt,
      value,
      fields,
      d.consumed,
      d.reset ? 1 : 0,
    );
    if (info.changes === 0) {
      out.duplicates++;
      return;
    }
    const id = Number(info.lastInsertRowid);
    out.stored.push({
      id,
      deviceId: reading.deviceId,
      householdId: item.householdId,
      kind: "water",
      ts: reading.ts,
      receivedAt: item.receivedAt,
      fields: reading.fields,
      consumedLiters: d.consumed,
      registerReset: d.reset,
    });
    const next = inOrder ? undefined : nextWater.get(reading.deviceId, reading.ts);
    if (!next) {
      latest.set(reading.deviceId, { ts: reading.ts, value });
      return;
    }
    const nd = delta(value, next.value);
    updateDelta.run(nd.consumed, nd.reset ? 1 : 0, next.id);
    out.revised.push({ ...toStored(next), consumedLiters: nd.consumed, registerReset: nd.reset });
  }

  const appendTx = db.transaction((items: ReadingToAppend[]): AppendResult => {
    const out: AppendResult = { stored: [], duplicates: 0, revised: [] };
    const seen = new Map<string, number>();
    for (const item of items) {
      const { reading } = item;
      seen.set(reading.deviceId, Math.max(seen.get(reading.deviceId) ?? 0, item.receivedAt));
      const value = primaryValue(reading);
      if (reading.kind === "water") {
        appendWater(item, reading.fields.totalLiters, out);
        continue;
      }
      const info = insert.run(
        reading.deviceId,
        item.householdId,
        reading.kind,
        reading.ts,
        item.receivedAt,
        value,
        JSON.stringify(reading.fields),
        null,
        0,
      );
      if (info.changes === 0) out.duplicates++;
      else
        out.stored.push({
          id: Number(info.lastInsertRowid),
          deviceId: reading.deviceId,
          householdId: item.householdId,
          kind: reading.kind,
          ts: reading.ts,
          receivedAt: item.receivedAt,
          fields: reading.fields,
          consumedLiters: null,
          registerReset: false,
        });
    }
    touchDevices(seen);
    return out;
  });

  return {
    /** Appends in one durable transaction (committed to disk when it returns). */
    append(items: ReadingToAppend[]): AppendResult {
      // Readings of a batch are applied in event-time order so the derived consumption is the same
      // whatever order the device sent them in.
      const sorted = [...items].sort((a, b) => a.reading.ts - b.reading.ts);
      try {
        return appendTx.immediate(sorted);
      } catch (err) {
        latest.clear(); // the cache may hold values from the rolled-back transaction
        throw err;
      }
    },

    query(filter: {
      deviceId?: string;
      householdId?: string;
      kind?: ReadingKind;
      since?: number;
      until?: number;
      limit?: number;
    }): StoredReading[] {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (filter.deviceId !== undefined) {
        where.push("device_id = ?");
        args.push(filter.deviceId);
      }
      if (filter.householdId !== undefined) {
        where.push("household_id = ?");
        args.push(filter.householdId);
      }
      if (filter.kind !== undefined) {
        where.push("kind = ?");
        args.push(filter.kind);
      }
      if (filter.since !== undefined) {
        where.push("ts >= ?");
        args.push(filter.since);
      }
      if (filter.until !== undefined) {
        where.push("ts < ?");
        args.push(filter.until);
      }
      const sql = `SELECT * FROM readings ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ts, id LIMIT ?`;
      args.push(filter.limit ?? 100_000);
      return db
        .prepare<(string | number)[], Row>(sql)
        .all(...args)
        .map(toStored);
    },

    count(): number {
      return (db.prepare("SELECT count(*) AS n FROM readings").get() as { n: number }).n;
    },
  };
}

export type ReadingStore = ReturnType<typeof createReadingStore>;
