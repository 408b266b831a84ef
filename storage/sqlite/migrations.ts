import { NOTIFY_MIGRATION } from "../../alerts/notify/schema.sql.js";
/**
 * Versioned migrations, applied in order inside one transaction each; PRAGMA user_version records the last.
 * Never edit a released migration: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: registry and readings
  `
  CREATE TABLE grids (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES grids(id),
    path TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    level TEXT NOT NULL
  );
  CREATE TABLE households (
    id TEXT PRIMARY KEY,
    resident TEXT NOT NULL,
    address TEXT NOT NULL,
    grid_id INTEGER NOT NULL REFERENCES grids(id),
    timezone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    emergency_contacts TEXT NOT NULL DEFAULT '[]',
    consent INTEGER NOT NULL DEFAULT 0,
    language TEXT NOT NULL DEFAULT 'zh-CN',
    created_at INTEGER NOT NULL
  );
  CREATE INDEX households_grid ON households(grid_id);
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    kind TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX devices_household ON devices(household_id);
  CREATE TABLE readings (
    id INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    ts INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    value REAL,
    fields TEXT NOT NULL,
    consumed_l REAL,
    register_reset INTEGER NOT NULL DEFAULT 0
  );
  -- [protocol: a redelivered reading (same device, kind, ts) is stored once]
  CREATE UNIQUE INDEX readings_identity ON readings(device_id, kind, ts);
  CREATE INDEX readings_household_ts ON readings(household_id, kind, ts);
  `,
  // 2: InfluxDB forwarding: a cursor over readings.id (nothing extra written on the ingest path) and the
  // lines InfluxDB rejected, parked for operators. See docs/influxdb.md.
  `
  CREATE TABLE influx_cursor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE influx_parked (
    reading_id INTEGER PRIMARY KEY,
    line TEXT NOT NULL,
    status INTEGER NOT NULL,
    error TEXT NOT NULL,
    parked_at INTEGER NOT NULL
  );
  `,
  // 3: people (contact and role; accounts come with the dashboard), who answers for which grid, families,
  // alerts with an append-only audit trail, persisted rule state, planned absences
  `
  CREATE TABLE people (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'worker', 'family')),
    email TEXT,
    phone TEXT,
    language TEXT NOT NULL DEFAULT 'zh-CN',
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
  );
  CREATE TABLE grid_assignments (
    person_id TEXT NOT NULL REFERENCES people(id),
    grid_id INTEGER NOT NULL REFERENCES grids(id),
    duty TEXT NOT NULL CHECK (duty IN ('primary', 'backup', 'supervisor')),
    PRIMARY KEY (person_id, grid_id)
  );
  CREATE INDEX grid_assignments_grid ON grid_assignments(grid_id);
  CREATE TABLE household_family (
    person_id TEXT NOT NULL REFERENCES people(id),
    household_id TEXT NOT NULL REFERENCES households(id),
    relation TEXT,
    notify INTEGER NOT NULL DEFAULT 1,
    daily_summary INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (person_id, household_id)
  );
  CREATE INDEX household_family_household ON household_family(household_id);
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'visiting', 'resolved', 'cleared')),
    raised_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at INTEGER,
    visiting_at INTEGER,
    closed_at INTEGER,
    outcome TEXT,
    note TEXT,
    escalation_level INTEGER NOT NULL DEFAULT 0,
    next_action_at INTEGER,
    evidence TEXT NOT NULL
  );
  -- At most one open alert per home and rule.
  CREATE UNIQUE INDEX alerts_one_open ON alerts(household_id, rule) WHERE status IN ('open', 'acknowledged', 'visiting');
  CREATE INDEX alerts_household ON alerts(household_id, created_at);
  CREATE INDEX alerts_next_action ON alerts(next_action_at) WHERE next_action_at IS NOT NULL;
  CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    detail TEXT
  );
  CREATE INDEX alert_events_alert ON alert_events(alert_id, id);
  CREATE TRIGGER alert_events_append_only_u BEFORE UPDATE ON alert_events BEGIN SELECT RAISE(ABORT, 'alert_events is append-only'); END;
  CREATE TRIGGER alert_events_append_only_d BEFORE DELETE ON alert_events BEGIN SELECT RAISE(ABORT, 'alert_events is append-only'); END;
  CREATE TABLE rule_state (
    household_id TEXT PRIMARY KEY REFERENCES households(id),
    state TEXT NOT NULL,
    -- readings.id of the newest reading folded into state: a restart replays what came after it
    last_reading_id INTEGER NOT NULL DEFAULT 0,
    deadline INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    from_ts INTEGER NOT NULL,
    to_ts INTEGER NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    cancelled_at INTEGER
  );
  CREATE INDEX absences_household ON absences(household_id, to_ts);
  `,
  // 4: dashboard accounts (login, scrypt password hash, lockout), sessions (only a hash of the id is
  // stored), what a household's carers need beyond the registry (phone, health notes, how to get in),
  // family registration requests, and the audit log of who viewed or changed a household.
  `
  ALTER TABLE people ADD COLUMN login TEXT;
  ALTER TABLE people ADD COLUMN password_hash TEXT;
  ALTER TABLE people ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE people ADD COLUMN locked_until INTEGER;
  ALTER TABLE people ADD COLUMN password_changed_at INTEGER;
  CREATE UNIQUE INDEX people_login ON people(lower(login)) WHERE login IS NOT NULL;
  CREATE TABLE sessions (
    id_hash BLOB PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES people(id),
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_person ON sessions(person_id);
  CREATE TABLE household_profiles (
    household_id TEXT PRIMARY KEY REFERENCES households(id),
    phone TEXT,
    health_notes TEXT,
    access_notes TEXT,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
  );
  CREATE TABLE registration_requests (
    id TEXT PRIMARY KEY,
    family_person_id TEXT NOT NULL REFERENCES people(id),
    grid_id INTEGER NOT NULL REFERENCES grids(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    details TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    decided_at INTEGER,
    decided_by TEXT,
    decision_note TEXT,
    household_id TEXT REFERENCES households(id)
  );
  CREATE INDEX registration_requests_grid ON registration_requests(grid_id, status);
  CREATE INDEX registration_requests_family ON registration_requests(family_person_id);
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('view', 'change')),
    household_id TEXT,
    what TEXT NOT NULL,
    detail TEXT
  );
  CREATE INDEX audit_log_household ON audit_log(household_id, at);
  CREATE INDEX audit_log_actor ON audit_log(actor, at);
  CREATE TRIGGER audit_log_append_only_u BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  `,
  // 5: the notification outbox (alerts/notify/schema.sql.ts)
  NOTIFY_MIGRATION,
  // 6: rule parameters per scope (global, grid, household) set by operators or learned from outcomes,
  // with an append-only history so every change is explainable and reversible.
  `
  CREATE TABLE rule_settings (
    scope TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('operator', 'learned')),
    params TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL,
    PRIMARY KEY (scope, source)
  );
  CREATE TABLE rule_settings_history (
    id INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    source TEXT NOT NULL,
    params TEXT,
    reason TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL
  );
  CREATE TRIGGER rule_settings_history_append_only_u BEFORE UPDATE ON rule_settings_history BEGIN SELECT RAISE(ABORT, 'append-only'); END;
  CREATE TRIGGER rule_settings_history_append_only_d BEFORE DELETE ON rule_settings_history BEGIN SELECT RAISE(ABORT, 'append-only'); END;
  `,
  // 7: finding an alert by the event that raised it (a replay after a crash must not raise it twice)
  `CREATE INDEX alerts_raise ON alerts(household_id, rule, raised_at);`,
  // 8: resident check-in before dispatch: per-home setting (off unless a row says so), and the alert's
  // check-in (JSON: until, channels, result) while the resident is asked first (docs/notifications.md)
  `
  ALTER TABLE alerts ADD COLUMN checkin TEXT;
  CREATE TABLE checkin_settings (
    household_id TEXT PRIMARY KEY REFERENCES households(id),
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    minutes INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 120),
    channels TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    changed_at INTEGER NOT NULL
  );
  `,
  // 9: personal-data erase and retention (docs/privacy.md). The append-only tables stay append-only, except
  // for the rows a permit names, written and removed inside the same transaction as the deletion.
  `
  CREATE TABLE deletion_permits (
    tbl TEXT NOT NULL,
    household_id TEXT,
    before_at INTEGER
  );
  DROP TRIGGER audit_log_append_only_d;
  CREATE TRIGGER audit_log_append_only_d BEFORE DELETE ON audit_log
    WHEN NOT EXISTS (SELECT 1 FROM deletion_permits p WHERE p.tbl = 'audit_log'
      AND (p.household_id = OLD.household_id OR OLD.at < p.before_at))
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  DROP TRIGGER alert_events_append_only_d;
  CREATE TRIGGER alert_events_append_only_d BEFORE DELETE ON alert_events
    WHEN NOT EXISTS (SELECT 1 FROM deletion_permits p WHERE p.tbl = 'alert_events'
      AND (p.household_id = (SELECT a.household_id FROM alerts a WHERE a.id = OLD.alert_id) OR OLD.at < p.before_at))
    BEGIN SELECT RAISE(ABORT, 'alert_events is append-only'); END;
  DROP TRIGGER rule_settings_history_append_only_d;
  CREATE TRIGGER rule_settings_history_append_only_d BEFORE DELETE ON rule_settings_history
    WHEN NOT EXISTS (SELECT 1 FROM deletion_permits p WHERE p.tbl = 'rule_settings_history'
      AND 'household:' || p.household_id = OLD.scope)
    BEGIN SELECT RAISE(ABORT, 'append-only'); END;
  CREATE INDEX alerts_closed ON alerts(closed_at) WHERE closed_at IS NOT NULL;
  CREATE INDEX audit_log_at ON audit_log(at);
  CREATE INDEX sessions_expires ON sessions(expires_at);
  `,
  // 10: why an alert was cleared other than by its rule (JSON: a planned absence recorded while it was open,
  // with who recorded it), shown beside "cleared" (docs/notifications.md)
  `
  ALTER TABLE alerts ADD COLUMN cleared_reason TEXT;
  `,
  // 11: monitoring paused while consent is withdrawn (PIPL art. 15): one row per pause, to_ts NULL while it
  // lasts; the rules treat a past pause like a planned absence (docs/privacy.md, "Withdrawing consent")
  `
  CREATE TABLE monitoring_pauses (
    id INTEGER PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households(id),
    from_ts INTEGER NOT NULL,
    paused_by TEXT NOT NULL,
    to_ts INTEGER,
    resumed_by TEXT
  );
  CREATE UNIQUE INDEX monitoring_pauses_open ON monitoring_pauses(household_id) WHERE to_ts IS NULL;
  CREATE INDEX monitoring_pauses_household ON monitoring_pauses(household_id, to_ts);
  `,
];
