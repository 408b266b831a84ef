import { describe, expect, it } from "vitest";
import { run } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/service.js";
import { CLI, useServiceProcess } from "../helpers/service-proc.js";

const dataDir = tempDir();
const env = { JINLIN_DATA_DIR: dataDir };
const jinlin = (...args: string[]) => run(process.execPath, [CLI, ...args], { env });
const svc = useServiceProcess(env);

describe("jinlin CLI", () => {
  it("prints help for the program and for each command", async () => {
    const main = await jinlin("--help");
    expect(main.code).toBe(0);
    for (const cmd of ["serve", "household add", "device add", "readings"])
      expect(main.stdout).toContain(cmd);
    const sub = await jinlin("device", "add", "--help");
    expect(sub.code).toBe(0);
    expect(sub.stdout).toContain("--household");
    expect(sub.stdout).toContain("--kind");
  });

  it("exits 2 with usage on unknown commands and missing options", async () => {
    expect((await jinlin("frobnicate")).code).toBe(2);
    const missing = await jinlin("household", "add", "--resident", "X");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--address");
  });

  it("prints every configuration problem and exits 1", async () => {
    const r = await run(process.execPath, [CLI, "serve", "--http-port=70000"], {
      env: { ...env, JINLIN_MQTT_PORT: "abc", JINLIN_LOG_LEVEL: "loud" },
    });
    expect(r.code).toBe(1);
    for (const name of ["JINLIN_MQTT_PORT", "JINLIN_HTTP_PORT", "JINLIN_LOG_LEVEL"])
      expect(r.stderr).toContain(name);
  });

  it("walks the quick start: household, water meter, mosquitto_pub, readings", async () => {
    const h = await jinlin(
      "household",
      "add",
      "--resident",
      "林阿公",
      "--address",
      "仓霞街道 8号",
      "--grid",
      "fuzhou/taijiang/cangxia/grid-1",
      "--consent",
      "--json",
    );
    expect(h.code).toBe(0);
    const household = JSON.parse(h.stdout) as { id: string; gridPath: string; timezone: string };
    expect(household).toMatchObject({
      gridPath: "fuzhou/taijiang/cangxia/grid-1",
      timezone: "Asia/Shanghai",
      consent: true,
    });

    const d = await jinlin("device", "add", "--household", household.id, "--kind", "water", "--json");
    const device = JSON.parse(d.stdout) as { id: string; secret: string };
    expect(device.secret.length).toBeGreaterThanOrEqual(20);

    const pub = (user: string, password: string, topic: string) =>
      run("mosquitto_pub", [
        "-p",
        String(svc().mqttPort),
        "-q",
        "1",
        "-u",
        user,
        "-P",
        password,
        "-t",
        topic,
        "-m",
        '{"kind":"water","totalLiters":12.5}',
      ]);
    expect((await pub(device.id, device.secret, `devices/${device.id}/telemetry`)).code).toBe(0);
    expect((await pub(device.id, "wrong", `devices/${device.id}/telemetry`)).code).not.toBe(0);
    expect((await pub(device.id, device.secret, "devices/someone-else/telemetry")).code).not.toBe(0);

    const r = await jinlin("readings", "--device", device.id, "--json");
    expect(r.code).toBe(0);
    const readings = JSON.parse(r.stdout) as { kind: string; totalLiters: number; ts: string }[];
    expect(readings).toHaveLength(1);
    expect(readings[0]).toMatchObject({ kind: "water", totalLiters: 12.5 });
    expect(Date.now() - Date.parse(readings[0]!.ts)).toBeLessThan(60_000);

    const text = await jinlin("readings", "--device", device.id);
    expect(text.stdout).toContain("12.5");
  });

  it("refuses a device id with characters that are unsafe in topics or line protocol", async () => {
    const h = JSON.parse(
      (await jinlin("household", "add", "--resident", "A", "--address", "B", "--grid", "x/y", "--json"))
        .stdout,
    ) as { id: string };
    const r = await jinlin(
      "device",
      "add",
      "--household",
      h.id,
      "--kind",
      "water",
      "--id",
      "bad id,with=chars",
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("JINLIN_ERR_DEVICE_ID_INVALID");
  });

  it("serves health, readiness, metrics and the OpenAPI document", async () => {
    const base = `http://127.0.0.1:${svc().httpPort}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain("jinlin_connected_devices");
    const openapi = (await (await fetch(`${base}/docs/json`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toContain("/healthz");
  });
});
