/**
 * Night activity: water use or door openings in the sleep window beyond this person's norm
 * (restless nights, nocturia, a fever, wandering). Counted in 15-minute slots with activity so one
 * long shower is one event of several slots, not fifty meter readings. The norm is the 95th
 * percentile of past nightly counts (decaying histogram) + 1, at least `minSlots`; the prior while
 * fewer than `minNights` are learned is `minSlots` + 2. Raised at once (warning); cleared at window end.
 *
 * The window is learned per home: for each local hour, the decaying share of days with water use
 * in it. The night is the run of hours around 03:00 in which this person used water on fewer than
 * `quietShare` of days (a toilet visit most nights stays under it; getting up does not), trimmed
 * at both ends to hours with use on under half that share, at least 4 h long. Until `minNights` days are learned, or when no such run exists (a
 * night worker), the window is `fromHour`–`toHour` (default 00:00–05:00: with 23:00, a late
 * sleeper's bedtime wash and toilet counted as night activity in the first nights on the simulator).
 */
import { z } from "zod";
import { zoneFor } from "../../core/local-time.js";
import type { Evaluation, EvidenceReading, Rule, RuleConfig, Transition } from "../engine/types.js";
import { inWindow, nightEnd, nightKey } from "./shared/night.js";
import { isWater, pushBounded, quote, type Register, stepRegister } from "./shared/water.js";

export const nightActivityParamsSchema = z.object({
  fromHour: z.number().int().min(0).max(23),
  toHour: z.number().int().min(0).max(23),
  minSlots: z.number().int().min(1).max(40),
  minNights: z.number().int().min(1).max(60),
  useMinLiters: z.number().min(0.05),
  decayPerNight: z.number().min(0.8).max(1),
  quietShare: z.number().min(0.05).max(0.9),
});
export type NightActivityParams = z.infer<typeof nightActivityParamsSchema>;
export const nightActivityDefaults: NightActivityParams = {
  fromHour: 0,
  toHour: 5,
  minSlots: 3,
  minNights: 14,
  useMinLiters: 0.3,
  decayPerNight: 0.98,
  quietShare: 0.5,
};

const MAX_COUNT = 24;
const SLOT = 900_000;

export interface NightActivityState {
  reg: Register | null;
  night: number;
  slots: number[];
  counts: number[];
  nights: number;
  recent: EvidenceReading[];
  open: { until: number } | null;
  /** Local day being recorded and a bit per local hour with water use on it. */
  day: number;
  hoursUsed: number;
  /** Decaying count of days with use, per local hour, and the decaying count of days. */
  byHour: number[];
  days: number;
}

/** The learned night window, or null while too little is known. */
export function learnedWindow(byHour: readonly number[], days: number, quietShare: number) {
  if (days <= 0) return null;
  const quiet = (h: number) => (byHour[(h + 24) % 24] ?? 0) / days < quietShare;
  if (!quiet(3)) return null;
  let from = 3;
  while (from > -5 && quiet(from - 1)) from--; // back to 19:00 at most
  let to = 4;
  while (to < 10 && quiet(to)) to++;
  // The edges are where the person is usually asleep (under half the `quietShare`): an evening
  // that runs late on some days belongs to the evening, not the night.
  const asleep = (h: number) => (byHour[(h + 24) % 24] ?? 0) / days < quietShare / 2;
  while (from < 3 && !asleep(from)) from++;
  while (to > 4 && !asleep(to - 1)) to--;
  if (to - from < 4) return null;
  return { fromHour: (from + 24) % 24, toHour: to };
}

export function createNightActivityRule(cfg: RuleConfig<NightActivityParams>): Rule<NightActivityState> {
  const p = cfg.params;
  const zone = zoneFor(cfg.timezone);
  const limit = (s: NightActivityState): number => {
    if (s.nights < p.minNights) return p.minSlots + 2;
    const total = s.counts.reduce((a, b) => a + b, 0);
    let cum = 0;
    for (let i = 0; i < s.counts.length; i++) {
      cum += s.counts[i] ?? 0;
      if (cum >= 0.95 * total) return Math.max(p.minSlots, i + 1);
    }
    return MAX_COUNT;
  };
  const windowOf = (s: NightActivityState) =>
    (s.nights >= p.minNights ? learnedWindow(s.byHour ?? [], s.days ?? 0, p.quietShare) : null) ?? {
      fromHour: p.fromHour,
      toHour: p.toHour,
    };
  /** Records which local hours saw water use; a finished day is folded into the hourly shares. */
  const noteHour = (s: NightActivityState, ts: number, used: boolean): NightActivityState => {
    const day = zone.dayKey(ts);
    let next = s;
    if (day < (s.day ?? -1)) return s; // a late batch from an earlier day: already folded
    if (s.day !== day) {
      const done = (s.day ?? -1) >= 0;
      const f = p.decayPerNight;
      const byHour = (s.byHour ?? new Array<number>(24).fill(0)).map((c, h) =>
        done ? Math.round((c * f + ((s.hoursUsed >> h) & 1)) * 100) / 100 : c,
      );
      const days = done ? Math.round(((s.days ?? 0) * f + 1) * 100) / 100 : (s.days ?? 0);
      next = { ...s, day, hoursUsed: 0, byHour, days };
    }
    return used ? { ...next, hoursUsed: next.hoursUsed | (1 << zone.hour(ts)) } : next;
  };
  const closeNight = (s: NightActivityState, key: number): NightActivityState => {
    if (s.night < 0 || key === s.night) return s;
    const c = Math.min(MAX_COUNT, s.slots.length);
    const counts = s.counts.map((x, i) => Math.round((x * p.decayPerNight + (i === c ? 1 : 0)) * 100) / 100);
    return { ...s, night: key, slots: [], counts, nights: s.nights + 1, recent: [] };
  };
  const clearIfDue = (
    s: NightActivityState,
    t: number,
  ): { state: NightActivityState; transitions: Transition[] } => {
    if (!s.open || t < s.open.until) return { state: s, transitions: [] };
    const tr = make("clear", s, s.open.until, limit(s), windowOf(s));
    return { state: { ...s, open: null }, transitions: [tr] };
  };
  return {
    id: "night_activity",
    init: () => ({
      reg: null,
      night: -1,
      slots: [],
      counts: new Array<number>(MAX_COUNT + 1).fill(0),
      nights: 0,
      recent: [],
      open: null,
      day: -1,
      hoursUsed: 0,
      byHour: new Array<number>(24).fill(0),
      days: 0,
    }),
    evaluate(s0, r): Evaluation<NightActivityState> {
      const cleared = clearIfDue(s0, r.ts);
      let s = cleared.state;
      let active = r.kind === "door" && r.fields.open;
      if (isWater(r)) {
        const { register, step } = stepRegister(s.reg, r);
        if (step.kind === "stale")
          return { state: s, transitions: cleared.transitions, deadline: s.open?.until ?? null };
        s = { ...s, reg: register };
        active = step.kind === "delta" && step.liters >= p.useMinLiters;
        s = noteHour(s, r.ts, active);
      }
      // The window as learned before this night closes; only asked for activity (most readings are not).
      const learned = s;
      const key = nightKey(zone, r.ts);
      // A batching meter delivers hours late, between live door readings: an earlier night is over.
      if (key < s.night)
        return { state: s, transitions: cleared.transitions, deadline: s.open?.until ?? null };
      s = s.night < 0 ? { ...s, night: key } : closeNight(s, key);
      if (!active) return { state: s, transitions: cleared.transitions, deadline: s.open?.until ?? null };
      const win = windowOf(learned);
      if (!inWindow(zone, r.ts, win.fromHour, win.toHour)) {
        return { state: s, transitions: cleared.transitions, deadline: s.open?.until ?? null };
      }
      const slot = Math.floor(r.ts / SLOT);
      if (!s.slots.includes(slot))
        s = { ...s, slots: [...s.slots, slot].slice(-MAX_COUNT), recent: pushBounded(s.recent, quote(r), 4) };
      const t = [...cleared.transitions];
      const lim = limit(s);
      if (!s.open && s.slots.length > lim) {
        s = { ...s, open: { until: nightEnd(zone, r.ts, win.toHour) } };
        t.push(make("raise", s, r.ts, lim, win));
      }
      return { state: s, transitions: t, deadline: s.open?.until ?? null };
    },
    evaluateDeadline(s, now) {
      const out = clearIfDue(s, now);
      return { ...out, deadline: out.state.open?.until ?? null };
    },
  };

  function make(
    kind: "raise" | "clear",
    s: NightActivityState,
    at: number,
    lim: number,
    w: { fromHour: number; toHour: number },
  ): Transition {
    const n = s.slots.length;
    const win = `${String(w.fromHour).padStart(2, "0")}:00–${String(w.toHour).padStart(2, "0")}:00`;
    const message =
      kind === "raise"
        ? {
            en: `Activity in ${n} quarter-hours of the night (${win}); usually at most ${lim}. Last at ${zone.hhmm(at)}.`,
            "zh-CN": `夜间（${win}）有${n}个时段出现用水或开门，平时最多${lim}个；最近一次在${zone.hhmm(at)}。`,
          }
        : { en: "The night is over.", "zh-CN": "夜间时段已结束。" };
    return {
      kind,
      rule: "night_activity",
      severity: "warning",
      at,
      evidence: {
        rule: "night_activity",
        severity: "warning",
        threshold: { name: "active quarter-hours per night", value: lim, unit: "count" },
        observed: { name: "active quarter-hours tonight", value: n, unit: "count" },
        baseline: {
          source: s.nights >= p.minNights ? "learned" : "prior",
          daysLearned: s.nights,
          values: { limit: lim, fromHour: w.fromHour, toHour: w.toHour },
        },
        readings: s.recent,
        confidence: null,
        message,
      },
    };
  }
}
