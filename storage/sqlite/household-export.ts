import { jinlinError } from "../../core/errors.js";
import type { Db } from "./open.js";

/** Columns that never leave the store: credentials and their hashes. */
const SECRET_COLUMNS = new Set(["secret_hash", "password_hash", "id_hash"]);
/** Columns that hold JSON: exported as values, not as strings. */
const JSON_COLUMNS = new Set([
  "emergency_contacts",
  "fields",
  "evidence",
  "details",
  "data",
  "state",
  "params",
  "detail",
  "checkin",
  "channels",
]);

type Row = Record<string, unknown>;

const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

function clean(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    if (SECRET_COLUMNS.has(k)) continue;
    let value = v;
    if (JSON_COLUMNS.has(k) && typeof v === "string") {
      try {
        value = JSON.parse(v);
      } catch {
        value = v;
      }
    }
    out[camel(k)] = value;
  }
  return out;
}

/** Tables with a household_id column: the erase deletes from each, the export includes each. */
export function householdTables(db: Db): string[] {
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .all()
    .map((t) => t.name);
  return tables.filter((t) =>
    db
      .prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${t.replaceAll("'", "''")}')`)
      .all()
      .some((c) => c.name === "household_id"),
  );
}

/** Sections the export names explicitly; any other table with a household_id lands under `other`. */
const NAMED = new Set([
  "readings",
  "devices",
  "alerts",
  "absences",
  "notifications",
  "household_family",
  "household_profiles",
  "registration_requests",
  "audit_log",
  "rule_state",
  "deletion_permits",
]);

/**
 * Everything Jinlin holds about one household (PIPL art. 45, GDPR arts. 15 and 20), as one JSON document:
 * the resident's record and consent, the carers' profile, family members and their contact details,
 * registration requests, devices (never their secrets), every reading, alerts with their events and
 * outcomes, absences, notifications sent about it, rule settings and learned state, and the audit log.
 */
export function exportHousehold(db: Db, householdId: string, now: number) {
  const all = (sql: string, ...params: unknown[]) => (db.prepare(sql).all(...params) as Row[]).map(clean);
  const household = all("SELECT * FROM households WHERE id = ?", householdId)[0];
  if (!household) throw jinlinError("JINLIN_ERR_HOUSEHOLD_NOT_FOUND");
  const read = db.transaction(() => {
    const alertEvents = new Map<number, Row[]>();
    for (const e of all(
      "SELECT e.* FROM alert_events e JOIN alerts a ON a.id = e.alert_id WHERE a.household_id = ? ORDER BY e.id",
      householdId,
    )) {
      const list = alertEvents.get(e.alertId as number) ?? [];
      list.push(e);
      alertEvents.set(e.alertId as number, list);
    }
    const other: Record<string, Row[]> = {};
    for (const t of householdTables(db).filter((x) => !NAMED.has(x)))
      other[camel(t)] = all(`SELECT * FROM "${t}" WHERE household_id = ?`, householdId);
    const scope = `household:${householdId}`;
    return {
      format: "jinlin-household-export",
      version: 1,
      exportedAt: new Date(now).toISOString(),
      householdId,
      household,
      consent: { given: household.consent === 1 },
      profile: all("SELECT * FROM household_profiles WHERE household_id = ?", householdId)[0] ?? null,
      family: all(
        `SELECT p.id AS person_id, p.name, p.email, p.phone, p.language, f.relation, f.notify, f.daily_summary
         FROM household_family f JOIN people p ON p.id = f.person_id WHERE f.household_id = ? ORDER BY p.id`,
        householdId,
      ),
      registrations: all(
        "SELECT * FROM registration_requests WHERE household_id = ? ORDER BY created_at",
        householdId,
      ),
      devices: all("SELECT * FROM devices WHERE household_id = ? ORDER BY id", householdId),
      readings: all(
        `SELECT id, device_id, kind, ts, received_at, value, fields, consumed_l, register_reset
         FROM readings WHERE household_id = ? ORDER BY ts, id`,
        householdId,
      ),
      alerts: all("SELECT * FROM alerts WHERE household_id = ? ORDER BY id", householdId).map((a) => ({
        ...a,
        events: alertEvents.get(a.id as number) ?? [],
      })),
      absences: all("SELECT * FROM absences WHERE household_id = ? ORDER BY from_ts", householdId),
      notifications: all(
        `SELECT id, channel, recipient, language, audience, template, data, alert_id, status, attempts, created_at, sent_at
         FROM notifications WHERE household_id = ? ORDER BY id`,
        householdId,
      ),
      ruleSettings: all("SELECT * FROM rule_settings WHERE scope = ?", scope),
      ruleSettingsHistory: all("SELECT * FROM rule_settings_history WHERE scope = ? ORDER BY id", scope),
      ruleState: all("SELECT * FROM rule_state WHERE household_id = ?", householdId)[0] ?? null,
      audit: all("SELECT * FROM audit_log WHERE household_id = ? ORDER BY id", householdId),
      other,
    };
  });
  return read.deferred();
}

export type HouseholdExport = ReturnType<typeof exportHousehold>;

/** The family members whose approved registration created the household (they may export it). */
export function householdRegistrants(db: Db, householdId: string): string[] {
  return db
    .prepare<[string], { p: string }>(
      "SELECT family_person_id AS p FROM registration_requests WHERE household_id = ? AND status = 'approved'",
    )
    .all(householdId)
    .map((r) => r.p);
}
