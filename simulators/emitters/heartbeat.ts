import { type DraftMessage, noise, reading, round1 } from "../messages.js";
import { createTicker, type DeviceEmitter } from "./types.js";

export interface HeartbeatDeps {
  homeId: string;
  deviceId: string;
  seed: number;
  from: number;
  everyMin: number;
  battery(t: number): number;
  /** Typical signal strength of this device, dBm. */
  rssi: number;
}

/** Battery and signal, a few times a day, for any device. */
export function createHeartbeatEmitter(d: HeartbeatDeps): DeviceEmitter {
  const ticker = createTicker(
    d.from,
    d.everyMin * 60_000,
    noise(d.seed, "hb-phase", 0) * d.everyMin * 60_000,
  );
  return {
    deviceId: d.deviceId,
    kind: "heartbeat",
    feed() {},
    drain(until) {
      const out: DraftMessage[] = [];
      while (ticker.next < until) {
        const t = ticker.next;
        ticker.advance();
        const rssi = Math.round(d.rssi + (noise(d.seed, "rssi", t) - 0.5) * 8);
        out.push(
          reading(d.homeId, d.deviceId, t, { kind: "heartbeat", ts: t, battery: round1(d.battery(t)), rssi }),
        );
      }
      return out;
    },
  };
}

/**
 * Battery level at t: a slow linear drain from `start`, and for a battery-dying scenario a fall to 0
 * over its window (the device goes silent at the window's end).
 */
export function batteryCurve(
  from: number,
  start: number,
  drainPerDay: number,
  dying: readonly { start: number; end: number }[],
): (t: number) => number {
  const normal = (t: number) => Math.max(5, start - (drainPerDay * (t - from)) / 86_400_000);
  return (t) => {
    for (const w of dying) {
      if (t >= w.end) return 0;
      if (t >= w.start) {
        const at = Math.min(normal(w.start), 25);
        return Math.max(0, at * (1 - (t - w.start) / Math.max(1, w.end - w.start)));
      }
    }
    return normal(t);
  };
}
