import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envName, loadConfig, SETTINGS, type SettingName } from "../../../core/config.js";
import { isJinlinError } from "../../../core/errors.js";

describe("loadConfig", () => {
  it("has documented defaults", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      mqttPort: 1883,
      httpPort: 8080,
      dataDir: "./data",
      logLevel: "info",
      tls: null,
      influx: null,
    });
    expect(c.limits.maxReadingAgeMs).toBe(30 * 86_400_000);
  });

  it("lets flags win over the environment", () => {
    expect(loadConfig({ JINLIN_MQTT_PORT: "1000" }, { "mqtt-port": "2000" }).mqttPort).toBe(2000);
  });

  it("reports every problem at once", () => {
    try {
      loadConfig({ JINLIN_MQTT_PORT: "x", JINLIN_HTTP_PORT: "99999", JINLIN_SQLITE_SYNC: "sometimes" });
      expect.unreachable();
    } catch (err) {
      expect(isJinlinError(err, "JINLIN_ERR_CONFIG_INVALID")).toBe(true);
      for (const name of ["JINLIN_MQTT_PORT", "JINLIN_HTTP_PORT", "JINLIN_SQLITE_SYNC"])
        expect((err as Error).message).toContain(name);
    }
  });

  it("refuses settings that only make sense together", () => {
    expect(() => loadConfig({ JINLIN_TLS_CERT: "/c.pem" })).toThrow(/JINLIN_TLS_KEY/);
    expect(() => loadConfig({ JINLIN_SMTP_HOST: "mail" })).toThrow(/JINLIN_SMTP_FROM/);
  });

  it("is documented in the README, every setting", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const missing = (Object.keys(SETTINGS) as SettingName[])
      .map(envName)
      .filter((n) => !readme.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });
});
