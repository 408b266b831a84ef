import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.js";

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return "";
  } catch (err) {
    return (err as Error).message;
  }
};

describe("HTTPS, proxy and retention settings", () => {
  it("defaults to plain HTTP, no trusted proxy, and a year plus of readings", () => {
    const c = loadConfig({});
    expect(c.https).toBeNull();
    expect(c.trustProxy).toBe(false);
    expect(c.retention).toEqual({
      readingsDays: 400,
      alertsDays: 730,
      auditDays: 730,
      notificationsDays: 90,
    });
  });

  it("takes a certificate and key together, and a list of proxies", () => {
    const c = loadConfig({
      JINLIN_HTTPS_CERT: "/etc/jinlin/cert.pem",
      JINLIN_HTTPS_KEY: "/etc/jinlin/key.pem",
      JINLIN_TRUST_PROXY: " 127.0.0.1,10.0.0.0/8 ",
    });
    expect(c.https).toEqual({ certFile: "/etc/jinlin/cert.pem", keyFile: "/etc/jinlin/key.pem" });
    expect(c.trustProxy).toBe("127.0.0.1,10.0.0.0/8");
    expect(problems({ JINLIN_HTTPS_CERT: "/etc/jinlin/cert.pem" })).toContain(
      "JINLIN_HTTPS_CERT and JINLIN_HTTPS_KEY must be set together",
    );
  });

  it("refuses retention shorter than what ingest still accepts or what the law asks to keep", () => {
    expect(problems({ JINLIN_RETENTION_READINGS_DAYS: "30" })).toContain(
      "JINLIN_RETENTION_READINGS_DAYS must be greater than JINLIN_MAX_READING_AGE_DAYS",
    );
    expect(
      loadConfig({ JINLIN_RETENTION_READINGS_DAYS: "3", JINLIN_MAX_READING_AGE_DAYS: "2" }).retention
        .readingsDays,
    ).toBe(3);
    expect(problems({ JINLIN_RETENTION_AUDIT_DAYS: "90" })).toContain("JINLIN_RETENTION_AUDIT_DAYS");
    expect(problems({ JINLIN_RETENTION_ALERTS_DAYS: "30" })).toContain("JINLIN_RETENTION_ALERTS_DAYS");
    expect(problems({ JINLIN_RETENTION_NOTIFICATIONS_DAYS: "0" })).toContain(
      "JINLIN_RETENTION_NOTIFICATIONS_DAYS",
    );
  });
});
