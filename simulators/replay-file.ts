import { readFileSync } from "node:fs";
import { READING_KINDS, type ReadingKind } from "../core/domain.js";
import { type SimMessage, telemetryTopic } from "./messages.js";

/** One recorded reading: a device, an event time, a kind and its fields (see docs/replay.md). */
export interface RecordedReading {
  deviceId: string;
  householdId: string | undefined;
  ts: number;
  kind: ReadingKind;
  fields: Record<string, number | boolean>;
}

export class ReplayFormatError extends Error {}

const KINDS: ReadonlySet<string> = new Set(READING_KINDS);

function toTs(v: unknown, where: string): number {
  const ms =
    typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : Date.parse(String(v));
  if (!Number.isFinite(ms))
    throw new ReplayFormatError(`${where}: ts ${JSON.stringify(v)} is neither ISO-8601 nor epoch ms`);
  return ms;
}

function fromRecord(r: Record<string, unknown>, where: string): RecordedReading {
  const deviceId = r.device ?? r.deviceId;
  if (typeof deviceId !== "string" || deviceId === "")
    throw new ReplayFormatError(`${where}: device missing`);
  if (typeof r.kind !== "string" || !KINDS.has(r.kind))
    throw new ReplayFormatError(`${where}: unknown kind ${JSON.stringify(r.kind)}`);
  const fields: Record<string, number | boolean> = {};
  for (const [k, v] of Object.entries(r)) {
    if (["device", "deviceId", "household", "ts", "kind"].includes(k)) continue;
    if (typeof v === "number" || typeof v === "boolean") fields[k] = v;
  }
  const household = typeof r.household === "string" && r.household !== "" ? r.household : undefined;
  return { deviceId, householdId: household, ts: toTs(r.ts, where), kind: r.kind as ReadingKind, fields };
}

function csvValue(raw: string): number | boolean | string | undefined {
  const v = raw.trim();
  if (v === "") return undefined;
  if (v === "true" || v === "false") return v === "true";
  const n = Number(v);
  return Number.isFinite(n) ? n : v;
}

/** Parses a replay file: NDJSON (one reading per line) or CSV with a header `device,ts,kind,<fields…>`. */
export function parseReplay(text: string, name = "input"): RecordedReading[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "" && !l.startsWith("#"));
  if (lines.length === 0) return [];
  if (lines[0]!.trimStart().startsWith("{")) {
    return lines.map((l, i) => {
      let obj: unknown;
      try {
        obj = JSON.parse(l);
      } catch (err) {
        throw new ReplayFormatError(`${name}:${i + 1}: ${(err as Error).message}`);
      }
      if (typeof obj !== "object" || obj === null)
        throw new ReplayFormatError(`${name}:${i + 1}: not an object`);
      return fromRecord(obj as Record<string, unknown>, `${name}:${i + 1}`);
    });
  }
  const header = lines[0]!.split(",").map((h) => h.trim());
  if (header[0] !== "device" || header[1] !== "ts" || header[2] !== "kind") {
    throw new ReplayFormatError(`${name}: CSV header must start with device,ts,kind`);
  }
  return lines.slice(1).map((l, i) => {
    const cells = l.split(",");
    const rec: Record<string, unknown> = {};
    header.forEach((h, j) => {
      const v = j < 3 ? cells[j]?.trim() : csvValue(cells[j] ?? "");
      if (v !== undefined) rec[h] = v;
    });
    return fromRecord(rec, `${name}:${i + 2}`);
  });
}

export function readReplayFile(file: string): RecordedReading[] {
  return parseReplay(readFileSync(file, "utf8"), file);
}

/**
 * Turns recorded readings into MQTT messages in time order, shifted by `shiftMs` (so an old trace can be
 * replayed into a service that refuses readings older than 30 days).
 */
export function replayMessages(readings: readonly RecordedReading[], shiftMs = 0): SimMessage[] {
  return [...readings]
    .sort((a, b) => a.ts - b.ts)
    .map((r) => {
      const ts = r.ts + shiftMs;
      return {
        homeId: r.householdId ?? r.deviceId,
        deviceId: r.deviceId,
        kind: r.kind,
        ts,
        topic: telemetryTopic(r.deviceId),
        payload: JSON.stringify({ kind: r.kind, ts, ...r.fields }),
      };
    });
}
