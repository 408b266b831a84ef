import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep, waitUntil } from "../helpers/mqtt.js";
import { type RawClient, rawClient, rawConnect, rawDevice } from "../helpers/raw-mqtt.js";
import { startTestService, type TestService } from "../helpers/service.js";

// Issue 8 item 3: connection floods and per-address limits, login guessing, oversized packets and
// keep-alive abuse, each through a real service. Other loopback addresses (127.0.0.2 …) stand for other
// remote addresses; the device that must stay unaffected connects from 127.0.0.1.

let svc: TestService;
let ts = Date.now() - 3_600_000;

const LIMITS = {
  JINLIN_MQTT_CONNECT_TIMEOUT_S: "1",
  JINLIN_MQTT_MAX_PENDING_PER_ADDRESS: "20",
  JINLIN_MQTT_MAX_CONNECTIONS_PER_ADDRESS: "30",
  JINLIN_MQTT_MAX_KEEPALIVE_S: "2",
  JINLIN_MQTT_MAX_PACKET_BYTES: "100000",
  JINLIN_MQTT_AUTH_FAILURES_PER_DEVICE: "3",
  JINLIN_MQTT_AUTH_FAILURES_PER_ADDRESS: "30",
};

beforeAll(async () => {
  svc = await startTestService(LIMITS);
});
afterAll(async () => {
  await svc.stop();
});

/** One QoS 1 reading from an unaffected device; resolves with the PUBACK latency in ms. */
async function pubackMs(dev: RawClient, deviceId: string, messageId: number): Promise<number> {
  const t0 = performance.now();
  ts += 1000;
  dev.send({
    cmd: "publish",
    topic: `devices/${deviceId}/telemetry`,
    qos: 1,
    messageId,
    payload: JSON.stringify({ kind: "water", totalLiters: 5, ts }),
  });
  await dev.next((p) => p.cmd === "puback" && p.messageId === messageId);
  return performance.now() - t0;
}

const closedWithin = async (c: RawClient, ms: number) =>
  Promise.race([c.closed.then(() => true), sleep(ms).then(() => false)]);

describe("half-open connections that never send CONNECT", () => {
  it("refuses those over the per-address limit at once and closes the rest after the connect timeout", async () => {
    const meter = await svc.provision("water");
    const t0 = performance.now();
    const sockets = await Promise.all(
      Array.from({ length: 50 }, () => rawClient(svc.mqttPort, { localAddress: "127.0.0.2" })),
    );
    const closedAt: number[] = [];
    for (const s of sockets) s.closed.then(() => closedAt.push(performance.now() - t0));
    await sleep(300);
    expect(closedAt.length, "refused at once (over 20 pending)").toBe(30);
    // A device from another address connects and is acknowledged meanwhile.
    const dev = await rawDevice(svc.mqttPort, meter);
    expect(await pubackMs(dev, meter.deviceId, 1)).toBeLessThan(1000);
    await waitUntil(() => closedAt.length === 50, 4000, "every half-open socket closed");
    const last = Math.max(...closedAt);
    // JINLIN_MQTT_CONNECT_TIMEOUT_S=1: closed after about a second, never left open.
    expect(last).toBeGreaterThan(900);
    expect(last).toBeLessThan(3000);
    const refused = svc.logs.lines().filter((l) => l.code === "JINLIN_ERR_MQTT_CONNECTION_LIMIT");
    expect(refused).toHaveLength(1); // one warning per address and limit a minute, not one per socket
    expect(refused[0]).toMatchObject({ remote: "127.0.0.2", limit: "pending_per_address" });
    // Once they are gone, the address may connect again.
    const again = await rawClient(svc.mqttPort, { localAddress: "127.0.0.2" });
    expect(await closedWithin(again, 300)).toBe(false);
    again.socket.destroy();
    dev.socket.destroy();
  });
});

describe("many connections with valid credentials from one address", () => {
  it("accepts up to the per-address limit and refuses the rest without touching other addresses", async () => {
    const devices = [];
    for (let i = 0; i < 35; i++) devices.push(await svc.provision("water"));
    const results = [];
    for (const d of devices) results.push(await rawConnect(svc.mqttPort, d, { localAddress: "127.0.0.3" }));
    const accepted = results.filter((r) => r.code === 0);
    const refused = results.filter((r) => r.code === null);
    expect(accepted).toHaveLength(30);
    expect(refused).toHaveLength(5);
    // Operators see refusals on /metrics, by limit.
    const metrics = await (await fetch(`http://127.0.0.1:${svc.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/jinlin_mqtt_limited_total\{limit="open_per_address"\} 5\b/);
    const other = await svc.provision("water");
    const dev = await rawDevice(svc.mqttPort, other);
    expect(await pubackMs(dev, other.deviceId, 1)).toBeLessThan(1000);
    for (const r of results) r.client.socket.destroy();
    dev.socket.destroy();
  });
});

describe("guessing device secrets", () => {
  it("makes a device id wait after 3 failures, without locking out the device itself", async () => {
    const meter = await svc.provision("water");
    const fresh = await svc.provision("water");
    const known = await rawDevice(svc.mqttPort, meter); // has logged in since start-up
    known.socket.destroy();
    for (const d of [meter, fresh])
      for (let i = 0; i < 3; i++) {
        const r = await rawConnect(
          svc.mqttPort,
          { ...d, secret: `wrong-${i}` },
          { localAddress: "127.0.0.4" },
        );
        expect(r.code).toBe(5);
      }
    const throttled = svc.logs.lines().filter((l) => l.code === "JINLIN_ERR_AUTH_THROTTLED");
    expect(throttled.map((l) => l.deviceId)).toEqual([meter.deviceId, fresh.deviceId]);
    // The real meter, with the secret it proved before, still gets in while its id is throttled.
    const back = await rawConnect(svc.mqttPort, meter);
    expect(back.code).toBe(0);
    back.client.socket.destroy();
    // A device that has not logged in since start-up waits its turn (1 s), then gets in.
    expect((await rawConnect(svc.mqttPort, fresh)).code).toBe(5);
    await sleep(1100);
    const later = await rawConnect(svc.mqttPort, fresh);
    expect(later.code).toBe(0);
    later.client.socket.destroy();
  });

  it("stops verifying an address's logins after 30 failures; other devices' PUBACKs stay prompt", async () => {
    const meter = await svc.provision("water");
    const dev = await rawDevice(svc.mqttPort, meter);
    const targets = [];
    for (let i = 0; i < 40; i++) targets.push(await svc.provision("water"));
    const before = svc.logs.lines().filter((l) => l.why === "bad_secret").length;
    const attempts = [];
    for (let round = 0; round < 5; round++)
      for (const t of targets)
        attempts.push(rawConnect(svc.mqttPort, { ...t, secret: "guess" }, { localAddress: "127.0.0.5" }));
    let worst = 0;
    for (let i = 1; i <= 10; i++) worst = Math.max(worst, await pubackMs(dev, meter.deviceId, i));
    const results = await Promise.all(attempts);
    expect(results.every((r) => r.code === 5 || r.code === null)).toBe(true);
    const verified = svc.logs.lines().filter((l) => l.why === "bad_secret").length - before;
    // 200 guesses, about 30 scrypt verifications: the rest were refused without one.
    expect(verified).toBeLessThanOrEqual(35);
    expect(worst, `slowest PUBACK during the guessing flood: ${worst.toFixed(0)} ms`).toBeLessThan(1000);
    // The address is waiting now: even a right secret (not proved before) is refused from it.
    const right = targets[0] as { deviceId: string; secret: string };
    expect((await rawConnect(svc.mqttPort, right, { localAddress: "127.0.0.5" })).code).toBe(5);
    for (const r of results) r.client.socket.destroy();
    dev.socket.destroy();
  });
});

describe("oversized packets", () => {
  it("closes a connection that announces a packet over the limit before its body arrives", async () => {
    const meter = await svc.provision("water");
    const other = await svc.provision("water");
    const bystander = await rawDevice(svc.mqttPort, other);
    const dev = await rawDevice(svc.mqttPort, meter);
    // PUBLISH QoS 0 announcing 10 MiB; only the header and 1 KiB follow.
    const topic = `devices/${meter.deviceId}/telemetry`;
    const len = 10 * 1024 * 1024;
    const varint: number[] = [];
    for (let n = len; ; ) {
      const b = n % 128;
      n = Math.floor(n / 128);
      varint.push(n > 0 ? b | 0x80 : b);
      if (n === 0) break;
    }
    const head = Buffer.concat([
      Buffer.from([0x30, ...varint]),
      Buffer.from([topic.length >> 8, topic.length & 0xff]),
      Buffer.from(topic),
      Buffer.alloc(1024, 0x20),
    ]);
    const t0 = performance.now();
    (dev.socket as Socket).write(head);
    await dev.closed;
    expect(performance.now() - t0).toBeLessThan(1000);
    const line = svc.logs.lines().find((l) => l.code === "JINLIN_ERR_MQTT_PACKET_TOO_LARGE");
    expect(line).toMatchObject({ deviceId: meter.deviceId, announced: len, max: 100_000 });
    expect(await pubackMs(bystander, other.deviceId, 1)).toBeLessThan(1000);
    // Under the packet limit but over the payload limit (64 KiB): refused with a reason, connection kept.
    const dev2 = await rawDevice(svc.mqttPort, meter);
    dev2.send({
      cmd: "subscribe",
      messageId: 1,
      subscriptions: [{ topic: `devices/${meter.deviceId}/errors`, qos: 0 }],
    });
    await dev2.next((p) => p.cmd === "suback");
    dev2.send({ cmd: "publish", topic, qos: 1, messageId: 2, payload: Buffer.alloc(90_000, 0x20) });
    const report = await dev2.next((p) => p.cmd === "publish");
    expect(report.cmd === "publish" && JSON.parse(report.payload.toString()).reason).toBe(
      "payload_too_large",
    );
    await dev2.next((p) => p.cmd === "puback" && p.messageId === 2);
    expect(dev2.socket.destroyed).toBe(false);
    dev2.socket.destroy();
    bystander.socket.destroy();
  });
});

describe("keep-alive abuse", () => {
  it.each([
    ["keep-alive 1 s, then silent", 1, 1500],
    ["keep-alive 0 (never), capped to 2 s", 0, 3000],
    ["keep-alive 65535 s, capped to 2 s", 65_535, 3000],
  ])("closes a device with %s within 1.5 × the keep-alive", async (_name, keepalive, limitMs) => {
    const meter = await svc.provision("water");
    const dev = await rawDevice(svc.mqttPort, meter, { keepalive });
    const t0 = performance.now();
    await Promise.race([dev.closed, sleep(limitMs + 2000)]);
    const took = performance.now() - t0;
    expect(dev.socket.destroyed, `still open after ${took.toFixed(0)} ms`).toBe(true);
    expect(took).toBeGreaterThan(limitMs * 0.6);
    expect(took).toBeLessThan(limitMs + 500);
  });
});
