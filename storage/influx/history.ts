import type { ReadingKind } from "../../core/domain.js";
import {
  fillBuckets,
  type HistoryReading,
  type ReadingHistory,
  type TimeWindow,
  type WaterBucket,
} from "../../dashboard/routes/history.js";
import { baselineWindow, normalBandFrom } from "../../dashboard/routes/water-normal.js";
import type { InfluxQl, Series } from "./http.js";
import {
  BASELINE_FIELD,
  CONSUMED_FIELD,
  DOMAIN_NAMES,
  isReadingKind,
  MEASUREMENTS,
  quoteIdent,
  quoteString,
  RESET_FIELD,
} from "./schema.js";

function column(series: Series, row: unknown[], name: string): unknown {
  const i = series.columns.indexOf(name);
  return i < 0 ? undefined : row[i];
}

/** A row of `SELECT *` (tags come back as columns) decoded into the domain's field names. */
function toHistory(series: Series, row: unknown[], kind: ReadingKind): HistoryReading {
  const fields: Record<string, number | boolean> = {};
  for (const [influxName, domainName] of Object.entries(DOMAIN_NAMES[kind])) {
    const v = column(series, row, influxName);
    if (typeof v === "number" || typeof v === "boolean") fields[domainName] = v;
  }
  const consumed = column(series, row, CONSUMED_FIELD);
  const tag = (name: string) => String(series.tags?.[name] ?? column(series, row, name) ?? "");
  return {
    deviceId: tag("device"),
    householdId: tag("household"),
    kind,
    ts: Number(column(series, row, "time")),
    fields,
    consumedLiters:
      kind === "water" && typeof consumed === "number" && column(series, row, BASELINE_FIELD) !== true
        ? consumed
        : null,
    registerReset: kind === "water" && column(series, row, RESET_FIELD) === true,
  };
}

function decodeAll(series: Series[]): HistoryReading[] {
  const out: HistoryReading[] = [];
  for (const s of series) {
    if (!isReadingKind(s.name)) continue;
    for (const row of s.values) out.push(toHistory(s, row, s.name));
  }
  return out;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byTsThenKind = (a: HistoryReading, b: HistoryReading) => a.ts - b.ts || cmp(a.kind, b.kind);
const byDeviceThenKind = (a: HistoryReading, b: HistoryReading) =>
  cmp(a.deviceId, b.deviceId) || cmp(a.kind, b.kind);

/** Reading history answered by InfluxQL (1.x, 2.x with a DBRP mapping, 3.x); no Flux. */
export function createInfluxHistory(
  query: InfluxQl,
  options: { retentionPolicy?: string } = {},
): ReadingHistory {
  const rp = options.retentionPolicy === undefined ? "" : `${quoteIdent(options.retentionPolicy)}.`;
  const from = (m: string) => `${rp}${quoteIdent(m)}`;
  const allMeasurements = MEASUREMENTS.map(from).join(", ");

  async function waterUse(householdId: string, w: TimeWindow & { everyMs: number }): Promise<WaterBucket[]> {
    // GROUP BY time() buckets start at epoch multiples of the interval (offset 0), like the SQLite store's.
    const series = await query(
      `SELECT sum(${quoteIdent(CONSUMED_FIELD)}) AS liters, count("total_l") AS readings FROM ${from("water")}
         WHERE "household" = ${quoteString(householdId)} AND time >= ${w.from}ms AND time < ${w.to}ms
         GROUP BY time(${w.everyMs}ms) fill(none)`,
    );
    const found: WaterBucket[] = [];
    for (const s of series)
      for (const row of s.values) {
        const liters = column(s, row, "liters");
        found.push({
          start: Number(column(s, row, "time")),
          liters: typeof liters === "number" ? liters : null,
          readings: Number(column(s, row, "readings") ?? 0),
        });
      }
    return fillBuckets(w, found);
  }

  return {
    waterUse,

    async waterNormal(householdId, w) {
      // InfluxQL cannot group by local hour of day (tz() only moves bucket boundaries), so one query
      // fetches the 28 days of interval sums and the shared pure function takes the percentiles.
      return normalBandFrom(await waterUse(householdId, baselineWindow(w)), w);
    },

    async latest(householdId) {
      const series = await query(
        `SELECT * FROM ${allMeasurements} WHERE "household" = ${quoteString(householdId)}
         GROUP BY "device" ORDER BY time DESC LIMIT 1`,
      );
      return decodeAll(series).sort(byDeviceThenKind);
    },

    async readings(deviceId, w) {
      const series = await query(
        `SELECT * FROM ${allMeasurements} WHERE "device" = ${quoteString(deviceId)}
         AND time >= ${w.from}ms AND time < ${w.to}ms ORDER BY time ASC LIMIT ${w.limit}`,
      );
      return decodeAll(series).sort(byTsThenKind).slice(0, w.limit);
    },
  };
}
