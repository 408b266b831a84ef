import type { Clock } from "../../core/clock.js";
import type { NotifyConfig } from "../../core/config-notify.js";
import type { Logger } from "../../core/log.js";
import type { Db } from "../../storage/sqlite/open.js";
import { createNotificationDispatcher } from "./dispatcher.js";
import { createEmailSender } from "./email-sender.js";
import { createNotificationOutbox } from "./outbox.js";
import type { Channel, NotificationRequest, NotificationSender } from "./types.js";
import { createWebhookSender } from "./webhook-sender.js";

export interface NotifierDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  config: NotifyConfig;
  /** Replaces the configured senders (a gateway that cannot run here, in tests). */
  senders?: Partial<Record<Channel, NotificationSender>>;
}

/**
 * Outbox, senders and dispatcher wired together for the composition root. `enqueue` may be called
 * inside the caller's transaction: the dispatcher looks only once the current synchronous code is done.
 */
export function createNotifier(deps: NotifierDeps) {
  const { config, clock } = deps;
  const outbox = createNotificationOutbox(deps.db, clock);
  const email = config.smtp ? createEmailSender(config.smtp) : undefined;
  const senders: Partial<Record<Channel, NotificationSender>> = deps.senders ?? {
    email,
    webhook: config.webhook ? createWebhookSender(config.webhook, clock) : undefined,
  };
  const dispatcher = createNotificationDispatcher({
    outbox,
    senders,
    clock,
    log: deps.log,
    maxAttempts: config.maxAttempts,
    backoff: config.backoff,
  });
  return {
    outbox,
    dispatcher,
    enqueue(items: readonly NotificationRequest[]): number {
      const added = outbox.enqueue(items);
      if (added > 0) dispatcher.kick();
      return added;
    },
    start: dispatcher.start,
    async stop(): Promise<void> {
      await dispatcher.stop();
      email?.close();
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
