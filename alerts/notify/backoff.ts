import { DEFAULT_NOTIFY_BACKOFF as CONFIG_DEFAULT_BACKOFF } from "../../core/config-notify.js";
export interface BackoffOptions {
  /** The first retry waits about this long. */
  baseMs: number;
  /** No wait is longer, a server's Retry-After included. */
  maxMs: number;
  /** [0, 1) source for the jitter: Math.random in production, a fixed value in tests. */
  random?: () => number;
}

/**
 * 10 s doubling to 30 min: with the default 12 attempts a notification is retried for about 2 h 20 min
 * (an SMTP relay restart or a gateway outage) before it is parked for an operator.
 */
export const DEFAULT_NOTIFY_BACKOFF: BackoffOptions = CONFIG_DEFAULT_BACKOFF;

/**
 * The wait after the `attempt`-th failure (1-based): exponential with "equal jitter", half the ceiling
 * plus a random half, so retries spread out yet never come at once (AWS Architecture Blog, "Exponential
 * Backoff And Jitter", 2015). A server's Retry-After wins, capped at maxMs.
 */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, o: BackoffOptions): number {
  if (retryAfterMs !== undefined) return Math.min(o.maxMs, Math.max(0, retryAfterMs));
  const ceiling = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 30));
  const random = o.random ?? Math.random;
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After as delay-seconds or an HTTP date [RFC 9110 §10.2.3]; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
