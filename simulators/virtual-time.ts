import type { Clock } from "../core/clock.js";
import type { SimMessage } from "./messages.js";

export interface PlaybackOptions {
  clock: Clock;
  /** Simulated ms per wall ms: 1 = real time, 604_800 = a week per second, Infinity = no waiting. */
  speed: number;
  /** Simulated time that maps to the clock's now() when playback starts; default: the first message's ts. */
  simStart?: number;
  onMessage(m: SimMessage): void | Promise<void>;
  signal?: AbortSignal;
}

export interface PlaybackResult {
  played: number;
  aborted: boolean;
}

function waitUntil(clock: Clock, atMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimer(atMs, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    const onAbort = () => {
      timer.cancel();
      resolve();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Plays a time-ordered message stream against a Clock: each message is handed to onMessage when
 * the clock reaches the wall time its simulated ts maps to. Works with systemClock (real waiting) and
 * with a manual clock (the caller advances it); never patches timers or Date.
 * onMessage is awaited, so a slow publisher slows playback instead of piling up messages.
 */
export async function playStream(
  messages: Iterable<SimMessage>,
  o: PlaybackOptions,
): Promise<PlaybackResult> {
  if (!(o.speed > 0)) throw new RangeError("speed must be positive");
  const wallStart = o.clock.now();
  let simStart = o.simStart;
  let played = 0;
  for (const m of messages) {
    if (o.signal?.aborted) return { played, aborted: true };
    simStart ??= m.ts;
    const due = Number.isFinite(o.speed) ? wallStart + Math.max(0, m.ts - simStart) / o.speed : wallStart;
    if (due > o.clock.now()) await waitUntil(o.clock, Math.ceil(due), o.signal);
    if (o.signal?.aborted) return { played, aborted: true };
    await o.onMessage(m);
    played++;
  }
  return { played, aborted: false };
}
