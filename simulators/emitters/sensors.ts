import type { HomeEvent } from "../events.js";
import { type DraftMessage, reading } from "../messages.js";
import type { DeviceEmitter } from "./types.js";

interface Ids {
  homeId: string;
  deviceId: string;
}

/** Keeps the fed events of one type sorted and hands back those before `until`. */
function createQueue<T extends { ts: number }>(pick: (e: HomeEvent) => T | null) {
  let queue: T[] = [];
  return {
    feed(events: readonly HomeEvent[]) {
      for (const e of events) {
        const v = pick(e);
        if (v) queue.push(v);
      }
      queue.sort((a, b) => a.ts - b.ts);
    },
    take(until: number): T[] {
      let i = 0;
      while (i < queue.length && (queue[i] as T).ts < until) i++;
      const due = queue.slice(0, i);
      queue = queue.slice(i);
      return due;
    },
  };
}

/** A reed contact: one message per change. */
export function createDoorEmitter({ homeId, deviceId }: Ids): DeviceEmitter {
  const q = createQueue((e) => (e.type === "door" ? e : null));
  return {
    deviceId,
    kind: "door",
    feed: q.feed,
    drain: (until) =>
      q.take(until).map((e) => reading(homeId, deviceId, e.ts, { kind: "door", ts: e.ts, open: e.open })),
  };
}

export function createButtonEmitter({ homeId, deviceId }: Ids): DeviceEmitter {
  const q = createQueue((e) => (e.type === "button" ? e : null));
  return {
    deviceId,
    kind: "button",
    feed: q.feed,
    drain: (until) =>
      q
        .take(until)
        .map((e) => reading(homeId, deviceId, e.ts, { kind: "button", ts: e.ts, pressed: e.pressed })),
  };
}

/**
 * A PIR occupancy sensor: `detected: true` on the first movement, `detected: false` once nothing has
 * moved for holdMs (Zigbee PIRs commonly use 60–300 s). Movements in between are not reported.
 */
export function createMotionEmitter({ homeId, deviceId }: Ids, holdMs = 180_000): DeviceEmitter {
  const q = createQueue((e) => (e.type === "motion" ? e : null));
  let occupied = false;
  let last = 0;
  const msg = (ts: number, detected: boolean) =>
    reading(homeId, deviceId, ts, { kind: "motion", ts, detected });
  return {
    deviceId,
    kind: "motion",
    feed: q.feed,
    drain(until) {
      const out: DraftMessage[] = [];
      for (const e of q.take(until)) {
        if (occupied && e.ts >= last + holdMs) {
          out.push(msg(last + holdMs, false));
          occupied = false;
        }
        if (!occupied) out.push(msg(e.ts, true));
        occupied = true;
        last = e.ts;
      }
      // Nothing queued is earlier than `until`, so a clear due before it is final.
      if (occupied && last + holdMs < until) {
        out.push(msg(last + holdMs, false));
        occupied = false;
      }
      return out;
    },
  };
}
