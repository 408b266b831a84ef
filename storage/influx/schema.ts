import { Point } from "@influxdata/influxdb-client";
import { READING_KINDS, type ReadingKind, type StoredReading } from "../../core/domain.js";

/**
 * The InfluxDB schema (docs/influxdb.md): one measurement per reading kind, tags device/household/grid
 * (ids only), typed fields in snake_case, millisecond timestamps. Series + timestamp identify a reading,
 * so re-sending it overwrites the same point: forwarding at least once never duplicates.
 */
export const MEASUREMENTS: readonly ReadingKind[] = READING_KINDS;

/** Domain field name → InfluxDB field name, per kind. Types follow the value: numbers float, booleans bool. */
export const FIELD_NAMES: { [K in ReadingKind]: Record<string, string> } = {
  water: { totalLiters: "total_l", flowLpm: "flow_lpm" },
  door: { open: "open" },
  motion: { detected: "detected" },
  power: { watts: "watts", totalKwh: "total_kwh" },
  climate: { celsius: "celsius", humidity: "humidity" },
  // ok: the resident's "I'm OK" press answering a check-in (docs/protocol.md); absent on a plain press.
  button: { pressed: "pressed", ok: "ok" },
  heartbeat: { battery: "battery", rssi: "rssi" },
};

export const CONSUMED_FIELD = "consumed_l";
export const RESET_FIELD = "register_reset";
/**
 * True when no consumption is known for the reading (first reading of a meter, or a register reset);
 * consumed_l is then 0. Every water field is always written because a re-sent point only overwrites
 * the fields it carries: an omitted consumed_l would keep a stale value after a revision.
 */
export const BASELINE_FIELD = "baseline";
/** A point needs at least one field and a heartbeat may carry none. */
export const HEARTBEAT_FIELD = "alive";

/** What a line is built from: a stored reading and the grid of its household (null if unknown). */
export type ForwardedReading = Pick<
  StoredReading,
  "id" | "deviceId" | "householdId" | "kind" | "ts" | "fields" | "consumedLiters" | "registerReset"
> & { gridId: number | null };

const msTime = { convertTime: (v: string | number | Date | undefined) => (v === undefined ? v : String(v)) };

/** One line of line protocol (precision ms); the client library's Point does the escaping. */
export function toLine(r: ForwardedReading): string {
  const point = new Point(r.kind).tag("device", r.deviceId).tag("household", r.householdId);
  if (r.gridId !== null) point.tag("grid", String(r.gridId));
  const names = FIELD_NAMES[r.kind];
  for (const [key, value] of Object.entries(r.fields)) {
    const name = names[key];
    if (name === undefined) continue;
    if (typeof value === "boolean") point.booleanField(name, value);
    else point.floatField(name, value);
  }
  if (r.kind === "water") {
    point.floatField(CONSUMED_FIELD, r.consumedLiters ?? 0);
    point.booleanField(BASELINE_FIELD, r.consumedLiters === null);
    point.booleanField(RESET_FIELD, r.registerReset);
  }
  if (r.kind === "heartbeat") point.booleanField(HEARTBEAT_FIELD, true);
  point.timestamp(r.ts);
  const line = point.toLineProtocol(msTime);
  if (line === undefined) throw new Error(`reading ${r.id} has no fields to write`);
  return line;
}

/** Reverse of FIELD_NAMES for decoding query results. */
export const DOMAIN_NAMES: { [K in ReadingKind]: Record<string, string> } = Object.fromEntries(
  READING_KINDS.map((k) => [k, Object.fromEntries(Object.entries(FIELD_NAMES[k]).map(([d, i]) => [i, d]))]),
) as { [K in ReadingKind]: Record<string, string> };

export function isReadingKind(name: string): name is ReadingKind {
  return (READING_KINDS as readonly string[]).includes(name);
}

/** InfluxQL string literal: single quotes, with backslash and quote escaped. */
export function quoteString(value: string): string {
  return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** InfluxQL identifier: double quotes, with backslash and quote escaped. */
export function quoteIdent(value: string): string {
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}
