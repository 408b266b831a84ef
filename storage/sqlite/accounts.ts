import { jinlinError } from "../../core/errors.js";
import type { Db } from "./open.js";
import type { Duty, Role } from "./people.js";

/** A person who can sign in to the dashboard (or could, once a password is set). */
export interface Account {
  id: string;
  name: string;
  role: Role;
  email: string | null;
  phone: string | null;
  language: "zh-CN" | "en";
  login: string | null;
  disabled: boolean;
  createdAt: number;
}

export interface LoginRecord {
  account: Account;
  passwordHash: string | null;
  failedLogins: number;
  lockedUntil: number | null;
}

export interface GridDuty {
  gridId: number;
  path: string;
  duty: Duty;
}

interface AccountRow {
  id: string;
  name: string;
  role: Role;
  email: string | null;
  phone: string | null;
  language: "zh-CN" | "en";
  login: string | null;
  disabled_at: number | null;
  created_at: number;
  password_hash: string | null;
  failed_logins: number;
  locked_until: number | null;
}

const toAccount = (r: AccountRow): Account => ({
  id: r.id,
  name: r.name,
  role: r.role,
  email: r.email,
  phone: r.phone,
  language: r.language,
  login: r.login,
  disabled: r.disabled_at !== null,
  createdAt: r.created_at,
});

const isUniqueViolation = (err: unknown) =>
  err instanceof Error && "code" in err && String(err.code).startsWith("SQLITE_CONSTRAINT_UNIQUE");

/** Dashboard accounts (people with a login), their grid duties and their sessions (stored as hashes only). */
export function createAccountStore(db: Db, now: () => number) {
  const byId = db.prepare<[string], AccountRow>("SELECT * FROM people WHERE id = ?");
  const byLogin = db.prepare<[string], AccountRow>("SELECT * FROM people WHERE lower(login) = lower(?)");
  const sessionRow = db.prepare<[Buffer], { person_id: string; last_seen_at: number; expires_at: number }>(
    "SELECT person_id, last_seen_at, expires_at FROM sessions WHERE id_hash = ?",
  );

  function update(personId: string, sql: string, ...args: (string | number | null)[]) {
    const info = db.prepare(`UPDATE people SET ${sql} WHERE id = ?`).run(...args, personId);
    if (info.changes === 0) throw jinlinError("JINLIN_ERR_PERSON_NOT_FOUND", personId);
  }

  return {
    get(personId: string): Account | undefined {
      const r = byId.get(personId);
      return r ? toAccount(r) : undefined;
    },
    byLogin(login: string): LoginRecord | undefined {
      const r = byLogin.get(login);
      if (!r) return undefined;
      return {
        account: toAccount(r),
        passwordHash: r.password_hash,
        failedLogins: r.failed_logins,
        lockedUntil: r.locked_until,
      };
    },
    list(role?: Role): Account[] {
      const rows = role
        ? db.prepare<[string], AccountRow>("SELECT * FROM people WHERE role = ? ORDER BY name, id").all(role)
        : db.prepare<[], AccountRow>("SELECT * FROM people ORDER BY name, id").all();
      return rows.map(toAccount);
    },
    /** Throws JINLIN_ERR_LOGIN_TAKEN when another person has this login (case-insensitive). */
    setCredentials(personId: string, login: string, passwordHash: string): void {
      try {
        update(personId, "login = ?, password_hash = ?, password_changed_at = ?", login, passwordHash, now());
      } catch (err) {
        if (isUniqueViolation(err)) throw jinlinError("JINLIN_ERR_LOGIN_TAKEN", login);
        throw err;
      }
    },
    setPasswordHash(personId: string, passwordHash: string): void {
      update(
        personId,
        "password_hash = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL",
        passwordHash,
        now(),
      );
    },
    /** Counts a failed sign-in; the account locks for lockMs once the count reaches maxFailures. */
    recordFailure(personId: string, maxFailures: number, lockMs: number): void {
      db.prepare(
        `UPDATE people SET failed_logins = failed_logins + 1,
           locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END WHERE id = ?`,
      ).run(maxFailures, now() + lockMs, personId);
    },
    /** A successful sign-in (or an expired lock) starts the count again. */
    resetFailures(personId: string): void {
      update(personId, "failed_logins = 0, locked_until = NULL");
    },
    updateProfile(
      personId: string,
      patch: { name?: string; email?: string | null; phone?: string | null; disabled?: boolean },
    ): void {
      db.transaction(() => {
        if (patch.name !== undefined) update(personId, "name = ?", patch.name);
        if (patch.email !== undefined) update(personId, "email = ?", patch.email);
        if (patch.phone !== undefined) update(personId, "phone = ?", patch.phone);
        if (patch.disabled !== undefined) update(personId, "disabled_at = ?", patch.disabled ? now() : null);
      })();
    },
    duties(personId: string): GridDuty[] {
      return db
        .prepare<[string], GridDuty>(
          `SELECT a.grid_id AS gridId, g.path, a.duty FROM grid_assignments a JOIN grids g ON g.id = a.grid_id
           WHERE a.person_id = ? ORDER BY g.path`,
        )
        .all(personId);
    },
    /** Replaces a worker's duties with exactly these. */
    setDuties(personId: string, duties: { gridId: number; duty: Duty }[]): void {
      db.transaction(() => {
        db.prepare("DELETE FROM grid_assignments WHERE person_id = ?").run(personId);
        const insert = db.prepare("INSERT INTO grid_assignments (person_id, grid_id, duty) VALUES (?, ?, ?)");
        for (const d of duties) insert.run(personId, d.gridId, d.duty);
      })();
    },

    createSession(idHash: Buffer, personId: string, expiresAt: number): void {
      db.prepare(
        "INSERT INTO sessions (id_hash, person_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      ).run(idHash, personId, now(), now(), expiresAt);
    },
    /**
     * The account behind a session that is neither expired nor idle longer than idleMs, and whose person
     * is not disabled; touches the session (at most once a minute, to spare the disk).
     */
    sessionAccount(idHash: Buffer, idleMs: number): Account | undefined {
      const s = sessionRow.get(idHash);
      const t = now();
      if (!s || s.expires_at <= t || s.last_seen_at + idleMs <= t) return undefined;
      const account = this.get(s.person_id);
      if (!account || account.disabled) return undefined;
      if (t - s.last_seen_at > 60_000)
        db.prepare("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?").run(t, idHash);
      return account;
    },
    deleteSession(idHash: Buffer): void {
      db.prepare("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
    },
    /** Signs a person out everywhere (password change, reset, disable), except the session kept. */
    deleteSessions(personId: string, keep?: Buffer): void {
      if (keep) db.prepare("DELETE FROM sessions WHERE person_id = ? AND id_hash <> ?").run(personId, keep);
      else db.prepare("DELETE FROM sessions WHERE person_id = ?").run(personId);
    },
    purgeExpiredSessions(): number {
      return db.prepare("DELETE FROM sessions WHERE expires_at <= ?").run(now()).changes;
    },
  };
}

export type AccountStore = ReturnType<typeof createAccountStore>;
