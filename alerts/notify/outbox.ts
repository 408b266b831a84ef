import type { Clock } from "../../core/clock.js";
import { jinlinError } from "../../core/errors.js";
import type { Db } from "../../storage/sqlite/open.js";
import {
  type Channel,
  type Notification,
  type NotificationRequest,
  type NotificationStatus,
  notificationRequestSchema,
  type OutboxItem,
  type Template,
} from "./types.js";

/** A notification as operators see it (`list`): where it is in its life, not its content. */
export interface NotificationRecord {
  id: number;
  idempotencyKey: string;
  channel: Channel;
  to: string;
  template: Template;
  alertId: string | null;
  householdId: string | null;
  status: NotificationStatus;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  sentAt: number | null;
  lastError: string | null;
}

export interface ListFilter {
  status?: NotificationStatus;
  alertId?: string;
  householdId?: string;
  /** Only ids below this one (paging, newest first). */
  beforeId?: number;
  limit?: number;
}

export interface OutboxStats {
  /** Notifications not yet sent nor parked (including those planned for later). */
  depth: number;
  /** How long the oldest due notification has been waiting; 0 when none waits. */
  oldestAgeMs: number;
  /** Pending notifications whose last attempt failed. */
  retrying: number;
  parked: number;
}

interface Row {
  id: number;
  idempotency_key: string;
  channel: string;
  recipient: string;
  language: string;
  audience: string;
  template: string;
  data: string;
  alert_id: string | null;
  household_id: string | null;
  status: NotificationStatus;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  sent_at: number | null;
  last_error: string | null;
}

const toRecord = (r: Row): NotificationRecord => ({
  id: r.id,
  idempotencyKey: r.idempotency_key,
  channel: r.channel as Channel,
  to: r.recipient,
  template: r.template as Template,
  alertId: r.alert_id,
  householdId: r.household_id,
  status: r.status,
  attempts: r.attempts,
  createdAt: r.created_at,
  nextAttemptAt: r.next_attempt_at,
  sentAt: r.sent_at,
  lastError: r.last_error,
});

function toItem(r: Row): OutboxItem | string {
  const parsed = notificationRequestSchema.safeParse({
    idempotencyKey: r.idempotency_key,
    channel: r.channel,
    to: r.recipient,
    language: r.language,
    audience: r.audience,
    template: r.template,
    data: JSON.parse(r.data) as unknown,
  });
  if (!parsed.success) return `stored notification no longer valid: ${parsed.error.issues[0]?.message}`;
  return { ...parsed.data, id: r.id, attempts: r.attempts, createdAt: r.created_at };
}

function validate(items: readonly NotificationRequest[]): Notification[] {
  return items.map((item, i) => {
    const parsed = notificationRequestSchema.safeParse(item);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw jinlinError(
      "JINLIN_ERR_INPUT_INVALID",
      `notification ${i}: ${issue?.path.join(".")}: ${issue?.message}`,
    );
  });
}

const MAX_ERROR = 1000;

/**
 * The durable notification outbox. `enqueue` is synchronous so a caller can write the alert
 * transition and its notifications in one transaction: either both survive a crash or neither does.
 * Delivery is at-least-once: a row leaves `pending` only after its sender confirmed it (`markSent`)
 * or gave up on it (`park`); a crash in between sends it again after the restart.
 */
export function createNotificationOutbox(db: Db, clock: Clock) {
  const insert = db.prepare(
    `INSERT INTO notifications (idempotency_key, channel, recipient, language, audience, template, data,
       alert_id, household_id, due_at, next_attempt_at, created_at, updated_at)
     VALUES (@key, @channel, @to, @language, @audience, @template, @data, @alertId, @householdId,
       @dueAt, @dueAt, @now, @now)
     ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  const dueRows = db.prepare<[number, number], Row>(
    `SELECT * FROM notifications WHERE status = 'pending' AND next_attempt_at <= ?
     ORDER BY next_attempt_at, id LIMIT ?`,
  );
  const nextDue = db.prepare<[], { at: number | null }>(
    "SELECT min(next_attempt_at) AS at FROM notifications WHERE status = 'pending'",
  );
  const sent = db.prepare(
    `UPDATE notifications SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL,
       updated_at = ? WHERE id = ? AND status = 'pending'`,
  );
  const failed = db.prepare(
    `UPDATE notifications SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, updated_at = ?
     WHERE id = ? AND status = 'pending'`,
  );
  const parkRow = db.prepare(
    `UPDATE notifications SET status = 'parked', attempts = attempts + ?, last_error = ?, updated_at = ?
     WHERE id = ? AND status = 'pending'`,
  );
  const parkHouseholdRows = db.prepare(
    `UPDATE notifications SET status = 'parked', last_error = ?, updated_at = ?
     WHERE household_id = ? AND status = 'pending'`,
  );
  const unpark = db.prepare(
    `UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
     WHERE id = ? AND status = 'parked'`,
  );
  const pendingStats = db.prepare<[number], { depth: number; oldest: number | null; retrying: number }>(
    `SELECT count(*) AS depth, min(CASE WHEN due_at <= ? THEN due_at END) AS oldest,
       count(CASE WHEN attempts > 0 THEN 1 END) AS retrying
     FROM notifications WHERE status = 'pending'`,
  );
  const parkedCount = db.prepare<[], { n: number }>(
    "SELECT count(*) AS n FROM notifications WHERE status = 'parked'",
  );
  const pruneSent = db.prepare("DELETE FROM notifications WHERE status = 'sent' AND sent_at < ?");

  const insertAll = db.transaction((items: readonly Notification[]) => {
    const now = clock.now();
    let inserted = 0;
    for (const n of items) {
      const alertId = "alertId" in n.data ? n.data.alertId : null;
      inserted += insert.run({
        key: n.idempotencyKey,
        channel: n.channel,
        to: n.to,
        language: n.language,
        audience: n.audience,
        template: n.template,
        data: JSON.stringify(n.data),
        alertId,
        householdId: n.data.householdId,
        dueAt: Math.max(now, n.notBefore ?? now),
        now,
      }).changes;
    }
    return inserted;
  });

  return {
    /**
     * Validates every item (throws JINLIN_ERR_INPUT_INVALID, storing nothing, if one is invalid) and
     * stores the new ones; keys already stored are ignored. Returns how many were new. Runs inside the
     * caller's transaction when there is one (as a savepoint).
     */
    enqueue(items: readonly NotificationRequest[]): number {
      return insertAll(validate(items));
    },

    /** Pending notifications due at `now`, oldest first. Rows that no longer parse are parked here. */
    due(now: number, limit: number): OutboxItem[] {
      const items: OutboxItem[] = [];
      for (const row of dueRows.all(now, limit)) {
        const item = toItem(row);
        if (typeof item === "string") parkRow.run(0, item, clock.now(), row.id);
        else items.push(item);
      }
      return items;
    },

    /** When the next pending notification falls due (epoch ms), or null when none is pending. */
    nextDueAt(): number | null {
      return nextDue.get()?.at ?? null;
    },

    markSent(id: number, at: number): boolean {
      return sent.run(at, clock.now(), id).changes === 1;
    },

    markFailed(id: number, error: string, nextAttemptAt: number): boolean {
      return failed.run(error.slice(0, MAX_ERROR), nextAttemptAt, clock.now(), id).changes === 1;
    },

    /** Gives up on a notification after a failed attempt; it stays listed until an operator retries it. */
    park(id: number, error: string): boolean {
      return parkRow.run(1, error.slice(0, MAX_ERROR), clock.now(), id).changes === 1;
    },

    /**
     * Consent withdrawn (docs/privacy.md): the household's notifications not yet sent are parked with the
     * reason instead of being delivered after the withdrawal. Returns how many.
     */
    parkHousehold(householdId: string, reason: string): number {
      return parkHouseholdRows.run(reason.slice(0, MAX_ERROR), clock.now(), householdId).changes;
    },

    /** Operator action: a parked notification is tried again now, with a fresh attempt count. */
    retry(id: number): boolean {
      const now = clock.now();
      return unpark.run(now, now, id).changes === 1;
    },

    stats(now: number): OutboxStats {
      const p = pendingStats.get(now);
      return {
        depth: p?.depth ?? 0,
        oldestAgeMs: p?.oldest == null ? 0 : Math.max(0, now - p.oldest),
        retrying: p?.retrying ?? 0,
        parked: parkedCount.get()?.n ?? 0,
      };
    },

    /** Newest first. */
    list(filter: ListFilter = {}): NotificationRecord[] {
      const where: string[] = [];
      const params: (string | number)[] = [];
      const add = (sql: string, value: string | number | undefined) => {
        if (value === undefined) return;
        where.push(sql);
        params.push(value);
      };
      add("status = ?", filter.status);
      add("alert_id = ?", filter.alertId);
      add("household_id = ?", filter.householdId);
      add("id < ?", filter.beforeId);
      const limit = Math.min(Math.max(1, filter.limit ?? 100), 1000);
      const sql = `SELECT * FROM notifications ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY id DESC LIMIT ${limit}`;
      return db
        .prepare<(string | number)[], Row>(sql)
        .all(...params)
        .map(toRecord);
    },

    /** Deletes sent notifications older than `before`; their keys are then no longer deduplicated. */
    prune(before: number): number {
      return pruneSent.run(before).changes;
    },
  };
}

export type NotificationOutbox = ReturnType<typeof createNotificationOutbox>;
