import { afterEach, describe, expect, it } from "vitest";
import type { Alert } from "../../alerts/alert-types.js";
import { createManualClock } from "../../core/clock.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";
import { closeClient, connect, waitUntil } from "../helpers/mqtt.js";
import { startSmtp } from "../helpers/notify/smtp.js";
import { startTestService, type TestService, tempDir } from "../helpers/service.js";

const running: TestService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

async function start(
  env: Record<string, string> = {},
  clock = createManualClock(Date.parse("2026-03-02T01:00:00Z")),
) {
  const svc = await startTestService(env, clock);
  running.push(svc);
  return { svc, clock };
}

const alertsOf = (svc: TestService, householdId: string) =>
  svc.stores.db
    .prepare(
      "SELECT id, rule, severity, status, escalation_level AS level FROM alerts WHERE household_id = ? ORDER BY id",
    )
    .all(householdId) as {
    id: number;
    rule: string;
    severity: string;
    status: string;
    level: number;
  }[];

describe("alerts from real readings", () => {
  it("raises a critical panic alert the moment the button is pressed, live and stored", async () => {
    const { svc, clock } = await start();
    const button = await svc.provision("button");
    const seen: Alert[] = [];
    svc.onAlert((a) => seen.push(a));
    const c = await connect(svc.mqttPort, { username: button.deviceId, password: button.secret });
    await c.publishAsync(
      `devices/${button.deviceId}/telemetry`,
      JSON.stringify({ kind: "button", pressed: true, ts: clock.now() }),
      { qos: 1 },
    );
    await waitUntil(() => seen.length > 0, 2000, "live alert");
    expect(seen[0]).toMatchObject({
      householdId: button.householdId,
      rule: "panic",
      severity: "critical",
      status: "open",
    });
    expect(alertsOf(svc, button.householdId)).toMatchObject([
      { rule: "panic", severity: "critical", status: "open" },
    ]);
    await closeClient(c);
  });

  it("escalates an unacknowledged panic alert on the virtual clock, and the timer survives a restart", async () => {
    const dataDir = tempDir();
    const first = await start({ JINLIN_DATA_DIR: dataDir });
    const button = await first.svc.provision("button");
    const c = await connect(first.svc.mqttPort, { username: button.deviceId, password: button.secret });
    await c.publishAsync(
      `devices/${button.deviceId}/telemetry`,
      JSON.stringify({ kind: "button", pressed: true }),
      { qos: 1 },
    );
    await closeClient(c);
    await waitUntil(() => alertsOf(first.svc, button.householdId).length === 1, 2000, "alert");
    first.clock.advanceBy(5 * 60_000 + 1);
    expect(alertsOf(first.svc, button.householdId)[0]?.level).toBe(1);
    const restartAt = first.clock.now();
    await first.svc.stop();
    running.length = 0;

    const second = await start({ JINLIN_DATA_DIR: dataDir }, createManualClock(restartAt));
    second.clock.advanceBy(5 * 60_000 + 1);
    expect(alertsOf(second.svc, button.householdId)[0]?.level).toBe(2);
    const events = second.svc.stores.db.prepare("SELECT action FROM alert_events ORDER BY id").all() as {
      action: string;
    }[];
    expect(events.map((e) => e.action)).toEqual(["raised", "escalated", "escalated"]);
  });
});

describe("alert notifications by e-mail", () => {
  it("mails the worker at once, escalates to the backup, and tells the family the outcome, each in their language", async () => {
    const smtp = await startSmtp();
    try {
      const { svc, clock } = await start({
        JINLIN_SMTP_HOST: "127.0.0.1",
        JINLIN_SMTP_PORT: String(smtp.port),
        JINLIN_SMTP_FROM: "近邻 <alerts@jinlin.test>",
      });
      const button = await svc.provision("button");
      const people = createPeopleStore(svc.stores.db, Date.now);
      const grid = svc.stores.registry.getHousehold(button.householdId)!.gridId;
      const worker = people.addPerson({ name: "李网格员", role: "worker", email: "li@grid.test" });
      people.assign(worker.id, grid, "primary");
      people.assign(
        people.addPerson({ name: "Chen", role: "worker", email: "chen@grid.test", language: "en" }).id,
        grid,
        "backup",
      );
      people.linkFamily(
        people.addPerson({ name: "Daughter", role: "family", email: "daughter@family.test", language: "en" })
          .id,
        button.householdId,
        "daughter",
      );

      const c = await connect(svc.mqttPort, { username: button.deviceId, password: button.secret });
      await c.publishAsync(
        `devices/${button.deviceId}/telemetry`,
        JSON.stringify({ kind: "button", pressed: true }),
        { qos: 1 },
      );
      await closeClient(c);
      const to = (addr: string) => smtp.received.filter((m) => m.envelopeTo.includes(addr));
      await waitUntil(
        () => to("li@grid.test").length === 1 && to("daughter@family.test").length === 1,
        5000,
        "raised mails",
      );
      expect(to("li@grid.test")[0]!.subject).toMatch(/紧急|近邻/);
      expect(to("li@grid.test")[0]!.text).toContain("Resident");
      expect(to("chen@grid.test")).toHaveLength(0);

      clock.advanceBy(5 * 60_000 + 1);
      await waitUntil(() => to("chen@grid.test").length === 1, 5000, "escalation mail to the backup worker");
      expect(to("chen@grid.test")[0]!.subject).toMatch(/escalat|unanswered|no one|Alert/i);

      const alert = svc.stores.db.prepare("SELECT id FROM alerts").get() as { id: number };
      svc.alerts.resolve(alert.id, worker.id, "safe", "She pressed it by mistake");
      // Family of a critical alert hear of it at once, of the escalation, and of the outcome.
      await waitUntil(() => to("daughter@family.test").length === 3, 5000, "outcome mail to family");
      const outcome = to("daughter@family.test")[2]!;
      expect(outcome.text).toMatch(/safe/i);
      expect(outcome.text).toContain("She pressed it by mistake");
    } finally {
      await smtp.stop();
    }
  });
});
