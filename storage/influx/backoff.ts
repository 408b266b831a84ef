export interface BackoffOptions {
  /** First retry waits about this long. */
  baseMs: number;
  /** No wait is longer (Retry-After included, so a bad header cannot park the forwarder for a day). */
  maxMs: number;
  /** [0, 1) source for the jitter; Math.random in production, a fixed sequence in tests. */
  random?: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000 };

/**
 * Exponential backoff with "equal jitter": half the ceiling plus a random half, so retries from many
 * Jinlin instances spread out yet never retry immediately (AWS Architecture Blog, "Exponential Backoff
 * And Jitter", 2015). A server's Retry-After wins over the computed delay, capped at maxMs.
 */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, o: BackoffOptions): number {
  if (retryAfterMs !== undefined) return Math.min(o.maxMs, Math.max(0, retryAfterMs));
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(attempt, 30));
  const random = o.random ?? Math.random;
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
