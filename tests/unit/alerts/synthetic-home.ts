/**
 * Synthetic meter streams for rule tests: a home whose resident uses water at given local times.
 * The meter reports every 15 min when idle and once per minute with flow, like the real ones.
 */

import type { Reading } from "../../../core/domain.js";
import { zoneFor } from "../../../core/local-time.js";

export type WaterReading = Extract<Reading, { kind: "water" }>;

export interface RoutineOptions {
  tz: string;
  /** Local midnight of the first day, epoch ms. */
  start: number;
  days: number;
  /** Local minutes of the day with a 2 L use, per day index. */
  uses: (day: number) => number[];
  /** No water at all from this time (the meter keeps reporting). */
  stopAt?: number;
  deviceId?: string;
  startLiters?: number;
  litersPerUse?: number;
}

/** Local midnight of a calendar date in a zone. */
export function localMidnight(tz: string, y: number, m: number, d: number): number {
  return zoneFor(tz).dayStart(Date.UTC(y, m - 1, d, 12));
}

/** Epoch ms of local minute `minute` on the local day starting at `dayStart`. */
export function atLocal(tz: string, dayStart: number, minute: number): number {
  const z = zoneFor(tz);
  const guess = dayStart + minute * 60_000;
  return guess + (z.offsetMs(dayStart) - z.offsetMs(guess));
}

export function routine(o: RoutineOptions): WaterReading[] {
  const z = zoneFor(o.tz);
  const deviceId = o.deviceId ?? "meter-1";
  const useAt = new Set<number>();
  let day = o.start;
  for (let d = 0; d < o.days; d++) {
    for (const m of o.uses(d)) useAt.add(Math.floor(atLocal(o.tz, day, m) / 60_000));
    day = z.dayStart(day + 36 * 3_600_000);
  }
  const out: WaterReading[] = [];
  let total = o.startLiters ?? 1000;
  for (let m = Math.floor(o.start / 60_000); m < Math.floor(day / 60_000); m++) {
    const ms = m * 60_000;
    const flows = useAt.has(m) && (o.stopAt === undefined || ms < o.stopAt);
    if (flows) {
      total += o.litersPerUse ?? 2;
      out.push({
        deviceId,
        kind: "water",
        ts: ms + 59_000,
        fields: { totalLiters: total, flowLpm: o.litersPerUse ?? 2 },
      });
    } else if (m % 15 === 0)
      out.push({ deviceId, kind: "water", ts: ms, fields: { totalLiters: total, flowLpm: 0 } });
  }
  return out;
}

/** Seeded PRNG so "random" routines are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An older person's day: up around 07:00, water every hour or so until about 21:30. */
export function regularDay(rnd: () => number): number[] {
  const wake = 400 + Math.floor(rnd() * 40);
  const out: number[] = [];
  for (let m = wake; m < 1290; m += 30 + Math.floor(rnd() * 60)) out.push(m);
  return out;
}
