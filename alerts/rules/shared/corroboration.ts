/**
 * Other sensors corroborate a water-inactivity alert: movement or an appliance switched on during the
 * gap says someone is up and about (lower confidence); sensors that exist and stayed quiet raise it.
 * The evidence says which, in words a worker reads before going to the door.
 */
import type { Reading } from "../../../core/domain.js";
import type { Zone } from "../../../core/local-time.js";
import { whenEn, whenZh } from "./text.js";

/** The sensors whose readings count as a sign of someone at home. */
export type ActivityKind = "motion" | "door" | "power";

export interface Activity {
  /** The home has any motion, door or power sensor at all. */
  sensors: boolean;
  last: number | null;
  watts: number | null;
  /** Which sensor saw `last`; absent in state stored before it was kept. */
  lastKind?: ActivityKind | null;
}

/** A step this large in mains power is someone switching something on (kettle, TV, light). */
const POWER_STEP_W = 30;

/** Copies `a` as a sensor home, with `kind` at `ts` as its last sign of activity when `active`. */
function seen(a: Activity, active: boolean, kind: ActivityKind, ts: number): Activity {
  const next: Activity = { ...a, sensors: true };
  // Readings can arrive out of order (a late batch): the newest sign of activity wins.
  if (active) {
    const newer = a.last === null || a.last <= ts;
    next.last = newer ? ts : a.last;
    next.lastKind = newer ? kind : (a.lastKind ?? null);
  }
  return next;
}

export function noteActivity(a: Activity, r: Reading): Activity {
  switch (r.kind) {
    case "motion":
      return seen(a, r.fields.detected, "motion", r.ts);
    case "door":
      return seen(a, r.fields.open, "door", r.ts);
    case "power": {
      const moved = a.watts !== null && Math.abs(r.fields.watts - a.watts) >= POWER_STEP_W;
      const next = seen(a, moved, "power", r.ts);
      next.watts = r.fields.watts;
      return next;
    }
    default:
      return a;
  }
}

const RECENT_MS = 3_600_000;

/** 0.6 water only; 0.9 sensors quiet since the gap began; 0.45 activity in the gap; 0.2 within the last hour. */
export function confidence(a: Activity, gapStart: number, at: number): number {
  if (!a.sensors) return 0.6;
  if (a.last === null || a.last <= gapStart) return 0.9;
  return at - a.last <= RECENT_MS ? 0.2 : 0.45;
}

const KIND_EN: Record<ActivityKind, string> = {
  motion: "motion sensor",
  door: "door sensor",
  power: "power meter",
};
const KIND_ZH: Record<ActivityKind, string> = { motion: "人体感应器", door: "门磁", power: "电表" };

/**
 * The corroboration in one sentence per language, appended to the alert's message; null for a home with
 * water only (nothing to add).
 */
export function corroborationText(
  a: Activity,
  gapStart: number,
  at: number,
  zone: Zone,
): { en: string; "zh-CN": string } | null {
  if (!a.sensors) return null;
  if (a.last === null || a.last <= gapStart)
    return {
      en: "The home's other sensors have seen no sign of activity since then either.",
      "zh-CN": "家中其他传感器此后也未发现任何活动迹象。",
    };
  const kind = a.lastKind ?? null;
  const byEn = kind ? ` (${KIND_EN[kind]})` : "";
  const byZh = kind ? `（${KIND_ZH[kind]}）` : "";
  if (at - a.last <= RECENT_MS)
    return {
      en: `But there was activity at ${whenEn(zone, a.last, at)}${byEn}: the resident may be up and about.`,
      "zh-CN": `但${whenZh(zone, a.last, at)}有活动${byZh}：老人可能安好。`,
    };
  return {
    en: `Last sign of activity at ${whenEn(zone, a.last, at)}${byEn}.`,
    "zh-CN": `最后一次活动迹象：${whenZh(zone, a.last, at)}${byZh}。`,
  };
}
