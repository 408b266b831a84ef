import { describe, expect, it } from "vitest";
import { nextSummaryAt } from "../../alerts/daily-summary.js";
import { createManualClock } from "../../core/clock.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";
import { closeClient, connect, waitUntil } from "../helpers/mqtt.js";
import { startSmtp } from "../helpers/notify/smtp.js";
import { startTestService } from "../helpers/service.js";

describe("daily summary to family", () => {
  it("is due at 20:00 in the home's own time zone", () => {
    const noonShanghai = Date.parse("2026-03-02T12:00:00+08:00");
    expect(new Date(nextSummaryAt("Asia/Shanghai", noonShanghai)).toISOString()).toBe(
      "2026-03-02T12:00:00.000Z",
    );
    expect(
      new Date(nextSummaryAt("Asia/Shanghai", Date.parse("2026-03-02T21:00:00+08:00"))).toISOString(),
    ).toBe("2026-03-03T12:00:00.000Z");
    // The day Europe switches to summer time: 20:00 CEST is 18:00 UTC.
    expect(new Date(nextSummaryAt("Europe/Rome", Date.parse("2026-03-29T09:00:00Z"))).toISOString()).toBe(
      "2026-03-29T18:00:00.000Z",
    );
  });

  it("mails opted-in family the day's water use at 20:00 local, and only them", async () => {
    const smtp = await startSmtp();
    const clock = createManualClock(Date.parse("2026-03-02T19:00:00+08:00"));
    const svc = await startTestService(
      { JINLIN_SMTP_HOST: "127.0.0.1", JINLIN_SMTP_PORT: String(smtp.port), JINLIN_SMTP_FROM: "jinlin@test" },
      clock,
    );
    try {
      const meter = await svc.provision("water");
      const people = createPeopleStore(svc.stores.db, Date.now);
      people.linkFamily(
        people.addPerson({ name: "Son", role: "family", email: "son@family.test", language: "en" }).id,
        meter.householdId,
        "son",
        true,
      );
      people.linkFamily(
        people.addPerson({ name: "Niece", role: "family", email: "niece@family.test" }).id,
        meter.householdId,
        "niece",
        false,
      );
      const c = await connect(svc.mqttPort, { username: meter.deviceId, password: meter.secret });
      const t = clock.now();
      for (const [dt, total] of [
        [-3_600_000, 100],
        [-1_800_000, 112.5],
        [-60_000, 120],
      ] as const) {
        await c.publishAsync(
          `devices/${meter.deviceId}/telemetry`,
          JSON.stringify({ kind: "water", totalLiters: total, ts: t + dt }),
          { qos: 1 },
        );
      }
      await closeClient(c);
      clock.advanceBy(15 * 60_000); // the opt-in is picked up within ten minutes
      expect(smtp.received).toEqual([]);
      clock.advanceBy(45 * 60_000 + 1); // 20:00 in Shanghai
      await waitUntil(() => smtp.received.length >= 1, 5000, "summary mail");
      expect(smtp.received.flatMap((m) => m.envelopeTo)).toEqual(["son@family.test"]);
      expect(smtp.received[0]!.text).toMatch(/20(\.0)? ?L|20 litres|20\.0/);
    } finally {
      await svc.stop();
      await smtp.stop();
    }
  });
});
