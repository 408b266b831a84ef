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
import { type AnyRule, createRules } from "../rules/index.js";
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

const minDeadline = (a: number | null, b: number | null) =>
  a === null ? b : b === null ? a : Math.min(a, b);

export function createHomeEvaluator(cfg: HomeConfig, rules?: AnyRule[]): HomeEvaluator {
  const list =
    rules ??
    createRules({
      params: cfg.params ?? ruleParamsDefaults,
      timezone: cfg.timezone,
      absences: cfg.absences ?? [],
    });
  const stateOf = (s: HomeState, r: AnyRule, now: number) => (r.id in s.rules ? s.rules[r.id] : r.init(now));
  const run = (
    s: HomeState,
    now: number,
    step: (r: AnyRule, st: unknown) => ReturnType<AnyRule["evaluate"]>,
  ) => {
    const next: HomeState = { v: 1, rules: { ...s.rules } };
    const transitions: Transition[] = [];
    let deadline: number | null = null;
    for (const r of list) {
      const ev = step(r, stateOf(s, r, now));
      next.rules[r.id] = ev.state;
      transitions.push(...ev.transitions);
      deadline = minDeadline(deadline, ev.deadline);
    }
    transitions.sort((a, b) => a.at - b.at);
    return { state: next, transitions, deadline };
  };
  const evaluator: HomeEvaluator = {
    homeId: cfg.homeId,
    init: (now) => ({ v: 1, rules: Object.fromEntries(list.map((r) => [r.id, r.init(now)])) }),
    evaluate: (s, reading, now) => run(s, now, (r, st) => r.evaluate(st, reading, now)),
    evaluateDeadline: (s, now) => run(s, now, (r, st) => r.evaluateDeadline(st, now)),
    evaluateBatch(s, readings, now) {
      const sorted = [...readings].sort((a, b) => a.ts - b.ts);
      let state = s;
      const transitions: Transition[] = [];
      let deadline: number | null = null;
      for (const reading of sorted) {
        const ev = evaluator.evaluate(state, reading, now);
        state = ev.state;
        transitions.push(...ev.transitions);
        deadline = ev.deadline;
      }
      return { state, transitions, deadline };
    },
  };
  return evaluator;
}
