import type { RetentionConfig } from "../../core/config.js";
import { READING_KINDS } from "../../core/domain.js";
import type { Db } from "./open.js";

const DAY_MS = 86_400_000;

export interface RetentionReport {
  ranAt: number;
  /** Everything strictly older than these instants was eligible. */
  cutoffs: { readings: number; alerts: number; audit: number; notifications: number };
  deleted: {
    readings: number;
    alerts: number;
    alertEvents: number;
    auditEntries: number;
    notifications: number;
    sessions: number;
  };
  /** Readings past the cutoff kept because rule state or the InfluxDB forwarder has not folded them in yet. */
  readingsHeldBack: number;
}

export interface RetentionOptions {
  retention: RetentionConfig;
  /** InfluxDB forwarding is on: readings the forwarder's cursor has not passed are kept. */
  influxForwarding: boolean;
  /** Rows per transaction; between transactions ingest's group commits get their turn. */
  batchSize?: number;
  /** Waits between batches (default: one turn of the event loop). */
  pause?: () => Promise<void>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Automatic retention (docs/privacy.md): deletes old readings, closed alerts with their events, audit
 * entries, delivered notifications and expired sessions, in small transactions so that ingest is never
 * held up for long. A reading is only deleted once the home's rule state has folded it in
 * (rule_state.last_reading_id, replayed after a restart) and, with InfluxDB, once the forwarder's cursor
 * has passed it (storage/sqlite/influx-outbox.ts).
 */
export function createRetention(db: Db, options: RetentionOptions) {
  const batch = options.batchSize ?? 2_000;
  const pause = options.pause ?? nextTurn;
  const r = options.retention;
  const households = db.prepare<[], { id: string }>("SELECT id FROM households ORDER BY id");
  const influxCursor = db.prepare<[], { last_id: number }>("SELECT last_id FROM influx_cursor WHERE id = 1");
  // readings_household_ts (household_id, kind, ts) serves this without another index on the ingest path.
  const oldReadings = `SELECT id FROM readings WHERE household_id = @home AND kind = @kind AND ts < @cutoff`;
  const folded = `id <= COALESCE((SELECT last_reading_id FROM rule_state WHERE household_id = @home), 0)
    AND id <= @forwarded`;
  const deleteReadings = db.prepare(
    `DELETE FROM readings WHERE id IN (${oldReadings} AND ${folded} LIMIT @limit)`,
  );
  const heldBack = db.prepare<Record<string, string | number>, { n: number }>(
    `SELECT count(*) AS n FROM (${oldReadings} AND NOT (${folded}))`,
  );
  const closedAlerts = db.prepare<[number, number], { id: number }>(
    "SELECT id FROM alerts WHERE closed_at < ? AND status IN ('resolved', 'cleared') LIMIT ?",
  );
  const permit = db.prepare(
    "INSERT INTO deletion_permits (tbl, household_id, before_at) VALUES (?, NULL, ?)",
  );
  const dropPermits = db.prepare("DELETE FROM deletion_permits WHERE household_id IS NULL");
  const deleteEvents = db.prepare(
    "DELETE FROM alert_events WHERE alert_id IN (SELECT value FROM json_each(?))",
  );
  const deleteAlerts = db.prepare("DELETE FROM alerts WHERE id IN (SELECT value FROM json_each(?))");
  const deleteAudit = db.prepare(
    "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? ORDER BY at LIMIT ?)",
  );
  const deleteSent = db.prepare(
    `DELETE FROM notifications WHERE id IN
       (SELECT id FROM notifications WHERE status = 'sent' AND sent_at < ? LIMIT ?)`,
  );
  const deleteSessions = db.prepare(
    "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions WHERE expires_at < ? LIMIT ?)",
  );

  const alertBatch = db.transaction((cutoff: number) => {
    const ids = closedAlerts.all(cutoff, batch).map((a) => a.id);
    if (ids.length === 0) return { alerts: 0, events: 0 };
    permit.run("alert_events", cutoff + 1);
    const events = deleteEvents.run(JSON.stringify(ids)).changes;
    dropPermits.run();
    return { alerts: deleteAlerts.run(JSON.stringify(ids)).changes, events };
  });
  const auditBatch = db.transaction((cutoff: number) => {
    permit.run("audit_log", cutoff);
    const n = deleteAudit.run(cutoff, batch).changes;
    dropPermits.run();
    return n;
  });

  /** Runs `step` (one transaction) until it deletes less than a batch, pausing between transactions. */
  async function drain(step: () => number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = step();
      total += n;
      if (n < batch) return total;
      await pause();
    }
  }

  return {
    async run(now: number): Promise<RetentionReport> {
      const cutoffs = {
        readings: now - r.readingsDays * DAY_MS,
        alerts: now - r.alertsDays * DAY_MS,
        audit: now - r.auditDays * DAY_MS,
        notifications: now - r.notificationsDays * DAY_MS,
      };
      const deleted = {
        readings: 0,
        alerts: 0,
        alertEvents: 0,
        auditEntries: 0,
        notifications: 0,
        sessions: 0,
      };
      let readingsHeldBack = 0;
      for (const { id: home } of households.all()) {
        for (const kind of READING_KINDS) {
          const forwarded = options.influxForwarding
            ? (influxCursor.get()?.last_id ?? 0)
            : Number.MAX_SAFE_INTEGER;
          const params = { home, kind, cutoff: cutoffs.readings, forwarded };
          deleted.readings += await drain(() => deleteReadings.run({ ...params, limit: batch }).changes);
          readingsHeldBack += heldBack.get(params)?.n ?? 0;
        }
        // Thousands of homes with nothing to delete still take time: let ingest in between homes.
        await pause();
      }
      deleted.alerts = await drain(() => {
        const b = alertBatch.immediate(cutoffs.alerts);
        deleted.alertEvents += b.events;
        return b.alerts;
      });
      deleted.auditEntries = await drain(() => auditBatch.immediate(cutoffs.audit));
      deleted.notifications = await drain(() => deleteSent.run(cutoffs.notifications, batch).changes);
      deleted.sessions = await drain(() => deleteSessions.run(now, batch).changes);
      return { ranAt: now, cutoffs, deleted, readingsHeldBack };
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
