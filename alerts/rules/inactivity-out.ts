/**
 * "Out", from the door sensor: a door opening after the last water use with no motion (or water)
 * after it means the resident left. Such a gap is not judged by the at-home hour limits (which
 * would fire on an ordinary afternoon out) but by a learned "usually back within": the (1 − outAlpha)
 * quantile of this home's past outings, door to return. The 12 h ceiling still holds. Outings are
 * kept out of the at-home gap model, so at-home limits tighten to how long this person goes
 * without water while in. The return (motion, or the next door opening where there is no motion
 * sensor) restarts the at-home gap clock, like the end of a planned absence.
 * A home without a door sensor never enters this state: its figures are unchanged.
 */
import type { Reading } from "../../core/domain.js";
import type { InactivityParams } from "./inactivity-params.js";
import { binOf, GAP_EDGES_MIN, tailQuantileMs } from "./shared/gap-model.js";

export interface OutState {
  /** Door opening that started the current outing (after the last water use), or null. */
  left: number | null;
  /** First sign of the resident back in after `left`, or null while out. */
  back: number | null;
  /** Decaying counts of past outing durations, in the gap model's bins. */
  hist: number[];
  lastDay: number;
}

const BINS = GAP_EDGES_MIN.length - 1;

export const emptyOut = (): OutState => ({
  left: null,
  back: null,
  hist: new Array<number>(BINS).fill(0),
  lastDay: -1,
});

/** Out now: left after the last water use and not seen back. */
export const isOut = (o: OutState | undefined, lastUse: number | null): o is OutState & { left: number } =>
  o !== undefined && o.left !== null && o.back === null && lastUse !== null && o.left > lastUse;

/** The at-home gap clock: from the last use, or from the return if the resident went out since. */
export function homeGapStart(o: OutState | undefined, lastUse: number): number {
  if (!o || o.left === null || o.back === null || o.left <= lastUse) return lastUse;
  return Math.max(lastUse, o.back);
}

/** Activity this soon after the door opened says nobody left (a parcel, a visitor at the door). */
const STAYED_MS = 10 * 60_000;

/** Door and motion readings move the outing on; other kinds do not. */
export function noteOut(o: OutState, r: Reading, lastUse: number | null): OutState {
  const sign = (r.kind === "motion" && r.fields.detected) || (r.kind === "door" && r.fields.open);
  if (!sign) return o;
  const out = o.left !== null && o.back === null && lastUse !== null && o.left > lastUse && r.ts > o.left;
  if (out && o.left !== null) {
    return r.ts - o.left < STAYED_MS ? { ...o, left: null } : { ...o, back: r.ts };
  }
  if (r.kind !== "door") return o;
  // A door opening with nothing after it yet: leaving (a later sign of life makes it "back").
  if (lastUse !== null && r.ts > lastUse && (o.left === null || o.left <= lastUse || o.back !== null)) {
    return { ...o, left: r.ts, back: null };
  }
  return o;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Water again at `u`, ending a gap that began at `lastUse`: learns the outing if there was one and
 * resets. Returns whether the gap held an outing (the caller then keeps it out of the home model).
 */
export function closeOut(
  o: OutState,
  lastUse: number,
  u: number,
  day: number,
  p: InactivityParams,
): { out: OutState; wasOut: boolean } {
  if (o.left === null || o.left <= lastUse) return { out: { ...o, left: null, back: null }, wasOut: false };
  const dur = ((o.back ?? u) - o.left) / 60_000;
  // Like gaps: an outing past learnMaxGap (a trip) alarms at the ceiling anyway; learning it would
  // only push "usually back within" past the ceiling for every ordinary outing.
  if (dur > p.learnMaxGapHours * 60) return { out: { ...o, left: null, back: null }, wasOut: true };
  const f = o.lastDay < 0 || day <= o.lastDay ? 1 : p.decayPerDay ** (day - o.lastDay);
  const hist = o.hist.map((c) => round2(c * f));
  const b = binOf(dur);
  hist[b] = round2((hist[b] ?? 0) + 1);
  return { out: { left: null, back: null, hist, lastDay: Math.max(day, o.lastDay) }, wasOut: true };
}

/**
 * How long after leaving this home is usually back (ms), or null before `outMinSamples` outings.
 * `w` is the gap model's prior → learned weight: in a new home's first weeks the limit is blended
 * toward the ceiling, as the at-home limits are.
 */
export function outLimitMs(o: OutState, p: InactivityParams, w: number): number | null {
  const learned = learnedOutMs(o, p);
  if (learned === null || w <= 0) return null;
  return (1 - w) * p.ceilingHours * 3_600_000 + w * learned;
}

function learnedOutMs(o: OutState, p: InactivityParams): number | null {
  const total = o.hist.reduce((s, c) => s + c, 0);
  if (total < p.outMinSamples) return null;
  return Math.max(p.minGapMin * 60_000, tailQuantileMs(o.hist, p.outAlpha) + p.outMarginMin * 60_000);
}
