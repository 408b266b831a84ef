import { describe, expect, it } from "vitest";
import type { DeviceKind } from "../../../core/domain.js";
import { decodeTelemetry } from "../../../ingest/decode.js";

const limits = {
  maxPayloadBytes: 1024,
  maxBatch: 3,
  maxReadingAgeMs: 30 * 86_400_000,
  maxClockSkewMs: 300_000,
};
const water = { id: "m1", kind: "water" as const };
const now = Date.parse("2026-03-01T08:00:00Z");
const decode = (body: unknown, device: { id: string; kind: DeviceKind } = water) =>
  decodeTelemetry(Buffer.from(typeof body === "string" ? body : JSON.stringify(body)), device, now, limits);

describe("decodeTelemetry", () => {
  it("accepts a reading without ts at arrival time and strips unknown fields", () => {
    const r = decode({ kind: "water", totalLiters: 12.5, flowLpm: 3, vendor: "x" });
    expect(r.rejections).toEqual([]);
    expect(r.readings).toEqual([
      { deviceId: "m1", kind: "water", ts: now, fields: { totalLiters: 12.5, flowLpm: 3 } },
    ]);
  });

  it("reads ts as ISO-8601 with an offset or as epoch milliseconds", () => {
    const iso = decode({ kind: "water", totalLiters: 1, ts: "2026-03-01T15:30:00+08:00" });
    expect(iso.readings[0]?.ts).toBe(Date.parse("2026-03-01T07:30:00Z"));
    const ms = decode({ kind: "water", totalLiters: 1, ts: now - 1000 });
    expect(ms.readings[0]?.ts).toBe(now - 1000);
  });

  it("keeps the good readings of a batch and reports the bad ones by index", () => {
    const r = decode([
      { kind: "water", totalLiters: 1, ts: now - 2000 },
      { kind: "water", totalLiters: "lots" },
      { kind: "heartbeat", battery: 80 },
    ]);
    expect(r.readings.map((x) => x.kind)).toEqual(["water", "heartbeat"]);
    expect(r.rejections).toMatchObject([
      { index: 1, reason: "invalid_field", code: "JINLIN_ERR_READING_INVALID" },
    ]);
  });

  const cases: [string, unknown, string][] = [
    ["broken JSON", '{"kind": "water", ', "invalid_json"],
    ["a bare number", "42", "not_an_object"],
    ["an empty batch", [], "empty_batch"],
    ["too many readings", [1, 2, 3, 4].map((i) => ({ kind: "water", totalLiters: i })), "batch_too_large"],
    ["an unknown kind", { kind: "gas", m3: 1 }, "unknown_kind"],
    ["a missing kind", { totalLiters: 1 }, "unknown_kind"],
    ["another device kind", { kind: "door", open: true }, "kind_mismatch"],
    ["a wrong type", { kind: "water", totalLiters: "12" }, "invalid_field"],
    ["a missing field", { kind: "water" }, "invalid_field"],
    ["a negative register", { kind: "water", totalLiters: -1 }, "invalid_field"],
    ["an infinite number", '{"kind":"water","totalLiters":1e999}', "invalid_field"],
    ["a ts that is not a time", { kind: "water", totalLiters: 1, ts: "yesterday" }, "invalid_ts"],
    ["a ts without an offset", { kind: "water", totalLiters: 1, ts: "2026-03-01T08:00:00" }, "invalid_ts"],
    ["a ts 6 minutes ahead", { kind: "water", totalLiters: 1, ts: now + 360_000 }, "ts_in_future"],
    ["a ts 31 days old", { kind: "water", totalLiters: 1, ts: now - 31 * 86_400_000 }, "ts_too_old"],
    ["deep nesting", `${"[".repeat(100_000)}${"]".repeat(100_000)}`, "payload_too_large"],
  ];
  it.each(cases)("refuses %s", (_what, body, reason) => {
    const r = decode(body);
    expect(r.readings).toEqual([]);
    expect(r.rejections[0]?.reason).toBe(reason);
    expect(r.rejections[0]?.message.length).toBeGreaterThan(5);
  });

  it("accepts a ts 4 minutes ahead (device clock skew) and 29 days old (late batch)", () => {
    expect(decode({ kind: "water", totalLiters: 1, ts: now + 240_000 }).readings).toHaveLength(1);
    expect(decode({ kind: "water", totalLiters: 1, ts: now - 29 * 86_400_000 }).readings).toHaveLength(1);
  });

  it("refuses JSON nested too deeply for the parser without throwing", () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const r = decodeTelemetry(Buffer.from(deep), water, now, {
      ...limits,
      maxPayloadBytes: 1_000_000,
      maxBatch: 10,
    });
    expect(r.readings).toEqual([]);
    expect(r.rejections).toHaveLength(1);
  });

  it("does not let __proto__ keys reach the stored fields", () => {
    const r = decode('{"kind":"water","totalLiters":2,"__proto__":{"polluted":true},"constructor":{"x":1}}');
    expect(r.readings[0]?.fields).toEqual({ totalLiters: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("accepts heartbeats from any device kind", () => {
    expect(
      decode({ kind: "heartbeat", battery: 50, rssi: -80 }, { id: "d1", kind: "door" }).readings,
    ).toHaveLength(1);
  });
});
