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

/**
 * Resident check-in before dispatch (docs/notifications.md): the resident is asked first, by their
 * button's "I'm OK" press and/or a call or SMS through the webhook gateway; nobody is dispatched unless
 * they do not answer within the home's minutes, or ask for help.
 */
export const CHECKIN_CHANNELS = ["button", "call"] as const;
export const checkInChannelSchema = z.enum(CHECKIN_CHANNELS);
export type CheckInChannel = z.infer<typeof checkInChannelSchema>;
export const CHECKIN_ANSWERS = ["ok", "help"] as const;
export type CheckInAnswer = (typeof CHECKIN_ANSWERS)[number];
/**
 * ok/help: the resident answered; no_answer: dispatched at `until`; cleared: the rule cleared; taken_over: a
 * carer acted first; absence: a planned absence covering now was recorded (not a false alarm of any limit).
 */
export type CheckInResult = CheckInAnswer | "no_answer" | "cleared" | "taken_over" | "absence";

export interface CheckIn {
  startedAt: number;
  /** When dispatch proceeds if nobody answered. */
  until: number;
  channels: CheckInChannel[];
  /** Null while waiting for the resident. */
  result: CheckInResult | null;
  endedAt: number | null;
  /** The channel the resident answered by. */
  via: CheckInChannel | null;
}

/** The check-in a home asks for before dispatching an alert of this rule: minutes and channels. */
export interface CheckInSetting {
  minutes: number;
  channels: CheckInChannel[];
}

/** Whether the workers (and the escalation chain) have been told of this alert. */
export const isDispatched = (a: Pick<Alert, "checkIn">): boolean =>
  a.checkIn === null ||
  a.checkIn.result === "no_answer" ||
  a.checkIn.result === "help" ||
  a.checkIn.result === "taken_over";
export const isCheckingIn = (a: Pick<Alert, "checkIn" | "status">): boolean =>
  a.status === "open" && a.checkIn !== null && a.checkIn.result === null;

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
  /** While the check-in waits: its `until`; after dispatch: the next escalation step. */
  nextActionAt: number | null;
  evidence: Evidence;
  /** The resident check-in before dispatch, or null when the home has none for this rule. */
  checkIn: CheckIn | null;
  /** Why it was cleared when its rule did not clear it (a planned absence recorded while it was open); absent or null otherwise. */
  clearReason?: ClearReason | null;
}

/**
 * A planned absence covering now, recorded while the alert was open (docs/notifications.md, "An absence
 * recorded while an alert is open"). `role` is the recorder's role, shown to everyone; `by` their id.
 */
export interface ClearReason {
  kind: "absence";
  absenceId: number;
  from: number;
  to: number;
  by: string;
  role: string;
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
