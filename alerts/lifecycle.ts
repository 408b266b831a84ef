import type { Clock } from "../core/clock.js";
import { jinlinError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import {
  ACTIVE_STATUSES,
  type Alert,
  type AlertStatus,
  type AlertStore,
  type CheckIn,
  type CheckInAnswer,
  type CheckInChannel,
  type CheckInSetting,
  type ClearReason,
  isCheckingIn,
  type Outcome,
} from "./alert-types.js";
import { checkInApplies, endCheckIn, raisedSeverity, startCheckIn, withCheckInNote } from "./checkin.js";
import { severityRank, type Transition } from "./engine/types.js";
import { type EscalationPolicy, nextEscalationAt } from "./escalation.js";

export type AlertNews =
  | "raised"
  | "updated"
  | "escalated"
  | "reminder"
  | "acknowledged"
  | "visiting"
  | "resolved"
  | "cleared"
  /** The resident is being asked first; nobody else hears of the alert yet. */
  | "checkin_started"
  /** The resident answered "OK" (the alert is cleared) or asked for help (sent as "raised" instead). */
  | "checkin_answered"
  /** A planned absence covering now was recorded while a carer was already on the alert: it stays theirs. */
  | "absence_recorded";

/** Called inside the transaction that changed the alert, so queued notifications share its fate. */
export interface AlertNotifier {
  /** `absence`: with "absence_recorded", the absence that was recorded and by whom. */
  notify(alert: Alert, news: AlertNews, absence?: ClearReason): void;
}

export interface LifecycleDeps {
  store: AlertStore;
  clock: Clock;
  policy: EscalationPolicy;
  notifier: AlertNotifier;
  log: Logger;
  /** The home's resident check-in before dispatch; undefined when it has none (the default). */
  checkIn?(householdId: string): CheckInSetting | undefined;
  /** After commit: live streams, the escalation timer. */
  onChange?: (alert: Alert, news: AlertNews) => void;
}

const SYSTEM = "system";
/** The actor of an answer from the resident (their button, or the call/SMS gateway). */
export const RESIDENT = "resident";

/**
 * The alert lifecycle: open → acknowledged → visiting → resolved (with an outcome), or cleared when the
 * rule's clear condition held before anybody acknowledged. Every change is one transaction with its
 * audit event and its notifications.
 */
export function createAlertLifecycle(deps: LifecycleDeps) {
  const { store, clock, policy, notifier } = deps;
  const committed: [Alert, AlertNews][] = [];

  function change(
    alert: Alert,
    actor: string,
    action: AlertNews | "checkin_no_answer" | "absence_cleared",
    patch: Partial<Alert>,
    detail: Record<string, unknown> | null,
    news: AlertNews = action === "checkin_no_answer"
      ? "raised"
      : action === "absence_cleared"
        ? "cleared"
        : action,
  ) {
    const now = clock.now();
    const updated = store.update(alert.id, { ...patch, updatedAt: now });
    store.appendEvent({
      alertId: alert.id,
      at: now,
      actor,
      action,
      fromStatus: alert.status,
      toStatus: updated.status,
      detail,
    });
    notifier.notify(updated, news);
    committed.push([updated, news]);
    return updated;
  }

  /** A carer acted, the rule cleared, or an absence was recorded while the resident was being asked: the check-in ends there. */
  function endedBy(a: Alert, result: "cleared" | "taken_over" | "absence"): Partial<Alert> {
    return isCheckingIn(a) && a.checkIn ? { checkIn: endCheckIn(a.checkIn, result, clock.now()) } : {};
  }

  /** Dispatch as if raised now: the workers hear of it and the escalation timers start from this moment. */
  function dispatch(
    a: Alert,
    checkIn: CheckIn,
    actor: string,
    action: "checkin_no_answer" | "checkin_answered",
  ) {
    const now = clock.now();
    const severity = checkIn.result === "help" ? raisedSeverity(a.severity) : a.severity;
    const patch = {
      severity,
      checkIn,
      escalationLevel: 0,
      nextActionAt: nextEscalationAt(severity, now, policy),
      evidence: withCheckInNote(a.evidence, checkIn),
    };
    return change(a, actor, action, patch, { result: checkIn.result, via: checkIn.via }, "raised");
  }

  /** A carer is on it: the absence goes on the alert's timeline, and they are told (the alert stays theirs). */
  function noteAbsence(a: Alert, reason: ClearReason, detail: Record<string, unknown>): Alert {
    const now = clock.now();
    const updated = store.update(a.id, { updatedAt: now });
    store.appendEvent({
      alertId: a.id,
      at: now,
      actor: reason.by,
      action: "absence_recorded",
      fromStatus: a.status,
      toStatus: a.status,
      detail,
    });
    notifier.notify(updated, "absence_recorded", reason);
    committed.push([updated, "absence_recorded"]);
    return updated;
  }

  function run<T>(fn: () => T): T {
    committed.length = 0;
    const result = store.transaction(fn);
    for (const [a, news] of committed.splice(0)) deps.onChange?.(a, news);
    return result;
  }

  function raise(householdId: string, t: Transition): Alert {
    const now = clock.now();
    const existing = store.findActive(householdId, t.rule);
    if (existing) {
      const escalated = severityRank(t.severity) > severityRank(existing.severity);
      const severity = escalated ? t.severity : existing.severity;
      return change(
        existing,
        SYSTEM,
        "updated",
        { severity, evidence: withCheckInNote(t.evidence, existing.checkIn) },
        { severity: t.severity, at: t.at },
      );
    }
    // After a crash the rules replay readings whose transitions were already applied: the same raise
    // (home, rule, event time) must not open a second alert, nor notify anyone twice.
    const replayed = store.findRaised(householdId, t.rule, t.at);
    // The newest alert with this event time. One that a planned absence cleared is not a replay: the rule
    // raising it again means the absence no longer covers the gap (deleted or moved), so a new alert opens.
    if (replayed && !replayed.clearReason) return replayed;
    const setting = checkInApplies(t.rule, t.severity) ? deps.checkIn?.(householdId) : undefined;
    const checkIn = setting ? startCheckIn(setting, now) : null;
    const alert = store.insert({
      householdId,
      rule: t.rule,
      severity: t.severity,
      status: "open",
      raisedAt: t.at,
      createdAt: now,
      updatedAt: now,
      acknowledgedBy: null,
      acknowledgedAt: null,
      visitingAt: null,
      closedAt: null,
      outcome: null,
      note: null,
      escalationLevel: 0,
      nextActionAt: checkIn ? checkIn.until : nextEscalationAt(t.severity, now, policy),
      evidence: t.evidence,
      checkIn,
      clearReason: null,
    });
    store.appendEvent({
      alertId: alert.id,
      at: now,
      actor: SYSTEM,
      action: "raised",
      fromStatus: null,
      toStatus: "open",
      detail: { at: t.at },
    });
    const news: AlertNews = checkIn ? "checkin_started" : "raised";
    if (checkIn)
      store.appendEvent({
        alertId: alert.id,
        at: now,
        actor: SYSTEM,
        action: "checkin_started",
        fromStatus: "open",
        toStatus: "open",
        detail: { until: checkIn.until, channels: checkIn.channels },
      });
    notifier.notify(alert, news);
    committed.push([alert, news]);
    return alert;
  }

  function clear(householdId: string, t: Transition): Alert | undefined {
    const existing = store.findActive(householdId, t.rule);
    if (!existing) return undefined;
    if (existing.status !== "open") {
      // Someone is already on it: the worker closes it with an outcome; note that activity resumed.
      const now = clock.now();
      store.appendEvent({
        alertId: existing.id,
        at: now,
        actor: SYSTEM,
        action: "condition_cleared",
        fromStatus: existing.status,
        toStatus: existing.status,
        detail: { at: t.at },
      });
      return existing;
    }
    return change(
      existing,
      SYSTEM,
      "cleared",
      { status: "cleared", closedAt: clock.now(), nextActionAt: null, ...endedBy(existing, "cleared") },
      { at: t.at },
    );
  }

  function requireActive(id: number, allowed: readonly AlertStatus[]): Alert {
    const alert = store.get(id);
    if (!alert) throw jinlinError("JINLIN_ERR_NOT_FOUND", `alert ${id}`);
    if (!allowed.includes(alert.status))
      throw jinlinError("JINLIN_ERR_INPUT_INVALID", `alert ${id} is ${alert.status}`);
    return alert;
  }

  return {
    /** Applies the rules engine's transitions for one home. */
    apply(householdId: string, transitions: readonly Transition[]): Alert[] {
      if (transitions.length === 0) return [];
      return run(() =>
        transitions
          .map((t) => (t.kind === "clear" ? clear(householdId, t) : raise(householdId, t)))
          .filter((a): a is Alert => a !== undefined),
      );
    },
    acknowledge(id: number, actor: string): Alert {
      return run(() => {
        const a = requireActive(id, ["open"]);
        return change(
          a,
          actor,
          "acknowledged",
          {
            status: "acknowledged",
            acknowledgedBy: actor,
            acknowledgedAt: clock.now(),
            nextActionAt: null,
            ...endedBy(a, "taken_over"),
          },
          null,
        );
      });
    },
    onMyWay(id: number, actor: string): Alert {
      return run(() => {
        const a = requireActive(id, ["open", "acknowledged"]);
        const ack = a.acknowledgedBy ? {} : { acknowledgedBy: actor, acknowledgedAt: clock.now() };
        return change(
          a,
          actor,
          "visiting",
          {
            ...ack,
            status: "visiting",
            visitingAt: clock.now(),
            nextActionAt: null,
            ...endedBy(a, "taken_over"),
          },
          null,
        );
      });
    },
    resolve(id: number, actor: string, outcome: Outcome, note: string | null): Alert {
      return run(() => {
        const a = requireActive(id, ACTIVE_STATUSES);
        const ack = a.acknowledgedBy ? {} : { acknowledgedBy: actor, acknowledgedAt: clock.now() };
        return change(
          a,
          actor,
          "resolved",
          {
            ...ack,
            status: "resolved",
            outcome,
            note,
            closedAt: clock.now(),
            nextActionAt: null,
            ...endedBy(a, "taken_over"),
          },
          { outcome },
        );
      });
    },
    /** The escalation timer of an open alert fired: next level, or a reminder at the top level. */
    /** The home an alert belongs to (undefined for an unknown id). */
    householdOf(id: number): string | undefined {
      return store.get(id)?.householdId;
    },
    escalate(id: number): Alert | undefined {
      return run(() => {
        const a = store.get(id);
        if (a?.status !== "open" || a.nextActionAt === null) return undefined;
        const now = clock.now();
        if (isCheckingIn(a) && a.checkIn) {
          // Survives a restart: `until` is the alert's next_action_at, re-armed by the alert service.
          if (now < a.checkIn.until) return undefined;
          return dispatch(a, endCheckIn(a.checkIn, "no_answer", now), SYSTEM, "checkin_no_answer");
        }
        const up = a.escalationLevel < policy.maxLevel;
        const level = up ? a.escalationLevel + 1 : a.escalationLevel;
        const patch = { escalationLevel: level, nextActionAt: nextEscalationAt(a.severity, now, policy) };
        return change(a, SYSTEM, up ? "escalated" : "reminder", patch, { level });
      });
    },
    /**
     * The resident answered the check-in of one alert (the call/SMS gateway's callback). "ok" clears it,
     * nobody having been told; "help" dispatches at once, one severity higher. An answer after the
     * check-in ended changes nothing but is recorded on the alert's timeline for the worker.
     */
    answer(id: number, answer: CheckInAnswer, via: CheckInChannel): { alert: Alert; accepted: boolean } {
      return run(() => {
        const a = store.get(id);
        if (!a) throw jinlinError("JINLIN_ERR_NOT_FOUND", `alert ${id}`);
        const now = clock.now();
        if (!isCheckingIn(a) || !a.checkIn) {
          store.appendEvent({
            alertId: a.id,
            at: now,
            actor: RESIDENT,
            action: "checkin_late_answer",
            fromStatus: a.status,
            toStatus: a.status,
            detail: { answer, via },
          });
          return { alert: a, accepted: false };
        }
        const checkIn = endCheckIn(a.checkIn, answer, now, via);
        if (answer === "help")
          return { alert: dispatch(a, checkIn, RESIDENT, "checkin_answered"), accepted: true };
        const patch = { status: "cleared" as const, closedAt: now, nextActionAt: null, checkIn };
        return { alert: change(a, RESIDENT, "checkin_answered", patch, { answer, via }), accepted: true };
      });
    },
    /**
     * A planned absence covering now was recorded (docs/notifications.md): the home's "we have not seen the
     * resident" alerts (those a check-in would apply to) that nobody has taken on yet are cleared, with the
     * reason and who recorded it, their timers stopped and whoever was told of them told it is over. One a
     * carer already acknowledged stays theirs: the absence goes on its timeline and they are told. An absence
     * that does not hold now changes nothing.
     */
    absenceRecorded(householdId: string, reason: ClearReason): Alert[] {
      const now = clock.now();
      if (!(reason.from <= now && now < reason.to)) return [];
      return run(() =>
        store
          .list({ householdIds: [householdId], statuses: [...ACTIVE_STATUSES] })
          .filter((a) => checkInApplies(a.rule, a.severity))
          .map((a) => {
            const detail = {
              absenceId: reason.absenceId,
              from: reason.from,
              to: reason.to,
              role: reason.role,
            };
            if (a.status !== "open") return noteAbsence(a, reason, detail);
            const patch = {
              status: "cleared" as const,
              closedAt: now,
              nextActionAt: null,
              clearReason: reason,
              ...endedBy(a, "absence"),
            };
            return change(a, reason.by, "absence_cleared", patch, detail);
          }),
      );
    },
    /** Alerts of this home waiting for the resident whose condition began at or before `at` (a button press's event time). */
    waitingAt(householdId: string, at: number): Alert[] {
      return store
        .list({ householdIds: [householdId], statuses: ["open"] })
        .filter((a) => isCheckingIn(a) && a.raisedAt <= at);
    },
  };
}

export type AlertLifecycle = ReturnType<typeof createAlertLifecycle>;
