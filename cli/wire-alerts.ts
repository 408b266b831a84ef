import { createAlertService } from "../alerts/alert-service.js";
import type { Alert } from "../alerts/alert-types.js";
import { DEFAULT_ESCALATION } from "../alerts/escalation.js";
import { type AlertNews, createAlertLifecycle } from "../alerts/lifecycle.js";
import type { NotificationRequest } from "../alerts/notify/types.js";
import { isFalseAlarm, LEARNING_WINDOW_MS, learnFromFalseAlarms } from "../alerts/outcome-learning.js";
import { type RuleParams, resolveRuleParams, ruleParamsDefaults } from "../alerts/rules/params.js";
import type { Clock } from "../core/clock.js";
import type { Config } from "../core/config.js";
import type { StoredReading } from "../core/domain.js";
import type { Logger } from "../core/log.js";
import { createAlertStore } from "../storage/sqlite/alerts.js";
import type { Db } from "../storage/sqlite/open.js";
import { createPeopleStore } from "../storage/sqlite/people.js";
import type { Registry } from "../storage/sqlite/registry.js";
import { createRuleSettingsStore } from "../storage/sqlite/rule-settings.js";
import { createRuleStateStore } from "../storage/sqlite/rule-state.js";
import { createAlertNotifier } from "./alert-notifier.js";

/** Rules, alert lifecycle and escalation on the service's store and clock. */
export function wireAlerts(
  db: Db,
  registry: Registry,
  clock: Clock,
  log: Logger,
  notify: { config: Config; enqueue: (items: NotificationRequest[]) => number },
) {
  const alertStore = createAlertStore(db);
  const ruleStates = createRuleStateStore(db, clock.now);
  const people = createPeopleStore(db, clock.now);
  const settings = createRuleSettingsStore(db, clock.now);
  const listeners = new Set<(alert: Alert, news: AlertNews) => void>();
  const lifecycle = createAlertLifecycle({
    store: alertStore,
    clock,
    policy: DEFAULT_ESCALATION,
    log,
    notifier: createAlertNotifier({
      people,
      household: registry.getHousehold,
      enqueue: notify.enqueue,
      policy: DEFAULT_ESCALATION,
      publicUrl: notify.config.publicUrl,
      webhook: notify.config.notify.webhook !== null,
      now: clock.now,
    }),
    onChange(alert, news) {
      service.alertScheduleChanged(alert.id, alert.nextActionAt);
      log.info(
        {
          alertId: alert.id,
          householdId: alert.householdId,
          rule: alert.rule,
          severity: alert.severity,
          news,
        },
        "alert",
      );
      for (const l of listeners) l(alert, news);
      if (news === "resolved" && isFalseAlarm(alert.outcome)) learn(alert);
    },
  });
  const service = createAlertService({
    lifecycle,
    states: ruleStates,
    clock,
    log,
    home(householdId) {
      const h = registry.getHousehold(householdId);
      // Absences that ended more than two days ago no longer matter to any rule's window.
      return h
        ? {
            timezone: h.timezone,
            absences: ruleStates.absences(householdId, clock.now() - 2 * 86_400_000),
            params: paramsFor(householdId),
          }
        : undefined;
    },
    pendingAlertActions: () => alertStore.withPendingActions(),
  });
  /** Global → grids → learned → operator's home settings; a layer that no longer validates is skipped, loudly. */
  function paramsFor(householdId: string): RuleParams {
    const layers = settings.layersFor(householdId);
    try {
      return resolveRuleParams(...layers.map((l) => l.params));
    } catch (err) {
      log.error(
        { err, householdId, scopes: layers.map((l) => l.scope) },
        "rule settings invalid; using defaults",
      );
      return ruleParamsDefaults;
    }
  }

  /** Repeated false alarms of one rule at one home adjust that home's learned layer (alerts/outcome-learning.ts). */
  function learn(alert: Alert): void {
    const scope = `household:${alert.householdId}` as const;
    const learned = settings.get(scope, "learned");
    const history = settings.history(scope).filter((h) => h.source === "learned");
    const lastClear = history.map((h) => h.params).lastIndexOf(null);
    const steps = history.length - lastClear - 1;
    const since = Math.max(clock.now() - LEARNING_WINDOW_MS, learned?.changedAt ?? 0);
    const ids = alertStore
      .list({ householdIds: [alert.householdId], statuses: ["resolved"] })
      .filter((a) => a.rule === alert.rule && isFalseAlarm(a.outcome) && (a.closedAt ?? 0) > since)
      .map((a) => a.id);
    const step = learnFromFalseAlarms(alert.rule, ids, paramsFor(alert.householdId), steps);
    if (!step) return;
    const prev = (learned?.params ?? {}) as Record<string, Record<string, unknown>>;
    settings.set({
      scope,
      source: "learned",
      params: { ...prev, [alert.rule]: { ...(prev[alert.rule] ?? {}), ...step.override } },
      reason: step.reason.en,
      changedBy: "system",
    });
    log.info(
      { householdId: alert.householdId, rule: alert.rule, steps: step.steps },
      "rule adjusted after false alarms",
    );
    service.homeChanged(alert.householdId);
  }

  return {
    service,
    lifecycle,
    settings,
    alertStore,
    people,
    onReadings(stored: StoredReading[]) {
      try {
        service.onReadings(stored);
      } catch (err) {
        // A rules bug must never cost a reading: they are stored, and a restart replays them into the rules.
        log.error({ err }, "rules evaluation failed");
      }
    },
    onAlert(listener: (alert: Alert, news: AlertNews) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
