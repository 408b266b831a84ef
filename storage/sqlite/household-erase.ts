import { jinlinError } from "../../core/errors.js";
import { householdTables } from "./household-export.js";
import type { Db } from "./open.js";

export interface EraseResult {
  householdId: string;
  /** Devices that belonged to the household: revoked, deleted, and to be disconnected by the caller. */
  deviceIds: string[];
  /** Anonymous counts of what was deleted (kept in the audit entry). */
  deleted: Record<string, number>;
}

export interface EraseOptions {
  /** Who erased it: a person id, or `cli` for `jinlin household erase`. */
  actor: string;
  now: number;
  /** Readings deleted per transaction before the rest goes in one transaction. */
  batchSize?: number;
  pause?: () => Promise<void>;
  /** Called once the devices are revoked: disconnect them, let accepted readings reach the store. */
  afterRevoke?(deviceIds: string[]): Promise<void>;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Erases one household (PIPL art. 47, GDPR art. 17): its devices are revoked first (a connected device is
 * refused from then on), its readings deleted in small transactions so ingest keeps flowing, then every
 * other row about it in one transaction: the resident's record, profile, family links, registrations,
 * alerts with their events, absences, notifications, rule settings, learned state and the audit entries
 * about it. What stays is one audit entry saying that an erase happened, by whom, with anonymous counts.
 * Irreversible. Rows of other households are never touched (every statement is keyed by this id).
 */
export async function eraseHousehold(db: Db, householdId: string, opts: EraseOptions): Promise<EraseResult> {
  const batch = opts.batchSize ?? 2_000;
  const pause = opts.pause ?? nextTurn;
  const exists = db.prepare<[string], { id: string }>("SELECT id FROM households WHERE id = ?");
  if (!exists.get(householdId)) throw jinlinError("JINLIN_ERR_HOUSEHOLD_NOT_FOUND");
  const deviceIds = db
    .prepare<[string], { id: string }>("SELECT id FROM devices WHERE household_id = ? ORDER BY id")
    .all(householdId)
    .map((d) => d.id);
  db.prepare("UPDATE devices SET revoked_at = ? WHERE household_id = ? AND revoked_at IS NULL").run(
    opts.now,
    householdId,
  );
  await opts.afterRevoke?.(deviceIds);

  const deleteReadings = db.prepare(
    "DELETE FROM readings WHERE id IN (SELECT id FROM readings WHERE household_id = ? LIMIT ?)",
  );
  let readings = 0;
  for (;;) {
    const n = deleteReadings.run(householdId, batch).changes;
    readings += n;
    if (n < batch) break;
    await pause();
  }

  const rest = db.transaction(() => {
    const deleted: Record<string, number> = { readings };
    const run = (name: string, sql: string, ...params: unknown[]) => {
      deleted[name] = (deleted[name] ?? 0) + db.prepare(sql).run(...params).changes;
    };
    const permit = db.prepare("INSERT INTO deletion_permits (tbl, household_id) VALUES (?, ?)");
    for (const t of ["audit_log", "alert_events", "rule_settings_history"]) permit.run(t, householdId);
    // Readings stored between the batches above and this transaction (a device still connected).
    run("readings", "DELETE FROM readings WHERE household_id = ?", householdId);
    run(
      "alertEvents",
      "DELETE FROM alert_events WHERE alert_id IN (SELECT id FROM alerts WHERE household_id = ?)",
      householdId,
    );
    run(
      "notifications",
      `DELETE FROM notifications WHERE household_id = ?
         OR alert_id IN (SELECT CAST(id AS TEXT) FROM alerts WHERE household_id = ?)`,
      householdId,
      householdId,
    );
    const scope = `household:${householdId}`;
    run("ruleSettings", "DELETE FROM rule_settings WHERE scope = ?", scope);
    run("ruleSettingsHistory", "DELETE FROM rule_settings_history WHERE scope = ?", scope);
    // Every table keyed by household_id (new ones included), children before the households row.
    for (const t of householdTables(db).filter((x) => x !== "deletion_permits" && x !== "households"))
      run(t, `DELETE FROM "${t}" WHERE household_id = ?`, householdId);
    run("households", "DELETE FROM households WHERE id = ?", householdId);
    db.prepare("DELETE FROM deletion_permits WHERE household_id = ?").run(householdId);
    const counts = Object.fromEntries(Object.entries(deleted).filter(([, n]) => n > 0));
    db.prepare(
      "INSERT INTO audit_log (at, actor, action, household_id, what, detail) VALUES (?, ?, 'change', ?, 'ERASE household', ?)",
    ).run(opts.now, opts.actor, householdId, JSON.stringify({ erased: true, deleted: counts }));
    return counts;
  });
  const deleted = rest.immediate();
  return { householdId, deviceIds, deleted };
}
