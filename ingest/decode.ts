import type { DeviceKind, Reading, ReadingKind } from "../core/domain.js";
import { READING_KINDS, readingFieldSchemas } from "../core/domain.js";
import { ERRORS, type ErrorCode } from "../core/errors.js";

export interface DecodeLimits {
  maxPayloadBytes: number;
  maxBatch: number;
  maxReadingAgeMs: number;
  maxClockSkewMs: number;
}

/** Why one reading (or the whole message, index null) was refused: what devices/<id>/errors carries. */
export interface Rejection {
  index: number | null;
  code: ErrorCode;
  reason: string;
  message: string;
}

export interface DecodeResult {
  readings: Reading[];
  rejections: Rejection[];
}

const KIND_SET: ReadonlySet<string> = new Set(READING_KINDS);

function reject(code: ErrorCode, index: number | null, detail?: string): Rejection {
  const entry = ERRORS[code];
  const reason = "reason" in entry ? entry.reason : code;
  return { index, code, reason, message: detail ? `${entry.message}: ${detail}` : entry.message };
}

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses `ts`: ISO-8601 with an explicit offset, or epoch milliseconds. Missing means arrival time. */
function parseTs(ts: unknown, arrival: number): number | null {
  if (ts === undefined) return arrival;
  if (typeof ts === "number") return Number.isSafeInteger(Math.trunc(ts)) && ts > 0 ? Math.trunc(ts) : null;
  if (typeof ts === "string" && ISO_RE.test(ts)) {
    const ms = Date.parse(ts);
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
}

/**
 * The fast path for well-formed fields, the common case: a reading's fields checked by hand against the
 * same limits as core/domain.ts, about ten times cheaper than zod. Anything it does not accept outright
 * goes to zod, which decides and words the error. The table is checked against the zod schemas when this
 * module loads: a kind whose schema no longer matches it (a field added, a bound or a type changed, a
 * preprocess step) is left to zod alone, so the fast path can never accept what zod would refuse, nor
 * drop a field zod would keep. tests/unit/ingest/decode-fast.test.ts compares both on random input.
 */
type FieldSpec = { name: string; optional: boolean } & (
  | { type: "number"; min: number; max: number }
  | { type: "boolean" }
);
const num = (name: string, min: number, max: number, optional = false): FieldSpec => ({
  name,
  optional,
  type: "number",
  min,
  max,
});
const bool = (name: string): FieldSpec => ({ name, optional: false, type: "boolean" });
const FAST_SPECS: Record<ReadingKind, FieldSpec[]> = {
  water: [num("totalLiters", 0, 1e9), num("flowLpm", 0, 1000, true)],
  door: [bool("open")],
  motion: [bool("detected")],
  power: [num("watts", 0, 100_000), num("totalKwh", 0, 1e9, true)],
  climate: [num("celsius", -60, 100), num("humidity", 0, 100, true)],
  button: [bool("pressed")],
  heartbeat: [num("battery", 0, 100, true), num("rssi", -200, 50, true)],
};

/** Whether zod's schema for the kind is exactly a plain object of these fields with these limits. */
function specMatchesSchema(kind: ReadingKind, spec: FieldSpec[]): boolean {
  const schema: unknown = readingFieldSchemas[kind];
  if (typeof schema !== "object" || schema === null || !("shape" in schema)) return false;
  const shape = schema.shape as Record<string, { safeParse(v: unknown): { success: boolean } }>;
  const keys = Object.keys(shape);
  if (keys.length !== spec.length || spec.some((f, i) => keys[i] !== f.name)) return false;
  const ok = (f: FieldSpec, v: unknown) => shape[f.name]?.safeParse(v).success === true;
  return spec.every((f) => {
    if (ok(f, undefined) !== f.optional || ok(f, null) || ok(f, "1")) return false;
    if (f.type === "boolean") return ok(f, true) && ok(f, false) && !ok(f, 1);
    const below = f.min - Math.max(1, Math.abs(f.min)) * 1e-9;
    const above = f.max + Math.max(1, Math.abs(f.max)) * 1e-9;
    return ok(f, f.min) && ok(f, f.max) && !ok(f, below) && !ok(f, above) && !ok(f, true);
  });
}

const FAST: Partial<Record<ReadingKind, FieldSpec[]>> = {};
for (const kind of READING_KINDS)
  if (specMatchesSchema(kind, FAST_SPECS[kind])) FAST[kind] = FAST_SPECS[kind];

/** The fields as zod would return them (schema key order, unknown keys dropped), or undefined: ask zod. */
export function fastFields(kind: ReadingKind, item: Record<string, unknown>): object | undefined {
  const spec = FAST[kind];
  if (!spec) return undefined;
  const out: Record<string, unknown> = {};
  for (const f of spec) {
    const v = item[f.name];
    if (v === undefined && f.optional) continue;
    if (f.type === "boolean" ? typeof v !== "boolean" : typeof v !== "number" || !(v >= f.min && v <= f.max))
      return undefined;
    out[f.name] = v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function decodeOne(
  item: unknown,
  index: number | null,
  device: { id: string; kind: DeviceKind },
  arrival: number,
  limits: DecodeLimits,
): Reading | Rejection {
  if (!isPlainObject(item)) return reject("JINLIN_ERR_READING_NOT_OBJECT", index);
  const kind = item.kind;
  if (typeof kind !== "string" || !KIND_SET.has(kind)) {
    return reject("JINLIN_ERR_KIND_UNKNOWN", index, `expected one of ${READING_KINDS.join(", ")}`);
  }
  if (kind !== "heartbeat" && kind !== device.kind) {
    return reject(
      "JINLIN_ERR_KIND_MISMATCH",
      index,
      `device is registered as ${device.kind}, reading is ${kind}`,
    );
  }
  const ts = parseTs(item.ts, arrival);
  if (ts === null) return reject("JINLIN_ERR_TS_INVALID", index);
  if (ts > arrival + limits.maxClockSkewMs)
    return reject("JINLIN_ERR_TS_FUTURE", index, new Date(ts).toISOString());
  if (ts < arrival - limits.maxReadingAgeMs)
    return reject("JINLIN_ERR_TS_TOO_OLD", index, new Date(ts).toISOString());
  const fast = fastFields(kind as ReadingKind, item);
  if (fast !== undefined) return { deviceId: device.id, kind, ts, fields: fast } as Reading;
  const parsed = readingFieldSchemas[kind as ReadingKind].safeParse(item);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((i) => `${i.path.join(".") || "(reading)"}: ${i.message}`)
      .join("; ");
    return reject("JINLIN_ERR_READING_INVALID", index, detail);
  }
  return { deviceId: device.id, kind, ts, fields: parsed.data } as Reading;
}

/**
 * Decodes one telemetry payload: a reading or an array of readings (NB-IoT batches).
 * Valid readings in a batch are kept even when others in it are refused; see docs/protocol.md.
 */
export function decodeTelemetry(
  payload: Buffer,
  device: { id: string; kind: DeviceKind },
  arrival: number,
  limits: DecodeLimits,
): DecodeResult {
  if (payload.length > limits.maxPayloadBytes) {
    return {
      readings: [],
      rejections: [
        reject("JINLIN_ERR_PAYLOAD_TOO_LARGE", null, `${payload.length} > ${limits.maxPayloadBytes} bytes`),
      ],
    };
  }
  let body: unknown;
  try {
    body = JSON.parse(payload.toString("utf8"));
  } catch (err) {
    // Deep nesting raises RangeError in JSON.parse; it is still just a bad payload.
    return {
      readings: [],
      rejections: [reject("JINLIN_ERR_JSON_INVALID", null, (err as Error).message.slice(0, 120))],
    };
  }
  const items = Array.isArray(body) ? body : [body];
  const batched = Array.isArray(body);
  if (items.length === 0) return { readings: [], rejections: [reject("JINLIN_ERR_BATCH_EMPTY", null)] };
  if (items.length > limits.maxBatch) {
    return {
      readings: [],
      rejections: [reject("JINLIN_ERR_BATCH_TOO_LARGE", null, `${items.length} > ${limits.maxBatch}`)],
    };
  }
  const result: DecodeResult = { readings: [], rejections: [] };
  for (let i = 0; i < items.length; i++) {
    const out = decodeOne(items[i], batched ? i : null, device, arrival, limits);
    if ("code" in out) result.rejections.push(out);
    else result.readings.push(out);
  }
  return result;
}
