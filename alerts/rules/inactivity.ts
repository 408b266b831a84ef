/**
 * Inactivity: the current gap in water use is improbable for this person at this time of day.
 * Learns per home, in local time (shared/gap-model.ts); a generic prior covers the first two weeks;
 * a hard ceiling (12 h) holds whatever was learned. One alert per gap: raised once (major, or
 * critical at the ceiling, escalated by an update), cleared only when water is used again, so a
 * trip away gives one alert, not one a day. Planned absences pause the clock. A silent meter is
 * "no data" (rule no_data): this rule only judges time the meter has vouched for.
 */
import type { Reading } from "../../core/domain.js";
import { type Zone, zoneFor } from "../../core/local-time.js";
import type { Evaluation, EvidenceReading, Rule, RuleConfig, Severity, Transition } from "../engine/types.js";
import { inactivityEvidence, reopenedEvidence } from "./inactivity-evidence.js";
import {
  closeOut,
  emptyOut,
  homeGapStart,
  isOut,
  noteOut,
  type OutState,
  outLimitMs,
} from "./inactivity-out.js";
import type { InactivityParams } from "./inactivity-params.js";
import { blendWeight, type Crossing, ceilingCrossing, firstCrossing } from "./inactivity-threshold.js";
import { absenceAt, gapStartAfterAbsences } from "./shared/absence.js";
import { type Activity, noteActivity } from "./shared/corroboration.js";
import {
  ageTo,
  emptyGapModel,
  type GapModel,
  learnGap,
  learnWake,
  WAKE_FROM_MIN,
} from "./shared/gap-model.js";
import { HOUR, isWater, quote, type Register, stepRegister } from "./shared/water.js";

export interface InactivityState {
  reg: Register | null;
  /** Recent idle flow rates (L/h): their minimum is a leak floor that is not "use". */
  idle: number[];
  lastSeen: number | null;
  lastUse: number | null;
  lastUseReading: EvidenceReading | null;
  latest: EvidenceReading | null;
  /** The current gap saw a register reset or a long silence: do not learn from it. */
  tainted: boolean;
  model: GapModel;
  open: { severity: Severity; at: number } | null;
  act: Activity;
  /** Door-based outings (inactivity-out.ts); absent until a door or motion reading, and in old state. */
  out?: OutState;
}

type Eval = Evaluation<InactivityState>;

export function createInactivityRule(cfg: RuleConfig<InactivityParams>): Rule<InactivityState> {
  const p = cfg.params;
  const zone = zoneFor(cfg.timezone);
  const extrapolateMs = p.extrapolateMin * 60_000;

  const advance = (s: InactivityState, t: number): { state: InactivityState; transitions: Transition[] } => {
    if (s.lastUse === null || s.open?.severity === "critical" || absenceAt(cfg.absences, t)) {
      return { state: s, transitions: [] };
    }
    const gapStart = gapStartAfterAbsences(cfg.absences, s.lastUse, t);
    const c = crossing(s, gapStart);
    const out: Transition[] = [];
    let state = s;
    if (!s.open && c.at <= t) {
      const severity: Severity = c.reason === "ceiling" ? "critical" : "major";
      const evidence = inactivityEvidence({ s, p, zone, c, gapStart, severity });
      out.push({ kind: "raise", rule: "inactivity", severity, at: c.at, evidence });
      state = { ...state, open: { severity, at: c.at } };
    }
    const ceilingAt = gapStart + p.ceilingHours * HOUR;
    if (state.open?.severity === "major" && ceilingAt <= t) {
      const cc = { ...c, at: ceilingAt, reason: "ceiling" as const, thresholdMs: p.ceilingHours * HOUR };
      const evidence = inactivityEvidence({ s, p, zone, c: cc, gapStart, severity: "critical" });
      out.push({ kind: "update", rule: "inactivity", severity: "critical", at: ceilingAt, evidence });
      state = { ...state, open: { severity: "critical", at: state.open.at } };
    }
    return { state, transitions: out };
  };

  /**
   * When the gap that began at `gapStart` becomes improbable. Out (door): by the learned "usually
   * back within"; back from an outing: at-home limits from the return; always the ceiling from the
   * last use.
   */
  const crossing = (s: InactivityState, gapStart: number): Crossing => {
    const ceiling = ceilingFrom(gapStart);
    if (isOut(s.out, s.lastUse)) {
      const lim = outLimitMs(s.out, p, blendWeight(s.model, p));
      const at = lim === null ? ceiling.at : Math.max(gapStart, s.out.left + lim);
      if (lim === null || at >= ceiling.at) return ceiling;
      return {
        at,
        reason: "out",
        thresholdMs: lim,
        hour: zone.hour(at),
        probability: p.outAlpha,
        wakeMinute: null,
      };
    }
    const home = homeGapStart(s.out, gapStart);
    const c = homeCrossing(s.model, home);
    return c.at >= ceiling.at ? ceiling : c;
  };

  // Every reading asks for the same crossing twice (advance, then the next deadline), and every reading
  // that does not end the gap asks again with the same model and gap start: the last answers are kept
  // here, in front of firstCrossing's per-model cache. Crossings are only read, never changed.
  let ceilingStart = Number.NaN;
  let ceilingMemo: Crossing | null = null;
  const ceilingFrom = (gapStart: number): Crossing => {
    if (ceilingMemo === null || ceilingStart !== gapStart) {
      ceilingMemo = ceilingCrossing(p, zone, gapStart);
      ceilingStart = gapStart;
    }
    return ceilingMemo;
  };
  let homeModel: GapModel | null = null;
  let homeStart = Number.NaN;
  let homeMemo: Crossing | null = null;
  const homeCrossing = (model: GapModel, home: number): Crossing => {
    if (homeMemo === null || homeModel !== model || homeStart !== home) {
      homeMemo = firstCrossing(model, p, zone, home);
      homeModel = model;
      homeStart = home;
    }
    return homeMemo;
  };

  const nextDeadline = (s: InactivityState, now: number): number | null => {
    if (s.lastUse === null || s.lastSeen === null || s.open?.severity === "critical") return null;
    const absence = absenceAt(cfg.absences, now);
    const gapStart = gapStartAfterAbsences(cfg.absences, s.lastUse, absence ? absence.to : now);
    const due = s.open ? gapStart + p.ceilingHours * HOUR : crossing(s, gapStart).at;
    const at = absence ? Math.max(absence.to, due) : due;
    // Due but the meter has not vouched that far: only a reading can move this rule on.
    return at > now || at <= s.lastSeen + extrapolateMs ? at : null;
  };

  const applyWater = (s: InactivityState, r: Extract<Reading, { kind: "water" }>): Eval => {
    const { register, step } = stepRegister(s.reg, r);
    if (step.kind === "stale") return { state: s, transitions: [], deadline: null };
    const base = { ...s, reg: register, lastSeen: r.ts, latest: quote(r) };
    if (step.kind === "first") {
      return {
        state: { ...base, lastUse: s.lastUse ?? r.ts, tainted: true },
        transitions: [],
        deadline: null,
      };
    }
    if (step.kind === "reset") return { state: { ...base, tainted: true }, transitions: [], deadline: null };
    const excess = excessLiters(s, step.liters, step.dtMs);
    const tainted = s.tainted || step.dtMs > 2 * HOUR;
    if (excess < p.useMinLiters) {
      const idle = step.dtMs >= 600_000 ? [...s.idle, (step.liters * HOUR) / step.dtMs].slice(-6) : s.idle;
      return { state: { ...base, idle, tainted }, transitions: [], deadline: null };
    }
    // A gap with an outing in it is learned as an outing, not as time at home without water.
    const closed =
      s.out && s.lastUse !== null ? closeOut(s.out, s.lastUse, r.ts, zone.dayKey(r.ts), p) : null;
    const model = learnFromGap({ ...s, tainted: tainted || closed?.wasOut === true }, r.ts);
    const transitions: Transition[] = [];
    if (s.open && s.lastUse !== null) {
      const evidence = reopenedEvidence({ s, zone, at: r.ts, reading: quote(r) });
      transitions.push({ kind: "clear", rule: "inactivity", severity: s.open.severity, at: r.ts, evidence });
    }
    const state = {
      ...base,
      model,
      lastUse: r.ts,
      lastUseReading: quote(r),
      tainted: false,
      open: null,
      ...(closed ? { out: closed.out } : {}),
    };
    return { state, transitions, deadline: null };
  };

  /** Litres above the leak floor (the minimum of recent idle rates): a running cistern is not use. */
  const excessLiters = (s: InactivityState, liters: number, dtMs: number): number =>
    liters - ((s.idle.length > 0 ? Math.min(...s.idle) : 0) * dtMs) / HOUR;

  /**
   * How far the meter has vouched for "no water" when `r` arrives: up to its own time if it shows
   * no use; otherwise (or for another sensor's reading) only to the last water reading plus the
   * extrapolation. A coarse reading with use says the gap ended somewhere after the previous one,
   * and a live climate sensor says nothing about a batching water meter: judging either up to its
   * own timestamp turned "no data" into "no water" (simulator neighbourhood, NB-IoT meters).
   */
  const vouchedUntil = (s: InactivityState, r: Reading): number => {
    const bound = s.lastSeen === null ? r.ts : Math.min(r.ts, s.lastSeen + extrapolateMs);
    if (!isWater(r)) return bound;
    const { step } = stepRegister(s.reg, r);
    const idle = step.kind === "delta" && excessLiters(s, step.liters, step.dtMs) < p.useMinLiters;
    return idle ? r.ts : bound;
  };

  const learnFromGap = (s: InactivityState, u: number): GapModel => {
    if (s.lastUse === null) return s.model;
    const overlapsAbsence = cfg.absences.some((a) => a.from < u && a.to > (s.lastUse ?? u));
    if (s.tainted || overlapsAbsence || u - s.lastUse > p.learnMaxGapHours * HOUR) return s.model;
    let model = learnGap(ageTo(s.model, zone.dayKey(u), p.decayPerDay), zone, s.lastUse, u);
    const day = zone.dayKey(u);
    const minute = zone.minuteOfDay(u);
    if (minute >= WAKE_FROM_MIN && model.wakeDay !== day) {
      const four = zone.dayStart(u) + WAKE_FROM_MIN * 60_000;
      const overnight = s.lastUse < four && u - s.lastUse >= 3 * HOUR;
      model = overnight ? learnWake(model, minute, day) : { ...model, wakeDay: day };
    }
    return model;
  };

  return {
    id: "inactivity",
    init: () => ({
      reg: null,
      idle: [],
      lastSeen: null,
      lastUse: null,
      lastUseReading: null,
      latest: null,
      tainted: true,
      model: emptyGapModel(),
      open: null,
      act: { sensors: false, last: null, watts: null },
    }),
    evaluate(state, reading, now) {
      const before = advance(state, Math.max(state.lastSeen ?? reading.ts, vouchedUntil(state, reading)));
      let ev: Eval;
      if (isWater(reading)) ev = applyWater(before.state, reading);
      else if (reading.kind !== "door" && reading.kind !== "motion" && reading.kind !== "power")
        // A heartbeat, a climate reading or a button press: no activity, no outing, the state as advanced.
        ev = { state: before.state, transitions: [], deadline: null };
      else
        ev = {
          state: {
            ...before.state,
            act: noteActivity(before.state.act, reading),
            ...(reading.kind === "door" || reading.kind === "motion"
              ? { out: noteOut(before.state.out ?? emptyOut(), reading, before.state.lastUse) }
              : {}),
          },
          transitions: [],
          deadline: null,
        };
      return {
        state: ev.state,
        transitions:
          ev.transitions.length === 0 ? before.transitions : [...before.transitions, ...ev.transitions],
        deadline: nextDeadline(ev.state, now),
      };
    },
    evaluateDeadline(state, now) {
      if (state.lastSeen === null) return { state, transitions: [], deadline: null };
      const known = Math.min(now, state.lastSeen + extrapolateMs);
      const out = advance(state, Math.max(known, state.lastSeen));
      return { ...out, deadline: nextDeadline(out.state, now) };
    },
  };
}

export type { Zone };
