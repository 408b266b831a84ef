/**
 * Other sensors corroborate a water-inactivity alert: movement or an appliance switched on during the
 * gap says someone is up and about (lower confidence); sensors that exist and stayed quiet raise it.
 */
import type { Reading } from "../../../core/domain.js";

export interface Activity {
  /** The home has any motion, door or power sensor at all. */
  sensors: boolean;
  last: number | null;
  watts: number | null;
}

/** A step this large in mains power is someone switching something on (kettle, TV, light). */
const POWER_STEP_W = 30;

export function noteActivity(a: Activity, r: Reading): Activity {
  const at = (ts: number) => Math.max(a.last ?? ts, ts);
  switch (r.kind) {
    case "motion":
      return { ...a, sensors: true, last: r.fields.detected ? at(r.ts) : a.last };
    case "door":
      return { ...a, sensors: true, last: r.fields.open ? at(r.ts) : a.last };
    case "power": {
      const moved = a.watts !== null && Math.abs(r.fields.watts - a.watts) >= POWER_STEP_W;
      return { sensors: true, last: moved ? at(r.ts) : a.last, watts: r.fields.watts };
    }
    default:
      return a;
  }
}

/** 0.6 water only; 0.9 sensors quiet since the gap began; 0.45 activity in the gap; 0.2 within the last hour. */
export function confidence(a: Activity, gapStart: number, at: number): number {
  if (!a.sensors) return 0.6;
  if (a.last === null || a.last <= gapStart) return 0.9;
  return at - a.last <= 3_600_000 ? 0.2 : 0.45;
}
