import type { Interval } from "../../alerts/engine/types.js";
import type { Reading, ReadingKind } from "../../core/domain.js";
import type { Db } from "./open.js";

export interface SavedRuleState {
  householdId: string;
  state: string;
  lastReadingId: number;
  deadline: number | null;
}

/** Persisted rule state per home, and what the alert service needs to rebuild it after a restart. */
export function createRuleStateStore(db: Db, now: () => number) {
  const load = db.prepare<[string], { state: string; last_reading_id: number; deadline: number | null }>(
    "SELECT state, last_reading_id, deadline FROM rule_state WHERE household_id = ?",
  );
  const upsert = db.prepare(
    // A home erased while its rules were in memory (storage/sqlite/household-erase.ts) is not written back.
    `INSERT INTO rule_state (household_id, state, last_reading_id, deadline, updated_at)
     SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM households WHERE id = ?)
     ON CONFLICT (household_id) DO UPDATE SET state = excluded.state, last_reading_id = excluded.last_reading_id,
       deadline = excluded.deadline, updated_at = excluded.updated_at`,
  );
  const after = db.prepare<
    [string, number],
    { id: number; device_id: string; kind: ReadingKind; ts: number; fields: string }
  >("SELECT id, device_id, kind, ts, fields FROM readings WHERE household_id = ? AND id > ? ORDER BY id");
  const absences = db.prepare<[string, number], { from_ts: number; to_ts: number }>(
    "SELECT from_ts, to_ts FROM absences WHERE household_id = ? AND cancelled_at IS NULL AND to_ts > ? ORDER BY from_ts",
  );
  const saveMany = db.transaction((rows: SavedRuleState[]) => {
    const at = now();
    for (const r of rows) upsert.run(r.householdId, r.state, r.lastReadingId, r.deadline, at, r.householdId);
  });
  return {
    load(householdId: string): SavedRuleState | undefined {
      const r = load.get(householdId);
      return r
        ? { householdId, state: r.state, lastReadingId: r.last_reading_id, deadline: r.deadline }
        : undefined;
    },
    /**
     * Rule state need not survive a power cut by itself: after one, the rules fold in every reading stored after
     * the saved lastReadingId. So its commits skip the fsync (synchronous=NORMAL for this transaction; WAL keeps
     * them in order, and the next readings' commit, synchronous=FULL, makes them durable with it).
     */
    save(rows: SavedRuleState[]): void {
      if (rows.length === 0) return;
      const sync = db.pragma("synchronous", { simple: true }) as number;
      if (sync > 1) db.pragma("synchronous = NORMAL");
      try {
        saveMany.immediate(rows);
      } finally {
        if (sync > 1) db.pragma(`synchronous = ${sync}`);
      }
    },
    deadlines(): { householdId: string; deadline: number }[] {
      return db
        .prepare<[], { household_id: string; deadline: number }>(
          "SELECT household_id, deadline FROM rule_state WHERE deadline IS NOT NULL",
        )
        .all()
        .map((r) => ({ householdId: r.household_id, deadline: r.deadline }));
    },
    /** Readings of a home stored after `afterId`, oldest first (what a restart must fold in again). */
    readingsAfter(householdId: string, afterId: number): { id: number; reading: Reading }[] {
      return after.all(householdId, afterId).map((r) => ({
        id: r.id,
        reading: { deviceId: r.device_id, kind: r.kind, ts: r.ts, fields: JSON.parse(r.fields) } as Reading,
      }));
    },
    absences(householdId: string, since: number): Interval[] {
      return absences.all(householdId, since).map((r) => ({ from: r.from_ts, to: r.to_ts }));
    },
  };
}

export type RuleStateStore = ReturnType<typeof createRuleStateStore>;
