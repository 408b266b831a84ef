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
];
