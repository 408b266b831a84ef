import { once } from "node:events";
import { type AddressInfo, createServer, type Server } from "node:net";
import { Aedes } from "aedes";
import { connectAsync } from "mqtt";
import { afterEach, describe, expect, it } from "vitest";
import type { SimMessage } from "../../../simulators/messages.js";
import { createPublisher, type PublisherStats, percentile } from "../../../simulators/publisher.js";
import { runSimulation } from "../../../simulators/run.js";

const secret = (deviceId: string) => `secret-${deviceId}`;

/** A bare broker that checks device credentials and keeps each device under devices/<its id>/. */
async function startBroker(): Promise<{ url: string; broker: Aedes; server: Server; received: string[] }> {
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) =>
      done(null, username === client.id && password?.toString() === secret(client.id)),
    authorizePublish: (client, packet, done) =>
      done(packet.topic.startsWith(`devices/${client?.id}/`) ? null : new Error("acl")),
  });
  const received: string[] = [];
  broker.on("publish", (packet, client) => {
    if (client) received.push(`${packet.topic} ${packet.payload.toString()}`);
  });
  const server = createServer(broker.handle);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, broker, server, received };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function withBroker() {
  const b = await startBroker();
  cleanups.push(async () => {
    await new Promise<void>((r) => b.broker.close(() => r()));
    await new Promise<void>((r) => b.server.close(() => r()));
  });
  return b;
}

describe("MQTT publisher", () => {
  it("delivers a simulated neighbourhood to a real broker with every PUBACK counted", async () => {
    const { url, received } = await withBroker();
    const msgs = [
      ...runSimulation({
        homes: 3,
        from: "2025-03-03T00:00:00+08:00",
        to: "2025-03-03T12:00:00+08:00",
        seed: 2,
      }),
    ];
    expect(msgs.length).toBeGreaterThan(200);
    // An independent subscriber sees what devices published.
    const watcher = await connectAsync(url, {
      clientId: "watcher",
      username: "watcher",
      password: secret("watcher"),
    });
    const seen: string[] = [];
    watcher.on("message", (topic, payload) => seen.push(`${topic} ${payload.toString()}`));
    await watcher.subscribeAsync("devices/+/telemetry", { qos: 1 });
    const progress: PublisherStats[] = [];
    const pub = createPublisher({
      url,
      credentials: (id) => ({ username: id, password: secret(id) }),
      maxInFlight: 50,
      progressEvery: 100,
      onProgress: (s) => progress.push(s),
    });
    for (const m of msgs) await pub.publish(m);
    await pub.flush();
    const s = pub.stats();
    expect(s).toMatchObject({ sent: msgs.length, acked: msgs.length, errors: 0, connections: 18 });
    expect(s.latency.count).toBe(msgs.length);
    expect(s.latency.p50).toBeGreaterThan(0);
    expect(s.latency.p50).toBeLessThanOrEqual(s.latency.p99);
    expect(s.latency.p99).toBeLessThanOrEqual(s.latency.max);
    await pub.close();
    expect(progress.length).toBeGreaterThanOrEqual(Math.floor(msgs.length / 100));
    expect(progress.at(-1)?.acked).toBe(msgs.length);
    const expected = msgs.map((m: SimMessage) => `${m.topic} ${m.payload}`);
    expect([...received].sort()).toEqual([...expected].sort());
    await expect.poll(() => seen.length).toBe(msgs.length);
    await watcher.endAsync();
  });

  it("counts failures instead of throwing when a device's credentials are refused", async () => {
    const { url } = await withBroker();
    const msgs = [
      ...runSimulation({
        homes: 1,
        from: "2025-03-03T00:00:00+08:00",
        to: "2025-03-03T03:00:00+08:00",
        seed: 2,
      }),
    ];
    const pub = createPublisher({
      url,
      credentials: (id) => ({ username: id, password: id.endsWith("-power") ? "wrong" : secret(id) }),
    });
    for (const m of msgs) await pub.publish(m);
    await pub.close();
    const power = msgs.filter((m) => m.deviceId.endsWith("-power")).length;
    expect(power).toBeGreaterThan(0);
    expect(pub.stats()).toMatchObject({ sent: msgs.length, errors: power, acked: msgs.length - power });
  });

  it("computes nearest-rank percentiles", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(xs, 50), percentile(xs, 90), percentile(xs, 99), percentile([], 50)]).toEqual([
      50, 90, 99, 0,
    ]);
  });
});
