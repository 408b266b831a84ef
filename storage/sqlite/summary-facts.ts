import type { Db } from "./open.js";

/** What a family's daily "all is well" summary says, from the store. */
export function createSummaryFacts(db: Db) {
  const optedIn = db.prepare<[], { id: string; timezone: string }>(
    "SELECT DISTINCT h.id, h.timezone FROM households h JOIN household_family f ON f.household_id = h.id WHERE f.daily_summary = 1",
  );
  const recipients = db.prepare<[string], { id: string; email: string | null; language: "zh-CN" | "en" }>(
    `SELECT p.id, p.email, p.language FROM people p JOIN household_family f ON f.person_id = p.id
     WHERE f.household_id = ? AND f.daily_summary = 1 AND p.disabled_at IS NULL`,
  );
  const lastUse = db.prepare<[string, number], { ts: number | null }>(
    "SELECT max(ts) AS ts FROM readings WHERE household_id = ? AND kind = 'water' AND consumed_l > 0 AND ts < ?",
  );
  const water = db.prepare<[string, number, number], { liters: number | null; n: number }>(
    "SELECT sum(consumed_l) AS liters, count(*) AS n FROM readings WHERE household_id = ? AND kind = 'water' AND ts >= ? AND ts < ?",
  );
  // An alert the resident answered "OK" to, or that cleared while they were being asked, was never sent to
  // anybody (docs/notifications.md): the summary must not tell family they were informed of it.
  const alerts = db.prepare<[string, number, number], { n: number }>(
    `SELECT count(*) AS n FROM alerts WHERE household_id = ? AND created_at >= ? AND created_at < ?
       AND coalesce(json_extract(checkin, '$.result'), '') NOT IN ('ok', 'cleared')`,
  );
  const silent = db.prepare<[string], { n: number }>(
    "SELECT count(*) AS n FROM alerts WHERE household_id = ? AND rule = 'no_data' AND status IN ('open', 'acknowledged', 'visiting')",
  );
  return {
    optedIn: () => optedIn.all(),
    recipients: (householdId: string) => recipients.all(householdId),
    facts(householdId: string, from: number, to: number) {
      const w = water.get(householdId, from, to);
      return {
        lastActivityAt: lastUse.get(householdId, to)?.ts ?? null,
        // No water reading at all today is "no data", not "0 litres".
        waterLiters: w && w.n > 0 ? Math.round((w.liters ?? 0) * 10) / 10 : null,
        alerts: alerts.get(householdId, from, to)?.n ?? 0,
        devicesOk: (silent.get(householdId)?.n ?? 0) === 0,
      };
    },
  };
}

export type SummaryFacts = ReturnType<typeof createSummaryFacts>;
