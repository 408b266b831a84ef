import type { Interval } from "../../engine/types.js";

/** The planned absence holding t, if any. */
export function absenceAt(absences: readonly Interval[], t: number): Interval | undefined {
  return absences.find((a) => a.from <= t && t < a.to);
}

/** A gap's clock restarts when a planned absence that began after the last use ends. */
export function gapStartAfterAbsences(absences: readonly Interval[], lastUse: number, t: number): number {
  let start = lastUse;
  for (const a of absences) if (a.to > start && a.to <= t && a.from < a.to) start = Math.max(start, a.to);
  return start;
}
