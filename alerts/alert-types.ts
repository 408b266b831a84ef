import { z } from "zod";
import type { Evidence, RuleId, Severity } from "./engine/types.js";

export const ALERT_STATUSES = ["open", "acknowledged", "visiting", "resolved", "cleared"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
/** Statuses in which an alert still needs someone; at most one such alert per home and rule. */
export const ACTIVE_STATUSES: readonly AlertStatus[] = ["open", "acknowledged", "visiting"];

export const OUTCOMES = ["safe", "needed_help", "hospital", "false_alarm_away", "false_alarm_other"] as const;
export const outcomeSchema = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof outcomeSchema>;
export const isFalseAlarm = (o: Outcome | null): boolean =>
  o === "false_alarm_away" || o === "false_alarm_other";

export interface Alert {
  id: number;
  householdId: string;
  rule: RuleId;
  severity: Severity;
  status: AlertStatus;
  /** Event time at which the condition became true. */
  raisedAt: number;
  createdAt: number;
  updatedAt: number;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  visitingAt: number | null;
  closedAt: number | null;
  outcome: Outcome | null;
  note: string | null;
  escalationLevel: number;
  nextActionAt: number | null;
  evidence: Evidence;
}

export interface AlertEvent {
  id: number;
  alertId: number;
  at: number;
  /** A person id, or `system` for the rules engine and the escalation timer. */
  actor: string;
  action: string;
  fromStatus: AlertStatus | null;
  toStatus: AlertStatus | null;
  detail: Record<string, unknown> | null;
}

/** What the alert lifecycle needs from storage; the SQLite alert store implements it. */
export interface AlertStore {
  transaction<T>(fn: () => T): T;
  findActive(householdId: string, rule: RuleId): Alert | undefined;
  /** The alert this home's rule raised at this event time, open or closed (a replayed raise finds it). */
  findRaised(householdId: string, rule: RuleId, raisedAt: number): Alert | undefined;
  get(id: number): Alert | undefined;
  insert(a: Omit<Alert, "id">): Alert;
  update(id: number, patch: Partial<Omit<Alert, "id" | "householdId" | "rule">>): Alert;
  appendEvent(e: Omit<AlertEvent, "id">): void;
  events(alertId: number): AlertEvent[];
  list(filter: { householdIds?: string[]; statuses?: AlertStatus[]; limit?: number }): Alert[];
  withPendingActions(): Alert[];
}
