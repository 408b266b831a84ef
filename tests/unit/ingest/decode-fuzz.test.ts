import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEVICE_KINDS, type DeviceKind, readingFieldSchemas } from "../../../core/domain.js";
import { ERRORS } from "../../../core/errors.js";
import { type DecodeLimits, type DecodeResult, decodeTelemetry } from "../../../ingest/decode.js";

// Property-based fuzz of the MQTT payload decoder (issue 8): whatever a device sends, decodeTelemetry
// returns readings or rejections with a catalogued reason, and never throws or pollutes prototypes.

const NOW = Date.parse("2026-03-01T00:00:00Z");
const LIMITS: DecodeLimits = {
  maxPayloadBytes: 65_536,
  maxBatch: 2000,
  maxReadingAgeMs: 30 * 86_400_000,
  maxClockSkewMs: 300_000,
};
const REASONS = new Set<string>(
  Object.values(ERRORS).flatMap((e) => ("reason" in e ? [e.reason as string] : [])),
);
const RUNS = { numRuns: 400, seed: 8008 };

function decode(payload: Buffer, kind: DeviceKind = "water"): DecodeResult {
  return decodeTelemetry(payload, { id: "fuzz-1", kind }, NOW, LIMITS);
}

function checkResult(r: DecodeResult, kind: DeviceKind, batch: boolean, items: number | null): void {
  for (const rej of r.rejections) {
    expect(REASONS.has(rej.reason), rej.reason).toBe(true);
    expect(rej.code in ERRORS).toBe(true);
    expect(typeof rej.message).toBe("string");
    if (rej.index !== null) expect(batch).toBe(true);
  }
  for (const reading of r.readings) {
    expect(reading.deviceId).toBe("fuzz-1");
    expect(reading.kind === kind || reading.kind === "heartbeat").toBe(true);
    expect(Number.isSafeInteger(reading.ts)).toBe(true);
    expect(reading.ts).toBeLessThanOrEqual(NOW + LIMITS.maxClockSkewMs);
    expect(reading.ts).toBeGreaterThanOrEqual(NOW - LIMITS.maxReadingAgeMs);
    // The stored fields are exactly what the schema produces: nothing unknown, nothing non-finite.
    const again = readingFieldSchemas[reading.kind].safeParse(reading.fields);
    expect(again.success).toBe(true);
    if (again.success) expect(reading.fields).toEqual(again.data);
    for (const v of Object.values(reading.fields))
      expect(typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))).toBe(true);
    for (const key of Object.keys(reading.fields)) expect(["__proto__", "constructor"]).not.toContain(key);
  }
  if (items !== null) expect(r.readings.length + r.rejections.length).toBe(items);
  else expect(r.readings.length + r.rejections.length).toBeGreaterThan(0);
}

function checkNoPollution(): void {
  const probe: Record<string, unknown> = {};
  for (const k of ["polluted", "isAdmin", "kind", "totalLiters"]) expect(probe[k]).toBeUndefined();
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(Object.keys(Array.prototype)).toEqual([]);
}

/** The number of items decodeOne sees for a value that JSON-serialises to the payload, or null if unknown. */
function itemCount(value: unknown): { batch: boolean; items: number | null } {
  if (!Array.isArray(value)) return { batch: false, items: 1 };
  if (value.length === 0 || value.length > LIMITS.maxBatch) return { batch: true, items: 1 };
  return { batch: true, items: value.length };
}

const kindArb = fc.constantFrom<DeviceKind>(...DEVICE_KINDS);
const nastyString = fc.oneof(
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.constantFrom(
    "NaN",
    "Infinity",
    "-Infinity",
    "1e309",
    "0x10",
    "12,5",
    "12 5",
    "1\n2",
    'a"b',
    "\u202e01\u202c",
    "\u200b12",
    "\ud800",
    "\udfff",
    "__proto__",
    "constructor",
  ),
);
const nastyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53 + 1, -0, 1e21),
);
const fieldValue = fc.oneof(nastyNumber, nastyString, fc.boolean(), fc.constant(null), fc.jsonValue());
const readingLike = fc.record(
  {
    kind: fc.oneof(
      fc.constantFrom("water", "door", "motion", "power", "climate", "button", "heartbeat"),
      nastyString,
    ),
    ts: fc.oneof(
      fc.integer({ min: NOW - 40 * 86_400_000, max: NOW + 600_000 }),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      nastyString,
      nastyNumber,
    ),
    totalLiters: fieldValue,
    flowLpm: fieldValue,
    open: fieldValue,
    detected: fieldValue,
    pressed: fieldValue,
    watts: fieldValue,
    celsius: fieldValue,
    battery: fieldValue,
    rssi: fieldValue,
  },
  { requiredKeys: [] },
);

describe("decodeTelemetry under fuzzing", () => {
  it("never throws on arbitrary byte strings and rejects them with a known reason", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), kindArb, (bytes, kind) => {
        const r = decode(Buffer.from(bytes), kind);
        checkResult(r, kind, true, null);
      }),
      RUNS,
    );
    checkNoPollution();
  });

  it("never throws on arbitrary JSON values; every item is a reading or a rejection", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), kindArb, (value, kind) => {
        const { batch, items } = itemCount(value);
        checkResult(decode(Buffer.from(JSON.stringify(value) ?? "null"), kind), kind, batch, items);
      }),
      RUNS,
    );
    checkNoPollution();
  });

  it("accepts only schema-valid readings from reading-shaped objects and batches of them", () => {
    fc.assert(
      fc.property(
        fc.oneof(readingLike, fc.array(readingLike, { minLength: 1, maxLength: 20 })),
        kindArb,
        (value, kind) => {
          const { batch, items } = itemCount(value);
          checkResult(decode(Buffer.from(JSON.stringify(value)), kind), kind, batch, items);
        },
      ),
      RUNS,
    );
    checkNoPollution();
  });

  it("handles deep nesting, huge numbers and NaN/Infinity as text", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom("[", '{"a":'), (depth, open) => {
        const close = open === "[" ? "]" : "}";
        const body = `${open.repeat(depth)}1${close.repeat(depth)}`;
        const r = decode(Buffer.from(body));
        checkResult(r, "water", true, null);
        expect(r.readings).toEqual([]);
      }),
      { numRuns: 60, seed: 8008 },
    );
    // 1,000,000 levels: JSON.parse raises RangeError, which must become invalid_json (or too large).
    const deep = decodeTelemetry(
      Buffer.from(`${"[".repeat(1_000_000)}]`),
      { id: "fuzz-1", kind: "water" },
      NOW,
      {
        ...LIMITS,
        maxPayloadBytes: 2_000_000,
      },
    );
    expect(deep.readings).toEqual([]);
    expect(deep.rejections[0]?.reason).toBe("invalid_json");
    for (const raw of ["1e400", "-1e400", "NaN", "Infinity", '"NaN"', '"Infinity"', "1".repeat(400)]) {
      for (const field of [
        raw,
        `{"kind":"water","totalLiters":${raw}}`,
        `{"kind":"water","totalLiters":1,"ts":${raw}}`,
      ]) {
        const r = decode(Buffer.from(field));
        checkResult(r, "water", false, null);
        expect(r.readings).toEqual([]);
      }
    }
  });

  it("ignores __proto__ and constructor keys and never pollutes Object.prototype", () => {
    const keyArb = fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "kind",
      "totalLiters",
      "polluted",
    );
    const evil = fc.dictionary(
      keyArb,
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant({ polluted: true })),
    );
    fc.assert(
      fc.property(evil, (extra) => {
        const body = `{"kind":"water","totalLiters":5,${JSON.stringify(extra).slice(1, -1) || '"x":1'}}`;
        const raw = body.replace(/,}$/, "}");
        const r = decode(Buffer.from(raw));
        checkResult(r, "water", false, 1);
        checkNoPollution();
      }),
      RUNS,
    );
    const attack =
      '{"kind":"water","totalLiters":1,"__proto__":{"polluted":true,"totalLiters":"x"},"constructor":{"prototype":{"isAdmin":true}}}';
    const r = decode(Buffer.from(attack));
    expect(r.readings).toHaveLength(1);
    expect(r.readings[0]?.fields).toEqual({ totalLiters: 1 });
    checkNoPollution();
  });

  it("treats unicode tricks in kinds, keys and values as plain data", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-composite" }), fc.string({ unit: "binary" }), (a, b) => {
        for (const body of [
          JSON.stringify({ kind: a, totalLiters: 1 }),
          JSON.stringify({ kind: "water", totalLiters: b }),
          JSON.stringify({ [a]: b, kind: "water", totalLiters: 2 }),
        ]) {
          checkResult(decode(Buffer.from(body)), "water", false, 1);
        }
      }),
      RUNS,
    );
    // Lone surrogates and an overlong UTF-8 encoding of "/" (0xC0 0xAF) decode to U+FFFD, not to a kind.
    for (const bytes of [
      Buffer.from('{"kind":"wa\\ud800ter","totalLiters":1}'),
      Buffer.concat([
        Buffer.from('{"kind":"water'),
        Buffer.from([0xc0, 0xaf]),
        Buffer.from('","totalLiters":1}'),
      ]),
      Buffer.from('{"kind":"wat\u200ber","totalLiters":1}'),
      Buffer.from('{"kind":"\u202eretaw","totalLiters":1}'),
    ]) {
      const r = decode(bytes);
      expect(r.readings).toEqual([]);
      expect(r.rejections[0]?.reason).toBe("unknown_kind");
    }
  });
});
