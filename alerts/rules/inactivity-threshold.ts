/**
 * When does the current gap become improbable for this home? Pure functions over the gap model.
 */

import type { Zone } from "../../core/local-time.js";
import type { InactivityParams } from "./inactivity-params.js";
import { type GapModel, gapQuantile, gapSurvival, wakeQuantile } from "./shared/gap-model.js";

export type CrossingReason = "hour" | "wake" | "ceiling" | "out";

export interface Crossing {
  at: number;
  reason: CrossingReason;
  thresholdMs: number;
  hour: number;
  /** hour: share of past samples at this hour with a gap this long; wake: the quantile used. */
  probability: number;
  wakeMinute: number | null;
}

/** Samples per hour-of-day (with neighbours) before the learned quantile is trusted at all. */
const MIN_HOUR_WEIGHT = 8;

export function blendWeight(model: GapModel, p: InactivityParams): number {
  if (model.days < p.minLearnDays) return 0;
  return Math.min(1, model.days / p.priorDays);
}

// Readings that change nothing (idle meter reports) keep the same model object: remember its thresholds
// instead of recomputing 24 quantiles per reading (5 % of the service's CPU before; BENCHMARKS.md).
const thresholdCache = new WeakMap<GapModel, { p: InactivityParams; thr: number[] }>();

/** Per-hour thresholds (ms), margin and clamps applied. */
export function hourThresholds(model: GapModel, p: InactivityParams): number[] {
  const cached = thresholdCache.get(model);
  if (cached && cached.p === p) return cached.thr;
  const thr = computeHourThresholds(model, p);
  thresholdCache.set(model, { p, thr });
  return thr;
}

function computeHourThresholds(model: GapModel, p: InactivityParams): number[] {
  const w = blendWeight(model, p);
  return Array.from({ length: 24 }, (_, h) => {
    const prior = (p.priorThresholdMin[h] ?? 600) * 60_000;
    const learned = w > 0 ? gapQuantile(model, h, p.alpha, MIN_HOUR_WEIGHT) : null;
    const q = learned === null ? prior : (1 - w) * prior + w * learned;
    const thr = q + p.marginMin * 60_000;
    return Math.min(p.ceilingHours * 3_600_000, Math.max(p.minGapMin * 60_000, thr));
  });
}

/** Local `minute` of the first day whose 04:00 falls after `gapStart`, as epoch ms. */
function wakeDeadline(zone: Zone, gapStart: number, minute: number): number {
  let day = zone.dayStart(gapStart);
  const at = (d: number) => {
    const t = d + minute * 60_000;
    return t + (zone.offsetMs(d) - zone.offsetMs(t));
  };
  if (at(day) - (minute - 240) * 60_000 <= gapStart) day = zone.dayStart(day + 36 * 3_600_000);
  return at(day);
}

export function ceilingCrossing(p: InactivityParams, zone: Zone, gapStart: number): Crossing {
  const ceilingMs = p.ceilingHours * 3_600_000;
  return {
    at: gapStart + ceilingMs,
    reason: "ceiling",
    thresholdMs: ceilingMs,
    hour: zone.hour(gapStart + ceilingMs),
    probability: 0,
    wakeMinute: null,
  };
}

// A reading that does not end the gap (every non-water reading, every idle meter report) asks again for
// the same model and gap start, twice (advance and the next deadline): the last answer is kept per model.
// Callers only read a Crossing (inactivity.ts spreads it before changing anything).
const crossingCache = new WeakMap<
  GapModel,
  { p: InactivityParams; zone: Zone; gapStart: number; c: Crossing }
>();

export function firstCrossing(model: GapModel, p: InactivityParams, zone: Zone, gapStart: number): Crossing {
  const cached = crossingCache.get(model);
  if (cached && cached.gapStart === gapStart && cached.p === p && cached.zone === zone) return cached.c;
  const c = computeFirstCrossing(model, p, zone, gapStart);
  crossingCache.set(model, { p, zone, gapStart, c });
  return c;
}

function computeFirstCrossing(model: GapModel, p: InactivityParams, zone: Zone, gapStart: number): Crossing {
  const ceilingMs = p.ceilingHours * 3_600_000;
  const ceiling = ceilingCrossing(p, zone, gapStart);
  let best = ceiling;
  const thr = hourThresholds(model, p);
  for (let a = gapStart; a < ceiling.at; a = zone.nextHour(a)) {
    const h = zone.hour(a);
    const t = thr[h] ?? ceilingMs;
    const cand = Math.max(a, gapStart + t);
    if (cand < zone.nextHour(a) && cand < best.at) {
      best = { at: cand, reason: "hour", thresholdMs: t, hour: h, probability: 0, wakeMinute: null };
      break;
    }
  }
  const wakeQ = model.days >= p.wakeMinDays ? wakeQuantile(model, p.wakeQuantile, p.wakeMinDays) : null;
  if (wakeQ !== null) {
    const minute = Math.round(wakeQ + p.wakeMarginMin);
    const at = wakeDeadline(zone, gapStart, minute);
    if (at - gapStart >= p.minGapMin * 60_000 && at < best.at) {
      best = {
        at,
        reason: "wake",
        thresholdMs: at - gapStart,
        hour: zone.hour(at),
        probability: p.wakeQuantile,
        wakeMinute: Math.round(wakeQ),
      };
    }
  }
  if (best.reason === "hour") best.probability = gapSurvival(model, best.hour, best.at - gapStart);
  return best;
}
