import { describe, expect, test } from "vitest";
import { retryDelay } from "../../../storage/influx/backoff.js";
import { authHeaders, parseRetryAfter, writeUrl } from "../../../storage/influx/http.js";

describe("retryDelay", () => {
  const o = (r: number) => ({ baseMs: 100, maxMs: 10_000, random: () => r });

  test("doubles per attempt, with jitter between half and all of the ceiling, capped", () => {
    expect([0, 1, 2, 3].map((a) => retryDelay(a, undefined, o(0)))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((a) => retryDelay(a, undefined, o(0.999)))).toEqual([100, 200, 400, 800]);
    expect(retryDelay(40, undefined, o(0))).toBe(5_000);
    expect(retryDelay(40, undefined, o(0.999))).toBe(9_995);
  });

  test("a server's Retry-After wins, capped at maxMs", () => {
    expect(retryDelay(0, 3_000, o(0))).toBe(3_000);
    expect(retryDelay(5, 86_400_000, o(0))).toBe(10_000);
  });
});

describe("parseRetryAfter", () => {
  test("seconds (what InfluxDB sends), an HTTP date, or nothing", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter("30", now)).toBe(30_000);
    expect(parseRetryAfter("1.5", now)).toBe(1_500);
    expect(parseRetryAfter(new Date(now + 7_000).toUTCString(), now)).toBe(7_000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});

describe("targets", () => {
  const t = {
    url: "http://influx:8086",
    token: "tok",
    username: undefined,
    password: undefined,
    org: "o rg",
    bucket: "b",
    database: "d",
    retentionPolicy: "rp",
  };
  test("v2 writes to /api/v2/write with a token; v1 to /write with db, rp and basic auth", () => {
    expect(writeUrl({ ...t, api: "v2" })).toBe(
      "http://influx:8086/api/v2/write?org=o+rg&bucket=b&precision=ms",
    );
    expect(authHeaders({ ...t, api: "v2" })).toEqual({ authorization: "Token tok" });
    const v1 = { ...t, api: "v1" as const, token: undefined, username: "u", password: "p" };
    expect(writeUrl(v1)).toBe("http://influx:8086/write?db=d&rp=rp&precision=ms");
    expect(authHeaders(v1)).toEqual({ authorization: `Basic ${Buffer.from("u:p").toString("base64")}` });
    expect(authHeaders({ ...v1, username: undefined })).toEqual({});
  });
});
