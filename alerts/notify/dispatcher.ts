import type { Clock, TimerHandle } from "../../core/clock.js";
import { DEFAULT_MAX_ATTEMPTS } from "../../core/config-notify.js";
import type { Logger } from "../../core/log.js";
import { type BackoffOptions, DEFAULT_NOTIFY_BACKOFF, retryDelay } from "./backoff.js";
import type { NotificationOutbox } from "./outbox.js";
import { errorText, scrub } from "./redact.js";
import type { Channel, NotificationSender, OutboxItem, SendResult } from "./types.js";

export interface DispatcherOptions {
  outbox: Pick<NotificationOutbox, "due" | "nextDueAt" | "markSent" | "markFailed" | "park">;
  /** A channel without a sender (e-mail not configured) parks its notifications. */
  senders: Partial<Record<Channel, NotificationSender>>;
  clock: Clock;
  log: Logger;
  /** Most notifications sent at once (one pass). */
  batch?: number;
  /** Attempts before a notification is parked. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** Looks at the outbox at least this often, for rows enqueued without a `kick` (another process). */
  pollMs?: number;
}

export { DEFAULT_MAX_ATTEMPTS };

/**
 * Sends due notifications from the outbox, one pass at a time: a pass takes up to `batch` due items,
 * sends them concurrently and records each outcome; the next pass runs at once when the batch was full,
 * otherwise at the next due time (a retry, a planned reminder) or after `pollMs`. All waiting goes
 * through the injected Clock, so a manual clock drives it in tests.
 */
export function createNotificationDispatcher(o: DispatcherOptions) {
  const { outbox, clock } = o;
  const log = o.log.child({ mod: "notify" });
  const batch = o.batch ?? 20;
  const maxAttempts = o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const backoff = o.backoff ?? DEFAULT_NOTIFY_BACKOFF;
  const pollMs = o.pollMs ?? 30_000;
  let timer: TimerHandle | null = null;
  let pass: Promise<void> | null = null;
  let again = false;
  let started = false;
  let stopped = false;

  function record(item: OutboxItem, result: SendResult): void {
    const now = clock.now();
    const fields = { notificationId: item.id, channel: item.channel, template: item.template };
    const alertId = "alertId" in item.data ? item.data.alertId : undefined;
    if (result.kind === "sent") {
      outbox.markSent(item.id, now);
      log.info({ ...fields, alertId, attempts: item.attempts + 1 }, "notification sent");
      return;
    }
    const attempts = item.attempts + 1;
    const error = scrub(result.error);
    if (result.kind === "park" || attempts >= maxAttempts) {
      outbox.park(item.id, result.error);
      log.error({ ...fields, alertId, attempts, error }, "notification parked: an operator must look");
      return;
    }
    const nextAttemptAt = now + retryDelay(attempts, result.retryAfterMs, backoff);
    outbox.markFailed(item.id, result.error, nextAttemptAt);
    log.warn({ ...fields, attempts, error, nextAttemptAt }, "notification failed: will retry");
  }

  /** Sends one item and records the outcome; false when the outcome could not be recorded. */
  async function deliver(item: OutboxItem): Promise<boolean> {
    const sender = o.senders[item.channel];
    let result: SendResult;
    if (sender === undefined) result = { kind: "park", error: `no sender configured for ${item.channel}` };
    else {
      try {
        result = await sender.send(item);
      } catch (err) {
        result = { kind: "retry", error: errorText(err) };
      }
    }
    try {
      record(item, result);
      return true;
    } catch (err) {
      // The outbox could not record the outcome (disk full…): the row stays pending and is sent again.
      log.error({ err, notificationId: item.id }, "notification outcome not recorded");
      return false;
    }
  }

  /**
   * One pass. "more": it took a full batch; "stalled": the outbox failed (read or write), so the next
   * pass waits pollMs rather than resend at once what it could not mark as sent.
   */
  async function runPass(): Promise<"more" | "done" | "stalled"> {
    let items: OutboxItem[];
    try {
      items = outbox.due(clock.now(), batch);
    } catch (err) {
      log.error({ err }, "notification outbox unreadable");
      return "stalled";
    }
    const recorded = await Promise.all(items.map(deliver));
    if (recorded.includes(false)) return "stalled";
    return items.length === batch ? "more" : "done";
  }

  function schedule(stalled: boolean): void {
    if (stopped) return;
    const now = clock.now();
    let next = now + pollMs;
    try {
      if (!stalled) next = Math.min(next, outbox.nextDueAt() ?? next);
    } catch (err) {
      log.error({ err }, "notification outbox unreadable");
    }
    timer = clock.setTimer(Math.max(now, next), kick);
  }

  function kick(): void {
    if (stopped || !started) return;
    if (pass !== null) {
      again = true;
      return;
    }
    timer?.cancel();
    timer = null;
    // Deferred to a microtask: a kick from inside the caller's (synchronous) SQLite transaction must not
    // read rows that transaction may still roll back.
    pass = Promise.resolve()
      .then(runPass)
      .then((outcome) => {
        pass = null;
        const rerun = outcome === "more" || (again && outcome !== "stalled");
        again = false;
        if (rerun) kick();
        else schedule(outcome === "stalled");
      });
  }

  return {
    /** Starts sending: what is already due (e.g. left from before a restart) goes out at once. */
    start(): void {
      if (started || stopped) return;
      started = true;
      kick();
    },

    /** Something was enqueued: look now rather than at the next timer. */
    kick,

    /** Resolves when no pass is running or queued (tests, and a graceful stop). */
    async idle(): Promise<void> {
      while (pass !== null) await pass;
    },

    /** Stops taking new work and waits for the sends in flight; their outcomes are recorded. */
    async stop(): Promise<void> {
      stopped = true;
      timer?.cancel();
      timer = null;
      while (pass !== null) await pass;
    },
  };
}

export type NotificationDispatcher = ReturnType<typeof createNotificationDispatcher>;
