import { rmSync } from "node:fs";
import type { Client } from "aedes";
import type { MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStores } from "../../cli/stores.js";
import { loadConfig } from "../../core/config.js";
import { hashSecret, newSecret } from "../../core/secrets.js";
import { startIngestBroker } from "../helpers/broker.js";
import { captureLogs } from "../helpers/log-sink.js";
import { closeClient, connect, sleep } from "../helpers/mqtt.js";
import { type RawClient, rawDevice } from "../helpers/raw-mqtt.js";
import { startTestService, type TestService, tempDir } from "../helpers/service.js";

// Issue 8 item 3: a frozen subscriber, and the Aedes 1.2 QoS 0 "Maximum call stack size exceeded" fault.
// Reproduction (before the fix in broker/create-broker.ts): a device subscribes to its own tree, stops
// reading its socket and floods QoS 0 telemetry; mqemitter's 100 delivery slots fill, a backlog of
// thousands of publishes queues behind them, and when the device disconnects mqemitter unwinds the backlog
// in one recursion: RangeError, uncaught, the process dies. With Aedes' `concurrency` at its default this
// test fails within seconds.

let ts = Date.now() - 3_600_000;
function reading(): string {
  ts += 1000;
  return JSON.stringify({ kind: "water", totalLiters: 10, ts });
}

/**
 * Floods QoS 0 publishes without reading the socket: `status` (accepted, matched by the device's own
 * subscription) or broken telemetry (each draws an error report back to the frozen socket).
 */
function flood(dev: RawClient, deviceId: string, messages: number, leaf: "status" | "telemetry"): void {
  const payload = leaf === "status" ? "online" : "{";
  for (let i = 0; i < messages; i++)
    dev.send({ cmd: "publish", topic: `devices/${deviceId}/${leaf}`, payload, qos: 0 });
}

async function frozenSubscriber(port: number, device: { deviceId: string; secret: string }) {
  const dev = await rawDevice(port, device);
  dev.send({
    cmd: "subscribe",
    messageId: 1,
    subscriptions: [{ topic: `devices/${device.deviceId}/#`, qos: 0 }],
  });
  await dev.next((p) => p.cmd === "suback");
  dev.socket.pause(); // never reads again: whatever the broker writes piles up on its side
  return dev;
}

/** Publishes QoS 1 readings one after another and returns the slowest PUBACK in ms. */
async function slowestPuback(client: MqttClient, deviceId: string, n: number): Promise<number> {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await client.publishAsync(`devices/${deviceId}/telemetry`, reading(), { qos: 1 });
    worst = Math.max(worst, performance.now() - t0);
  }
  return worst;
}

function catchUncaught() {
  const seen: unknown[] = [];
  const on = (err: unknown) => seen.push(err);
  process.on("uncaughtException", on);
  return { seen, stop: () => process.off("uncaughtException", on) };
}

describe("Jinlin's broker and a QoS 0 publisher that outpaces its own subscription, then disconnects", () => {
  const dir = tempDir();
  const stores = openStores(loadConfig({ JINLIN_DATA_DIR: dir }));
  const logs = captureLogs("info");
  let running: Awaited<ReturnType<typeof startIngestBroker>>;
  let port: number;

  beforeAll(async () => {
    running = await startIngestBroker(stores, logs.log);
    port = running.port;
  });
  afterAll(async () => {
    await running.close();
    stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function provision() {
    const householdId = stores.registry.addHousehold({ resident: "R", address: "A", gridPath: "t/g" }).id;
    const secret = newSecret();
    const d = stores.registry.addDevice({ householdId, kind: "water", secretHash: await hashSecret(secret) });
    return { deviceId: d.id, secret };
  }

  it("survives the disconnect, keeps the frozen client's buffer bounded and stores every acknowledged reading", async () => {
    const frozen = await provision();
    const other = await provision();
    const client = await connect(port, { username: other.deviceId, password: other.secret });
    const uncaught = catchUncaught();
    try {
      // The frozen subscriber holds Aedes' delivery slots; three other devices flooding garbage (reading
      // their sockets, subscribed to nothing) build the backlog that unwinds when it leaves.
      const flooders = [await provision(), await provision(), await provision()];
      const dev = await frozenSubscriber(port, frozen);
      const others = await Promise.all(flooders.map((f) => rawDevice(port, f)));
      flood(dev, frozen.deviceId, 60_000, "telemetry");
      flooders.forEach((f, i) => {
        flood(others[i]!, f.deviceId, 60_000, "telemetry");
      });
      let worst = 0;
      for (let i = 0; i < 10; i++) {
        worst = Math.max(worst, await slowestPuback(client, other.deviceId, 2));
        await sleep(1000);
      }
      const clients = (running.broker.aedes as unknown as { clients: Record<string, Client> }).clients;
      const conn = clients[frozen.deviceId]?.conn;
      // The broker's side of the frozen socket holds at most its high-water mark: reports are dropped, not queued.
      expect(conn?.writableLength ?? 0).toBeLessThanOrEqual(64 * 1024);
      dev.socket.destroy();
      await sleep(1500);
      for (const o of others) o.socket.destroy();
      expect(uncaught.seen.map(String)).toEqual([]);
      // Before the fix the frozen subscriber held every delivery slot and the bystander waited for the 30 s
      // drain timeout (12.9 s seen). Four flooders still cost CPU, so this bound leaves room for a loaded CI.
      expect(worst, `slowest PUBACK during the flood: ${worst.toFixed(0)} ms`).toBeLessThan(10_000);
      const warned = logs
        .lines()
        .filter((l) => l.msg === "too many rejected readings; error reports rate-limited");
      expect(warned.map((l) => l.deviceId)).toContain(frozen.deviceId);
      await client.publishAsync(`devices/${other.deviceId}/telemetry`, reading(), { qos: 1 });
      expect(stores.readings.query({ deviceId: other.deviceId })).toHaveLength(21);
    } finally {
      uncaught.stop();
      await closeClient(client);
    }
  }, 30_000);
});

describe("a frozen subscriber against the whole service", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc.stop();
  });

  it("gets at most a socket buffer of error reports and never slows another device's PUBACKs", async () => {
    const frozen = await svc.provision("water");
    const other = await svc.provision("water");
    const client = await connect(svc.mqttPort, { username: other.deviceId, password: other.secret });
    const uncaught = catchUncaught();
    try {
      for (let round = 0; round < 3; round++) {
        const dev = await frozenSubscriber(svc.mqttPort, frozen);
        flood(dev, frozen.deviceId, 30_000, "telemetry");
        await sleep(500);
        const worst = await slowestPuback(client, other.deviceId, 20);
        expect(worst, `slowest PUBACK during the flood: ${worst.toFixed(0)} ms`).toBeLessThan(2000);
        dev.socket.destroy();
        await sleep(300);
      }
      expect(uncaught.seen.map(String)).toEqual([]);
      const lines = svc.logs.lines();
      expect(lines.some((l) => l.msg === "too many rejected readings; error reports rate-limited")).toBe(
        true,
      );
      const res = await fetch(`http://127.0.0.1:${svc.httpPort}/healthz`);
      expect(res.status).toBe(200);
      await client.publishAsync(`devices/${other.deviceId}/telemetry`, reading(), { qos: 1 });
      expect(svc.stores.readings.query({ deviceId: other.deviceId })).toHaveLength(61);
    } finally {
      uncaught.stop();
      await closeClient(client);
    }
  }, 60_000);
});
