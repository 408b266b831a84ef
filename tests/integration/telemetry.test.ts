import { spawn } from "node:child_process";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeClient, collect, connect, run, sleep, waitUntil } from "../helpers/mqtt.js";
import { startTestService, type TestService } from "../helpers/service.js";

let svc: TestService;
let meter: { deviceId: string; secret: string; householdId: string };
let client: MqttClient;
let errors: Awaited<ReturnType<typeof collect>>;

beforeAll(async () => {
  svc = await startTestService({ JINLIN_MAX_PAYLOAD_BYTES: "4096", JINLIN_MAX_BATCH: "50" });
  meter = await svc.provision("water");
  client = await connect(svc.mqttPort, { username: meter.deviceId, password: meter.secret });
  errors = await collect(client, `devices/${meter.deviceId}/errors`);
});
afterAll(async () => {
  await closeClient(client);
  await svc.stop();
});

const topic = () => `devices/${meter.deviceId}/telemetry`;
const stored = () => svc.stores.readings.query({ deviceId: meter.deviceId });

describe("accepted telemetry", () => {
  it("stores a QoS 1 reading before PUBACK", async () => {
    await client.publishAsync(
      topic(),
      JSON.stringify({ kind: "water", totalLiters: 12.5, ts: Date.now() - 60_000 }),
      { qos: 1 },
    );
    // PUBACK has arrived: the reading must already be readable from another connection to the store.
    expect(stored().map((r) => r.fields.totalLiters)).toContain(12.5);
  });

  it("stores a batch with its own timestamps and derives consumption", async () => {
    const t = Date.now() - 3_600_000;
    const batch = [0, 1, 2].map((i) => ({
      kind: "water",
      totalLiters: 100 + i * 6,
      ts: new Date(t + i * 60_000).toISOString(),
    }));
    await client.publishAsync(topic(), JSON.stringify(batch), { qos: 1 });
    const rows = stored().filter((r) => r.ts >= t && r.ts < t + 600_000);
    expect(rows.map((r) => [r.ts - t, r.consumedLiters])).toEqual([
      [0, null],
      [60_000, 6],
      [120_000, 6],
    ]);
  });

  it("stores a redelivered QoS 1 message once", async () => {
    const body = JSON.stringify({ kind: "water", totalLiters: 500, ts: Date.now() - 120_000 });
    await client.publishAsync(topic(), body, { qos: 1 });
    await client.publishAsync(topic(), body, { qos: 1, dup: true });
    expect(stored().filter((r) => r.fields.totalLiters === 500)).toHaveLength(1);
  });
});

describe("rejected telemetry", () => {
  const now = () => Date.now();
  const cases: [string, () => string, string][] = [
    ["invalid JSON", () => "{not json", "invalid_json"],
    ["a wrong type", () => JSON.stringify({ kind: "water", totalLiters: "many" }), "invalid_field"],
    ["an unknown kind", () => JSON.stringify({ kind: "gas", m3: 2 }), "unknown_kind"],
    ["the wrong kind for the device", () => JSON.stringify({ kind: "door", open: true }), "kind_mismatch"],
    [
      "an oversized payload",
      () => JSON.stringify({ kind: "water", totalLiters: 1, pad: "x".repeat(5000) }),
      "payload_too_large",
    ],
    [
      "a ts in the future",
      () => JSON.stringify({ kind: "water", totalLiters: 1, ts: now() + 600_000 }),
      "ts_in_future",
    ],
    [
      "a ts too old",
      () => JSON.stringify({ kind: "water", totalLiters: 1, ts: now() - 40 * 86_400_000 }),
      "ts_too_old",
    ],
    ["an invalid ts", () => JSON.stringify({ kind: "water", totalLiters: 1, ts: "noon" }), "invalid_ts"],
    ["an empty batch", () => "[]", "empty_batch"],
    [
      "too large a batch",
      () => JSON.stringify(Array.from({ length: 51 }, (_, i) => ({ kind: "water", totalLiters: i }))),
      "batch_too_large",
    ],
    ["a non-object", () => '"hello"', "not_an_object"],
  ];

  it.each(cases)(
    "reports %s on devices/<id>/errors, stores nothing and keeps the device connected",
    async (_what, body, reason) => {
      const before = stored().length;
      const seen = errors.messages.length;
      await client.publishAsync(topic(), body(), { qos: 1 });
      await errors.waitFor(seen + 1);
      expect(errors.messages[seen]?.body).toMatchObject({ reason });
      expect(stored().length).toBe(before);
      expect(client.connected).toBe(true);
    },
  );

  it("counts rejections by reason in /metrics", async () => {
    const res = await fetch(`http://127.0.0.1:${svc.httpPort}/metrics`);
    const text = await res.text();
    expect(text).toMatch(/jinlin_readings_rejected_total\{reason="invalid_json"\} [1-9]/);
    expect(text).toMatch(/jinlin_readings_accepted_total [1-9]/);
    expect(text).toMatch(/jinlin_ingest_commit_seconds_count [1-9]/);
  });

  it("logs each rejection with the device id", () => {
    expect(svc.logs.lines().some((l) => l.deviceId === meter.deviceId && l.reason === "ts_in_future")).toBe(
      true,
    );
  });
});

describe("independent clients", () => {
  it("takes a reading from mosquitto_pub and reports an error to mosquitto_sub", async () => {
    const sub = spawn("mosquitto_sub", [
      "-p",
      String(svc.mqttPort),
      "-u",
      meter.deviceId,
      "-P",
      meter.secret,
      "-t",
      `devices/${meter.deviceId}/errors`,
      "-C",
      "1",
      "-i",
      "sub-test",
    ]);
    let out = "";
    sub.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    await sleep(300);
    const ok = await run("mosquitto_pub", [
      "-p",
      String(svc.mqttPort),
      "-q",
      "1",
      "-u",
      meter.deviceId,
      "-P",
      meter.secret,
      "-t",
      topic(),
      "-m",
      '{"kind":"water","totalLiters":777}',
    ]);
    expect(ok.code).toBe(0);
    expect(stored().some((r) => r.fields.totalLiters === 777)).toBe(true);
    await run("mosquitto_pub", [
      "-p",
      String(svc.mqttPort),
      "-q",
      "1",
      "-u",
      meter.deviceId,
      "-P",
      meter.secret,
      "-t",
      topic(),
      "-m",
      '{"kind":"water"}',
    ]);
    await waitUntil(() => out.includes("invalid_field"), 5000, "mosquitto_sub output");
    sub.kill();
  });

  it("accepts MQTT over WebSocket at /mqtt", async () => {
    const ws = await connect(0, {
      servers: undefined,
      host: undefined,
      protocol: "ws",
      hostname: "127.0.0.1",
      port: svc.httpPort,
      path: "/mqtt",
      username: meter.deviceId,
      password: meter.secret,
    });
    await ws.publishAsync(topic(), JSON.stringify({ kind: "heartbeat", battery: 42 }), { qos: 1 });
    expect(stored().some((r) => r.kind === "heartbeat" && r.fields.battery === 42)).toBe(true);
    await closeClient(ws);
  });
});
