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
  items.forEach((item, i) => {
    const out = decodeOne(item, batched ? i : null, device, arrival, limits);
    if ("code" in out) result.rejections.push(out);
    else result.readings.push(out);
  });
  return result;
}
