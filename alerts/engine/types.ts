/**
 * The contract between the pure rules (alerts/rules/) and whoever drives them: the home evaluator,
 * the backtest, and the live scheduler.
 *
 * Time. Every rule works on the readings' own event time (`reading.ts`), so a batch delivered hours
 * late produces the same transitions, with the same `at`, as the same readings delivered live.
 * `now` (processing time) is passed in, never read: it only bounds what a rule may assume about the
 * time after the newest reading (a live meter that reports on every flow would have said something).
 *
 * Deadlines. Absence rules ("no water for too long", "device silent") must fire when nothing
 * arrives. Every evaluation returns `deadline`: the processing time at which the rule must be
 * re-evaluated with `evaluateDeadline(state, now)` even if no reading arrives, or null when only a
 * new reading can change anything. The scheduler keeps one timer per home at the earliest deadline
 * of its rules (`HomeEvaluation.deadline`) and replaces it after every evaluation; a deadline at
 * or before `now` means "call evaluateDeadline at once" (the rule saw it due inside a reading). Calling
 * `evaluateDeadline` early, late or twice is safe: it is idempotent and a late call reports the
 * transition at the time it became due (`transition.at`), not at `now`.
 *
 * State. Rule state is plain JSON (numbers, strings, booleans, null, arrays, objects): the service
 * stores `JSON.stringify(state)` per home and reloads it after a restart.
 */
import type { Reading, ReadingKind } from "../../core/domain.js";

/** Ordered from least to most urgent; compare with `severityRank`. */
export const SEVERITIES = ["info", "warning", "major", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export const RULE_IDS = [
  "inactivity",
  "no_data",
  "water_running",
  "slow_leak",
  "excessive_use",
  "night_activity",
  "panic",
  "door_night",
  "temperature",
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A reading as quoted in evidence: enough to find it again in storage and to show it. */
export interface EvidenceReading {
  deviceId: string;
  kind: ReadingKind;
  ts: number;
  fields: Record<string, number | boolean>;
}

export interface Measure {
  name: string;
  value: number;
  unit: string;
}

export interface Evidence {
  rule: RuleId;
  severity: Severity;
  /** What the condition was compared against (e.g. the learned gap threshold). */
  threshold: Measure;
  /** What was observed (e.g. the current gap). */
  observed: Measure;
  /** The personal baseline used, or null when the rule has none (panic). */
  baseline: {
    source: "learned" | "prior" | "blend" | "fixed";
    daysLearned: number;
    values: Record<string, number>;
  } | null;
  /** The readings that led here, oldest first (bounded, a handful at most). */
  readings: EvidenceReading[];
  /** 0..1, how sure the rule is that this is real; null when not applicable. */
  confidence: number | null;
  message: { "zh-CN": string; en: string };
}

/**
 * raise: the condition became true and no alert of this rule is open for the home.
 * update: an open alert changed (severity escalated, another panic press, another silent device).
 * clear: the rule's own clear condition held (not merely the raise condition turning false).
 */
export type TransitionKind = "raise" | "update" | "clear";

export interface Transition {
  kind: TransitionKind;
  rule: RuleId;
  severity: Severity;
  /** Event time at which this became true; for deadline-driven transitions, the due time. */
  at: number;
  evidence: Evidence;
}

export interface Evaluation<S> {
  state: S;
  /** In event-time order; usually zero or one. A late batch can hold a raise and its clear. */
  transitions: Transition[];
  /** Processing time at which to call evaluateDeadline, or null. */
  deadline: number | null;
}

/** A planned absence (hospital stay, visit to family): absence rules pause inside it. */
export interface Interval {
  from: number;
  to: number;
}

export interface RuleConfig<P> {
  params: P;
  /** IANA zone of the home, e.g. "Asia/Shanghai"; daily patterns are learned in local time. */
  timezone: string;
  absences: readonly Interval[];
}

/** A rule: pure functions closed over immutable configuration; state lives outside. */
export interface Rule<S> {
  id: RuleId;
  init(now: number): S;
  evaluate(state: S, reading: Reading, now: number): Evaluation<S>;
  evaluateDeadline(state: S, now: number): Evaluation<S>;
}
