import type { Db } from "./open.js";

export interface HomeActivity {
  /** Event time of the newest water reading that showed consumption. */
  lastWaterUseAt: number | null;
  waterLitersToday: number;
  /** Newest reading of any kind but heartbeat. */
  lastActivityAt: number | null;
  alertsThisMonth: number;
  openAlerts: number;
  devices: number;
  silentDevices: number;
}

export interface DeviceHealthRow {
  deviceId: string;
  householdId: string;
  kind: string;
  lastSeenAt: number | null;
  revokedAt: number | null;
  battery: number | null;
  batteryAt: number | null;
}

/** One alert as response-time metrics see it. */
export interface ResponseRow {
  alertId: number;
  gridId: number;
  gridPath: string;
  createdAt: number;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
  visitingAt: number | null;
  arrivedAt: number | null;
  closedAt: number | null;
}

const inList = (ids: string[]) => ids.map(() => "?").join(", ");

/** Read models for the dashboard: a home's day at a glance, device health, response times. */
export function createDashboardReports(db: Db) {
  return {
    homeActivity(
      householdId: string,
      at: { dayStart: number; monthStart: number; silentBefore: number },
    ): HomeActivity {
      const water = db
        .prepare<[{ h: string; since: number }], { last: number | null; liters: number | null }>(
          `SELECT (SELECT max(ts) FROM readings WHERE household_id = @h AND kind = 'water' AND consumed_l > 0) AS last,
                  (SELECT sum(consumed_l) FROM readings WHERE household_id = @h AND kind = 'water' AND ts >= @since) AS liters`,
        )
        .get({ h: householdId, since: at.dayStart });
      const activity = db
        .prepare<[string], { last: number | null }>(
          "SELECT max(ts) AS last FROM readings WHERE household_id = ? AND kind <> 'heartbeat'",
        )
        .get(householdId);
      const alerts = db
        .prepare<[number, string], { since: number; open: number }>(
          `SELECT count(*) FILTER (WHERE created_at >= ?) AS since,
                  count(*) FILTER (WHERE status IN ('open', 'acknowledged', 'visiting')) AS open
           FROM alerts WHERE household_id = ?`,
        )
        .get(at.monthStart, householdId);
      const devices = db
        .prepare<[number, string], { n: number; silent: number }>(
          `SELECT count(*) AS n, count(*) FILTER (WHERE coalesce(last_seen_at, 0) < ?) AS silent
           FROM devices WHERE household_id = ? AND revoked_at IS NULL`,
        )
        .get(at.silentBefore, householdId);
      return {
        lastWaterUseAt: water?.last ?? null,
        waterLitersToday: Math.round((water?.liters ?? 0) * 10) / 10,
        lastActivityAt: activity?.last ?? null,
        alertsThisMonth: alerts?.since ?? 0,
        openAlerts: alerts?.open ?? 0,
        devices: devices?.n ?? 0,
        silentDevices: devices?.silent ?? 0,
      };
    },

    deviceHealth(householdIds: string[] | "all"): DeviceHealthRow[] {
      if (householdIds !== "all" && householdIds.length === 0) return [];
      const where = householdIds === "all" ? "" : `WHERE d.household_id IN (${inList(householdIds)})`;
      // SQLite returns the other columns of the row that holds max(ts) (documented "bare column" rule).
      const sql = `SELECT d.id AS deviceId, d.household_id AS householdId, d.kind, d.last_seen_at AS lastSeenAt,
          d.revoked_at AS revokedAt, json_extract(hb.fields, '$.battery') AS battery, hb.ts AS batteryAt
        FROM devices d LEFT JOIN (
          SELECT device_id, fields, max(ts) AS ts FROM readings
          WHERE kind = 'heartbeat' AND json_extract(fields, '$.battery') IS NOT NULL GROUP BY device_id
        ) hb ON hb.device_id = d.id ${where} ORDER BY d.household_id, d.id`;
      return db.prepare<string[], DeviceHealthRow>(sql).all(...(householdIds === "all" ? [] : householdIds));
    },

    responseRows(householdIds: string[] | "all", from: number, to: number): ResponseRow[] {
      if (householdIds !== "all" && householdIds.length === 0) return [];
      const scope = householdIds === "all" ? "" : `AND a.household_id IN (${inList(householdIds)})`;
      // A resident check-in (docs/notifications.md) delays dispatch: workers answer from the moment they were
      // told, and alerts nobody was told of (answered "OK", cleared, or still waiting) are not theirs to answer.
      const sql = `SELECT a.id AS alertId, g.id AS gridId, g.path AS gridPath,
          CASE WHEN json_extract(a.checkin, '$.result') IN ('no_answer', 'help')
            THEN json_extract(a.checkin, '$.endedAt') ELSE a.created_at END AS createdAt,
          a.acknowledged_by AS acknowledgedBy, a.acknowledged_at AS acknowledgedAt, a.visiting_at AS visitingAt,
          (SELECT min(e.at) FROM alert_events e WHERE e.alert_id = a.id AND e.action = 'arrived') AS arrivedAt,
          a.closed_at AS closedAt
        FROM alerts a JOIN households h ON h.id = a.household_id JOIN grids g ON g.id = h.grid_id
        WHERE a.created_at >= ? AND a.created_at < ? ${scope}
          AND (a.checkin IS NULL OR json_extract(a.checkin, '$.result') NOT IN ('ok', 'cleared'))
        ORDER BY a.id`;
      return db
        .prepare<(string | number)[], ResponseRow>(sql)
        .all(from, to, ...(householdIds === "all" ? [] : householdIds));
    },
  };
}

export type DashboardReports = ReturnType<typeof createDashboardReports>;
