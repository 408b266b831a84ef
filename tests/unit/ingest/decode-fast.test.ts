import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { READING_KINDS, type ReadingKind, readingFieldSchemas } from "../../../core/domain.js";
import { fastFields } from "../../../ingest/decode.js";

// Values around every limit in core/domain.ts, plus the wrong types a device might send.
const value = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    100,
    100.0000001,
    -60,
    -60.0001,
    50,
    -200,
    1000,
    1000.5,
    100_000,
    100_001,
    1e9,
    1e9 + 1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    true,
    false,
    null,
    "1",
    "true",
    [],
    {},
  ),
  fc.double(),
  fc.integer({ min: -300, max: 200_000 }),
);
const FIELD_NAMES = [
  "totalLiters",
  "flowLpm",
  "open",
  "detected",
  "watts",
  "totalKwh",
  "celsius",
  "humidity",
  "pressed",
  "ok",
  "battery",
  "rssi",
  "extra",
];
const item = fc.dictionary(fc.constantFrom(...FIELD_NAMES), value, { maxKeys: 5 });

describe("the decoder's fast path", () => {
  it("accepts only what zod accepts, and returns exactly zod's output", () => {
    let fastHits = 0;
    fc.assert(
      fc.property(fc.constantFrom(...READING_KINDS), item, (kind: ReadingKind, fields) => {
        const fast = fastFields(kind, fields);
        const slow = readingFieldSchemas[kind].safeParse(fields);
        if (fast === undefined) return; // zod decides: nothing to compare
        fastHits++;
        expect(slow.success).toBe(true);
        // Same keys in the same order (toStrictEqual ignores order, the stored JSON does not).
        expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
      }),
      { numRuns: 20_000 },
    );
    expect(fastHits).toBeGreaterThan(1_000);
  });

  it("takes the common simulated readings without zod", () => {
    expect(fastFields("water", { kind: "water", ts: 1, totalLiters: 12.5 })).toEqual({ totalLiters: 12.5 });
    expect(fastFields("motion", { kind: "motion", detected: true })).toEqual({ detected: true });
    expect(fastFields("heartbeat", { kind: "heartbeat", battery: 80, rssi: -70 })).toEqual({
      battery: 80,
      rssi: -70,
    });
    expect(fastFields("climate", { celsius: 101 })).toBeUndefined();
  });
});
