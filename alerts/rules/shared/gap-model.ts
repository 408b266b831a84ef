/**
 * A compact, decaying model of one home's water-use gaps, in the home's local time.
 *
 * hist[h][b]: how often, at local hour h, the time since the last water use fell in bin b. It is
 * filled by sampling every closed gap every 15 minutes, so it is the home's own answer to "at 10:00,
 * how long has it usually been since water was last used?". Its upper quantile per hour is the
 * inactivity threshold (the idea of an hour-of-day inactivity distribution is Wilhelm & Wahl's
 * "inactivity score", Sensors 2024). wake[b]: local time of the first use after the night, in
 * 15-minute bins from 04:00 to 14:00.
 *
 * Counts decay by `decay` per learned day so the model follows a changing routine; the state stays
 * 24 × 22 + 40 numbers however long the home is watched.
 */
import type { Zone } from "../../../core/local-time.js";

/** Bin edges in minutes; the last bin is "a day or more". Finer where thresholds usually fall. */
export const GAP_EDGES_MIN = [
  0, 15, 30, 45, 60, 90, 120, 150, 180, 240, 300, 360, 420, 480, 540, 600, 660, 720, 840, 960, 1200, 1440,
  2880,
] as const;
const BINS = GAP_EDGES_MIN.length - 1;
export const WAKE_FROM_MIN = 240;
export const WAKE_TO_MIN = 840;
const WAKE_BIN_MIN = 15;
const WAKE_BINS = (WAKE_TO_MIN - WAKE_FROM_MIN) / WAKE_BIN_MIN;
const SAMPLE_MS = 900_000;

export interface GapModel {
  hist: number[][];
  wake: number[];
  /** Local days that contributed; drives the prior → learned blend. */
  days: number;
  lastDay: number;
  wakeDay: number;
}

export function emptyGapModel(): GapModel {
  return {
    hist: Array.from({ length: 24 }, () => new Array<number>(BINS).fill(0)),
    wake: new Array<number>(WAKE_BINS).fill(0),
    days: 0,
    lastDay: -1,
    wakeDay: -1,
  };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** Ages the counts to `day` (a Zone.dayKey) and counts the day as learned. */
export function ageTo(model: GapModel, day: number, decay: number): GapModel {
  if (day <= model.lastDay) return model;
  const f = model.lastDay < 0 ? 1 : decay ** (day - model.lastDay);
  return {
    hist: model.hist.map((row) => row.map((c) => round2(c * f))),
    wake: model.wake.map((c) => round2(c * f)),
    days: model.days + 1,
    lastDay: day,
    wakeDay: model.wakeDay,
  };
}

/** The bin (of GAP_EDGES_MIN) that holds a gap of `elapsedMin` minutes. */
export function binOf(elapsedMin: number): number {
  for (let b = BINS - 1; b >= 0; b--) if (elapsedMin >= (GAP_EDGES_MIN[b] ?? 0)) return b;
  return 0;
}

/** Adds the samples of one closed gap [start, end). Mutates a copy, returns it. */
export function learnGap(model: GapModel, zone: Zone, start: number, end: number): GapModel {
  const hist = model.hist.map((row) => [...row]);
  for (let g = Math.ceil(start / SAMPLE_MS) * SAMPLE_MS; g < end; g += SAMPLE_MS) {
    const row = hist[zone.hour(g)];
    const b = binOf((g - start) / 60_000);
    if (row) row[b] = round2((row[b] ?? 0) + 1);
  }
  return { ...model, hist };
}

export function learnWake(model: GapModel, minuteOfDay: number, day: number): GapModel {
  const b = Math.floor((minuteOfDay - WAKE_FROM_MIN) / WAKE_BIN_MIN);
  if (b < 0 || b >= WAKE_BINS) return { ...model, wakeDay: day };
  const wake = [...model.wake];
  wake[b] = round2((wake[b] ?? 0) + 1);
  return { ...model, wake, wakeDay: day };
}

/** Counts at hour h smoothed with its neighbours (¼, ½, ¼) so one odd day does not set an hour. */
function smoothed(model: GapModel, h: number): number[] {
  const a = model.hist[(h + 23) % 24] ?? [];
  const b = model.hist[h % 24] ?? [];
  const c = model.hist[(h + 25) % 24] ?? [];
  // A plain loop: 24 of these per learned gap (every new model's thresholds), on the rules' hot path.
  const out = new Array<number>(BINS);
  for (let i = 0; i < BINS; i++) out[i] = 0.25 * (a[i] ?? 0) + 0.5 * (b[i] ?? 0) + 0.25 * (c[i] ?? 0);
  return out;
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] as number;
  return s;
}

/** Gap length (ms) exceeded with probability `alpha` at local hour h, or null with under `minWeight` samples. */
export function gapQuantile(model: GapModel, h: number, alpha: number, minWeight: number): number | null {
  const counts = smoothed(model, h);
  const total = sum(counts);
  if (total < minWeight) return null;
  return tailQuantileMs(counts, alpha);
}

/** Gap length (ms) exceeded by a share `alpha` of binned `counts` (linear within a bin); 0 if empty. */
export function tailQuantileMs(counts: readonly number[], alpha: number): number {
  const total = sum(counts);
  const target = alpha * total;
  let tail = 0;
  for (let b = BINS - 1; b >= 0; b--) {
    const c = counts[b] ?? 0;
    if (tail + c >= target && c > 0) {
      const lo = GAP_EDGES_MIN[b] ?? 0;
      const hi = GAP_EDGES_MIN[b + 1] ?? lo;
      return (hi - ((target - tail) / c) * (hi - lo)) * 60_000;
    }
    tail += c;
  }
  return 0;
}

/** Share of past samples at local hour h whose gap was at least `elapsedMs` (linear within a bin). */
export function gapSurvival(model: GapModel, h: number, elapsedMs: number): number {
  const counts = smoothed(model, h);
  const total = sum(counts);
  if (total <= 0) return 1;
  const m = elapsedMs / 60_000;
  let above = 0;
  for (let b = 0; b < BINS; b++) {
    const lo = GAP_EDGES_MIN[b] ?? 0;
    const hi = GAP_EDGES_MIN[b + 1] ?? lo;
    const c = counts[b] ?? 0;
    if (m <= lo) above += c;
    else if (m < hi) above += (c * (hi - m)) / (hi - lo);
  }
  return above / total;
}

/** Local minute of day by which a share `q` of past first-uses-after-waking had happened. */
export function wakeQuantile(model: GapModel, q: number, minWeight: number): number | null {
  const total = model.wake.reduce((s, c) => s + c, 0);
  if (total < minWeight) return null;
  let cum = 0;
  for (let b = 0; b < WAKE_BINS; b++) {
    const c = model.wake[b] ?? 0;
    if (c > 0 && cum + c >= q * total) return WAKE_FROM_MIN + (b + (q * total - cum) / c) * WAKE_BIN_MIN;
    cum += c;
  }
  return WAKE_TO_MIN;
}
