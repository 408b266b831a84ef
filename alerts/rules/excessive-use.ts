/**
 * Excessive daily use: today's litres (local day) exceed a multiple of this home's usual day, and by
 * a meaningful amount. Baseline: median of up to 28 recent days with use (days under 5 L are trips
 * away and would drag it down). Before `minDays` such days, a prior of 120 L/day (a single older
 * person; a 2016 Shanghai survey put per-capita domestic use near 120 L). ×3 and +150 L keep a
 * laundry day or guests from alarming; a burst pipe or taps left open exceed both. Clears at the
 * start of the next local day.
 */
import { z } from "zod";
import { zoneFor } from "../../core/local-time.js";
import type { Evaluation, EvidenceReading, Rule, RuleConfig, Transition } from "../engine/types.js";
import { isWater, quote, type Register, stepRegister } from "./shared/water.js";

export const excessiveUseParamsSchema = z.object({
  multiple: z.number().min(1.2).max(20),
  minExcessLiters: z.number().min(0),
  minDays: z.number().int().min(1).max(28),
  priorDailyLiters: z.number().min(1),
});
export type ExcessiveUseParams = z.infer<typeof excessiveUseParamsSchema>;
export const excessiveUseDefaults: ExcessiveUseParams = {
  multiple: 3,
  minExcessLiters: 150,
  minDays: 7,
  priorDailyLiters: 120,
};

const HISTORY = 28;
const AWAY_DAY_L = 5;

export interface ExcessiveUseState {
  reg: Register | null;
  day: number;
  liters: number;
  history: number[];
  open: boolean;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

export function createExcessiveUseRule(cfg: RuleConfig<ExcessiveUseParams>): Rule<ExcessiveUseState> {
  const p = cfg.params;
  const zone = zoneFor(cfg.timezone);
  // Asked on every water reading; the history array is replaced, never changed, once a day: its median
  // is kept until it is.
  let medianOf: readonly number[] | null = null;
  let medianValue = 0;
  const baseline = (s: ExcessiveUseState) => {
    if (s.history.length < p.minDays) return p.priorDailyLiters;
    if (s.history !== medianOf) {
      medianValue = median(s.history);
      medianOf = s.history;
    }
    return medianValue;
  };
  const threshold = (b: number) => Math.max(b * p.multiple, b + p.minExcessLiters);
  return {
    id: "excessive_use",
    init: () => ({ reg: null, day: -1, liters: 0, history: [], open: false }),
    evaluate(s, r): Evaluation<ExcessiveUseState> {
      if (!isWater(r)) return { state: s, transitions: [], deadline: null };
      const { register, step } = stepRegister(s.reg, r);
      if (step.kind === "stale") return { state: s, transitions: [], deadline: null };
      const day = zone.dayKey(r.ts);
      const t: Transition[] = [];
      let st: ExcessiveUseState = { ...s, reg: register };
      if (day !== s.day) {
        const history =
          s.day >= 0 && s.liters >= AWAY_DAY_L
            ? [...s.history, Math.round(s.liters)].slice(-HISTORY)
            : s.history;
        if (s.open) t.push(make("clear", s, zone.dayStart(r.ts), quote(r)));
        st = { reg: register, day, liters: 0, history, open: false };
      }
      if (step.kind === "delta") st = { ...st, liters: st.liters + step.liters };
      if (!st.open && st.liters > threshold(baseline(st))) {
        t.push(make("raise", st, r.ts, quote(r)));
        st = { ...st, open: true };
      }
      return { state: st, transitions: t, deadline: null };
    },
    evaluateDeadline: (state) => ({ state, transitions: [], deadline: null }),
  };

  function make(kind: "raise" | "clear", s: ExcessiveUseState, at: number, r: EvidenceReading): Transition {
    const b = baseline(s);
    const thr = threshold(b);
    const used = Math.round(s.liters);
    const message =
      kind === "raise"
        ? {
            en: `${used} L used today, against a usual ${Math.round(b)} L (limit ${Math.round(thr)} L).`,
            "zh-CN": `今日已用水${used}升，平时约${Math.round(b)}升（上限${Math.round(thr)}升）。`,
          }
        : { en: `New day: yesterday's use was ${used} L.`, "zh-CN": `新的一天：昨日用水${used}升。` };
    return {
      kind,
      rule: "excessive_use",
      severity: "warning",
      at,
      evidence: {
        rule: "excessive_use",
        severity: "warning",
        threshold: { name: "daily litres", value: Math.round(thr), unit: "L" },
        observed: { name: "litres today", value: used, unit: "L" },
        baseline: {
          source: s.history.length >= p.minDays ? "learned" : "prior",
          daysLearned: s.history.length,
          values: { medianDailyLiters: Math.round(b) },
        },
        readings: [r],
        confidence: null,
        message,
      },
    };
  }
}
