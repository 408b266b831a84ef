/**
 * Back-off after failed logins, per key (a device id or a remote address). After `threshold` failures in a
 * row the key must wait `baseMs`, doubling with each further failure up to `maxMs`; attempts during the
 * wait are refused without verifying anything, so a guessing flood costs no scrypt. A success clears the key.
 */
export interface ThrottleOptions {
  threshold: number;
  baseMs: number;
  maxMs: number;
  now: () => number;
  /** Failures further apart than this start the count again (a NAT address collects a few a day). */
  forgetAfterMs?: number;
  /** Keys remembered at most; the oldest are forgotten first (a flood of made-up ids cannot grow memory). */
  maxKeys?: number;
}

interface Entry {
  failures: number;
  until: number;
  lastAt: number;
}

export function createAuthThrottle(options: ThrottleOptions) {
  const maxKeys = options.maxKeys ?? 50_000;
  const forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000;
  const entries = new Map<string, Entry>();

  return {
    /** Milliseconds the key must still wait; 0 when it may try. */
    waitFor(key: string): number {
      const e = entries.get(key);
      if (!e) return 0;
      return Math.max(0, e.until - options.now());
    },
    /** Records a failure; returns true when this failure starts (or extends) a wait. */
    failed(key: string): boolean {
      const now = options.now();
      const prior = entries.get(key);
      const e = prior && now - prior.lastAt < forgetAfterMs ? prior : { failures: 0, until: 0, lastAt: now };
      entries.delete(key); // re-inserted last: Map order is then least recently failed first
      e.failures++;
      e.lastAt = now;
      const over = e.failures - options.threshold;
      if (over >= 0) e.until = now + Math.min(options.maxMs, options.baseMs * 2 ** Math.min(over, 30));
      entries.set(key, e);
      if (entries.size > maxKeys) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      return over >= 0;
    },
    succeeded(key: string): void {
      entries.delete(key);
    },
    size: () => entries.size,
  };
}

export type AuthThrottle = ReturnType<typeof createAuthThrottle>;
