import type { CheckInChannel, CheckInSetting } from "../../alerts/alert-types.js";
import type { Db } from "./open.js";

/** A home's resident check-in setting as stored and shown: off unless someone switched it on. */
export interface CheckInSettingRow extends CheckInSetting {
  enabled: boolean;
  changedBy: string | null;
  changedAt: number | null;
}

export const CHECKIN_DEFAULT: CheckInSettingRow = {
  enabled: false,
  minutes: 30,
  channels: ["button"],
  changedBy: null,
  changedAt: null,
};

interface Row {
  enabled: number;
  minutes: number;
  channels: string;
  changed_by: string;
  changed_at: number;
}

/** Per-home resident check-in settings (migration 8). */
export function createCheckInStore(db: Db, now: () => number) {
  const one = db.prepare<[string], Row>(
    "SELECT enabled, minutes, channels, changed_by, changed_at FROM checkin_settings WHERE household_id = ?",
  );
  const upsert = db.prepare(
    `INSERT INTO checkin_settings (household_id, enabled, minutes, channels, changed_by, changed_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (household_id) DO UPDATE SET enabled = excluded.enabled, minutes = excluded.minutes,
       channels = excluded.channels, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
  );
  function get(householdId: string): CheckInSettingRow {
    const r = one.get(householdId);
    if (!r) return CHECKIN_DEFAULT;
    return {
      enabled: r.enabled === 1,
      minutes: r.minutes,
      channels: JSON.parse(r.channels) as CheckInChannel[],
      changedBy: r.changed_by,
      changedAt: r.changed_at,
    };
  }
  return {
    get,
    set(
      householdId: string,
      s: { enabled: boolean; minutes: number; channels: CheckInChannel[] },
      actor: string,
    ): CheckInSettingRow {
      upsert.run(householdId, s.enabled ? 1 : 0, s.minutes, JSON.stringify(s.channels), actor, now());
      return get(householdId);
    },
  };
}

export type CheckInStore = ReturnType<typeof createCheckInStore>;
