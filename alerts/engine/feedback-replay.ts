/**
 * Replays a trace with the per-home false-alarm feedback (rules/inactivity-feedback.ts) in the loop:
 * every inactivity alert on the un-injected trace is closed as a false alarm when water flows again
 * (nothing happened, by construction), the home's parameter layer is recomputed from the outcomes
 * so far, and the replay goes on from that moment with the new parameters and the same rule state.
 * Causal: a threshold only changes after the alerts that justify it. Snapshots carry the parameters
 * in force, so injected trials start from what the service would have had that day.
 */
import { type InactivityOutcome, inactivityFeedback, limitOf } from "../rules/inactivity-feedback.js";
import { type RuleParams, resolveRuleParams } from "../rules/params.js";
import { type AlertRecord, runBacktest } from "./backtest.js";
import type { Snapshot, TraceRun, TraceSource } from "./detection-trials.js";
import type { HomeConfig, HomeState } from "./home-evaluator.js";

export interface FeedbackRun extends TraceRun {
  /** Parameters in force from each snapshot on (same index as `snapshots`). */
  paramsAt: RuleParams[];
  /** Every change of the layer, with its reasons. */
  changes: { at: number; reasons: string[] }[];
}

export function replayWithFeedback(
  home: HomeConfig,
  baseLayer: Record<string, unknown>,
  src: TraceSource,
  dayKey: (ts: number) => number,
): FeedbackRun {
  const base = resolveRuleParams(baseLayer);
  let params = base;
  let from = src.from - 1;
  let state: HomeState | undefined;
  const outcomes: InactivityOutcome[] = [];
  const alerts: AlertRecord[] = [];
  const snapshots: Snapshot[] = [];
  const paramsAt: RuleParams[] = [];
  const changes: FeedbackRun["changes"] = [];
  let lastDay = -1;
  let months = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const h = { ...home, params };
    const res = runBacktest({
      homes: [h],
      readings: (function* () {
        for (const reading of src.readings(from, src.to)) yield { homeId: home.homeId, reading };
      })(),
      start: Math.max(from, src.from),
      ...(state ? { initialStates: { [home.homeId]: state } } : {}),
      observe(_id, st, now) {
        const d = dayKey(now);
        if (d !== lastDay) {
          lastDay = d;
          snapshots.push({ at: now, json: JSON.stringify(st) });
          paramsAt.push(params);
        }
      },
      stopWhen: (as) => as.some((a) => a.rule === "inactivity" && a.clearedAt !== null),
    });
    alerts.push(...res.alerts);
    months += res.summary.householdMonths;
    state = res.states[home.homeId];
    const closed = res.alerts.find((a) => a.rule === "inactivity" && a.clearedAt !== null);
    if (!closed || closed.clearedAt === null) break;
    outcomes.push({ at: closed.raisedAt, falseAlarm: true, reason: limitOf(closed.evidence.threshold.name) });
    const fb = inactivityFeedback(base.inactivity, outcomes, closed.clearedAt);
    const next = resolveRuleParams(baseLayer, fb.override);
    if (JSON.stringify(next) !== JSON.stringify(params))
      changes.push({ at: closed.clearedAt, reasons: fb.reasons.map((r) => r.en) });
    params = next;
    from = closed.clearedAt;
  }
  return {
    alerts,
    snapshots,
    paramsAt,
    changes,
    states: state ? { [home.homeId]: state } : {},
    householdMonths: months,
  };
}
