import type { ReadingKind } from "../../core/domain.js";
import {
  fillBuckets,
  type HistoryReading,
  type ReadingHistory,
  type TimeWindow,
  type WaterBucket,
} from "../../dashboard/routes/history.js";
import { baselineWindow, normalBandFrom } from "../../dashboard/routes/water-normal.js";
import type { Db } from "./open.js";

interface Row {
  device_id: string;
  household_id: string;
  kind: ReadingKind;
  ts: number;
  fields: string;
  consumed_l: number | null;
  register_reset: number;
}

const toHistory = (r: Row): HistoryReading => ({
  deviceId: r.device_id,
  householdId: r.household_id,
  kind: r.kind,
  ts: r.ts,
  fields: JSON.parse(r.fields) as HistoryReading["fields"],
  consumedLiters: r.consumed_l,
  registerReset: r.register_reset === 1,
});

const COLUMNS = "device_id, household_id, kind, ts, fields, consumed_l, register_reset";

/** Reading history from the embedded store: the default when InfluxDB is not configured. */
export function createSqliteHistory(db: Db): ReadingHistory {
  // % works on integers, so each bucket starts at a UTC epoch multiple of `every`, as in InfluxQL.
  const water = db.prepare<
    { hh: string; from: number; to: number; every: number },
    { start: number; liters: number; readings: number }
  >(
    `SELECT ts - (ts % :every) AS start, coalesce(sum(consumed_l), 0) AS liters, count(*) AS readings
     FROM readings WHERE household_id = :hh AND kind = 'water' AND ts >= :from AND ts < :to
     GROUP BY start`,
  );
  const devices = db.prepare<[string], { id: string; kind: ReadingKind }>(
    "SELECT id, kind FROM devices WHERE household_id = ? ORDER BY id",
  );
  // readings_identity (device_id, kind, ts) answers this with one index seek.
  const lastOf = db.prepare<[string, ReadingKind, string], Row>(
    `SELECT ${COLUMNS} FROM readings WHERE device_id = ? AND kind = ? AND household_id = ? ORDER BY ts DESC LIMIT 1`,
  );
  const window = db.prepare<[string, number, number, number], Row>(
    `SELECT ${COLUMNS} FROM readings WHERE device_id = ? AND ts >= ? AND ts < ? ORDER BY ts, kind LIMIT ?`,
  );

  const waterUse = (householdId: string, w: TimeWindow & { everyMs: number }): WaterBucket[] =>
    fillBuckets(w, water.all({ hh: householdId, from: w.from, to: w.to, every: w.everyMs }));

  return {
    async waterUse(householdId, w) {
      return waterUse(householdId, w);
    },

    async waterNormal(householdId, w) {
      // One indexed range scan for the 28 days; the per-hour percentiles are the shared pure function,
      // so both stores judge "usual" the same way.
      return normalBandFrom(waterUse(householdId, baselineWindow(w)), w);
    },

    async latest(householdId) {
      const out: HistoryReading[] = [];
      for (const d of devices.all(householdId)) {
        const kinds = [...new Set<ReadingKind>([d.kind, "heartbeat"])].sort();
        for (const kind of kinds) {
          const row = lastOf.get(d.id, kind, householdId);
          if (row) out.push(toHistory(row));
        }
      }
      return out;
    },

    async readings(deviceId, w) {
      return window.all(deviceId, w.from, w.to, w.limit).map(toHistory);
    },
  };
}
