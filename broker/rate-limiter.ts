/**
 * Token buckets per key (a device id): `burst` tokens, refilled at `perSecond`. `tryTake` is for what may be
 * dropped (error reports); `reserve` is for what must only be slowed (a device's publishes): the caller
 * waits the returned milliseconds, and while it waits Aedes reads nothing more from that device.
 */
export function createRateLimiter(options: { perSecond: number; burst: number; maxKeys?: number }) {
  const maxKeys = options.maxKeys ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  function bucket(key: string, now: number) {
    let b = buckets.get(key);
    if (!b) {
      if (buckets.size >= maxKeys) buckets.clear(); // forgetting only ever gives a fresh burst
      b = { tokens: options.burst, at: now };
      buckets.set(key, b);
    }
    b.tokens = Math.min(options.burst, b.tokens + ((now - b.at) / 1000) * options.perSecond);
    b.at = now;
    return b;
  }

  return {
    tryTake(key: string, now: number): boolean {
      const b = bucket(key, now);
      if (b.tokens < 1) return false;
      b.tokens--;
      return true;
    },
    reserve(key: string, now: number): number {
      const b = bucket(key, now);
      b.tokens--;
      return b.tokens >= 0 ? 0 : Math.ceil((-b.tokens / options.perSecond) * 1000);
    },
    forget(key: string): void {
      buckets.delete(key);
    },
  };
}
