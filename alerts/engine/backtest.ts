/**
 * Backtest: replays time-ordered readings for many homes through the same evaluators the service
 * uses, on a manual clock that fires each home's deadline in order, and returns the alerts.
 */

import { createManualClock, type TimerHandle } from "../../core/clock.js";
import type { Reading } from "../../core/domain.js";
import { jinlinError } from "../../core/errors.js";
import {
  createHomeEvaluator,
  type HomeConfig,
  type HomeEvaluation,
  type HomeState,
} from "./home-evaluator.js";
import {
  type Evidence,
  RULE_IDS,
  type RuleId,
  type Severity,
  severityRank,
  type Transition,
} from "./types.js";

export interface BacktestReading {
  homeId: string;
  reading: Reading;
  /** When the service received it (a late NB-IoT batch); defaults to reading.ts. Must not decrease. */
  receivedAt?: number;
}

export interface AlertRecord {
  homeId: string;
  rule: RuleId;
  /** Highest severity reached while open. */
  severity: Severity;
  /** Event time the condition became true. */
  raisedAt: number;
  /** Processing time the service knew (clock time of the evaluation that raised it). */
  notifiedAt: number;
  clearedAt: number | null;
  updates: number;
  evidence: Evidence;
}

export interface BacktestOptions {
  homes: readonly HomeConfig[];
  readings: Iterable<BacktestReading>;
  /** Clock start; defaults to the first reading's time. */
  start?: number;
  /** Clock is advanced to here at the end, firing deadlines; defaults to the last reading. */
  end?: number;
  /** Restored state per home (e.g. JSON from a snapshot). */
  initialStates?: Readonly<Record<string, HomeState>>;
  /** Called after every evaluation (readings and deadlines), e.g. to take snapshots. */
  observe?: (homeId: string, state: HomeState, now: number) => void;
  /** Stop early once this returns true (checked after each evaluation). */
  stopWhen?: (alerts: readonly AlertRecord[]) => boolean;
}

export interface BacktestSummary {
  householdMonths: number;
  alerts: number;
  perHouseholdMonth: number;
  byRule: Record<RuleId, { alerts: number; perHouseholdMonth: number }>;
}

export interface BacktestResult {
  alerts: AlertRecord[];
  summary: BacktestSummary;
  states: Record<string, HomeState>;
}

const MONTH_MS = 30.4375 * 86_400_000;

export function runBacktest(opts: BacktestOptions): BacktestResult {
  const it = opts.readings[Symbol.iterator]();
  let first = it.next();
  const start = opts.start ?? (first.done ? 0 : (first.value.receivedAt ?? first.value.reading.ts));
  const clock = createManualClock(start);
  const evaluators = new Map(opts.homes.map((h) => [h.homeId, createHomeEvaluator(h)]));
  const states = new Map<string, HomeState>();
  const timers = new Map<string, TimerHandle>();
  const open = new Map<string, AlertRecord>();
  const alerts: AlertRecord[] = [];
  const span = new Map<string, { from: number; to: number }>();
  let stopped = false;

  const record = (homeId: string, t: Transition, now: number) => {
    const key = `${homeId}/${t.rule}`;
    const cur = open.get(key);
    if (t.kind === "raise" || (!cur && t.kind === "update")) {
      const a: AlertRecord = {
        homeId,
        rule: t.rule,
        severity: t.severity,
        raisedAt: t.at,
        notifiedAt: now,
        clearedAt: null,
        updates: 0,
        evidence: t.evidence,
      };
      alerts.push(a);
      open.set(key, a);
    } else if (cur && t.kind === "update") {
      cur.updates++;
      if (severityRank(t.severity) > severityRank(cur.severity)) cur.severity = t.severity;
    } else if (cur && t.kind === "clear") {
      cur.clearedAt = t.at;
      open.delete(key);
    }
  };
  const apply = (homeId: string, ev: HomeEvaluation) => {
    const now = clock.now();
    states.set(homeId, ev.state);
    for (const t of ev.transitions) record(homeId, t, now);
    timers.get(homeId)?.cancel();
    if (ev.deadline !== null)
      timers.set(
        homeId,
        clock.setTimer(Math.max(ev.deadline, now), () => fire(homeId)),
      );
    opts.observe?.(homeId, ev.state, now);
    if (opts.stopWhen?.(alerts)) stopped = true;
  };
  const stateFor = (homeId: string) => {
    const s = states.get(homeId) ?? opts.initialStates?.[homeId];
    const ev = evaluators.get(homeId);
    if (!ev)
      throw jinlinError("JINLIN_ERR_HOUSEHOLD_NOT_FOUND", `backtest: reading for unknown home ${homeId}`);
    return { ev, s: s ?? ev.init(clock.now()) };
  };
  const fire = (homeId: string) => {
    if (stopped) return;
    const { ev, s } = stateFor(homeId);
    apply(homeId, ev.evaluateDeadline(s, clock.now()));
  };

  for (; !first.done && !stopped; first = it.next()) {
    const { homeId, reading, receivedAt } = first.value;
    const at = Math.max(receivedAt ?? reading.ts, clock.now());
    clock.advanceTo(at);
    if (stopped) break;
    const { ev, s } = stateFor(homeId);
    apply(homeId, ev.evaluate(s, reading, clock.now()));
    const sp = span.get(homeId);
    span.set(homeId, {
      from: Math.min(sp?.from ?? reading.ts, reading.ts),
      to: Math.max(sp?.to ?? reading.ts, reading.ts),
    });
  }
  if (opts.end !== undefined && !stopped) clock.advanceTo(opts.end);
  return { alerts, summary: summarise(alerts, span), states: Object.fromEntries(states) };
}

function summarise(
  alerts: readonly AlertRecord[],
  span: Map<string, { from: number; to: number }>,
): BacktestSummary {
  let ms = 0;
  for (const s of span.values()) ms += s.to - s.from;
  const months = ms / MONTH_MS;
  const per = (n: number) => (months > 0 ? n / months : 0);
  const byRule = Object.fromEntries(
    RULE_IDS.map((r) => {
      const n = alerts.filter((a) => a.rule === r).length;
      return [r, { alerts: n, perHouseholdMonth: per(n) }];
    }),
  ) as Record<RuleId, { alerts: number; perHouseholdMonth: number }>;
  return { householdMonths: months, alerts: alerts.length, perHouseholdMonth: per(alerts.length), byRule };
}
