import { randomBytes } from "node:crypto";
import type { Db } from "./open.js";
import type { Role } from "./people.js";

/** Who is asking: scope follows from the role and, for workers and family, from their links. */
export interface Viewer {
  id: string;
  role: Role;
}

export interface HouseholdProfile {
  phone: string | null;
  healthNotes: string | null;
  /** How to get in: key box, neighbour with a key, door code. */
  accessNotes: string | null;
}

export interface FamilyPreferences {
  /** E-mail on alerts (household_family.notify). */
  email: boolean;
  dailySummary: boolean;
}

export interface Absence {
  id: number;
  householdId: string;
  from: number;
  to: number;
  reason: string;
  createdBy: string;
  createdAt: number;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  action: "view" | "change";
  householdId: string | null;
  what: string;
  detail: Record<string, unknown> | null;
}

export interface Registration {
  id: string;
  familyPersonId: string;
  gridId: number;
  gridPath: string;
  status: "pending" | "approved" | "rejected";
  details: Record<string, unknown>;
  createdAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  decisionNote: string | null;
  householdId: string | null;
}

interface RegistrationRow {
  id: string;
  family_person_id: string;
  grid_id: number;
  path: string;
  status: Registration["status"];
  details: string;
  created_at: number;
  decided_at: number | null;
  decided_by: string | null;
  decision_note: string | null;
  household_id: string | null;
}

const REG_SELECT = "SELECT r.*, g.path FROM registration_requests r JOIN grids g ON g.id = r.grid_id";
const toRegistration = (r: RegistrationRow): Registration => ({
  id: r.id,
  familyPersonId: r.family_person_id,
  gridId: r.grid_id,
  gridPath: r.path,
  status: r.status,
  details: JSON.parse(r.details) as Record<string, unknown>,
  createdAt: r.created_at,
  decidedAt: r.decided_at,
  decidedBy: r.decided_by,
  decisionNote: r.decision_note,
  householdId: r.household_id,
});

/** A grid assignment covers its own grid; a supervisor's also covers every grid below it. */
const COVERS = `a.person_id = ? AND (a.grid_id = g.id OR (a.duty = 'supervisor'
  AND substr(g.path, 1, length(ag.path) + 1) = ag.path || '/'))`;
const WORKER_GRIDS = `SELECT g.id FROM grids g WHERE EXISTS (SELECT 1 FROM grid_assignments a
  JOIN grids ag ON ag.id = a.grid_id WHERE ${COVERS})`;

/** Household scope, carers' profile of a home, family preferences, planned absences and the audit log. */
export function createHouseholdsApiStore(db: Db, now: () => number) {
  const familyLink = db.prepare<[string, string], { notify: number; daily_summary: number }>(
    "SELECT notify, daily_summary FROM household_family WHERE person_id = ? AND household_id = ?",
  );
  const gridOfHousehold = db.prepare<[string], { grid_id: number }>(
    "SELECT grid_id FROM households WHERE id = ?",
  );

  function visibleGridIds(v: Viewer): number[] | "all" {
    if (v.role === "operator") return "all";
    if (v.role === "family") return [];
    return db
      .prepare<[string], { id: number }>(WORKER_GRIDS)
      .all(v.id)
      .map((r) => r.id);
  }

  function seesGrid(v: Viewer, gridId: number): boolean {
    if (v.role === "operator") return true;
    if (v.role === "family") return false;
    return db.prepare(`${WORKER_GRIDS} AND g.id = ?`).get(v.id, gridId) !== undefined;
  }

  return {
    visibleGridIds,
    seesGrid,
    /** Household ids the viewer may see, or "all" for operators. */
    visibleHouseholdIds(v: Viewer): string[] | "all" {
      if (v.role === "operator") return "all";
      const sql =
        v.role === "family"
          ? "SELECT household_id AS id FROM household_family WHERE person_id = ?"
          : `SELECT h.id FROM households h WHERE h.grid_id IN (${WORKER_GRIDS})`;
      return db
        .prepare<[string], { id: string }>(sql)
        .all(v.id)
        .map((r) => r.id);
    },
    /** False both for a home outside the viewer's scope and for one that does not exist. */
    seesHousehold(v: Viewer, householdId: string): boolean {
      const home = gridOfHousehold.get(householdId);
      if (!home) return false;
      if (v.role === "family") return familyLink.get(v.id, householdId) !== undefined;
      return seesGrid(v, home.grid_id);
    },

    profile(householdId: string): HouseholdProfile {
      const r = db
        .prepare<
          [string],
          { phone: string | null; health_notes: string | null; access_notes: string | null }
        >("SELECT phone, health_notes, access_notes FROM household_profiles WHERE household_id = ?")
        .get(householdId);
      return {
        phone: r?.phone ?? null,
        healthNotes: r?.health_notes ?? null,
        accessNotes: r?.access_notes ?? null,
      };
    },
    setProfile(householdId: string, patch: Partial<HouseholdProfile>, by: string): void {
      const p = { ...this.profile(householdId), ...patch };
      db.prepare(
        `INSERT INTO household_profiles (household_id, phone, health_notes, access_notes, updated_at, updated_by)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (household_id) DO UPDATE SET phone = excluded.phone,
         health_notes = excluded.health_notes, access_notes = excluded.access_notes,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
      ).run(householdId, p.phone, p.healthNotes, p.accessNotes, now(), by);
    },

    preferences(personId: string, householdId: string): FamilyPreferences | undefined {
      const r = familyLink.get(personId, householdId);
      return r ? { email: r.notify === 1, dailySummary: r.daily_summary === 1 } : undefined;
    },
    setPreferences(personId: string, householdId: string, p: FamilyPreferences): void {
      db.prepare(
        "UPDATE household_family SET notify = ?, daily_summary = ? WHERE person_id = ? AND household_id = ?",
      ).run(p.email ? 1 : 0, p.dailySummary ? 1 : 0, personId, householdId);
    },
    /** Every household a family member is linked to. */
    familyHouseholds(personId: string): string[] {
      return db
        .prepare<[string], { id: string }>(
          "SELECT household_id AS id FROM household_family WHERE person_id = ?",
        )
        .all(personId)
        .map((r) => r.id);
    },

    absences(householdId: string, endingAfter: number): Absence[] {
      return db
        .prepare<[string, number], Absence>(
          `SELECT id, household_id AS householdId, from_ts AS "from", to_ts AS "to", reason,
             created_by AS createdBy, created_at AS createdAt
           FROM absences WHERE household_id = ? AND cancelled_at IS NULL AND to_ts > ? ORDER BY from_ts`,
        )
        .all(householdId, endingAfter);
    },
    absence(householdId: string, id: number): Absence | undefined {
      return this.absences(householdId, Number.MIN_SAFE_INTEGER).find((a) => a.id === id);
    },
    addAbsence(a: Omit<Absence, "id" | "createdAt">): Absence {
      const info = db
        .prepare(
          "INSERT INTO absences (household_id, from_ts, to_ts, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .run(a.householdId, a.from, a.to, a.reason, a.createdBy, now());
      return { ...a, id: Number(info.lastInsertRowid), createdAt: now() };
    },
    updateAbsence(id: number, a: { from: number; to: number; reason: string }): void {
      db.prepare("UPDATE absences SET from_ts = ?, to_ts = ?, reason = ? WHERE id = ?").run(
        a.from,
        a.to,
        a.reason,
        id,
      );
    },
    cancelAbsence(id: number): void {
      db.prepare("UPDATE absences SET cancelled_at = ? WHERE id = ?").run(now(), id);
    },

    audit(e: Omit<AuditEntry, "id" | "at">): void {
      db.prepare(
        "INSERT INTO audit_log (at, actor, action, household_id, what, detail) VALUES (?, ?, ?, ?, ?, ?)",
      ).run(now(), e.actor, e.action, e.householdId, e.what, e.detail ? JSON.stringify(e.detail) : null);
    },
    auditLog(filter: { householdId?: string; actor?: string; before?: number; limit: number }): AuditEntry[] {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (filter.householdId) where.push("household_id = ?") && args.push(filter.householdId);
      if (filter.actor) where.push("actor = ?") && args.push(filter.actor);
      if (filter.before) where.push("id < ?") && args.push(filter.before);
      const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
      type Row = Omit<AuditEntry, "householdId" | "detail"> & {
        household_id: string | null;
        detail: string | null;
      };
      return db
        .prepare<(string | number)[], Row>(sql)
        .all(...args, filter.limit)
        .map(({ household_id, detail, ...r }) => ({
          ...r,
          householdId: household_id,
          detail: detail ? (JSON.parse(detail) as Record<string, unknown>) : null,
        }));
    },

    gridByPath(path: string): { id: number; path: string } | undefined {
      return db
        .prepare<[string], { id: number; path: string }>("SELECT id, path FROM grids WHERE path = ?")
        .get(path);
    },
    grids(): { id: number; parentId: number | null; path: string; name: string; level: string }[] {
      return db
        .prepare<[], { id: number; parentId: number | null; path: string; name: string; level: string }>(
          "SELECT id, parent_id AS parentId, path, name, level FROM grids ORDER BY path",
        )
        .all();
    },
    renameGrid(id: number, name: string): boolean {
      return db.prepare("UPDATE grids SET name = ? WHERE id = ?").run(name, id).changes === 1;
    },
    /** Registry fields the carers may correct; the grid is not among them (a move is a new registration). */
    updateHousehold(
      id: string,
      patch: {
        resident?: string;
        address?: string;
        emergencyContacts?: unknown[];
        language?: string;
        consent?: boolean;
      },
    ): void {
      const cols: [string, string | number | undefined][] = [
        ["resident", patch.resident],
        ["address", patch.address],
        ["emergency_contacts", patch.emergencyContacts && JSON.stringify(patch.emergencyContacts)],
        ["language", patch.language],
        ["consent", patch.consent === undefined ? undefined : patch.consent ? 1 : 0],
      ];
      for (const [col, value] of cols)
        if (value !== undefined) db.prepare(`UPDATE households SET ${col} = ? WHERE id = ?`).run(value, id);
    },
    /**
     * Consent withdrawn (PIPL art. 15): opens the home's monitoring pause, unless one is open already. Call
     * inside the transaction that sets `consent`. True when a pause began now.
     */
    pauseMonitoring(householdId: string, by: string): boolean {
      const info = db
        .prepare(
          `INSERT INTO monitoring_pauses (household_id, from_ts, paused_by) SELECT ?, ?, ?
           WHERE NOT EXISTS (SELECT 1 FROM monitoring_pauses WHERE household_id = ? AND to_ts IS NULL)`,
        )
        .run(householdId, now(), by, householdId);
      return info.changes === 1;
    },
    /** Consent given again: closes the open pause. True when one was open. */
    resumeMonitoring(householdId: string, by: string): boolean {
      const info = db
        .prepare(
          "UPDATE monitoring_pauses SET to_ts = ?, resumed_by = ? WHERE household_id = ? AND to_ts IS NULL",
        )
        .run(now(), by, householdId);
      return info.changes === 1;
    },
    /** The open pause: since when and by whom (a person id, or `cli`); undefined while monitored. */
    monitoringPause(householdId: string): { since: number; by: string } | undefined {
      return db
        .prepare<[string], { since: number; by: string }>(
          "SELECT from_ts AS since, paused_by AS by FROM monitoring_pauses WHERE household_id = ? AND to_ts IS NULL",
        )
        .get(householdId);
    },
    /** Past pauses that ended after `endingAfter`: the rules treat them like planned absences. */
    monitoringPauses(householdId: string, endingAfter: number): { from: number; to: number }[] {
      return db
        .prepare<[string, number], { from: number; to: number }>(
          `SELECT from_ts AS "from", to_ts AS "to" FROM monitoring_pauses
           WHERE household_id = ? AND to_ts IS NOT NULL AND to_ts > ? ORDER BY from_ts`,
        )
        .all(householdId, endingAfter);
    },
    transaction: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    createRegistration(r: {
      familyPersonId: string;
      gridId: number;
      details: Record<string, unknown>;
    }): Registration {
      const id = `reg-${randomBytes(6).toString("hex")}`;
      db.prepare(
        "INSERT INTO registration_requests (id, family_person_id, grid_id, status, details, created_at) VALUES (?, ?, ?, 'pending', ?, ?)",
      ).run(id, r.familyPersonId, r.gridId, JSON.stringify(r.details), now());
      return this.registration(id)!;
    },
    registration(id: string): Registration | undefined {
      const row = db.prepare<[string], RegistrationRow>(`${REG_SELECT} WHERE r.id = ?`).get(id);
      return row ? toRegistration(row) : undefined;
    },
    /** Requests the viewer may see: their own (family), their grids' (workers), all (operators). */
    registrations(v: Viewer, status?: Registration["status"]): Registration[] {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (v.role === "family") where.push("r.family_person_id = ?") && args.push(v.id);
      if (v.role === "worker") where.push(`r.grid_id IN (${WORKER_GRIDS})`) && args.push(v.id);
      if (status) where.push("r.status = ?") && args.push(status);
      const sql = `${REG_SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY r.created_at, r.id`;
      return db
        .prepare<(string | number)[], RegistrationRow>(sql)
        .all(...args)
        .map(toRegistration);
    },
    decideRegistration(
      id: string,
      d: { status: "approved" | "rejected"; by: string; note: string | null; householdId: string | null },
    ): boolean {
      const info = db
        .prepare(
          `UPDATE registration_requests SET status = ?, decided_at = ?, decided_by = ?, decision_note = ?,
           household_id = ? WHERE id = ? AND status = 'pending'`,
        )
        .run(d.status, now(), d.by, d.note, d.householdId, id);
      return info.changes === 1;
    },
  };
}

export type HouseholdsApiStore = ReturnType<typeof createHouseholdsApiStore>;
