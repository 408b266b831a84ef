import type { Clock } from "../core/clock.js";
import { jinlinError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import {
  ACTIVE_STATUSES,
  type Alert,
  type AlertStatus,
  type AlertStore,
  type Outcome,
} from "./alert-types.js";
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
  | "cleared";

/** Called inside the transaction that changed the alert, so queued notifications share its fate. */
export interface AlertNotifier {
  notify(alert: Alert, news: AlertNews): void;
}

export interface LifecycleDeps {
  store: AlertStore;
  clock: Clock;
  policy: EscalationPolicy;
  notifier: AlertNotifier;
  log: Logger;
  /** After commit: live streams, the escalation timer. */
  onChange?: (alert: Alert, news: AlertNews) => void;
}

const SYSTEM = "system";

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
    action: AlertNews,
    patch: Partial<Alert>,
    detail: Record<string, unknown> | null,
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
    notifier.notify(updated, action);
    committed.push([updated, action]);
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
        { severity, evidence: t.evidence },
        { severity: t.severity, at: t.at },
      );
    }
    // After a crash the rules replay readings whose transitions were already applied: the same raise
    // (home, rule, event time) must not open a second alert, nor notify anyone twice.
    const replayed = store.findRaised(householdId, t.rule, t.at);
    if (replayed) return replayed;
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
      nextActionAt: nextEscalationAt(t.severity, now, policy),
      evidence: t.evidence,
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
    notifier.notify(alert, "raised");
    committed.push([alert, "raised"]);
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
      { status: "cleared", closedAt: clock.now(), nextActionAt: null },
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
          { status: "acknowledged", acknowledgedBy: actor, acknowledgedAt: clock.now(), nextActionAt: null },
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
          { ...ack, status: "visiting", visitingAt: clock.now(), nextActionAt: null },
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
          { ...ack, status: "resolved", outcome, note, closedAt: clock.now(), nextActionAt: null },
          { outcome },
        );
      });
    },
    /** The escalation timer of an open alert fired: next level, or a reminder at the top level. */
    escalate(id: number): Alert | undefined {
      return run(() => {
        const a = store.get(id);
        if (a?.status !== "open" || a.nextActionAt === null) return undefined;
        const now = clock.now();
        const up = a.escalationLevel < policy.maxLevel;
        const level = up ? a.escalationLevel + 1 : a.escalationLevel;
        const patch = { escalationLevel: level, nextActionAt: nextEscalationAt(a.severity, now, policy) };
        return change(a, SYSTEM, up ? "escalated" : "reminder", patch, { level });
      });
    },
  };
}

export type AlertLifecycle = ReturnType<typeof createAlertLifecycle>;
