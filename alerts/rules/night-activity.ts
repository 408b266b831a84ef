/**
 * Night activity: water use or door openings in the sleep window beyond this person's norm
 * (restless nights, nocturia, a fever, wandering). Counted in 15-minute slots with activity so one
 * long shower is one event of several slots, not fifty meter readings. The norm is the 95th
 * percentile of past nightly counts (decaying histogram) + 1, at least `minSlots`; the prior while
 * fewer than `minNights` are learned is `minSlots` + 2. The window is a parameter (default 23:00–05:00,
 * per home from the service's sleep-time setting). Raised at once (warning); cleared at window end.
 */
import { z } from "zod";
import type { Evaluation, EvidenceReading, Rule, RuleConfig, Transition } from "../engine/types.js";
import { inWindow, nightEnd, nightKey } from "./shared/night.js";
import { isWater, pushBounded, quote, type Register, stepRegister } from "./shared/water.js";
import { zoneFor } from "./shared/zone.js";

export const nightActivityParamsSchema = z.object({
  fromHour: z.number().int().min(0).max(23),
  toHour: z.number().int().min(0).max(23),
  minSlots: z.number().int().min(1).max(40),
  minNights: z.number().int().min(1).max(60),
  useMinLiters: z.number().min(0.05),
  decayPerNight: z.number().min(0.8).max(1),
});
export type NightActivityParams = z.infer<typeof nightActivityParamsSchema>;
export const nightActivityDefaults: NightActivityParams = {
  fromHour: 23,
  toHour: 5,
  minSlots: 3,
  minNights: 14,
  useMinLiters: 0.3,
  decayPerNight: 0.98,
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
    const tr = make("clear", s, s.open.until, limit(s));
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
      }
      const key = nightKey(zone, r.ts);
      s = s.night < 0 ? { ...s, night: key } : closeNight(s, key);
      if (!active || !inWindow(zone, r.ts, p.fromHour, p.toHour)) {
        return { state: s, transitions: cleared.transitions, deadline: s.open?.until ?? null };
      }
      const slot = Math.floor(r.ts / SLOT);
      if (!s.slots.includes(slot))
        s = { ...s, slots: [...s.slots, slot].slice(-MAX_COUNT), recent: pushBounded(s.recent, quote(r), 4) };
      const t = [...cleared.transitions];
      const lim = limit(s);
      if (!s.open && s.slots.length > lim) {
        s = { ...s, open: { until: nightEnd(zone, r.ts, p.toHour) } };
        t.push(make("raise", s, r.ts, lim));
      }
      return { state: s, transitions: t, deadline: s.open?.until ?? null };
    },
    evaluateDeadline(s, now) {
      const out = clearIfDue(s, now);
      return { ...out, deadline: out.state.open?.until ?? null };
    },
  };

  function make(kind: "raise" | "clear", s: NightActivityState, at: number, lim: number): Transition {
    const n = s.slots.length;
    const win = `${String(p.fromHour).padStart(2, "0")}:00–${String(p.toHour).padStart(2, "0")}:00`;
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
          values: { limit: lim },
        },
        readings: s.recent,
        confidence: null,
        message,
      },
    };
  }
}
