/**
 * Water running without a pause for longer than is normal for this home: a tap left open, a fall in
 * the shower, a burst hose. A run is a chain of meter intervals each with at least `minFlowLpm`;
 * an interval below it is a pause and ends the run (and clears the alert). The threshold is 1.5 ×
 * the home's longest usual run (99.9th percentile of a decaying run-length histogram), kept between
 * 30 and 57 min: the target is an alert within 60 min of water left running, and a meter
 * that reports once a minute with flow shows the start up to a minute late and the crossing up to a
 * minute late (measured max was 61 min with a 60 min limit), so 57 min leaves a minute of slack;
 * under 30 min a long shower would alarm. Until `minRuns` runs are learned the threshold is 57 min.
 */
import { z } from "zod";
import { zoneFor } from "../../core/local-time.js";
import type { Evaluation, EvidenceReading, Rule, RuleConfig, Transition } from "../engine/types.js";
import { durationEn, durationZh } from "./shared/text.js";
import { isWater, quote, type Register, stepRegister } from "./shared/water.js";

export const waterRunningParamsSchema = z.object({
  minFlowLpm: z.number().min(0.05).max(20),
  /** Average flow over an interval longer than 5 min that counts as running throughout it. */
  coarseMinLpm: z.number().min(0.05).max(50),
  defaultThresholdMin: z.number().min(5).max(600),
  minThresholdMin: z.number().min(5).max(600),
  learnFactor: z.number().min(1).max(5),
  minRuns: z.number().min(1),
});
export type WaterRunningParams = z.infer<typeof waterRunningParamsSchema>;
export const waterRunningDefaults: WaterRunningParams = {
  minFlowLpm: 0.5,
  coarseMinLpm: 2,
  defaultThresholdMin: 57,
  minThresholdMin: 30,
  learnFactor: 1.5,
  minRuns: 200,
};

/** Run-length bins, 5 min wide up to 120 min (the last is "longer"). */
const BIN_MIN = 5;
const BINS = 25;
/** Shorter empty intervals are not a pause (meters report flow once a minute). */
const MIN_INTERVAL_MS = 50_000;
const COARSE_MS = 5 * 60_000;
const COARSE_BACK_MS = 15 * 60_000;

export interface WaterRunningState {
  reg: Register | null;
  runStart: number | null;
  first: EvidenceReading | null;
  runs: number[];
  open: boolean;
}

function learnedThresholdMin(s: WaterRunningState, p: WaterRunningParams): number {
  const total = s.runs.reduce((a, b) => a + b, 0);
  if (total < p.minRuns) return p.defaultThresholdMin;
  let cum = 0;
  let q = BINS * BIN_MIN;
  for (let b = 0; b < BINS; b++) {
    cum += s.runs[b] ?? 0;
    if (cum >= 0.999 * total) {
      q = (b + 1) * BIN_MIN;
      break;
    }
  }
  return Math.min(p.defaultThresholdMin, Math.max(p.minThresholdMin, q * p.learnFactor));
}

export function createWaterRunningRule(cfg: RuleConfig<WaterRunningParams>): Rule<WaterRunningState> {
  const p = cfg.params;
  const zone = zoneFor(cfg.timezone);
  const none = (state: WaterRunningState): Evaluation<WaterRunningState> => ({
    state,
    transitions: [],
    deadline: null,
  });
  const endRun = (s: WaterRunningState, ts: number): WaterRunningState => {
    if (s.runStart === null) return s;
    const b = Math.min(BINS - 1, Math.floor((ts - s.runStart) / 60_000 / BIN_MIN));
    const runs = s.runs.map((c, i) => (i === b ? c + 1 : c * 0.9995));
    return {
      ...s,
      runStart: null,
      first: null,
      runs: runs.map((c) => Math.round(c * 100) / 100),
      open: false,
    };
  };
  return {
    id: "water_running",
    init: () => ({
      reg: null,
      runStart: null,
      first: null,
      runs: new Array<number>(BINS).fill(0),
      open: false,
    }),
    evaluate(s, r) {
      if (!isWater(r)) return none(s);
      const { register, step } = stepRegister(s.reg, r);
      if (step.kind === "stale") return none(s);
      if (step.kind !== "delta") return none({ ...s, reg: register });
      // A heartbeat seconds after a flow report says nothing about a pause: wait for a real interval.
      if (step.dtMs < MIN_INTERVAL_MS && step.liters === 0) return none(s);
      // A coarse interval (a meter sampling every 15 min or hourly) cannot show a pause inside it:
      // it counts as flowing throughout only at a rate ordinary use does not sustain.
      const coarse = step.dtMs > COARSE_MS;
      const flowing = step.liters / (step.dtMs / 60_000) >= (coarse ? p.coarseMinLpm : p.minFlowLpm);
      // After an idle stretch a meter that reports at once on flow sends a long interval whose water
      // all flowed in its last minute: that starts a run (the next intervals must continue it).
      const starting = !flowing && coarse && s.runStart === null && step.liters >= p.minFlowLpm;
      const thrMin = learnedThresholdMin(s, p);
      const t: Transition[] = [];
      if (!flowing && !starting) {
        if (s.open) t.push(make("clear", s, r.ts, thrMin, quote(r)));
        return { state: { ...endRun(s, step.fromTs), reg: register }, transitions: t, deadline: null };
      }
      // A flow report covers its last minute; an older previous reading (idle heartbeat) is not the start.
      // A coarse interval counts from its start, but never more than 15 min back (an hourly sample
      // with 120 L may be one bath, not an hour of running water).
      const back = coarse && !starting ? COARSE_BACK_MS : 60_000;
      const runStart = s.runStart ?? Math.max(step.fromTs, r.ts - back);
      const first = s.first ?? quote(r);
      const next = { ...s, reg: register, runStart, first };
      if (!s.open && r.ts - runStart >= thrMin * 60_000) {
        t.push(make("raise", next, runStart + thrMin * 60_000, thrMin, quote(r)));
        return { state: { ...next, open: true }, transitions: t, deadline: null };
      }
      return { state: next, transitions: t, deadline: null };
    },
    evaluateDeadline: (state) => none(state),
  };

  function make(
    kind: "raise" | "clear",
    s: WaterRunningState,
    at: number,
    thrMin: number,
    r: EvidenceReading,
  ): Transition {
    const run = at - (s.runStart ?? at);
    const since = zone.hhmm(s.runStart ?? at);
    const message =
      kind === "raise"
        ? {
            en: `Water has been running without a pause since ${since} (${durationEn(run)}); this home's limit is ${thrMin} min.`,
            "zh-CN": `自${since}起持续用水未停（${durationZh(run)}），超过该住户${thrMin}分钟的上限。`,
          }
        : { en: `Water stopped at ${zone.hhmm(at)}.`, "zh-CN": `${zone.hhmm(at)}水流已停止。` };
    const learned = s.runs.reduce((a, b) => a + b, 0) >= p.minRuns;
    return {
      kind,
      rule: "water_running",
      severity: "major",
      at,
      evidence: {
        rule: "water_running",
        severity: "major",
        threshold: { name: "continuous flow", value: thrMin, unit: "min" },
        observed: { name: "continuous flow", value: Math.round(run / 60_000), unit: "min" },
        baseline: { source: learned ? "learned" : "prior", daysLearned: 0, values: { thresholdMin: thrMin } },
        readings: [s.first, r].filter((x): x is EvidenceReading => x !== null),
        confidence: null,
        message,
      },
    };
  }
}
