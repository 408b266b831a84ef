/**
 * Indoor temperature at a level that endangers an older person, held for hours. Risk-based, not
 * comfort-based: one severity per band, each raised only after the band has held for `persistMin`
 * (`criticalPersistMin` for the extreme band), cleared only after the room is back inside the safe
 * range by `hysteresisC` for `clearMin` (so a reading at the threshold does not flap).
 *
 * Why these numbers:
 * - WHO Housing and Health Guidelines (2018), recommendation 3.1: at least 18 °C indoors in cold
 *   seasons, higher for older people. That is a housing standard for long exposure, not an
 *   emergency threshold: unheated homes in the hot-summer/cold-winter zone (Fuzhou, Shanghai) sit at
 *   10–15 °C every winter night. An alarm at 16–18 °C would fire in almost every home every night,
 *   tell a worker nothing and teach them to ignore the rule. We alarm where acute harm starts.
 * - Cold, after the Public Health England Cold Weather Plan (2011–2015, after Collins 1986):
 *   9–12 °C raises blood pressure and cardiovascular risk; below 6 °C the risk of hypothermia in an
 *   older person. Warning below 10 °C for 2 h, major below 8 °C (2 °C of margin for a sensor
 *   placed higher than the bed), critical below 5 °C for 1 h.
 * - Heat, after WHO Europe "Public health advice on preventing health effects of heat" (2011): keep
 *   the home below 32 °C by day (24 °C at night), especially for people over 60. Warning at 32 °C
 *   for 2 h. At 35 °C air no longer cools skin by convection, the China Meteorological
 *   Administration's heat warnings start at 35 °C (yellow) and 37 °C (orange): major at 35 °C for
 *   2 h, critical at 37 °C for 1 h.
 */
import { z } from "zod";
import type { Evaluation, Rule, RuleConfig, Severity, Transition } from "../engine/types.js";
import { durationEn, durationZh } from "./shared/text.js";
import { quote } from "./shared/water.js";

export const temperatureParamsSchema = z.object({
  coldWarningC: z.number(),
  coldMajorC: z.number(),
  coldCriticalC: z.number(),
  hotWarningC: z.number(),
  hotMajorC: z.number(),
  hotCriticalC: z.number(),
  persistMin: z.number().min(0).max(720),
  criticalPersistMin: z.number().min(0).max(720),
  hysteresisC: z.number().min(0).max(10),
  clearMin: z.number().min(0).max(720),
});
export type TemperatureParams = z.infer<typeof temperatureParamsSchema>;
export const temperatureDefaults: TemperatureParams = {
  coldWarningC: 10,
  coldMajorC: 8,
  coldCriticalC: 5,
  hotWarningC: 32,
  hotMajorC: 35,
  hotCriticalC: 37,
  persistMin: 120,
  criticalPersistMin: 60,
  hysteresisC: 1.5,
  clearMin: 60,
};

const LEVELS = ["warning", "major", "critical"] as const;

export interface TemperatureState {
  /** Since when each band (warning, major, critical) has held without a break; null when not. */
  since: (number | null)[];
  /** Since when the room has been safely inside the range (hysteresis applied). */
  inSince: number | null;
  open: Severity | null;
  /** Cold or hot, for the wording of the open alert. */
  side: "cold" | "hot" | null;
}

export function createTemperatureRule(cfg: RuleConfig<TemperatureParams>): Rule<TemperatureState> {
  const p = cfg.params;
  const hold = (i: number) => (i === 2 ? p.criticalPersistMin : p.persistMin) * 60_000;
  const bands = (c: number): { side: "cold" | "hot" | null; in: boolean[] } => {
    if (c < p.coldWarningC) return { side: "cold", in: [true, c < p.coldMajorC, c < p.coldCriticalC] };
    if (c >= p.hotWarningC) return { side: "hot", in: [true, c >= p.hotMajorC, c >= p.hotCriticalC] };
    return { side: null, in: [false, false, false] };
  };
  const safe = (c: number) => c >= p.coldWarningC + p.hysteresisC && c < p.hotWarningC - p.hysteresisC;
  const limitOf = (side: "cold" | "hot", sev: Severity) => {
    const i = Math.max(0, LEVELS.indexOf(sev as (typeof LEVELS)[number]));
    return side === "cold"
      ? [p.coldWarningC, p.coldMajorC, p.coldCriticalC][i]
      : [p.hotWarningC, p.hotMajorC, p.hotCriticalC][i];
  };
  const make = (
    kind: Transition["kind"],
    severity: Severity,
    side: "cold" | "hot",
    c: number,
    at: number,
    heldMs: number,
    r: Parameters<typeof quote>[0],
  ): Transition => {
    const limit = limitOf(side, severity) ?? 0;
    const rel = side === "cold" ? "below" : "at or above";
    const relZh = side === "cold" ? "低于" : "达到或高于";
    const message =
      kind === "clear"
        ? {
            en: `Indoor temperature back to ${c} °C for ${durationEn(heldMs)}.`,
            "zh-CN": `室内温度已恢复至${c}°C并保持${durationZh(heldMs)}。`,
          }
        : {
            en: `Indoor temperature ${c} °C, ${rel} ${limit} °C for ${durationEn(heldMs)}: a risk to an older person.`,
            "zh-CN": `室内温度${c}°C，已${durationZh(heldMs)}${relZh}${limit}°C，对老年人有健康风险。`,
          };
    return {
      kind,
      rule: "temperature",
      severity,
      at,
      evidence: {
        rule: "temperature",
        severity,
        threshold: { name: side === "cold" ? "cold limit" : "heat limit", value: limit, unit: "°C" },
        observed: { name: "indoor", value: c, unit: "°C" },
        baseline: {
          source: "fixed",
          daysLearned: 0,
          values: { coldWarningC: p.coldWarningC, hotWarningC: p.hotWarningC },
        },
        readings: [quote(r)],
        confidence: null,
        message,
      },
    };
  };
  return {
    id: "temperature",
    init: () => ({ since: [null, null, null], inSince: null, open: null, side: null }),
    evaluate(s, r): Evaluation<TemperatureState> {
      if (r.kind !== "climate") return { state: s, transitions: [], deadline: null };
      const c = r.fields.celsius;
      const b = bands(c);
      // A run of readings on one side; a jump from cold to hot (never seen indoors) starts over.
      const carry = b.side !== null && b.side === s.side;
      // `since` is missing in state stored by the previous version (outSince/inSince/open).
      const since = b.in.map((inBand, i) => (inBand ? ((carry ? s.since?.[i] : null) ?? r.ts) : null));
      const transitions: Transition[] = [];
      let open = s.open;
      const side = b.side ?? s.side;
      if (b.side !== null) {
        let reached: Severity | null = null;
        for (let i = 0; i < LEVELS.length; i++) {
          const t0 = since[i];
          if (t0 !== null && t0 !== undefined && r.ts - t0 >= hold(i)) reached = LEVELS[i] ?? null;
        }
        if (reached && (open === null || LEVELS.indexOf(reached as never) > LEVELS.indexOf(open as never))) {
          const i = LEVELS.indexOf(reached as never);
          const held = r.ts - (since[i] ?? r.ts);
          transitions.push(make(open === null ? "raise" : "update", reached, b.side, c, r.ts, held, r));
          open = reached;
        }
        return { state: { since, inSince: null, open, side }, transitions, deadline: null };
      }
      if (!safe(c)) return { state: { since, inSince: null, open, side }, transitions, deadline: null };
      const inSince = s.inSince ?? r.ts;
      if (open !== null && s.side !== null && r.ts - inSince >= p.clearMin * 60_000) {
        transitions.push(make("clear", open, s.side, c, r.ts, r.ts - inSince, r));
        return { state: { since, inSince, open: null, side: null }, transitions, deadline: null };
      }
      return { state: { since, inSince, open, side }, transitions, deadline: null };
    },
    evaluateDeadline: (state) => ({ state, transitions: [], deadline: null }),
  };
}
