import { randomBytes } from "node:crypto";
import {
  DEVICE_ID_RE,
  type Device,
  type DeviceKind,
  GRID_LEVELS,
  type Grid,
  type Household,
  type HouseholdInput,
  householdInputSchema,
} from "../../core/domain.js";
import { jinlinError } from "../../core/errors.js";
import type { Db } from "./open.js";

interface HouseholdRow {
  id: string;
  resident: string;
  address: string;
  grid_id: number;
  path: string;
  timezone: string;
  emergency_contacts: string;
  consent: number;
  language: "zh-CN" | "en";
  created_at: number;
  paused_at: number | null;
}
interface DeviceRow {
  id: string;
  household_id: string;
  kind: DeviceKind;
  secret_hash: string;
  created_at: number;
  last_seen_at: number | null;
  revoked_at: number | null;
  /** Only in the credentials look-up. */
  paused?: number;
}

const toHousehold = (r: HouseholdRow): Household => ({
  id: r.id,
  resident: r.resident,
  address: r.address,
  gridId: r.grid_id,
  gridPath: r.path,
  timezone: r.timezone,
  emergencyContacts: JSON.parse(r.emergency_contacts) as Household["emergencyContacts"],
  consent: r.consent === 1,
  language: r.language,
  createdAt: r.created_at,
  monitoringPausedAt: r.paused_at,
});
const toDevice = (r: DeviceRow): Device => ({
  id: r.id,
  householdId: r.household_id,
  kind: r.kind,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  revokedAt: r.revoked_at,
});

export interface DeviceCredentials {
  device: Device;
  secretHash: string;
  /** Its household's consent is withdrawn: the broker refuses the device (docs/privacy.md). */
  monitoringPaused: boolean;
}

/** The open pause of a household (consent withdrawn), if any: one indexed look-up. */
const PAUSED_AT = `(SELECT p.from_ts FROM monitoring_pauses p WHERE p.household_id = h.id AND p.to_ts IS NULL)`;

/** Grids, households and devices in SQLite. */
export function createRegistry(db: Db, now: () => number) {
  const gridByPath = db.prepare<
    [string],
    { id: number; parent_id: number | null; path: string; name: string; level: string }
  >("SELECT id, parent_id, path, name, level FROM grids WHERE path = ?");
  const insertGrid = db.prepare("INSERT INTO grids (parent_id, path, name, level) VALUES (?, ?, ?, ?)");
  const householdSelect = `SELECT h.*, g.path, ${PAUSED_AT} AS paused_at FROM households h JOIN grids g ON g.id = h.grid_id`;
  const householdById = db.prepare<[string], HouseholdRow>(`${householdSelect} WHERE h.id = ?`);
  const deviceById = db.prepare<[string], DeviceRow>(
    `SELECT d.*, EXISTS (SELECT 1 FROM monitoring_pauses p WHERE p.household_id = d.household_id
       AND p.to_ts IS NULL) AS paused FROM devices d WHERE d.id = ?`,
  );
  const devicesByHousehold = db.prepare<[string], DeviceRow>(
    "SELECT * FROM devices WHERE household_id = ? ORDER BY id",
  );
  const touch = db.prepare(
    "UPDATE devices SET last_seen_at = max(coalesce(last_seen_at, 0), ?) WHERE id = ?",
  );

  const ensureGrid = db.transaction((path: string): Grid => {
    const segments = path.split("/");
    let parentId: number | null = null;
    let row: Grid | undefined;
    for (let i = 0; i < segments.length; i++) {
      const sub = segments.slice(0, i + 1).join("/");
      const found = gridByPath.get(sub);
      if (found) {
        row = {
          id: found.id,
          parentId: found.parent_id,
          path: found.path,
          name: found.name,
          level: found.level,
        };
      } else {
        const level = GRID_LEVELS[Math.min(i + (6 - segments.length), GRID_LEVELS.length - 1)] ?? "grid";
        const info = insertGrid.run(parentId, sub, segments[i]!, level);
        row = { id: Number(info.lastInsertRowid), parentId, path: sub, name: segments[i]!, level };
      }
      parentId = row.id;
    }
    return row!;
  });

  return {
    ensureGrid,

    addHousehold(input: HouseholdInput, id = `hh-${randomBytes(5).toString("hex")}`): Household {
      const parsed = householdInputSchema.safeParse(input);
      if (!parsed.success) {
        throw jinlinError(
          "JINLIN_ERR_INPUT_INVALID",
          parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
        );
      }
      const h = parsed.data;
      return db.transaction(() => {
        const grid = ensureGrid(h.gridPath);
        db.prepare(
          `INSERT INTO households (id, resident, address, grid_id, timezone, emergency_contacts, consent, language, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          h.resident,
          h.address,
          grid.id,
          h.timezone,
          JSON.stringify(h.emergencyContacts),
          h.consent ? 1 : 0,
          h.language,
          now(),
        );
        return toHousehold(householdById.get(id)!);
      })();
    },

    getHousehold(id: string): Household | undefined {
      const row = householdById.get(id);
      return row ? toHousehold(row) : undefined;
    },

    listHouseholds(): Household[] {
      return db
        .prepare<[], HouseholdRow>(`${householdSelect} ORDER BY h.created_at, h.id`)
        .all()
        .map(toHousehold);
    },

    addDevice(input: { householdId: string; kind: DeviceKind; id?: string; secretHash: string }): Device {
      const id = input.id ?? `${input.kind}-${randomBytes(5).toString("hex")}`;
      if (!DEVICE_ID_RE.test(id)) throw jinlinError("JINLIN_ERR_DEVICE_ID_INVALID", JSON.stringify(id));
      if (!householdById.get(input.householdId))
        throw jinlinError("JINLIN_ERR_HOUSEHOLD_NOT_FOUND", input.householdId);
      if (deviceById.get(id)) throw jinlinError("JINLIN_ERR_DEVICE_EXISTS", id);
      db.prepare(
        "INSERT INTO devices (id, household_id, kind, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)",
      ).run(id, input.householdId, input.kind, input.secretHash, now());
      return toDevice(deviceById.get(id)!);
    },

    getDevice(id: string): Device | undefined {
      const row = deviceById.get(id);
      return row ? toDevice(row) : undefined;
    },

    getCredentials(id: string): DeviceCredentials | undefined {
      const row = deviceById.get(id);
      return row
        ? { device: toDevice(row), secretHash: row.secret_hash, monitoringPaused: row.paused === 1 }
        : undefined;
    },

    listDevices(householdId: string): Device[] {
      return devicesByHousehold.all(householdId).map(toDevice);
    },

    setSecretHash(id: string, secretHash: string): void {
      const info = db
        .prepare("UPDATE devices SET secret_hash = ?, revoked_at = NULL WHERE id = ?")
        .run(secretHash, id);
      if (info.changes === 0) throw jinlinError("JINLIN_ERR_DEVICE_NOT_FOUND", id);
    },

    revokeDevice(id: string): void {
      const info = db.prepare("UPDATE devices SET revoked_at = ? WHERE id = ?").run(now(), id);
      if (info.changes === 0) throw jinlinError("JINLIN_ERR_DEVICE_NOT_FOUND", id);
    },

    /** Records last-seen times; called inside the ingest commit so it costs no extra fsync. */
    touchDevices(seen: Map<string, number>): void {
      for (const [id, at] of seen) touch.run(at, id);
    },
  };
}

export type Registry = ReturnType<typeof createRegistry>;
