import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeClient, connect, run } from "../helpers/mqtt.js";
import { startTestService, type TestService, tempDir } from "../helpers/service.js";
import { selfSignedCert } from "../helpers/tls-cert.js";

let svc: TestService;
let ca: Buffer;

beforeAll(async () => {
  const { keyFile: key, certFile: cert, ca: certificate } = selfSignedCert(tempDir());
  ca = certificate;
  svc = await startTestService({ JINLIN_TLS_CERT: cert, JINLIN_TLS_KEY: key, JINLIN_MQTT_TLS_PORT: "0" });
});
afterAll(async () => {
  await svc.stop();
});

describe("MQTT over TLS", () => {
  it("accepts an authenticated device over TLS and stores its reading", async () => {
    const meter = await svc.provision("water");
    expect(svc.tlsPort).toBeGreaterThan(0);
    const c = await connect(svc.tlsPort!, {
      protocol: "mqtts",
      ca,
      username: meter.deviceId,
      password: meter.secret,
      rejectUnauthorized: true,
    });
    await c.publishAsync(`devices/${meter.deviceId}/telemetry`, '{"kind":"water","totalLiters":3}', {
      qos: 1,
    });
    expect(svc.stores.readings.query({ deviceId: meter.deviceId })).toHaveLength(1);
    await closeClient(c);
  });

  it("works with mosquitto_pub and the CA file, and refuses a wrong secret", async () => {
    const meter = await svc.provision("water");
    const caFile = join(svc.dataDir, "ca.pem");
    writeFileSync(caFile, ca);
    const args = (password: string) => [
      "-h",
      "localhost",
      "-p",
      String(svc.tlsPort),
      "--cafile",
      caFile,
      "-q",
      "1",
      "-u",
      meter.deviceId,
      "-P",
      password,
      "-t",
      `devices/${meter.deviceId}/telemetry`,
      "-m",
      '{"kind":"water","totalLiters":4}',
    ];
    expect((await run("mosquitto_pub", args(meter.secret))).code).toBe(0);
    expect((await run("mosquitto_pub", args("nope"))).code).not.toBe(0);
    expect(svc.stores.readings.query({ deviceId: meter.deviceId })).toHaveLength(1);
  });
});
