import type { TimeWindow, WaterBucket } from "./history.js";

/** One interval of a home's usual water use: litres between `low` and `high` are ordinary for it. */
export interface NormalBandPoint {
  start: number;
  low: number;
  high: number;
}

export interface NormalBand {
  /** Days (24 h periods before `from`) of the baseline with at least one water reading. */
  baselineDays: number;
  band: NormalBandPoint[];
}

export type NormalWindow = TimeWindow & { everyMs: number; timeZone: string };

const DAY = 86_400_000;
export const BASELINE_DAYS = 28;
/** Fewer days than this and there is no band: a week is the shortest span that has every weekday once. */
export const MIN_BASELINE_DAYS = 7;
/**
 * p10–p90: with 7 to 28 samples per hour these are still inside the data (p5/p95 would be min/max of a
 * week), and a band holding 80 % of ordinary days is wide enough that a normal day mostly stays inside.
 */
const LOW_Q = 0.1;
const HIGH_Q = 0.9;

/** The baseline the band is learned from: the 28 days before the first bucket of the window. */
export function baselineWindow(w: NormalWindow): TimeWindow & { everyMs: number } {
  const first = Math.floor(w.from / w.everyMs) * w.everyMs;
  return { from: first - BASELINE_DAYS * DAY, to: first, everyMs: w.everyMs };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Local time of day ("07:00") of an instant in an IANA zone. */
function localSlot(ms: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  return f.format(ms);
}

/** Linear interpolation between closest ranks (R type 7, numpy's default). `sorted` ascending, non-empty. */
function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const v = (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (pos - lo);
  return Math.round(v * 1000) / 1000; // both stores sum in their own order: keep float noise out
}

/**
 * The band for `w` from the baseline's buckets (`baselineWindow(w)`, as `waterUse` answers it). Samples
 * are keyed by local time of day in the home's zone. A 24 h period without any reading is left out, and
 * so is an interval without a reading inside a period that has some: no data is not 0 litres. A time of
 * day with fewer than 7 samples gets no band point; fewer than 7 days with data gives no band at all.
 */
export function normalBandFrom(baseline: WaterBucket[], w: NormalWindow): NormalBand {
  const base = baselineWindow(w);
  const daysWithData = new Set<number>();
  for (const b of baseline) if (b.liters !== null) daysWithData.add(Math.floor((b.start - base.from) / DAY));
  if (daysWithData.size < MIN_BASELINE_DAYS) return { baselineDays: daysWithData.size, band: [] };
  const samples = new Map<string, number[]>();
  for (const b of baseline) {
    if (b.liters === null || b.start < base.from || b.start >= base.to) continue;
    const key = localSlot(b.start, w.timeZone);
    const list = samples.get(key) ?? [];
    list.push(b.liters);
    samples.set(key, list);
  }
  const ranges = new Map<string, { low: number; high: number }>();
  for (const [key, list] of samples) {
    if (list.length < MIN_BASELINE_DAYS) continue;
    list.sort((a, b) => a - b);
    ranges.set(key, { low: quantile(list, LOW_Q), high: quantile(list, HIGH_Q) });
  }
  const band: NormalBandPoint[] = [];
  for (let start = base.to; start < w.to; start += w.everyMs) {
    const r = ranges.get(localSlot(start, w.timeZone));
    if (r) band.push({ start, ...r });
  }
  return { baselineDays: daysWithData.size, band };
}
