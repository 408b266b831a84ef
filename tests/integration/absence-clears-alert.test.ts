import { afterEach, describe, expect, it } from "vitest";
import { addAccount } from "../helpers/accounts.js";
import { httpClient } from "../helpers/http-client.js";
import { waitUntil } from "../helpers/mqtt.js";
import {
  alerts,
  enableCheckIn,
  events,
  publish,
  quietUntilInactivityAlert,
  settle,
  startWorld,
  type World,
} from "./checkin-harness.js";

const HOUR = 3_600_000;
const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.stop();
});

/** The home's world with the resident's daughter signed in (a family account linked to the home). */
async function world(checkIn?: { channels: string[] }) {
  const w = await startWorld();
  worlds.push(w);
  if (checkIn) await enableCheckIn(w, checkIn);
  const { account, login, password, people } = await addAccount(
    w.svc.stores.db,
    "family",
    "daughter@family.test",
  );
  people.linkFamily(account.id, w.home.householdId, "daughter", false);
  const daughter = httpClient(`http://127.0.0.1:${w.svc.httpPort}`);
  // Signed in afresh each time: the virtual hours before it outlast any session.
  const away = async (fromMs: number, toMs: number) => {
    await daughter.login(login, password);
    return daughter.request("POST", `/api/households/${w.home.householdId}/absences`, {
      from: fromMs,
      to: toMs,
      reason: "travel",
    });
  };
  return { w, daughter, away, daughterId: account.id };
}

const clearReason = (w: World, id: number) =>
  JSON.parse(
    (
      w.svc.stores.db.prepare("SELECT cleared_reason FROM alerts WHERE id = ?").get(id) as {
        cleared_reason: string;
      }
    ).cleared_reason,
  ) as Record<string, unknown>;

describe("an absence recorded while an alert is open", () => {
  it("clears an open inactivity alert with its reason, stops escalation, tells the worker, and the gap is watched afresh after it", async () => {
    const { w, away, daughterId } = await world();
    const alert = await quietUntilInactivityAlert(w);
    await waitUntil(() => w.workerMails().length === 1, 5000, "worker told of the raise");

    const now = w.clock.now();
    const r = await away(now - HOUR, now + 24 * HOUR);
    expect(r.status).toBe(201);
    expect(alerts(w)[0]).toMatchObject({ id: alert.id, status: "cleared", nextActionAt: null });
    expect(clearReason(w, alert.id)).toMatchObject({ kind: "absence", role: "family", by: daughterId });
    expect(events(w, alert.id).at(-1)).toEqual({ action: "absence_cleared", actor: daughterId });
    // The worker who was told of it is told it is over, and why.
    await waitUntil(() => w.workerMails().length === 2, 5000, "worker told of the clear");
    expect(w.workerMails()[1]!.text).toContain("家属登记");
    const audit = w.svc.stores.db
      .prepare("SELECT COUNT(*) AS n FROM audit_log WHERE actor = ? AND household_id = ?")
      .get(daughterId, w.home.householdId) as { n: number };
    expect(audit.n).toBeGreaterThan(0);

    // No escalation or reminder any more: the backup worker never hears of it.
    w.clock.advanceBy(2 * HOUR);
    await settle();
    expect(w.smtp.received.filter((m) => m.envelopeTo.includes("chen@grid.test"))).toHaveLength(0);

    // After the absence, still no water: the rule raises a new alert (it did not stay "open" in its memory).
    for (let h = 0; h < 40 && alerts(w).length < 2; h++) {
      w.clock.advanceBy(HOUR);
      await publish(w, "meter", { kind: "water", totalLiters: 1005 });
    }
    expect(alerts(w)).toHaveLength(2);
    expect(alerts(w)[1]).toMatchObject({ status: "open" });
  });

  it("an absence recorded by mistake and deleted again gives the home its alert back at once", async () => {
    const { w, away, daughter } = await world();
    const alert = await quietUntilInactivityAlert(w);
    const now = w.clock.now();
    const r = await away(now - HOUR, now + 24 * HOUR);
    expect(alerts(w)[0]).toMatchObject({ id: alert.id, status: "cleared" });
    const absenceId = Number(r.body.id);
    const del = await daughter.request(
      "DELETE",
      `/api/households/${w.home.householdId}/absences/${absenceId}`,
    );
    expect(del.status).toBeLessThan(300);
    await settle(20);
    // Still no water and no absence: a new alert, open now (not the cleared one taken for a replay).
    expect(alerts(w)).toHaveLength(2);
    expect(alerts(w)[1]).toMatchObject({ status: "open" });
  });

  it("clears an alert waiting on the resident's check-in, and nobody is sent or told", async () => {
    const { w, away } = await world({ channels: ["call"] });
    const alert = await quietUntilInactivityAlert(w);
    expect(alert.checkIn).toMatchObject({ result: null });
    const now = w.clock.now();
    expect((await away(now, now + 24 * HOUR)).status).toBe(201);
    expect(alerts(w)[0]).toMatchObject({ status: "cleared", checkIn: { result: "absence" } });
    // Past the check-in and every escalation step (the meter still reporting): no worker is sent.
    for (let h = 0; h < 3; h++) {
      w.clock.advanceBy(HOUR);
      await publish(w, "meter", { kind: "water", totalLiters: 1005 });
    }
    await settle();
    expect(w.smtp.received.map((m) => m.subject)).toEqual([]);
    expect(w.calls().map((c) => c.template)).toEqual(["resident_checkin"]);
  });

  it("leaves an acknowledged alert with its worker, puts the absence on its timeline and tells that worker", async () => {
    const { w, away, daughterId } = await world();
    const alert = await quietUntilInactivityAlert(w);
    await waitUntil(() => w.workerMails().length === 1, 5000, "worker told of the raise");
    const li = w.svc.stores.db.prepare("SELECT id FROM people WHERE email = 'li@grid.test'").get() as {
      id: string;
    };
    w.svc.alerts.acknowledge(alert.id, li.id);
    const now = w.clock.now();
    expect((await away(now, now + 24 * HOUR)).status).toBe(201);
    expect(alerts(w)[0]).toMatchObject({ status: "acknowledged" });
    expect(events(w, alert.id).at(-1)).toEqual({ action: "absence_recorded", actor: daughterId });
    await waitUntil(() => w.workerMails().length === 2, 5000, "the worker told of the absence");
    const mail = w.workerMails()[1]!;
    expect(mail.subject).toContain("已登记外出");
    expect(mail.text).toContain("家属登记了");
    expect(mail.text).toContain("仍由您处理");
    await settle();
    // Only the worker who took it: the backup worker hears nothing of it.
    expect(w.smtp.received.filter((m) => m.subject.includes("已登记外出"))).toHaveLength(1);
  });

  it("an absence that starts later changes nothing now, and never clears a panic press", async () => {
    const { w, away } = await world();
    const alert = await quietUntilInactivityAlert(w);
    await publish(w, "button", { kind: "button", pressed: true });
    await waitUntil(() => alerts(w, "panic").length === 1, 5000, "panic alert");
    const now = w.clock.now();
    expect((await away(now + 2 * HOUR, now + 24 * HOUR)).status).toBe(201);
    expect(alerts(w)[0]).toMatchObject({ id: alert.id, status: "open" });
    expect((await away(now, now + 24 * HOUR)).status).toBe(201);
    expect(alerts(w)[0]).toMatchObject({ id: alert.id, status: "cleared" });
    expect(alerts(w, "panic")[0]).toMatchObject({ status: "open" });
  });

  it("clears a silent-home alert (no_data at major, which escalates like inactivity) too", async () => {
    const { w, away } = await world();
    await publish(w, "meter", { kind: "water", totalLiters: 1000 });
    await publish(w, "button", { kind: "heartbeat", battery: 90, rssi: -70 });
    for (let h = 0; h < 30 && !alerts(w, "no_data").some((a) => a.severity === "major"); h++) {
      w.clock.advanceBy(HOUR);
      await settle(20);
    }
    expect(alerts(w, "no_data").at(-1)).toMatchObject({ status: "open", severity: "major" });
    const now = w.clock.now();
    expect((await away(now - HOUR, now + 24 * HOUR)).status).toBe(201);
    const cleared = alerts(w, "no_data").at(-1);
    expect(cleared).toMatchObject({ status: "cleared", nextActionAt: null });
    // The devices are still silent when the absence ends: the home is major again then, so a meter that
    // died while the resident was away does not leave the home unwatched after the return.
    w.clock.advanceBy(HOUR);
    await settle(20);
    expect(alerts(w, "no_data").at(-1)?.id).toBe(cleared?.id);
    for (let h = 0; h < 30 && alerts(w, "no_data").at(-1)?.id === cleared?.id; h++) {
      w.clock.advanceBy(HOUR);
      await settle(20);
    }
    const after = alerts(w, "no_data").at(-1);
    expect(after).toMatchObject({ status: "open", severity: "major" });
    const raised = w.svc.stores.db
      .prepare("SELECT raised_at AS at FROM alerts WHERE id = ?")
      .get(after?.id) as {
      at: number;
    };
    expect(raised.at).toBe(now + 24 * HOUR);
    expect(w.clock.now()).toBeGreaterThanOrEqual(now + 24 * HOUR);
  });
});
