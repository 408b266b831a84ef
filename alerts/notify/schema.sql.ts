/**
 * The notification outbox, to be appended to storage/sqlite/migrations.ts as one migration.
 * One row per idempotency key (UNIQUE: enqueueing the same key again is ignored). Rows are kept after
 * sending so that a late duplicate is still recognised; `prune` removes old sent rows.
 */
export const NOTIFY_MIGRATION = `
  CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient TEXT NOT NULL,
    language TEXT NOT NULL,
    audience TEXT NOT NULL,
    template TEXT NOT NULL,
    data TEXT NOT NULL,
    alert_id TEXT,
    household_id TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'parked')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- when it was first due: max(created_at, notBefore); the age of the oldest one waiting is measured from it
    due_at INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    sent_at INTEGER,
    last_error TEXT
  );
  CREATE INDEX notifications_due ON notifications(next_attempt_at) WHERE status = 'pending';
  CREATE INDEX notifications_alert ON notifications(alert_id) WHERE alert_id IS NOT NULL;
  CREATE INDEX notifications_household ON notifications(household_id, id);
  CREATE INDEX notifications_status ON notifications(status, id);
`;
