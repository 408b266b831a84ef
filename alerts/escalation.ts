import type { Severity } from "./engine/types.js";

/**
 * Who hears of an alert, and when. Level 0 is the grid's primary worker(s); each level adds people:
 * 1 the grid's backup workers, 2 the community's supervisors, 3 the street office and operators.
 * Family hear from `familyFromLevel` on. Nobody acknowledging within `ackMinutes` moves the alert one
 * level up; at the top it keeps reminding at the same pace until somebody acknowledges.
 */
export interface EscalationPolicy {
  /** Minutes without acknowledgement before the next level (and reminders); null: never escalates. */
  ackMinutes: Record<Severity, number | null>;
  familyFromLevel: Record<Severity, number>;
  maxLevel: number;
}

// Panic presses and collapses: a worker in the same community can be at the door in about 15 minutes, so
// 5 minutes without an answer is already too long. Lower severities can wait for a busy worker longer.
export const DEFAULT_ESCALATION: EscalationPolicy = {
  ackMinutes: { critical: 5, major: 15, warning: 60, info: null },
  familyFromLevel: { critical: 0, major: 1, warning: 2, info: 99 },
  maxLevel: 3,
};

/** When the next escalation step or reminder is due for an open alert raised or escalated at `from`. */
export function nextEscalationAt(severity: Severity, from: number, policy: EscalationPolicy): number | null {
  const minutes = policy.ackMinutes[severity];
  return minutes === null ? null : from + minutes * 60_000;
}
