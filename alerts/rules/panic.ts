/**
 * Panic button: every press is delivered, immediately, at the highest severity. A press while the
 * alert is open is an update (never swallowed); only an exact retransmission (same device and
 * event time) is recognised as the same press. The rule clears only on an explicit cancel from the
 * device (pressed: false); acknowledging and closing is the alert lifecycle's job, not a timer's.
 * The "I'm OK" press (ok: true) belongs to the resident check-in (cli/wire-alerts.ts) and is ignored here.
 */
import { z } from "zod";
import { zoneFor } from "../../core/local-time.js";
import type { Evaluation, Rule, RuleConfig } from "../engine/types.js";
import { pushBounded, quote } from "./shared/water.js";

export const panicParamsSchema = z.object({
  /** Whether a pressed:false from the device clears the alert (buttons with a cancel gesture). */
  cancelClears: z.boolean(),
});
export type PanicParams = z.infer<typeof panicParamsSchema>;
export const panicDefaults: PanicParams = { cancelClears: true };

export interface PanicState {
  open: boolean;
  /** Recent presses as `${deviceId}@${ts}`, to recognise retransmissions (bounded). */
  seen: string[];
}

export function createPanicRule(cfg: RuleConfig<PanicParams>): Rule<PanicState> {
  const zone = zoneFor(cfg.timezone);
  return {
    id: "panic",
    init: () => ({ open: false, seen: [] }),
    evaluate(state, r): Evaluation<PanicState> {
      // An "I'm OK" press (ok: true) answers a resident check-in: neither a panic press nor a cancel of one.
      if (r.kind !== "button" || r.fields.ok === true) return { state, transitions: [], deadline: null };
      const key = `${r.deviceId}@${r.ts}`;
      if (!r.fields.pressed) {
        if (!state.open || !cfg.params.cancelClears) return { state, transitions: [], deadline: null };
        const message = {
          en: `Cancelled on the button at ${zone.hhmm(r.ts)}.`,
          "zh-CN": `${zone.hhmm(r.ts)}已在按钮上取消。`,
        };
        const evidence = { ...baseEvidence(r), message };
        return {
          state: { ...state, open: false },
          transitions: [{ kind: "clear", rule: "panic", severity: "critical", at: r.ts, evidence }],
          deadline: null,
        };
      }
      if (state.seen.includes(key)) return { state, transitions: [], deadline: null };
      const message = {
        en: `Panic button pressed at ${zone.hhmm(r.ts)} (${r.deviceId}).`,
        "zh-CN": `${zone.hhmm(r.ts)}按下了紧急呼叫按钮（${r.deviceId}）。`,
      };
      const evidence = { ...baseEvidence(r), message };
      return {
        state: { open: true, seen: pushBounded(state.seen, key, 8) },
        transitions: [
          { kind: state.open ? "update" : "raise", rule: "panic", severity: "critical", at: r.ts, evidence },
        ],
        deadline: null,
      };
    },
    evaluateDeadline: (state) => ({ state, transitions: [], deadline: null }),
  };
}

function baseEvidence(r: Parameters<typeof quote>[0]) {
  return {
    rule: "panic" as const,
    severity: "critical" as const,
    threshold: { name: "presses", value: 1, unit: "count" },
    observed: { name: "presses", value: 1, unit: "count" },
    baseline: null,
    readings: [quote(r)],
    confidence: 1,
  };
}
