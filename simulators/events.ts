/**
 * What happens in a home, before any device turns it into protocol messages.
 * Every event carries `group`: the activity it belongs to (a shower, a trip to the market), so a
 * scenario can remove whole activities and never leave half a door cycle behind.
 */
export type Fixture =
  | "toilet"
  | "washbasin"
  | "kitchen"
  | "shower"
  | "washing-machine"
  | "bucket"
  | "kettle-fill"
  | "tap-left-running"
  | "leak";

export type Appliance = "kettle" | "cooker" | "rice-cooker" | "lights" | "tv" | "washing-machine" | "fan";

export interface WaterDraw {
  type: "water";
  start: number;
  durationMs: number;
  liters: number;
  fixture: Fixture;
  group: number;
}

export interface PowerUse {
  type: "power";
  start: number;
  durationMs: number;
  watts: number;
  appliance: Appliance;
  group: number;
}

export interface DoorEvent {
  type: "door";
  ts: number;
  open: boolean;
  group: number;
}

export interface MotionEvent {
  type: "motion";
  ts: number;
  group: number;
}

export interface ButtonEvent {
  type: "button";
  ts: number;
  pressed: boolean;
  group: number;
}

export type HomeEvent = WaterDraw | PowerUse | DoorEvent | MotionEvent | ButtonEvent;

export function eventStart(e: HomeEvent): number {
  return e.type === "water" || e.type === "power" ? e.start : e.ts;
}

export function eventEnd(e: HomeEvent): number {
  return e.type === "water" || e.type === "power" ? e.start + e.durationMs : e.ts;
}

export function byStart(a: HomeEvent, b: HomeEvent): number {
  return eventStart(a) - eventStart(b) || a.group - b.group;
}

/** Total litres drawn by events, counting only the part of each draw inside [from, to). */
export function litersBetween(events: readonly HomeEvent[], from: number, to: number): number {
  let sum = 0;
  for (const e of events) {
    if (e.type !== "water" || e.durationMs <= 0) continue;
    const a = Math.max(from, e.start);
    const b = Math.min(to, e.start + e.durationMs);
    if (b > a) sum += (e.liters * (b - a)) / e.durationMs;
  }
  return sum;
}
