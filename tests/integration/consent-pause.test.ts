import type { MqttClient } from "mqtt";
import { describe, expect, it } from "vitest";
import { createManualClock } from "../../core/clock.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";
import { addAccount } from "../helpers/accounts.js";
import { counter } from "../helpers/db.js";
import { httpClient } from "../helpers/http-client.js";
import { closeClient, connect, run, waitUntil } from "../helpers/mqtt.js";
import { startSmtp } from "../helpers/notify/smtp.js";
import { startTestService } from "../helpers/service.js";

const HOUR = 3_600_000;

/**
 * Withdrawing consent pauses monitoring (PIPL art. 15; docs/privacy.md, "Withdrawing consent"), on the real
 * service: its broker on port 0, its SQLite file, a manual clock. While paused the home's devices are
 * refused (CONNACK 5) and a connected one is closed at once; its open alert is closed with the reason; no
 * alert, no "no data" and no daily summary is produced for three days, while the neighbour's home still
 * gets them. Consent given again: the meter connects, and the silence of the pause raises nothing; a meter
 * that then stays silent is reported after its own allowance counted from the resumption.
 */
describe("consent withdrawn: the home is not monitored", () => {
  it("refuses and disconnects the devices, closes alerts, stays silent; resumes without a no-data alert", async () => {
    const smtp = await startSmtp();
    const clock = createManualClock(Date.parse("2026-04-01T00:00:00Z"));
    const s = await startTestService(
      { JINLIN_SMTP_HOST: "127.0.0.1", JINLIN_SMTP_PORT: String(smtp.port), JINLIN_SMTP_FROM: "jinlin@test" },
      clock,
    );
    try {
      const db = s.stores.db;
      const count = counter(db);
      const alertsSince = (home: string, t: number) =>
        count("SELECT count(*) FROM alerts WHERE household_id = ? AND created_at > ?", home, t);
      const op = await addAccount(db, "operator", "op-consent");
      const api = httpClient(`http://127.0.0.1:${s.httpPort}`);
      expect((await api.login(op.login, op.password)).status).toBe(200);
      const a = await s.provision("water");
      const button = await s.provision("button", { householdId: a.householdId });
      const b = await s.provision("water");
      // A third home, whose meter showed water use before its pause: the inactivity gap across the pause.
      const c = await s.provision("water");
      const people = createPeopleStore(db, Date.now);
      for (const home of [a.householdId, b.householdId])
        people.linkFamily(
          people.addPerson({ name: "Daughter", role: "family", email: `d-${home}@family.test` }).id,
          home,
          "daughter",
          true,
        );
      const publish = async (c: MqttClient, id: string, body: object) =>
        c.publishAsync(`devices/${id}/telemetry`, JSON.stringify(body), { qos: 1 });
      const meterA = await connect(s.mqttPort, { username: a.deviceId, password: a.secret });
      await publish(meterA, a.deviceId, { kind: "water", totalLiters: 10 });
      const meterB = await connect(s.mqttPort, { username: b.deviceId, password: b.secret });
      await publish(meterB, b.deviceId, { kind: "water", totalLiters: 10 });
      await closeClient(meterB);
      const meterC = await connect(s.mqttPort, { username: c.deviceId, password: c.secret });
      await publish(meterC, c.deviceId, { kind: "water", totalLiters: 10, ts: clock.now() - 600_000 });
      await publish(meterC, c.deviceId, { kind: "water", totalLiters: 20 });
      await closeClient(meterC);
      const btn = await connect(s.mqttPort, { username: button.deviceId, password: button.secret });
      await publish(btn, button.deviceId, { kind: "button", pressed: true });
      await closeClient(btn);
      await waitUntil(
        () =>
          count("SELECT count(*) FROM alerts WHERE household_id = ? AND status = 'open'", a.householdId) ===
          1,
        5000,
        "the panic alert",
      );
      clock.advanceBy(2_000); // rule state written

      // A home whose consent was never recorded (made like `jinlin household add`) is still monitored, and a
      // save that repeats "no consent" does not pause it.
      const url = `/api/households/${a.householdId}`;
      const same = await api.request("PATCH", url, { consent: false });
      expect(same.status).toBe(200);
      expect(same.body).toMatchObject({ consent: false, monitoring: { paused: false } });
      expect((await api.request("PATCH", url, { consent: true })).body).toMatchObject({
        consent: true,
        monitoring: { paused: false },
      });

      // Withdrawn: the connected meter is closed at once.
      const closed = new Promise<void>((resolve) => meterA.once("close", () => resolve()));
      const pausedAt = clock.now();
      const res = await api.request("PATCH", url, { consent: false });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        consent: false,
        monitoringPausedAt: pausedAt,
        monitoring: { paused: true, since: pausedAt, by: { name: "operator op-consent", role: "operator" } },
      });
      await closed;
      meterA.end(true);
      const urlC = `/api/households/${c.householdId}`;
      expect((await api.request("PATCH", urlC, { consent: true })).status).toBe(200);
      expect((await api.request("PATCH", urlC, { consent: false })).body).toMatchObject({
        monitoring: { paused: true },
      });

      // Its open alert is closed with the reason, with no escalation left.
      const alert = db
        .prepare("SELECT status, note, next_action_at AS next FROM alerts WHERE household_id = ?")
        .get(a.householdId) as { status: string; note: string; next: number | null };
      expect(alert).toEqual({
        status: "cleared",
        note: "监护已暂停：已撤回同意\nMonitoring paused: consent withdrawn",
        next: null,
      });
      expect(
        count(
          "SELECT count(*) FROM alert_events e JOIN alerts a ON a.id = e.alert_id WHERE a.household_id = ? AND e.action = 'monitoring_paused'",
          a.householdId,
        ),
      ).toBe(1);

      // Refused while withdrawn: the mqtt client and mosquitto_pub are told "not authorized" (CONNACK 5).
      await expect(connect(s.mqttPort, { username: a.deviceId, password: a.secret })).rejects.toMatchObject({
        code: 5,
      });
      const pub = await run("mosquitto_pub", [
        ...["-h", "127.0.0.1", "-p", String(s.mqttPort), "-u", a.deviceId, "-P", a.secret],
        ...["-t", `devices/${a.deviceId}/telemetry`, "-m", '{"kind":"water","totalLiters":11}', "-q", "1"],
      ]);
      expect(pub.code).not.toBe(0);
      expect(pub.stderr).toMatch(/not authori[sz]ed/i);
      // The right secret is not a failed guess: a paused meter retrying (more often than the 5 failures that
      // start a device's back-off) gets no back-off for itself or its address, and no warning per retry.
      for (let i = 0; i < 6; i++)
        await expect(connect(s.mqttPort, { username: a.deviceId, password: a.secret })).rejects.toMatchObject(
          {
            code: 5,
          },
        );
      expect(s.logs.text()).not.toContain("JINLIN_ERR_AUTH_THROTTLED");
      expect(s.logs.text()).not.toContain("device authentication failed");

      // Three days of silence: the neighbour's home gets its "no data" alert and summaries; this one nothing.
      const notesBefore = count("SELECT count(*) FROM notifications WHERE household_id = ?", a.householdId);
      for (let i = 0; i < 72; i++) clock.advanceBy(HOUR);
      await waitUntil(
        () =>
          count("SELECT count(*) FROM alerts WHERE household_id = ? AND rule = 'no_data'", b.householdId) > 0,
        5000,
        "the neighbour's no-data alert",
      );
      await waitUntil(
        () =>
          count(
            "SELECT count(*) FROM notifications WHERE household_id = ? AND template = 'daily_summary'",
            b.householdId,
          ) >= 3,
        5000,
        "the neighbour's daily summaries",
      );
      expect(alertsSince(a.householdId, pausedAt)).toBe(0);
      expect(count("SELECT count(*) FROM notifications WHERE household_id = ?", a.householdId)).toBe(
        notesBefore,
      );
      expect(
        count(
          "SELECT count(*) FROM readings WHERE household_id = ? AND received_at > ?",
          a.householdId,
          pausedAt,
        ),
      ).toBe(0);

      // Consent given again: monitoring resumes and the meter connects.
      expect((await api.login(op.login, op.password)).status).toBe(200); // the session expired meanwhile
      const resumedAt = clock.now();
      const back = await api.request("PATCH", url, { consent: true });
      expect(back.body).toMatchObject({
        consent: true,
        monitoringPausedAt: null,
        monitoring: { paused: false },
      });
      const again = await connect(s.mqttPort, { username: a.deviceId, password: a.secret });
      await closeClient(again);
      // The third home's meter comes back showing no use: three days since its last use, but the gap clock
      // restarted at the resumption (as after a planned absence), so no inactivity alert.
      expect((await api.request("PATCH", urlC, { consent: true })).status).toBe(200);
      const meterC2 = await connect(s.mqttPort, { username: c.deviceId, password: c.secret });
      await publish(meterC2, c.deviceId, { kind: "water", totalLiters: 20 });
      await closeClient(meterC2);
      clock.advanceBy(2_000);
      await waitUntil(
        () => count("SELECT count(*) FROM readings WHERE household_id = ?", c.householdId) === 3,
        5000,
        "the third meter's reading",
      );
      // The pause's silence raises nothing, now or within the meter's allowance (26 h until its cadence is
      // known) counted from the resumption…
      for (let i = 0; i < 25; i++) clock.advanceBy(HOUR);
      clock.advanceBy(2_000);
      expect(alertsSince(a.householdId, pausedAt)).toBe(0);
      expect(
        count("SELECT count(*) FROM alerts WHERE household_id = ? AND rule = 'inactivity'", c.householdId),
      ).toBe(0);
      // …and a meter that stays silent after it is reported, from the resumption on.
      for (let i = 0; i < 2; i++) clock.advanceBy(HOUR);
      await waitUntil(
        () =>
          count("SELECT count(*) FROM alerts WHERE household_id = ? AND rule = 'no_data'", a.householdId) ===
          1,
        5000,
        "the no-data alert after the resumption",
      );
      const raisedAt = count(
        "SELECT raised_at FROM alerts WHERE household_id = ? AND rule = 'no_data'",
        a.householdId,
      );
      expect(raisedAt).toBe(resumedAt + 26 * HOUR);

      // Audited, with no personal data in the entries or the log.
      const audit = db
        .prepare(
          "SELECT actor, detail FROM audit_log WHERE household_id = ? AND action = 'change' ORDER BY id",
        )
        .all(a.householdId) as { actor: string; detail: string }[];
      expect(audit.map((e) => JSON.parse(e.detail).monitoring ?? null)).toEqual([
        null,
        null,
        "paused",
        "resumed",
      ]);
      expect(audit.every((e) => e.actor === op.account.id)).toBe(true);
      const resident = s.stores.registry.getHousehold(a.householdId)?.resident ?? "?";
      expect(JSON.stringify(audit)).not.toContain(resident);
      expect(s.logs.text()).not.toContain(resident);
      expect(s.logs.text()).toContain("household monitoring changed");
    } finally {
      await s.stop();
      await smtp.stop();
    }
  }, 60_000);
});
