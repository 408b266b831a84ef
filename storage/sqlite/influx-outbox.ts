import type { ReadingKind } from "../../core/domain.js";
import type { Db } from "./open.js";

/** A stored reading as the InfluxDB forwarder needs it (the household's grid joined in). */
export interface OutboxReading {
  id: number;
  deviceId: string;
  householdId: string;
  gridId: number | null;
  kind: ReadingKind;
  ts: number;
  receivedAt: number;
  fields: Record<string, number | boolean>;
  consumedLiters: number | null;
  registerReset: boolean;
}

export interface OutboxBatch {
  readings: OutboxReading[];
  /** The cursor moves here once every reading of the batch is written or parked. */
  lastId: number;
  /** The batch holds as many outbox readings as were asked for (more are probably waiting). */
  full: boolean;
}

export interface ParkedLine {
  readingId: number;
  line: string;
  status: number;
  error: string;
  parkedAt: number;
}

interface Row {
  id: number;
  device_id: string;
  household_id: string;
  grid_id: number | null;
  kind: ReadingKind;
  ts: number;
  received_at: number;
  fields: string;
  consumed_l: number | null;
  register_reset: number;
}

const toReading = (r: Row): OutboxReading => ({
  id: r.id,
  deviceId: r.device_id,
  householdId: r.household_id,
  gridId: r.grid_id,
  kind: r.kind,
  ts: r.ts,
  receivedAt: r.received_at,
  fields: JSON.parse(r.fields) as OutboxReading["fields"],
  consumedLiters: r.consumed_l,
  registerReset: r.register_reset === 1,
});

const SELECT = `SELECT r.id, r.device_id, r.household_id, h.grid_id, r.kind, r.ts, r.received_at, r.fields,
  r.consumed_l, r.register_reset FROM readings r LEFT JOIN households h ON h.id = r.household_id`;

/**
 * The durable InfluxDB outbox, as a cursor over readings.id: ingest writes nothing extra, and a reading
 * leaves the outbox only when `commit` moves the cursor past it after InfluxDB confirmed the write.
 * Ids grow with every commit (SQLite has one writer; INTEGER PRIMARY KEY takes max(id)+1), so a
 * reading committed later can never appear behind the cursor. Revised water readings (an earlier
 * reading arrived late) are re-sent with the late reading that changed them; see `next`.
 */
export function createInfluxOutbox(db: Db, now: () => number) {
  db.prepare("INSERT OR IGNORE INTO influx_cursor (id, last_id, updated_at) VALUES (1, 0, ?)").run(now());
  const cursorGet = db.prepare<[], { last_id: number }>("SELECT last_id FROM influx_cursor WHERE id = 1");
  const cursorSet = db.prepare(
    "UPDATE influx_cursor SET last_id = max(last_id, ?), updated_at = ? WHERE id = 1",
  );
  const after = db.prepare<[number, number], Row>(`${SELECT} WHERE r.id > ? ORDER BY r.id LIMIT ?`);
  // The water reading that follows a reading in event time: its consumption was derived again when
  // this one arrived, if it was stored first (smaller id).
  const successor = db.prepare<[string, number], Row>(
    `${SELECT} WHERE r.device_id = ? AND r.kind = 'water' AND r.ts > ? ORDER BY r.ts LIMIT 1`,
  );
  const highestBefore = db.prepare<[string, number], { ts: number }>(
    "SELECT ts FROM readings WHERE device_id = ? AND kind = 'water' AND id < ? ORDER BY ts DESC LIMIT 1",
  );
  // Per water meter, at least the highest ts among readings stored before the one being read. A reading
  // above it arrived in order: nothing stored earlier follows it, so nothing was revised, and the
  // successor look-up is skipped (in-order meters cost no extra query). Re-reads fall back to the look-up.
  const highest = new Map<string, number>();
  function revisedBy(row: Row): Row | undefined {
    if (highest.size > 500_000) highest.clear();
    const high = highest.get(row.device_id) ?? highestBefore.get(row.device_id, row.id)?.ts ?? -1;
    highest.set(row.device_id, Math.max(high, row.ts));
    if (row.ts > high) return undefined;
    const next = successor.get(row.device_id, row.ts);
    return next !== undefined && next.id < row.id ? next : undefined;
  }
  const byId = db.prepare<[number], Row>(`${SELECT} WHERE r.id = ?`);
  const maxId = db.prepare<[], { m: number | null }>("SELECT max(id) AS m FROM readings");
  const oldest = db.prepare<[number], { received_at: number }>(
    "SELECT received_at FROM readings WHERE id > ? ORDER BY id LIMIT 1",
  );
  const park = db.prepare(
    `INSERT OR REPLACE INTO influx_parked (reading_id, line, status, error, parked_at) VALUES (?, ?, ?, ?, ?)`,
  );
  const unpark = db.prepare("DELETE FROM influx_parked WHERE reading_id = ?");
  const parkedList = db.prepare<
    [number],
    { reading_id: number; line: string; status: number; error: string; parked_at: number }
  >("SELECT * FROM influx_parked ORDER BY reading_id LIMIT ?");
  const parkedCount = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM influx_parked");
  const cursor = () => cursorGet.get()?.last_id ?? 0;

  const commitTx = db.transaction((lastId: number, parked: readonly ParkedLine[]) => {
    for (const p of parked) park.run(p.readingId, p.line, p.status, p.error, p.parkedAt);
    cursorSet.run(lastId, now());
  });

  return {
    cursor,

    /** Up to `limit` readings after the cursor, plus the revised water readings they imply. */
    next(limit: number): OutboxBatch | null {
      const rows = after.all(cursor(), limit);
      const last = rows.at(-1);
      if (last === undefined) return null;
      const readings = rows.map(toReading);
      const seen = new Set(readings.map((r) => r.id));
      for (const row of rows) {
        const next = row.kind === "water" ? revisedBy(row) : undefined;
        if (next === undefined || seen.has(next.id)) continue;
        seen.add(next.id);
        readings.push(toReading(next));
      }
      return { readings, lastId: last.id, full: rows.length === limit };
    },

    /** Moves the cursor past a delivered batch and records its parked lines, atomically. */
    commit(lastId: number, parked: readonly ParkedLine[] = []): void {
      commitTx.immediate(lastId, parked);
    },

    /** Readings not yet confirmed by InfluxDB (ids are dense: readings are never deleted behind the cursor). */
    depth(): number {
      const m = maxId.get()?.m ?? 0;
      return Math.max(0, m - cursor());
    },

    /** When the oldest reading still waiting was received (epoch ms), or null when none waits. */
    oldestReceivedAt(): number | null {
      return oldest.get(cursor())?.received_at ?? null;
    },

    listParked(limit = 100): ParkedLine[] {
      return parkedList.all(limit).map((r) => ({
        readingId: r.reading_id,
        line: r.line,
        status: r.status,
        error: r.error,
        parkedAt: r.parked_at,
      }));
    },

    parkedCount(): number {
      return parkedCount.get()?.n ?? 0;
    },

    /** The current state of a parked reading, to try it again (e.g. after an operator fixed a schema clash). */
    reading(id: number): OutboxReading | undefined {
      const row = byId.get(id);
      return row ? toReading(row) : undefined;
    },

    unpark(readingId: number): void {
      unpark.run(readingId);
    },
  };
}

export type InfluxOutbox = ReturnType<typeof createInfluxOutbox>;
