import type { AlertStore } from "../alerts/alert-types.js";
import {
  feedbackDefaults,
  feedbackOutcome,
  type InactivityOutcome,
  inactivityFeedback,
} from "../alerts/rules/inactivity-feedback.js";
import { resolveRuleParams } from "../alerts/rules/params.js";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { RuleSettingsStore } from "../storage/sqlite/rule-settings.js";

export interface LearnedLimitsDeps {
  alerts: Pick<AlertStore, "list">;
  settings: RuleSettingsStore;
  clock: Clock;
  log: Logger;
  /** The home's rule parameters changed: the rules engine rebuilds its evaluator. */
  homeChanged(householdId: string): void;
}

const DAY_MS = 86_400_000;
const EMERGENCY = {
  en: "A confirmed emergency in the last 60 days: this home's learned limits are dropped.",
  "zh-CN": "60天内有确认的紧急情况：该住户学习到的上限已撤销。",
};
const FADED = {
  en: "Fewer than three false alarms of any limit in the last 60 days: this home's learned limits are dropped.",
  "zh-CN": "60天内任一上限的误报均少于3次：该住户学习到的上限已撤销。",
};
/** Both languages are recorded: the operator reading the home's settings may use either. */
const bilingual = (rs: readonly { en: string; "zh-CN": string }[]) =>
  `${rs.map((r) => r.en).join(" ")}\n${rs.map((r) => r["zh-CN"]).join("")}`;

/**
 * Repeated false alarms at one home adjust that home's inactivity limits (alerts/rules/inactivity-feedback.ts):
 * recomputed from the recorded outcomes whenever an inactivity alert is resolved or closed during the
 * resident's check-in, and once a day (and at start-up) for every home that has a learned layer, so that it
 * fades 60 days after the false alarms that made it even at a home with no new alert. Kept as the home's
 * "learned" layer with its reason and history (rule_settings_history, changed by `system`), dropped by one
 * confirmed emergency or when fewer than three false alarms remain, and removable by an operator.
 */
export function createLearnedLimits(d: LearnedLimitsDeps) {
  const { clock, log, settings } = d;
  let timer: TimerHandle | null = null;

  function outcomes(householdId: string): InactivityOutcome[] {
    const since = clock.now() - feedbackDefaults.windowDays * DAY_MS;
    return d.alerts
      .list({ householdIds: [householdId], statuses: ["resolved", "cleared"], limit: 1000 })
      .filter((a) => a.raisedAt > since)
      .map(feedbackOutcome)
      .filter((o): o is InactivityOutcome => o !== null);
  }

  /** Recomputes one home's learned layer; true when it changed (set, replaced or dropped). */
  function learn(householdId: string): boolean {
    const scope = `household:${householdId}` as const;
    const recorded = outcomes(householdId);
    const layers = settings.layersFor(householdId).filter((l) => l.source !== "learned");
    const base = resolveRuleParams(...layers.map((l) => l.params)).inactivity;
    const feedback = inactivityFeedback(base, recorded, clock.now());
    const current = settings.get(scope, "learned");
    if (Object.keys(feedback.override).length === 0) {
      if (!current) return false;
      const reason = recorded.some((o) => !o.falseAlarm) ? EMERGENCY : FADED;
      settings.clear(scope, "learned", bilingual([reason]), "system");
    } else if (JSON.stringify(current?.params) !== JSON.stringify(feedback.override)) {
      settings.set({
        scope,
        source: "learned",
        params: feedback.override,
        reason: bilingual(feedback.reasons),
        changedBy: "system",
      });
    } else return false;
    log.info({ householdId, learned: feedback.override }, "inactivity limits adjusted from outcomes");
    d.homeChanged(householdId);
    return true;
  }

  /** Every home with a learned layer; one home's failure does not stop the others. */
  function relearnAll(): number {
    let changed = 0;
    for (const id of settings.householdsWith("learned")) {
      try {
        if (learn(id)) changed++;
      } catch (err) {
        log.error({ err, householdId: id }, "learned limits not recomputed");
      }
    }
    return changed;
  }

  function arm(): void {
    timer = clock.setTimer(clock.now() + DAY_MS, () => {
      relearnAll();
      arm();
    });
  }

  return {
    learn,
    relearnAll,
    /** At start-up: recompute now (the service may have been down past a fade), then once a day. */
    start(): void {
      relearnAll();
      if (!timer) arm();
    },
    stop(): void {
      timer?.cancel();
      timer = null;
    },
  };
}

export type LearnedLimits = ReturnType<typeof createLearnedLimits>;
