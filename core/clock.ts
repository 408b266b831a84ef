/**
 * Time is a parameter: everything that needs "now" or a timer takes a Clock.
 * The system clock runs in production; the manual clock drives tests, the simulators and the backtest.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs fn once the clock reaches atMs (epoch ms). */
  setTimer(atMs: number, fn: () => void): TimerHandle;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(atMs, fn) {
    // setTimeout caps at 2^31-1 ms; longer waits re-arm.
    const MAX = 2_147_483_647;
    let handle: NodeJS.Timeout;
    const arm = () => {
      const delay = atMs - Date.now();
      if (delay > MAX) handle = setTimeout(arm, MAX);
      else handle = setTimeout(fn, Math.max(0, delay));
      handle.unref?.();
    };
    arm();
    return { cancel: () => clearTimeout(handle) };
  },
};

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export interface ManualClock extends Clock {
  /** Moves time forward to atMs, firing due timers in time order. */
  advanceTo(atMs: number): void;
  advanceBy(ms: number): void;
  pendingTimers(): number;
}

export function createManualClock(startMs: number): ManualClock {
  let now = startMs;
  let seq = 0;
  let timers: ManualTimer[] = [];
  const clock: ManualClock = {
    now: () => now,
    setTimer(atMs, fn) {
      const t: ManualTimer = { at: atMs, seq: seq++, fn, cancelled: false };
      timers.push(t);
      return {
        cancel: () => {
          t.cancelled = true;
        },
      };
    },
    advanceTo(atMs) {
      for (;;) {
        timers = timers.filter((t) => !t.cancelled);
        let next: ManualTimer | undefined;
        for (const t of timers)
          if (t.at <= atMs && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
        if (!next) break;
        next.cancelled = true;
        now = Math.max(now, next.at);
        next.fn();
      }
      now = Math.max(now, atMs);
    },
    advanceBy(ms) {
      clock.advanceTo(now + ms);
    },
    pendingTimers: () => timers.filter((t) => !t.cancelled).length,
  };
  return clock;
}

/**
 * A clock that runs `speed` times faster than the wall clock from `startMs` on: the demo's compressed
 * time (60: an hour a minute). Service and simulators share one, so deadlines fire at simulated times.
 */
export function createScaledClock(startMs: number, speed: number, wallNow: () => number = Date.now): Clock {
  const wallStart = wallNow();
  const now = () => startMs + (wallNow() - wallStart) * speed;
  return {
    now,
    setTimer(atMs, fn) {
      let handle: NodeJS.Timeout;
      const arm = () => {
        const wait = (atMs - now()) / speed;
        if (wait <= 0) return fn();
        handle = setTimeout(arm, Math.min(wait, 2_147_483_647));
        handle.unref?.();
      };
      arm();
      return { cancel: () => clearTimeout(handle) };
    },
  };
}

/** Resolves once `clock` has reached `atMs`. */
export function clockReaches(clock: Clock, atMs: number): Promise<void> {
  if (clock.now() >= atMs) return Promise.resolve();
  return new Promise((resolve) => clock.setTimer(atMs, resolve));
}
