/**
 * Runs all rules of one home over its readings and deadlines. Still pure: state in, state out.
 *
 * The service calls, per home:
 *   state = evaluator.init(now)                   (or JSON.parse of the stored state)
 *   ev = evaluator.evaluate(state, reading, now)  for each reading, or evaluateBatch for a batch
 *   ev = evaluator.evaluateDeadline(state, now)   when the home's timer fires
 * then stores ev.state, hands ev.transitions to the alert lifecycle, and sets the home's single
 * timer to ev.deadline (null: no timer; a time ≤ now: fire at once).
 */
import type { Reading } from "../../core/domain.js";
import { type AnyRule, createRules, ONLY_KIND } from "../rules/index.js";
import { type RuleParams, ruleParamsDefaults } from "../rules/params.js";
import type { Interval, RuleId, Transition } from "./types.js";

export interface HomeConfig {
  homeId: string;
  /** IANA zone; the household schema's default is Asia/Shanghai. */
  timezone: string;
  absences?: readonly Interval[];
  /** Resolved params (resolveRuleParams(global, grid, home)); defaults when omitted. */
  params?: RuleParams;
}

/** JSON-serialisable: persist with JSON.stringify, restore with JSON.parse. */
export interface HomeState {
  v: 1;
  rules: Partial<Record<RuleId, unknown>>;
}

export interface HomeEvaluation {
  state: HomeState;
  transitions: Transition[];
  deadline: number | null;
}

export interface HomeEvaluator {
  homeId: string;
  init(now: number): HomeState;
  evaluate(state: HomeState, reading: Reading, now: number): HomeEvaluation;
  /** Sorts a device batch by event time, then evaluates it reading by reading. */
  evaluateBatch(state: HomeState, readings: readonly Reading[], now: number): HomeEvaluation;
  evaluateDeadline(state: HomeState, now: number): HomeEvaluation;
}

export function createHomeEvaluator(cfg: HomeConfig, rules?: AnyRule[]): HomeEvaluator {
  const list =
    rules ??
    createRules({
      params: cfg.params ?? ruleParamsDefaults,
      timezone: cfg.timezone,
      absences: cfg.absences ?? [],
    });
  const n = list.length;
  const ids = list.map((r) => r.id);
  // A rule that reads only one kind of reading returns the state it was given, no transition and no
  // deadline for any other kind: skipping its call changes nothing and allocates nothing. Only for
  // the rules built here: rules passed in are run on every reading.
  const only = list.map((r) => (rules === undefined ? (ONLY_KIND[r.id] ?? null) : null));
  // The hot path (every reading of every home) runs plain loops over one copy of the rules' states per
  // call, with no closure, spread or intermediate HomeState per rule or per reading of a batch.

  /** Runs every rule on one reading (or its deadline when reading is null) over `rules`, in place. */
  const step = (
    rules: Partial<Record<RuleId, unknown>>,
    reading: Reading | null,
    now: number,
    transitions: Transition[],
  ): number | null => {
    let deadline: number | null = null;
    const first = transitions.length;
    const kind = reading === null ? null : reading.kind;
    for (let i = 0; i < n; i++) {
      const r = list[i] as AnyRule;
      const id = ids[i] as RuleId;
      let st = rules[id];
      if (st === undefined && !(id in rules)) st = r.init(now);
      const o = only[i];
      if (kind !== null && o !== null && o !== kind) {
        rules[id] = st;
        continue;
      }
      const ev = reading === null ? r.evaluateDeadline(st, now) : r.evaluate(st, reading, now);
      rules[id] = ev.state;
      const ts = ev.transitions;
      for (let j = 0; j < ts.length; j++) transitions.push(ts[j] as Transition);
      const d = ev.deadline;
      if (d !== null) deadline = deadline === null ? d : Math.min(deadline, d);
    }
    // Each reading's (or deadline's) transitions in event-time order, after those of earlier readings.
    if (transitions.length - first > 1) {
      const mine = transitions.splice(first).sort((a, b) => a.at - b.at);
      for (const t of mine) transitions.push(t);
    }
    return deadline;
  };

  const evaluator: HomeEvaluator = {
    homeId: cfg.homeId,
    init: (now) => ({ v: 1, rules: Object.fromEntries(list.map((r) => [r.id, r.init(now)])) }),
    evaluate(s, reading, now) {
      const rules = { ...s.rules };
      const transitions: Transition[] = [];
      const deadline = step(rules, reading, now, transitions);
      return { state: { v: 1, rules }, transitions, deadline };
    },
    evaluateDeadline(s, now) {
      const rules = { ...s.rules };
      const transitions: Transition[] = [];
      const deadline = step(rules, null, now, transitions);
      return { state: { v: 1, rules }, transitions, deadline };
    },
    evaluateBatch(s, readings, now) {
      if (readings.length === 0) return { state: s, transitions: [], deadline: null };
      const sorted = readings.length === 1 ? readings : [...readings].sort((a, b) => a.ts - b.ts);
      const rules = { ...s.rules };
      const transitions: Transition[] = [];
      let deadline: number | null = null;
      for (let k = 0; k < sorted.length; k++) deadline = step(rules, sorted[k] as Reading, now, transitions);
      return { state: { v: 1, rules }, transitions, deadline };
    },
  };
  return evaluator;
}
