/**
 * Gone out at night and not back: the door opens in the night window and, within `notBackMin`, no
 * sign of anyone inside follows (motion, water use, the door opening again). 45 min covers taking
 * out rubbish or a neighbour's visit; a confused walk outside in the cold is dangerous within the
 * hour. Clears when a sign of presence comes.
 */
import { z } from "zod";
import type { Reading } from "../../core/domain.js";
import { zoneFor } from "../../core/local-time.js";
import type { Evaluation, EvidenceReading, Rule, RuleConfig, Transition } from "../engine/types.js";
import { inWindow } from "./shared/night.js";
import { durationEn, durationZh } from "./shared/text.js";
import { isWater, quote, type Register, stepRegister } from "./shared/water.js";

export const doorNightParamsSchema = z.object({
  fromHour: z.number().int().min(0).max(23),
  toHour: z.number().int().min(0).max(23),
  notBackMin: z.number().min(5).max(600),
  useMinLiters: z.number().min(0.05),
});
export type DoorNightParams = z.infer<typeof doorNightParamsSchema>;
export const doorNightDefaults: DoorNightParams = {
  fromHour: 22,
  toHour: 6,
  notBackMin: 45,
  useMinLiters: 0.3,
};

/** Motion or water within this long after the door opened is the person leaving, not a return. */
const SETTLE_MS = 120_000;

export interface DoorNightState {
  reg: Register | null;
  pending: EvidenceReading | null;
  open: boolean;
}

export function createDoorNightRule(cfg: RuleConfig<DoorNightParams>): Rule<DoorNightState> {
  const p = cfg.params;
  const zone = zoneFor(cfg.timezone);
  const notBack = p.notBackMin * 60_000;
  const advance = (s: DoorNightState, t: number): { state: DoorNightState; transitions: Transition[] } => {
    if (!s.pending || s.open || s.pending.ts + notBack > t) return { state: s, transitions: [] };
    return {
      state: { ...s, open: true },
      transitions: [make("raise", s.pending, s.pending.ts + notBack, null)],
    };
  };
  const presence = (s: DoorNightState, r: Reading): { reg: Register | null; present: boolean } => {
    if (isWater(r)) {
      const { register, step } = stepRegister(s.reg, r);
      return { reg: register, present: step.kind === "delta" && step.liters >= p.useMinLiters };
    }
    const present = (r.kind === "motion" && r.fields.detected) || (r.kind === "door" && r.fields.open);
    return { reg: s.reg, present };
  };
  return {
    id: "door_night",
    init: () => ({ reg: null, pending: null, open: false }),
    evaluate(s0, r): Evaluation<DoorNightState> {
      const adv = advance(s0, r.ts);
      const s = adv.state;
      // Power, climate, button and heartbeat readings are no presence and no leaving: the state as advanced.
      if (r.kind !== "water" && r.kind !== "door" && r.kind !== "motion")
        return {
          state: s,
          transitions: adv.transitions,
          deadline: s.pending && !s.open ? s.pending.ts + notBack : null,
        };
      const t = [...adv.transitions];
      const { reg, present } = presence(s, r);
      let next: DoorNightState = { ...s, reg };
      const back = present && s.pending !== null && r.ts > s.pending.ts + SETTLE_MS;
      if (back && s.pending) {
        if (s.open) t.push(make("clear", s.pending, r.ts, quote(r)));
        next = { ...next, pending: null, open: false };
      }
      const leaving =
        r.kind === "door" && r.fields.open && !next.pending && inWindow(zone, r.ts, p.fromHour, p.toHour);
      if (leaving) next = { ...next, pending: quote(r) };
      return {
        state: next,
        transitions: t,
        deadline: next.pending && !next.open ? next.pending.ts + notBack : null,
      };
    },
    evaluateDeadline(s, now) {
      const out = advance(s, now);
      return {
        ...out,
        deadline: out.state.pending && !out.state.open ? out.state.pending.ts + notBack : null,
      };
    },
  };

  function make(
    kind: "raise" | "clear",
    door: EvidenceReading,
    at: number,
    back: EvidenceReading | null,
  ): Transition {
    const away = at - door.ts;
    const message =
      kind === "raise"
        ? {
            en: `The door opened at ${zone.hhmm(door.ts)} at night and there has been no sign of anyone inside for ${durationEn(away)}.`,
            "zh-CN": `夜间${zone.hhmm(door.ts)}开门外出，此后${durationZh(away)}室内无任何活动迹象。`,
          }
        : { en: `Someone is inside again (${zone.hhmm(at)}).`, "zh-CN": `${zone.hhmm(at)}室内已有活动。` };
    return {
      kind,
      rule: "door_night",
      severity: "major",
      at,
      evidence: {
        rule: "door_night",
        severity: "major",
        threshold: { name: "not back within", value: p.notBackMin, unit: "min" },
        observed: { name: "since the door opened", value: Math.round(away / 60_000), unit: "min" },
        baseline: { source: "fixed", daysLearned: 0, values: { fromHour: p.fromHour, toHour: p.toHour } },
        readings: back ? [door, back] : [door],
        confidence: null,
        message,
      },
    };
  }
}
