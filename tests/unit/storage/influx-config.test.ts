import { describe, expect, test } from "vitest";
import { loadConfig } from "../../../core/config.js";

describe("InfluxDB settings", () => {
  test("no URL, no forwarding", () => {
    expect(loadConfig({}).influx).toBeNull();
  });

  test("v2 is the default API and needs a token and a bucket", () => {
    const c = loadConfig({
      JINLIN_INFLUX_URL: "http://influx:8086/",
      JINLIN_INFLUX_TOKEN: "t",
      JINLIN_INFLUX_ORG: "o",
      JINLIN_INFLUX_BUCKET: "jinlin",
    });
    expect(c.influx).toMatchObject({
      url: "http://influx:8086",
      api: "v2",
      bucket: "jinlin",
      database: "jinlin",
      batchSize: 5_000,
      flushMs: 1_000,
    });
    expect(() => loadConfig({ JINLIN_INFLUX_URL: "http://influx:8086" })).toThrow(
      /JINLIN_INFLUX_BUCKET or JINLIN_INFLUX_DATABASE must be set[\s\S]*JINLIN_INFLUX_TOKEN must be set/,
    );
  });

  test("v1 with a database, user and password; bad values are refused", () => {
    const c = loadConfig({
      JINLIN_INFLUX_URL: "http://localhost:8086",
      JINLIN_INFLUX_API: "v1",
      JINLIN_INFLUX_DATABASE: "jinlin",
      JINLIN_INFLUX_USERNAME: "u",
      JINLIN_INFLUX_PASSWORD: "p",
      JINLIN_INFLUX_BATCH_SIZE: "2000",
    });
    expect(c.influx).toMatchObject({
      api: "v1",
      database: "jinlin",
      bucket: "jinlin",
      username: "u",
      batchSize: 2_000,
    });
    expect(() =>
      loadConfig({ JINLIN_INFLUX_URL: "ftp://x", JINLIN_INFLUX_API: "v1", JINLIN_INFLUX_DATABASE: "d" }),
    ).toThrow(/JINLIN_INFLUX_URL/);
    expect(() => loadConfig({ JINLIN_INFLUX_URL: "http://x", JINLIN_INFLUX_API: "v3" })).toThrow(
      /JINLIN_INFLUX_API/,
    );
    expect(() =>
      loadConfig({
        JINLIN_INFLUX_URL: "http://u:pw@x:8086",
        JINLIN_INFLUX_API: "v1",
        JINLIN_INFLUX_DATABASE: "d",
      }),
    ).toThrow(/credentials go in JINLIN_INFLUX_TOKEN/);
    expect(() =>
      loadConfig({
        JINLIN_INFLUX_URL: "http://x",
        JINLIN_INFLUX_API: "v1",
        JINLIN_INFLUX_DATABASE: "d",
        JINLIN_INFLUX_USERNAME: "u",
      }),
    ).toThrow(/USERNAME and JINLIN_INFLUX_PASSWORD must be set together/);
  });
});
