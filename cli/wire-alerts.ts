import { createAlertService } from "../alerts/alert-service.js";
import type { Alert } from "../alerts/alert-types.js";
import { DEFAULT_ESCALATION } from "../alerts/escalation.js";
import { type AlertNews, createAlertLifecycle } from "../alerts/lifecycle.js";
import { closeAlertsForPause } from "../alerts/monitoring-pause.js";
import type { NotificationRequest } from "../alerts/notify/types.js";
import { feedbackOutcome } from "../alerts/rules/inactivity-feedback.js";
import { type RuleParams, resolveRuleParams, ruleParamsDefaults } from "../alerts/rules/params.js";
import type { Clock } from "../core/clock.js";
import type { Config } from "../core/config.js";
import type { StoredReading } from "../core/domain.js";
import type { Logger } from "../core/log.js";
import type { CheckInApi } from "../dashboard/routes/checkin.js";
import { createAlertStore } from "../storage/sqlite/alerts.js";
import { createCheckInStore } from "../storage/sqlite/checkin.js";
import { createHouseholdsApiStore } from "../storage/sqlite/households-api.js";
import type { Db } from "../storage/sqlite/open.js";
import { createPeopleStore } from "../storage/sqlite/people.js";
import type { Registry } from "../storage/sqlite/registry.js";
import { createRuleSettingsStore } from "../storage/sqlite/rule-settings.js";
import { createRuleStateStore } from "../storage/sqlite/rule-state.js";
import { createAlertNotifier } from "./alert-notifier.js";
import { createLearnedLimits } from "./learned-limits.js";

/** Rules, alert lifecycle and escalation on the service's store and clock. */
export function wireAlerts(
  db: Db,
  registry: Registry,
  clock: Clock,
  log: Logger,
  notify: {
    config: Config;
    enqueue: (items: NotificationRequest[]) => number;
    /** Consent withdrawn: the household's notifications not yet sent are parked, not delivered. */
    parkHousehold?: (householdId: string, reason: string) => number;
  },
  hooks: { beforeDeadline?: (householdId: string) => void } = {},
) {
  const alertStore = createAlertStore(db);
  const ruleStates = createRuleStateStore(db, clock.now);
  const people = createPeopleStore(db, clock.now);
  const settings = createRuleSettingsStore(db, clock.now);
  const checkIns = createCheckInStore(db, clock.now);
  const homes = createHouseholdsApiStore(db, clock.now);
  const hasButton = (householdId: string) =>
    registry.listDevices(householdId).some((d) => d.kind === "button" && d.revokedAt === null);
  const listeners = new Set<(alert: Alert, news: AlertNews) => void>();
  const lifecycle = createAlertLifecycle({
    store: alertStore,
    clock,
    policy: DEFAULT_ESCALATION,
    log,
    checkIn(householdId) {
      const c = checkIns.get(householdId);
      if (!c.enabled) return undefined;
      // Waiting for an answer that cannot come would only delay the worker: keep the channels that can reach
      // the resident now (a working button; a gateway and a phone number), and dispatch at once if none.
      const channels = c.channels.filter((ch) =>
        ch === "call" ? checkInApi.canCall(householdId) : hasButton(householdId),
      );
      if (channels.length === 0) {
        log.warn({ householdId }, "check-in on but no channel reaches the resident; dispatching at once");
        return undefined;
      }
      return { minutes: c.minutes, channels };
    },
    notifier: createAlertNotifier({
      people,
      household: registry.getHousehold,
      enqueue: notify.enqueue,
      policy: DEFAULT_ESCALATION,
      publicUrl: notify.config.publicUrl,
      webhook: notify.config.notify.webhook !== null,
      residentPhone: (id) => homes.profile(id).phone,
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
      // Resolved by a worker, or closed during the check-in ("OK", or water): both teach (feedbackOutcome).
      if (feedbackOutcome(alert) !== null) learned.learn(alert.householdId);
    },
  });
  const service = createAlertService({
    ...hooks,
    lifecycle,
    states: ruleStates,
    clock,
    log,
    home(householdId) {
      const h = registry.getHousehold(householdId);
      if (!h) return undefined;
      // Absences that ended more than two days ago no longer matter to any rule's window.
      const since = clock.now() - 2 * 86_400_000;
      // A past consent pause is a planned absence to the rules (docs/privacy.md, "Withdrawing consent").
      const pauses = homes.monitoringPauses(householdId, since);
      return {
        timezone: h.timezone,
        absences: [...ruleStates.absences(householdId, since), ...pauses],
        params: paramsFor(householdId),
        paused: h.monitoringPausedAt != null,
        ...(pauses.length > 0 ? { resumedAt: Math.max(...pauses.map((p) => p.to)) } : {}),
      };
    },
    pendingAlertActions: () => alertStore.withPendingActions(),
    closeForPause(householdId) {
      for (const a of closeAlertsForPause(alertStore, householdId, clock.now())) {
        service.alertScheduleChanged(a.id, null);
        log.info({ alertId: a.id, householdId, rule: a.rule }, "alert closed: monitoring paused");
        for (const l of listeners) l(a, "cleared");
      }
      const parked = notify.parkHousehold?.(householdId, "monitoring paused: consent withdrawn") ?? 0;
      if (parked > 0) log.info({ householdId, parked }, "unsent notifications parked: monitoring paused");
    },
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

  const learned = createLearnedLimits({
    alerts: alertStore,
    settings,
    clock,
    log,
    homeChanged: (id) => service.homeChanged(id),
  });

  /**
   * A button's "I'm OK" press answers the home's waiting check-ins with "ok", a panic press with "help"
   * (the panic rule raises its own alert as well). Only alerts whose condition began before the press.
   */
  function buttonAnswers(stored: readonly StoredReading[]): void {
    for (const r of stored) {
      if (r.kind !== "button" || (r.fields.ok !== true && r.fields.pressed !== true)) continue;
      const answer = r.fields.pressed === true ? "help" : "ok";
      for (const a of lifecycle.waitingAt(r.householdId, r.ts)) {
        if (a.checkIn?.channels.includes("button") || answer === "help")
          lifecycle.answer(a.id, answer, "button");
      }
    }
  }

  const checkInApi: CheckInApi = {
    get: checkIns.get,
    set: checkIns.set,
    canCall: (id) => notify.config.notify.webhook !== null && homes.profile(id).phone !== null,
    answer: (id, answer, via) => lifecycle.answer(id, answer, via),
    alertExists: (id) => alertStore.get(id) !== undefined,
    gatewaySecret: notify.config.notify.webhook?.secret ?? null,
    now: clock.now,
  };

  return {
    // The learned limits are recomputed daily from start-up on (they fade after 60 days without new alerts).
    service: {
      ...service,
      start() {
        service.start();
        learned.start();
      },
      stop() {
        learned.stop();
        service.stop();
      },
    },
    learned,
    lifecycle,
    settings,
    checkInApi,
    alertStore,
    people,
    onReadings(stored: StoredReading[]) {
      try {
        service.onReadings(stored);
      } catch (err) {
        // A rules bug must never cost a reading: they are stored, and a restart replays them into the rules.
        log.error({ err }, "rules evaluation failed");
      }
      try {
        buttonAnswers(stored);
      } catch (err) {
        // Unanswered, the check-in dispatches at its time: the safe side.
        log.error({ err }, "check-in answer from the button failed");
      }
    },
    onAlert(listener: (alert: Alert, news: AlertNews) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
