import type { Reading } from "../../../core/domain.js";
import type { EvidenceReading } from "../../engine/types.js";

/** The last register value a rule has seen from the home's water meter. */
export interface Register {
  ts: number;
  total: number;
}

export type WaterStep =
  | { kind: "first" }
  /** ts not after the last reading: a duplicate or a straggler from an earlier batch. */
  | { kind: "stale" }
  /** The register went backwards: meter replaced or reset. Nothing is known about the interval. */
  | { kind: "reset" }
  | { kind: "delta"; liters: number; dtMs: number; fromTs: number };

type WaterReading = Extract<Reading, { kind: "water" }>;

export const isWater = (r: Reading): r is WaterReading => r.kind === "water";

/** Tolerates float noise in the register; a real reset drops by far more than this. */
const RESET_EPSILON_L = 0.01;

export function stepRegister(
  prev: Register | null,
  r: WaterReading,
): { register: Register | null; step: WaterStep } {
  const total = r.fields.totalLiters;
  if (!prev) return { register: { ts: r.ts, total }, step: { kind: "first" } };
  if (r.ts <= prev.ts) return { register: prev, step: { kind: "stale" } };
  if (total < prev.total - RESET_EPSILON_L) return { register: { ts: r.ts, total }, step: { kind: "reset" } };
  return {
    register: { ts: r.ts, total },
    step: { kind: "delta", liters: Math.max(0, total - prev.total), dtMs: r.ts - prev.ts, fromTs: prev.ts },
  };
}

export function quote(r: Reading): EvidenceReading {
  return {
    deviceId: r.deviceId,
    kind: r.kind,
    ts: r.ts,
    fields: { ...(r.fields as Record<string, number | boolean>) },
  };
}

/** Keeps the newest `max` evidence readings, oldest first. */
export function pushBounded<T>(list: readonly T[], item: T, max: number): T[] {
  const next = [...list, item];
  return next.length > max ? next.slice(next.length - max) : next;
}

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
