/**
 * WEUSEDTO replay: one real single-occupant home in Naples (Di Mauro et al., CC BY 4.0; see
 * shared/data/weusedto/README.md) turned into the stream a whole-home smart water meter would send.
 *
 * The per-fixture flow files (ml/s, about one row per second while a fixture runs) are summed per
 * minute; toilet and dishwasher files give start, flow and end. The meter model: one register
 * reading at second 59 of every minute with flow (flowLpm = that minute's litres), and an idle
 * reading on every quarter hour, the way event-driven NB-IoT/LoRa meters report.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Reading } from "../core/domain.js";

export const WEUSEDTO_TIMEZONE = "Europe/Rome";
/** The fixtures measured together (Feb–Oct 2019); later toilet/washing-machine rows are left out. */
const MAIN = [
  "feed_Washbasin.MYD.csv",
  "feed_Bidet.MYD.csv",
  "feed_Kitchenfaucet.MYD.csv",
  "feed_Shower.MYD.csv",
];
const OTHER = ["feed_Washingmachine.MYD.csv"];
const INTERVAL_FILES = ["feed.Toilet.csv", "feed_Dishwasher30.MYD.csv"];

export interface WeusedtoData {
  /** Litres per minute index (epoch ms / 60 000). */
  minutes: Map<number, number>;
  /** Litres per local (Europe/Rome) date, "YYYY-MM-DD", computed from the raw rows. */
  dailyTotals: Map<string, number>;
  from: number;
  to: number;
}

const dateFmt = new Intl.DateTimeFormat("en-CA", {
  timeZone: WEUSEDTO_TIMEZONE,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const dayCache = new Map<number, string>();
/** Local date of an epoch second (cached per UTC quarter hour; Rome changes offset on the hour). */
export function romeDate(sec: number): string {
  const key = Math.floor(sec / 900);
  let d = dayCache.get(key);
  if (!d) {
    d = dateFmt.format(key * 900_000);
    dayCache.set(key, d);
  }
  return d;
}

function rows(path: string): number[][] {
  const out: number[][] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const cols = line.trim().split(/\s+/).map(Number);
    if (cols.length >= 2 && cols.every(Number.isFinite)) out.push(cols);
  }
  return out;
}

export function loadWeusedto(dir: string): WeusedtoData {
  const minutes = new Map<number, number>();
  const dailyTotals = new Map<string, number>();
  let from = Number.POSITIVE_INFINITY;
  let to = 0;
  const add = (sec: number, liters: number) => {
    const m = Math.floor(sec / 60);
    minutes.set(m, (minutes.get(m) ?? 0) + liters);
    const d = romeDate(sec);
    dailyTotals.set(d, (dailyTotals.get(d) ?? 0) + liters);
    last = Math.max(last, sec);
  };
  let last = 0;
  for (const f of MAIN) {
    for (const [t = 0] of rows(join(dir, f))) {
      from = Math.min(from, t);
      to = Math.max(to, t);
    }
  }
  const inSpan = (sec: number) => sec >= from && sec <= to;
  for (const f of [...MAIN, ...OTHER]) {
    // One row is one second of flow: the sensors sample at 1 Hz while water runs.
    for (const [t = 0, flow = 0] of rows(join(dir, f))) if (flow > 0 && inSpan(t)) add(t, flow / 1000);
  }
  for (const f of INTERVAL_FILES) {
    for (const [start = 0, flow = 0, end = 0] of rows(join(dir, f))) {
      if (flow > 0 && inSpan(start)) for (let s = start; s < end; s++) add(s, flow / 1000);
    }
  }
  // A flush that starts on the last row runs a few minutes past it.
  return { minutes, dailyTotals, from: from * 1000, to: Math.max(to, last) * 1000 };
}

export interface ReplayOptions {
  deviceId: string;
  /** Epoch ms; defaults to the data's span. */
  from?: number;
  to?: number;
  /** Register value at the start of the replay. */
  startLiters?: number;
  /** Injected emergency: no water at all from this time (the meter keeps reporting idle). */
  stopWaterAt?: number;
  /** Injected emergency: a tap left running, `lpm` on top of real use from `from`. */
  leak?: { from: number; lpm: number };
}

const QUARTER_MIN = 15;

/** The meter's readings, time-ordered. Litres before `from` are counted into the start value. */
export function* weusedtoReadings(
  data: WeusedtoData,
  opts: ReplayOptions,
): Generator<Extract<Reading, { kind: "water" }>> {
  const from = Math.floor((opts.from ?? data.from) / 60_000);
  const to = Math.floor((opts.to ?? data.to) / 60_000);
  let total = opts.startLiters ?? litresBefore(data, from);
  for (let m = from; m <= to; m++) {
    const ms = m * 60_000;
    let liters = data.minutes.get(m) ?? 0;
    if (opts.leak && ms >= opts.leak.from) liters += opts.leak.lpm;
    if (opts.stopWaterAt !== undefined && ms >= opts.stopWaterAt) liters = 0;
    // The quarter-hour idle report is skipped when the minute has flow: the meter reports that instead.
    if (m % QUARTER_MIN === 0 && liters === 0) yield water(opts.deviceId, ms, total, 0);
    if (liters > 0) {
      total += liters;
      yield water(opts.deviceId, ms + 59_000, total, liters);
    }
  }
}

/** Register value at the start of minute `m`, so a replay can start mid-trace. */
export function litresBefore(data: WeusedtoData, m: number): number {
  let sum = 0;
  for (const [k, v] of data.minutes) if (k < m) sum += v;
  return sum;
}

function water(
  deviceId: string,
  ts: number,
  total: number,
  lpm: number,
): Extract<Reading, { kind: "water" }> {
  return {
    deviceId,
    kind: "water",
    ts,
    fields: { totalLiters: Math.round(total * 1000) / 1000, flowLpm: Math.round(lpm * 1000) / 1000 },
  };
}
