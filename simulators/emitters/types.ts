import type { DeviceKind } from "../../core/domain.js";
import type { HomeEvent } from "../events.js";
import type { DraftMessage } from "../messages.js";

/**
 * Turns a home's events into one device's messages. `feed` hands over a day's events (possibly some
 * running past midnight); `drain(until)` returns every message published before `until`, in time order.
 */
export interface DeviceEmitter {
  readonly deviceId: string;
  readonly kind: DeviceKind | "heartbeat";
  feed(events: readonly HomeEvent[]): void;
  drain(until: number): DraftMessage[];
}

/** Periodic ticks at from + phase + k·interval. */
export interface Ticker {
  readonly next: number;
  advance(): void;
}

export function createTicker(from: number, intervalMs: number, phaseMs: number): Ticker {
  let next = from + Math.round(((phaseMs % intervalMs) + intervalMs) % intervalMs);
  return {
    get next() {
      return next;
    },
    advance() {
      next += intervalMs;
    },
  };
}
