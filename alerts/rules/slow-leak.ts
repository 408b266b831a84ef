/**
 * Slow leak: the register never stands still for `windowHours`, night included, at a low average
 * rate (a running cistern, a dripping tap). Standing still means under `flatLiters` over at least
 * `flatMin`. 6 h means the leak spans the night, when a single person leaves the register flat.
 * Above `maxLeakLph` on average it is use or running water (rule water_running), not a leak.
 * The span must also hold the whole local quiet window (01:00–05:00): by day a meter that samples
 * hourly (NB-IoT) rarely shows a flat hour while someone is at home, and six such hours are a busy
 * morning, not a leak (seen on the simulator's neighbourhood). A leak is a warning; waiting for
 * the night costs hours, not safety.
 */
import { z } from "zod";
import { zoneFor } from "../../core/local-time.js";
import type { Evaluation, EvidenceReading, Rule, RuleConfig, Transition } from "../engine/types.js";
import { durationEn, durationZh } from "./shared/text.js";
import { isWater, quote, type Register, stepRegister } from "./shared/water.js";

export const slowLeakParamsSchema = z.object({
  windowHours: z.number().min(1).max(48),
  flatMin: z.number().min(5).max(240),
  flatLiters: z.number().min(0).max(5),
  maxLeakLph: z.number().min(0.1).max(1000),
  quietFromHour: z.number().int().min(0).max(23),
  quietToHour: z.number().int().min(0).max(23),
});
export type SlowLeakParams = z.infer<typeof slowLeakParamsSchema>;
export const slowLeakDefaults: SlowLeakParams = {
  windowHours: 6,
  flatMin: 15,
  flatLiters: 0.05,
  maxLeakLph: 30,
  quietFromHour: 1,
  quietToHour: 5,
};

export interface SlowLeakState {
  reg: Register | null;
  /** Start of the span being tested for flatness. */
  acc: Register | null;
  /** End of the last flat span and the register there. */
  flat: Register | null;
  flatReading: EvidenceReading | null;
  open: boolean;
}

export function createSlowLeakRule(cfg: RuleConfig<SlowLeakParams>): Rule<SlowLeakState> {
  const p = cfg.params;
  const zone = zoneFor(cfg.timezone);
  const quietMs = ((p.quietToHour - p.quietFromHour + 24) % 24 || 24) * 3_600_000;
  /** Whether (from, to] holds a whole local quiet window. */
  const spansQuiet = (from: number, to: number): boolean => {
    let end = zone.dayStart(to) + p.quietToHour * 3_600_000;
    end += zone.offsetMs(zone.dayStart(to)) - zone.offsetMs(end);
    if (end > to) end -= 24 * 3_600_000;
    return from <= end - quietMs;
  };
  const none = (state: SlowLeakState): Evaluation<SlowLeakState> => ({
    state,
    transitions: [],
    deadline: null,
  });
  return {
    id: "slow_leak",
    init: () => ({ reg: null, acc: null, flat: null, flatReading: null, open: false }),
    evaluate(s, r) {
      if (!isWater(r)) return none(s);
      const { register, step } = stepRegister(s.reg, r);
      if (step.kind === "stale" || !register) return none(s);
      if (step.kind !== "delta") {
        return none({ ...s, reg: register, acc: register, flat: register, flatReading: quote(r) });
      }
      const acc = s.acc ?? register;
      const spanOk = register.ts - acc.ts >= p.flatMin * 60_000;
      const isFlat = spanOk && register.total - acc.total <= p.flatLiters;
      const nextAcc = spanOk ? register : acc;
      if (isFlat) {
        const t: Transition[] = s.open ? [make("clear", s, r.ts, quote(r))] : [];
        return {
          state: { reg: register, acc: nextAcc, flat: register, flatReading: quote(r), open: false },
          transitions: t,
          deadline: null,
        };
      }
      const flat = s.flat ?? register;
      const hours = (register.ts - flat.ts) / 3_600_000;
      const rate = hours > 0 ? (register.total - flat.total) / hours : 0;
      const next = { ...s, reg: register, acc: nextAcc, flat };
      if (!s.open && hours >= p.windowHours && rate <= p.maxLeakLph && spansQuiet(flat.ts, register.ts)) {
        return {
          state: { ...next, open: true },
          transitions: [make("raise", next, r.ts, quote(r))],
          deadline: null,
        };
      }
      return none(next);
    },
    evaluateDeadline: (state) => none(state),
  };

  function make(kind: "raise" | "clear", s: SlowLeakState, at: number, r: EvidenceReading): Transition {
    const since = s.flat?.ts ?? at;
    const liters = (s.reg?.total ?? 0) - (s.flat?.total ?? 0);
    const rate = liters / Math.max(1e-9, (at - since) / 3_600_000);
    const message =
      kind === "raise"
        ? {
            en: `The water meter has not stood still for ${durationEn(at - since)} (about ${rate.toFixed(1)} L/h): possible leak.`,
            "zh-CN": `水表已连续${durationZh(at - since)}未停转（约${rate.toFixed(1)}升/小时），可能漏水。`,
          }
        : { en: "The water meter stands still again.", "zh-CN": "水表已恢复静止。" };
    return {
      kind,
      rule: "slow_leak",
      severity: "warning",
      at,
      evidence: {
        rule: "slow_leak",
        severity: "warning",
        threshold: { name: "never flat for", value: p.windowHours * 60, unit: "min" },
        observed: { name: "never flat for", value: Math.round((at - since) / 60_000), unit: "min" },
        baseline: { source: "fixed", daysLearned: 0, values: { leakLph: Math.round(rate * 10) / 10 } },
        readings: [s.flatReading, r].filter((x): x is EvidenceReading => x !== null),
        confidence: null,
        message,
      },
    };
  }
}
