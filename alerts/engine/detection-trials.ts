/**
 * Detection trials on a replayed home: the un-injected trace for false alarms, then injected
 * emergencies restored from daily state snapshots (the rules' state is JSON, so a trial starts
 * from the exact state the live service would have had that morning).
 */
import type { Reading } from "../../core/domain.js";
import { type AlertRecord, runBacktest } from "./backtest.js";
import type { HomeConfig, HomeState } from "./home-evaluator.js";
import { legacyEpisodes } from "./legacy-rule.js";
import type { RuleId } from "./types.js";

export interface TraceSource {
  /** Readings of the home's meter from `from` (exclusive) to `to`, optionally with an injection. */
  readings(from: number, to: number, inject?: Injection): Iterable<Reading>;
  from: number;
  to: number;
}

export type Injection = { kind: "collapse"; at: number } | { kind: "tap"; at: number; lpm: number };

export interface Snapshot {
  at: number;
  json: string;
}

export interface TraceRun {
  alerts: AlertRecord[];
  snapshots: Snapshot[];
  states: Record<string, HomeState>;
  householdMonths: number;
}

export function replayTrace(home: HomeConfig, src: TraceSource, dayKey: (ts: number) => number): TraceRun {
  const snapshots: Snapshot[] = [];
  let lastDay = -1;
  const res = runBacktest({
    homes: [home],
    readings: mapHome(home.homeId, src.readings(src.from - 1, src.to)),
    observe(_h, state, now) {
      const d = dayKey(now);
      if (d !== lastDay) {
        lastDay = d;
        snapshots.push({ at: now, json: JSON.stringify(state) });
      }
    },
  });
  return { alerts: res.alerts, snapshots, states: res.states, householdMonths: res.summary.householdMonths };
}

function* mapHome(homeId: string, rs: Iterable<Reading>) {
  for (const reading of rs) yield { homeId, reading };
}

export interface TrialResult {
  at: number;
  delayMs: number | null;
  reason: string | null;
}

/** Runs one injected trial from the last snapshot before `inject.at`; null delay = not detected in `horizonMs`. */
export function runTrial(
  home: HomeConfig,
  src: TraceSource,
  snaps: readonly Snapshot[],
  inject: Injection,
  rule: RuleId,
  horizonMs: number,
): TrialResult {
  const snap = latestBefore(snaps, inject.at);
  const initialStates = snap ? { [home.homeId]: JSON.parse(snap.json) as HomeState } : undefined;
  const from = snap?.at ?? src.from;
  const hit = (a: AlertRecord) => a.rule === rule && a.notifiedAt >= inject.at;
  const res = runBacktest({
    homes: [home],
    readings: mapHome(home.homeId, src.readings(from, inject.at + horizonMs, inject)),
    start: from,
    end: inject.at + horizonMs,
    ...(initialStates ? { initialStates } : {}),
    stopWhen: (alerts) => alerts.some(hit),
  });
  const a = res.alerts.find(hit);
  return {
    at: inject.at,
    delayMs: a ? a.notifiedAt - inject.at : null,
    reason: a ? a.evidence.threshold.name : null,
  };
}

function latestBefore(snaps: readonly Snapshot[], t: number): Snapshot | undefined {
  let lo = 0;
  let hi = snaps.length - 1;
  let best: Snapshot | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = snaps[mid];
    if (s && s.at < t) {
      best = s;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** Legacy "10 L in 12 h" delay for a collapse at `at`; null if it was already alarming at `at` or never fires. */
export function legacyTrialDelay(
  src: TraceSource,
  inject: Injection,
  horizonMs: number,
): number | null | "open" {
  const start = inject.at - 13 * 3_600_000;
  const eps = legacyEpisodes(src.readings(start, inject.at + horizonMs, inject));
  if (eps.some((e) => e.raisedAt < inject.at && (e.clearedAt === null || e.clearedAt >= inject.at)))
    return "open";
  const e = eps.find((x) => x.raisedAt >= inject.at);
  return e ? e.raisedAt - inject.at : null;
}

/** Seeded PRNG (mulberry32): the same seed gives the same trials on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function quantile(xs: readonly number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] ?? 0) + ((s[hi] ?? 0) - (s[lo] ?? 0)) * (pos - lo);
}
