import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret, newSecret } from "../../core/secrets.js";
import {
  type CorpusContext,
  MAX_BATCH,
  MAX_PAYLOAD_BYTES,
  payloadCorpus,
  topicCorpus,
} from "../fixtures/hostile/mqtt-corpus.js";
import { closeClient, collect, connect, run, sleep } from "../helpers/mqtt.js";
import { startTestService, type TestService } from "../helpers/service.js";
import { CLI } from "../helpers/service-proc.js";

// Issue 8 item 4: a real service and a real MQTT.js device receive a corpus of hostile telemetry.

let svc: TestService;
let meter: { deviceId: string; secret: string; householdId: string };
let client: MqttClient;
let errors: Awaited<ReturnType<typeof collect>>;
let nextTs = Date.now() - 6 * 3_600_000;
const ctx: CorpusContext = { now: Date.now(), ts: () => (nextTs += 1000) };

const CORPUS = payloadCorpus();
const TOPICS = topicCorpus();

const totalReadings = () =>
  (svc.stores.db.prepare("SELECT count(*) AS n FROM readings").get() as { n: number }).n;
/** Resolves on the message event that brings the count of error reports to n (collect polls every 20 ms). */
function errorCount(n: number, ms = 5000): Promise<void> {
  if (errors.messages.length >= n) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("message", check);
      reject(new Error(`expected ${n} error reports, got ${errors.messages.length}`));
    }, ms);
    function check() {
      if (errors.messages.length < n) return;
      clearTimeout(timer);
      client.off("message", check);
      resolve();
    }
    client.on("message", check);
  });
}
const meterReadings = () => svc.stores.readings.query({ deviceId: meter.deviceId });

beforeAll(async () => {
  svc = await startTestService({
    JINLIN_MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES),
    JINLIN_MAX_BATCH: String(MAX_BATCH),
    // The corpus sends payloads up to 1 MiB to see them refused as payload_too_large on the errors topic;
    // packets over the MQTT packet limit (256 KiB by default) close the connection: hostile-mqtt-limits.
    JINLIN_MQTT_MAX_PACKET_BYTES: String(2 * 1024 * 1024),
  });
  meter = await svc.provision("water");
  client = await connect(svc.mqttPort, { username: meter.deviceId, password: meter.secret });
  errors = await collect(client, `devices/${meter.deviceId}/errors`);
});
afterAll(async () => {
  await closeClient(client);
  await svc.stop();
});

describe("hostile telemetry payloads", () => {
  it("has a corpus of at least 200 hostile payloads and topics", () => {
    expect(CORPUS.length + TOPICS.length).toBeGreaterThanOrEqual(200);
  });

  it.each(CORPUS.map((c) => [c.name, c] as const))(
    "refuses %s with a clear reason and stores only the valid readings",
    async (_name, c) => {
      ctx.now = Date.now();
      const before = totalReadings();
      const seen = errors.messages.length;
      await client.publishAsync(`devices/${meter.deviceId}/telemetry`, c.payload(ctx), { qos: 1 });
      await errorCount(seen + c.reasons.length);
      const got = errors.messages.slice(seen);
      expect(got).toHaveLength(c.reasons.length);
      got.forEach((m, i) => {
        const body = m.body as { code: string; reason: string; message: string; index: number | null };
        const want = c.reasons[i]!;
        expect([want].flat()).toContain(body.reason);
        expect(body.code).toMatch(/^JINLIN_ERR_/);
        expect(body.message.length).toBeGreaterThan(0);
      });
      expect(totalReadings() - before).toBe(c.stores);
      expect(client.connected).toBe(true);
    },
  );

  it("stored exactly the explicitly valid readings of the mixed batches", () => {
    const rows = meterReadings();
    const wanted = CORPUS.reduce((n, c) => n + c.stores, 0);
    expect(rows).toHaveLength(wanted);
    for (const r of rows) expect(r.fields).toEqual({ totalLiters: 40 });
    // No case produced a stray extra report after its own were counted.
    expect(errors.messages).toHaveLength(CORPUS.reduce((n, c) => n + c.reasons.length, 0));
  });
});

describe("hostile publish topics", () => {
  it.each(TOPICS.map((t) => [t.name, t] as const))(
    "closes the connection of a device publishing to %s, and stores nothing",
    async (_name, t) => {
      const before = totalReadings();
      const dev = await connect(svc.mqttPort, { username: meter.deviceId, password: meter.secret });
      const closed = new Promise<void>((resolve) => dev.once("close", () => resolve()));
      const body = JSON.stringify({ kind: "water", totalLiters: 99, ts: ctx.ts() });
      // MQTT.js may refuse a wildcard topic itself; either way nothing may reach the store.
      dev.publish(t.topic(meter.deviceId), body, { qos: 1 }, () => {});
      await Promise.race([closed, sleep(3000)]);
      expect(dev.connected).toBe(false);
      dev.end(true);
      expect(totalReadings()).toBe(before);
    },
  );
});

describe("the service after the corpus", () => {
  it("is healthy and still accepts a valid reading from the same device", async () => {
    const res = await fetch(`http://127.0.0.1:${svc.httpPort}/healthz`);
    expect(res.status).toBe(200);
    const before = totalReadings();
    await client.publishAsync(
      `devices/${meter.deviceId}/telemetry`,
      JSON.stringify({ kind: "water", totalLiters: 4242, ts: ctx.ts() }),
      { qos: 1 },
    );
    expect(totalReadings()).toBe(before + 1);
    expect(meterReadings().some((r) => r.fields.totalLiters === 4242)).toBe(true);
  });

  it("never logs a device secret while refusing", () => {
    expect(svc.logs.text()).not.toContain(meter.secret);
  });
});

const BAD_IDS = [
  "meter,1",
  "meter 1",
  "meter\n1",
  'meter"1',
  "meter'1",
  "meter=1",
  "meter/1",
  "meter+",
  "#",
  "-meter",
  "",
  "m".repeat(65),
  "meter\u200b1",
  "水表1",
];

describe("device ids at provisioning", () => {
  it.each(BAD_IDS.map((id) => [JSON.stringify(id), id] as const))(
    "registry.addDevice refuses %s with JINLIN_ERR_DEVICE_ID_INVALID",
    async (_shown, id) => {
      const secretHash = await hashSecret(newSecret());
      expect(() =>
        svc.stores.registry.addDevice({ householdId: meter.householdId, kind: "water", id, secretHash }),
      ).toThrow(expect.objectContaining({ code: "JINLIN_ERR_DEVICE_ID_INVALID" }));
      expect(svc.stores.registry.getDevice(id)).toBeUndefined();
    },
  );

  it("jinlin device add --id refuses commas, spaces, newlines and quotes", async () => {
    const env = { JINLIN_DATA_DIR: svc.dataDir };
    const ids = ["meter,1", "meter 1", "meter\n1", 'meter"1'];
    const results = await Promise.all(
      ids.map((id) =>
        run(
          process.execPath,
          [CLI, "device", "add", "--household", meter.householdId, "--kind", "water", "--id", id],
          {
            env,
          },
        ),
      ),
    );
    for (const r of results) {
      expect(r.code).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toContain("JINLIN_ERR_DEVICE_ID_INVALID");
    }
    for (const id of ids) expect(svc.stores.registry.getDevice(id)).toBeUndefined();
  });
});
