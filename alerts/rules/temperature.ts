/**
 * Indoor temperature out of a safe range for an older person, held for a while (a window opened for
 * a minute is not an alert). Clears only after the temperature is back inside the range by a margin
 * (hysteresis) for the same while.
 * Defaults: WHO Housing and Health Guidelines (2018) recommend at least 18 °C indoors; 16 °C is
 * where cold starts to strain the heart of an older person; above 32 °C indoors heat illness
 * rises sharply. 12 °C / 35 °C are critical.
 */
import { z } from "zod";
import type { Evaluation, Rule, RuleConfig, Severity } from "../engine/types.js";
import { quote } from "./shared/water.js";

export const temperatureParamsSchema = z.object({
  minC: z.number(),
  maxC: z.number(),
  criticalLowC: z.number(),
  criticalHighC: z.number(),
  persistMin: z.number().min(0).max(720),
  hysteresisC: z.number().min(0).max(10),
});
export type TemperatureParams = z.infer<typeof temperatureParamsSchema>;
export const temperatureDefaults: TemperatureParams = {
  minC: 16,
  maxC: 32,
  criticalLowC: 12,
  criticalHighC: 35,
  persistMin: 30,
  hysteresisC: 1,
};

export interface TemperatureState {
  outSince: number | null;
  inSince: number | null;
  open: Severity | null;
}

export function createTemperatureRule(cfg: RuleConfig<TemperatureParams>): Rule<TemperatureState> {
  const p = cfg.params;
  const persist = p.persistMin * 60_000;
  const severityOf = (c: number): Severity =>
    c <= p.criticalLowC || c >= p.criticalHighC ? "critical" : "warning";
  return {
    id: "temperature",
    init: () => ({ outSince: null, inSince: null, open: null }),
    evaluate(s, r): Evaluation<TemperatureState> {
      if (r.kind !== "climate") return { state: s, transitions: [], deadline: null };
      const c = r.fields.celsius;
      const out = c < p.minC || c > p.maxC;
      const safe = c >= p.minC + p.hysteresisC && c <= p.maxC - p.hysteresisC;
      const evidence = (severity: Severity) => ({
        rule: "temperature" as const,
        severity,
        threshold: { name: c < p.minC ? "min" : "max", value: c < p.minC ? p.minC : p.maxC, unit: "°C" },
        observed: { name: "indoor", value: c, unit: "°C" },
        baseline: { source: "fixed" as const, daysLearned: 0, values: { minC: p.minC, maxC: p.maxC } },
        readings: [quote(r)],
        confidence: null,
        message: out
          ? {
              en: `Indoor temperature ${c} °C, outside ${p.minC}–${p.maxC} °C.`,
              "zh-CN": `室内温度${c}°C，超出${p.minC}–${p.maxC}°C安全范围。`,
            }
          : { en: `Indoor temperature back to ${c} °C.`, "zh-CN": `室内温度已恢复至${c}°C。` },
      });
      if (out) {
        const outSince = s.outSince ?? r.ts;
        const sev = severityOf(c);
        if (r.ts - outSince < persist)
          return { state: { ...s, outSince, inSince: null }, transitions: [], deadline: null };
        if (s.open === null || (s.open === "warning" && sev === "critical")) {
          const kind = s.open === null ? ("raise" as const) : ("update" as const);
          const t = { kind, rule: "temperature" as const, severity: sev, at: r.ts, evidence: evidence(sev) };
          return { state: { outSince, inSince: null, open: sev }, transitions: [t], deadline: null };
        }
        return { state: { ...s, outSince, inSince: null }, transitions: [], deadline: null };
      }
      if (!safe) return { state: { ...s, outSince: null }, transitions: [], deadline: null };
      const inSince = s.inSince ?? r.ts;
      if (s.open !== null && r.ts - inSince >= persist) {
        const t = {
          kind: "clear" as const,
          rule: "temperature" as const,
          severity: s.open,
          at: r.ts,
          evidence: evidence(s.open),
        };
        return { state: { outSince: null, inSince, open: null }, transitions: [t], deadline: null };
      }
      return { state: { ...s, outSince: null, inSince }, transitions: [], deadline: null };
    },
    evaluateDeadline: (state) => ({ state, transitions: [], deadline: null }),
  };
}
