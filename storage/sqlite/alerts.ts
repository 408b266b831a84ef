import type { Alert, AlertEvent, AlertStatus, AlertStore } from "../../alerts/alert-types.js";
import type { RuleId } from "../../alerts/engine/types.js";
import { jinlinError } from "../../core/errors.js";
import type { Db } from "./open.js";

interface AlertRow {
  id: number;
  household_id: string;
  rule: string;
  severity: string;
  status: string;
  raised_at: number;
  created_at: number;
  updated_at: number;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
  visiting_at: number | null;
  closed_at: number | null;
  outcome: string | null;
  note: string | null;
  escalation_level: number;
  next_action_at: number | null;
  evidence: string;
  checkin: string | null;
  cleared_reason: string | null;
}

const COLUMNS: Record<keyof Omit<Alert, "id">, string> = {
  householdId: "household_id",
  rule: "rule",
  severity: "severity",
  status: "status",
  raisedAt: "raised_at",
  createdAt: "created_at",
  updatedAt: "updated_at",
  acknowledgedBy: "acknowledged_by",
  acknowledgedAt: "acknowledged_at",
  visitingAt: "visiting_at",
  closedAt: "closed_at",
  outcome: "outcome",
  note: "note",
  escalationLevel: "escalation_level",
  nextActionAt: "next_action_at",
  evidence: "evidence",
  checkIn: "checkin",
  clearReason: "cleared_reason",
};

const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  householdId: r.household_id,
  rule: r.rule as RuleId,
  severity: r.severity as Alert["severity"],
  status: r.status as AlertStatus,
  raisedAt: r.raised_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: r.acknowledged_at,
  visitingAt: r.visiting_at,
  closedAt: r.closed_at,
  outcome: r.outcome as Alert["outcome"],
  note: r.note,
  escalationLevel: r.escalation_level,
  nextActionAt: r.next_action_at,
  evidence: JSON.parse(r.evidence) as Alert["evidence"],
  checkIn: r.checkin ? (JSON.parse(r.checkin) as Alert["checkIn"]) : null,
  clearReason: r.cleared_reason ? (JSON.parse(r.cleared_reason) as Alert["clearReason"]) : null,
});

const JSON_COLUMNS = new Set(["evidence", "checkIn", "clearReason"]);
const toDb = (key: string, value: unknown): unknown =>
  value === undefined ? null : JSON_COLUMNS.has(key) && value !== null ? JSON.stringify(value) : value;

export function createAlertStore(db: Db): AlertStore {
  const byId = db.prepare<[number], AlertRow>("SELECT * FROM alerts WHERE id = ?");
  const active = db.prepare<[string, string], AlertRow>(
    "SELECT * FROM alerts WHERE household_id = ? AND rule = ? AND status IN ('open', 'acknowledged', 'visiting')",
  );
  const raised = db.prepare<[string, string, number], AlertRow>(
    "SELECT * FROM alerts WHERE household_id = ? AND rule = ? AND raised_at = ? ORDER BY id DESC LIMIT 1",
  );
  const insertEvent = db.prepare(
    "INSERT INTO alert_events (alert_id, at, actor, action, from_status, to_status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const store: AlertStore = {
    transaction: (fn) => db.transaction(fn).immediate(),
    findActive(householdId, rule) {
      const row = active.get(householdId, rule);
      return row ? toAlert(row) : undefined;
    },
    findRaised(householdId, rule, raisedAt) {
      const row = raised.get(householdId, rule, raisedAt);
      return row ? toAlert(row) : undefined;
    },
    get(id) {
      const row = byId.get(id);
      return row ? toAlert(row) : undefined;
    },
    insert(a) {
      const keys = Object.keys(COLUMNS) as (keyof typeof COLUMNS)[];
      const sql = `INSERT INTO alerts (${keys.map((k) => COLUMNS[k]).join(", ")}) VALUES (${keys.map(() => "?").join(", ")})`;
      const info = db.prepare(sql).run(...keys.map((k) => toDb(k, a[k])));
      return store.get(Number(info.lastInsertRowid))!;
    },
    update(id, patch) {
      const keys = Object.keys(patch).filter((k) => k in COLUMNS) as (keyof typeof COLUMNS)[];
      if (keys.length > 0) {
        const sql = `UPDATE alerts SET ${keys.map((k) => `${COLUMNS[k]} = ?`).join(", ")} WHERE id = ?`;
        db.prepare(sql).run(...keys.map((k) => toDb(k, patch[k as keyof typeof patch])), id);
      }
      const updated = store.get(id);
      if (!updated) throw jinlinError("JINLIN_ERR_NOT_FOUND", `alert ${id}`);
      return updated;
    },
    appendEvent(e) {
      insertEvent.run(
        e.alertId,
        e.at,
        e.actor,
        e.action,
        e.fromStatus,
        e.toStatus,
        e.detail ? JSON.stringify(e.detail) : null,
      );
    },
    events(alertId) {
      type Row = {
        id: number;
        alert_id: number;
        at: number;
        actor: string;
        action: string;
        from_status: string | null;
        to_status: string | null;
        detail: string | null;
      };
      return db
        .prepare<[number], Row>("SELECT * FROM alert_events WHERE alert_id = ? ORDER BY id")
        .all(alertId)
        .map(
          (r): AlertEvent => ({
            id: r.id,
            alertId: r.alert_id,
            at: r.at,
            actor: r.actor,
            action: r.action,
            fromStatus: r.from_status as AlertStatus | null,
            toStatus: r.to_status as AlertStatus | null,
            detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
          }),
        );
    },
    list(filter) {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (filter.householdIds) {
        if (filter.householdIds.length === 0) return [];
        where.push(`household_id IN (${filter.householdIds.map(() => "?").join(", ")})`);
        args.push(...filter.householdIds);
      }
      if (filter.statuses) {
        where.push(`status IN (${filter.statuses.map(() => "?").join(", ")})`);
        args.push(...filter.statuses);
      }
      const sql = `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, id DESC LIMIT ?`;
      args.push(filter.limit ?? 500);
      return db
        .prepare<(string | number)[], AlertRow>(sql)
        .all(...args)
        .map(toAlert);
    },
    withPendingActions() {
      return db
        .prepare<[], AlertRow>("SELECT * FROM alerts WHERE next_action_at IS NOT NULL")
        .all()
        .map(toAlert);
    },
  };
  return store;
}
