import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret, newSecret } from "../../core/secrets.js";
import { closeClient, connect, run, sleep } from "../helpers/mqtt.js";
import { encodeConnect, rawExchange } from "../helpers/raw-mqtt.js";
import { startTestService, type TestService } from "../helpers/service.js";

let svc: TestService;
let meter: { deviceId: string; secret: string; householdId: string };
let other: { deviceId: string; secret: string };

beforeAll(async () => {
  svc = await startTestService();
  meter = await svc.provision("water");
  other = await svc.provision("water");
});
afterAll(async () => {
  await svc.stop();
});

function connackCode(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

describe("device authentication", () => {
  it("accepts the device's own id and secret", async () => {
    const c = await connect(svc.mqttPort, { username: meter.deviceId, password: meter.secret });
    expect(c.connected).toBe(true);
    await closeClient(c);
  });

  it("refuses a wrong password with CONNACK 5 and never logs the secret", async () => {
    const attempt = `wrong-${meter.secret}`;
    const err = await connect(svc.mqttPort, { username: meter.deviceId, password: attempt }).catch(
      (e: unknown) => e,
    );
    expect(connackCode(err)).toBe(5);
    const lines = svc.logs.lines();
    expect(lines.some((l) => l.deviceId === meter.deviceId && l.why === "bad_secret")).toBe(true);
    expect(svc.logs.text()).not.toContain(attempt);
    expect(svc.logs.text()).not.toContain(meter.secret);
  });

  it("refuses anonymous connections", async () => {
    const err = await connect(svc.mqttPort).catch((e: unknown) => e);
    expect(connackCode(err)).toBe(5);
    const viaMosquitto = await run("mosquitto_pub", [
      "-p",
      String(svc.mqttPort),
      "-t",
      "devices/x/telemetry",
      "-m",
      "{}",
    ]);
    expect(viaMosquitto.code).not.toBe(0);
    expect(viaMosquitto.stderr).toMatch(/not authori[sz]ed/i);
  });

  it("refuses an unknown device", async () => {
    const err = await connect(svc.mqttPort, { username: "no-such-device", password: "x" }).catch(
      (e: unknown) => e,
    );
    expect(connackCode(err)).toBe(5);
  });

  it("refuses an empty client id without clean session (CONNACK 2)", async () => {
    // MQTT.js and mosquitto_pub refuse to send this CONNECT, so it is made by hand. [MQTT-3.1.3-8]
    const creds = { username: meter.deviceId, password: meter.secret };
    const answer = await rawExchange(svc.mqttPort, encodeConnect({ clientId: "", clean: false, ...creds }));
    expect(answer).toMatchObject({ cmd: "connack", returnCode: 2 });
    const ok = await rawExchange(svc.mqttPort, encodeConnect({ clientId: "", clean: true, ...creds }));
    expect(ok).toMatchObject({ cmd: "connack", returnCode: 0 });
  });

  it("refuses a revoked device and accepts a rotated secret only", async () => {
    const d = await svc.provision("door", { householdId: meter.householdId });
    svc.stores.registry.revokeDevice(d.deviceId);
    const err = await connect(svc.mqttPort, { username: d.deviceId, password: d.secret }).catch(
      (e: unknown) => e,
    );
    expect(connackCode(err)).toBe(5);

    const fresh = newSecret();
    svc.stores.registry.setSecretHash(d.deviceId, await hashSecret(fresh));
    const stale = await connect(svc.mqttPort, { username: d.deviceId, password: d.secret }).catch(
      (e: unknown) => e,
    );
    expect(connackCode(stale)).toBe(5);
    const c = await connect(svc.mqttPort, { username: d.deviceId, password: fresh });
    expect(c.connected).toBe(true);
    await closeClient(c);
  });

  it("forgets a cached verification when the secret is rotated", async () => {
    const d = await svc.provision("motion", { householdId: meter.householdId });
    await closeClient(await connect(svc.mqttPort, { username: d.deviceId, password: d.secret }));
    svc.stores.registry.setSecretHash(d.deviceId, await hashSecret(newSecret()));
    const err = await connect(svc.mqttPort, { username: d.deviceId, password: d.secret }).catch(
      (e: unknown) => e,
    );
    expect(connackCode(err)).toBe(5);
  });
});

describe("topic ACL", () => {
  it("closes the connection of a device publishing to another device's topic and stores nothing", async () => {
    const c = await connect(svc.mqttPort, { username: meter.deviceId, password: meter.secret });
    const closed = new Promise<void>((resolve) => c.once("close", () => resolve()));
    c.publish(`devices/${other.deviceId}/telemetry`, JSON.stringify({ kind: "water", totalLiters: 99 }), {
      qos: 1,
    });
    await closed;
    await sleep(50);
    expect(svc.stores.readings.query({ deviceId: other.deviceId })).toEqual([]);
    c.end(true);
  });

  it("refuses the same publish from mosquitto_pub", async () => {
    const r = await run("mosquitto_pub", [
      ...["-p", String(svc.mqttPort), "-q", "1", "-u", meter.deviceId, "-P", meter.secret],
      ...["-t", `devices/${other.deviceId}/telemetry`, "-m", '{"kind":"water","totalLiters":12.5}'],
    ]);
    expect(r.code).not.toBe(0);
    expect(svc.stores.readings.query({ deviceId: other.deviceId })).toEqual([]);
  });

  it("refuses subscriptions outside the own prefix with SUBACK 0x80", async () => {
    const c = await connect(svc.mqttPort, { username: meter.deviceId, password: meter.secret });
    const topics = [
      `devices/${other.deviceId}/errors`,
      "devices/+/telemetry",
      "#",
      `devices/${meter.deviceId}/errors`,
    ];
    // MQTT.js turns any 0x80 into an error that carries the SUBACK.
    const err = (await c.subscribeAsync(topics).catch((e: unknown) => e)) as {
      packet?: { granted: number[] };
    };
    expect(err.packet?.granted).toEqual([128, 128, 128, 0]);
    await closeClient(c);
  });

  it("refuses publishing to the reserved errors topic", async () => {
    const c = await connect(svc.mqttPort, { username: meter.deviceId, password: meter.secret });
    const closed = new Promise<void>((resolve) => c.once("close", () => resolve()));
    c.publish(`devices/${meter.deviceId}/errors`, "spoof", { qos: 1 });
    await closed;
    c.end(true);
  });
});
