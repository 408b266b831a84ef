import { afterEach, describe, expect, it } from "vitest";
import type { Severity } from "../../alerts/engine/types.js";
import { DEFAULT_ESCALATION } from "../../alerts/escalation.js";
import { createAccount } from "../../dashboard/auth/passwords.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";
import { inactivityRaise } from "../helpers/alerts.js";
import { httpClient } from "../helpers/http-client.js";
import { waitUntil } from "../helpers/mqtt.js";
import {
  alerts,
  enableCheckIn,
  events,
  gatewayAnswer,
  publish,
  quietUntilInactivityAlert,
  settle,
  startWorld,
  T0,
  type World,
} from "./checkin-harness.js";

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) await w.stop();
});

async function world(checkIn?: { channels: string[]; minutes?: number }) {
  const w = await startWorld();
  worlds.push(w);
  if (checkIn) expect(await enableCheckIn(w, checkIn)).toMatchObject({ enabled: true, callAvailable: true });
  return w;
}

const majorInactivity = (at: number, limit = "hour") => inactivityRaise(at, limit, 300);

describe("resident check-in before dispatch", () => {
  it("calls the resident first, signed, tells no worker, and an OK answer closes the alert for good", async () => {
    const w = await world({ channels: ["call", "button"], minutes: 30 });
    const alert = await quietUntilInactivityAlert(w);
    expect(alert.checkIn).toMatchObject({ result: null });

    await waitUntil(() => w.gateway.hits.length === 1, 5000, "check-in call");
    expect(w.gateway.hits[0]!.signatureValid).toBe(true);
    const call = w.calls()[0]!;
    expect(call).toMatchObject({
      template: "resident_checkin",
      audience: "resident",
      to: "13800000000",
      data: { alertId: String(alert.id), minutes: 30 },
    });
    expect(call.text).toContain("请按 1");

    w.clock.advanceBy(10 * 60_000);
    const answered = await gatewayAnswer(w.svc, w.clock, { alertId: String(alert.id), answer: "ok" });
    expect(answered).toMatchObject({ status: 200, body: { accepted: true, status: "cleared" } });
    expect(alerts(w)[0]).toMatchObject({ status: "cleared", checkIn: { result: "ok", via: "call" } });
    expect(events(w, alert.id)).toEqual([
      { action: "raised", actor: "system" },
      { action: "checkin_started", actor: "system" },
      { action: "checkin_answered", actor: "resident" },
    ]);

    // Well past the check-in and every escalation step: still nobody told, nobody sent.
    w.clock.advanceBy(2 * 3_600_000);
    await settle();
    expect(w.smtp.received).toHaveLength(0);
    expect(w.calls().map((c) => c.template)).toEqual(["resident_checkin"]);
  });

  it("dispatches exactly as before when nobody answers within M minutes, saying so, and escalation runs from then", async () => {
    const w = await world({ channels: ["call"], minutes: 30 });
    const alert = await quietUntilInactivityAlert(w);
    await waitUntil(() => w.gateway.hits.length === 1, 5000, "check-in call");
    w.clock.advanceBy(29 * 60_000);
    await settle();
    expect(w.smtp.received).toHaveLength(0);

    w.clock.advanceBy(60_000);
    await waitUntil(() => w.workerMails().length === 1, 5000, "worker mail after the check-in");
    const mail = w.workerMails()[0]!;
    expect(mail.text).toContain("30 分钟内未获回应");
    expect(alerts(w)[0]).toMatchObject({
      status: "open",
      level: 0,
      checkIn: { result: "no_answer" },
      message: expect.stringContaining("did not answer within 30 minutes"),
    });
    expect(events(w, alert.id).map((e) => e.action)).toEqual([
      "raised",
      "checkin_started",
      "checkin_no_answer",
    ]);
    // The worker's own SMS goes out too, through the same gateway, as before.
    await waitUntil(() => w.gateway.hits.length === 2, 5000, "worker SMS");
    expect(w.calls()[1]).toMatchObject({ template: "alert_raised", to: "13900000001" });

    // It escalates to the backup worker `ackMinutes` after dispatch (not after the raise).
    const ackMinutes = DEFAULT_ESCALATION.ackMinutes[alert.severity as Severity]!;
    const backup = () => w.smtp.received.filter((m) => m.envelopeTo.includes("chen@grid.test"));
    w.clock.advanceBy((ackMinutes - 1) * 60_000);
    await settle();
    expect(backup()).toHaveLength(0);
    w.clock.advanceBy(60_000 + 1);
    await waitUntil(() => backup().length === 1, 5000, "escalation to the backup worker");
    expect(alerts(w)[0]).toMatchObject({ level: 1 });

    // Response times count from dispatch, not from the raise: the worker was told only then.
    await w.operator.login("operator", "operator-password-1");
    expect((await w.operator.request("POST", `/api/alerts/${alert.id}/acknowledge`)).status).toBe(200);
    const report = await w.operator.request("GET", "/api/reports/response-times");
    expect(report.body).toMatchObject({
      overall: { alerts: 1, toAcknowledge: { count: 1, medianMs: ackMinutes * 60_000 + 1 } },
    });

    // The resident's answer arriving now changes nothing, but the worker sees it on the timeline.
    const late = await gatewayAnswer(w.svc, w.clock, { alertId: alert.id, answer: "ok" });
    expect(late).toMatchObject({ status: 200, body: { accepted: false, status: "acknowledged" } });
    expect(events(w, alert.id).at(-1)).toEqual({ action: "checkin_late_answer", actor: "resident" });
  });

  it("an 'I'm OK' press on the button answers, and is never taken for a panic press", async () => {
    const w = await world({ channels: ["button"] });
    const alert = await quietUntilInactivityAlert(w);
    w.clock.advanceBy(5 * 60_000);
    await publish(w, "button", { kind: "button", ok: true });
    await waitUntil(() => alerts(w)[0]?.status === "cleared", 5000, "cleared by the press");
    expect(alerts(w)[0]).toMatchObject({ checkIn: { result: "ok", via: "button" } });
    expect(alerts(w, "panic")).toEqual([]);
    w.clock.advanceBy(3_600_000);
    await settle();
    expect(w.smtp.received).toHaveLength(0);
    // Button only: the resident was not called.
    expect(w.gateway.hits).toHaveLength(0);
    expect(events(w, alert.id).at(-1)).toEqual({ action: "checkin_answered", actor: "resident" });
  });

  it("water used again during the check-in clears the alert, and nobody is told", async () => {
    const w = await world({ channels: ["call"] });
    const alert = await quietUntilInactivityAlert(w);
    w.clock.advanceBy(5 * 60_000);
    await publish(w, "meter", { kind: "water", totalLiters: 1012 });
    await waitUntil(() => alerts(w)[0]?.status === "cleared", 5000, "cleared by water use");
    expect(alerts(w)[0]).toMatchObject({ checkIn: { result: "cleared" } });
    w.clock.advanceBy(2 * 3_600_000);
    await settle();
    expect(w.smtp.received).toHaveLength(0);
    expect(w.calls().map((c) => c.template)).toEqual(["resident_checkin"]);
    expect(events(w, alert.id).map((e) => e.action)).toEqual(["raised", "checkin_started", "cleared"]);
  });

  it("a resident who keeps answering OK (or using water) while out teaches this home's outing limit", async () => {
    const w = await world({ channels: ["call"] });
    const learned = async () => {
      await w.operator.login("operator", "operator-password-1");
      const r = await w.operator.request("GET", `/api/households/${w.home.householdId}/rules`);
      return (r.body.layers as { source: string; reason: string; params: unknown }[]).find(
        (l) => l.source === "learned",
      );
    };
    for (const end of ["ok", "ok", "water"] as const) {
      const [alert] = w.svc.alerts.apply(w.home.householdId, [majorInactivity(w.clock.now(), "out")]);
      expect(alert).toMatchObject({ checkIn: { result: null } });
      expect(await learned()).toBeUndefined();
      w.clock.advanceBy(10 * 60_000);
      if (end === "ok") {
        const r = await gatewayAnswer(w.svc, w.clock, { alertId: alert!.id, answer: "ok" });
        expect(r).toMatchObject({ status: 200, body: { accepted: true, status: "cleared" } });
      } else {
        const clear = { ...majorInactivity(w.clock.now(), "out"), kind: "clear" as const };
        expect(w.svc.alerts.apply(w.home.householdId, [clear])[0]).toMatchObject({
          status: "cleared",
          checkIn: { result: "cleared" },
        });
      }
      w.clock.advanceBy(86_400_000);
    }
    const layer = await learned();
    expect(layer?.params).toEqual({ inactivity: { outAlpha: 0.01, outMarginMin: 60 } });
    expect(layer?.reason).toMatch(/3 false alarms while out \(door\)/);
    // Nobody was dispatched for any of them.
    expect(w.workerMails()).toHaveLength(0);
  });

  it("never holds a panic press: the worker hears at once even with check-in on", async () => {
    const w = await world({ channels: ["call", "button"] });
    await publish(w, "button", { kind: "button", pressed: true });
    await waitUntil(() => w.workerMails().length === 1, 5000, "panic mail");
    expect(alerts(w, "panic")).toMatchObject([{ status: "open", severity: "critical", checkIn: null }]);
    expect(w.calls().map((c) => c.template)).not.toContain("resident_checkin");
  });

  it("a 'help' answer dispatches at once, one severity higher", async () => {
    const w = await world({ channels: ["call"] });
    // A major raise (the learned limit, not the 12 h ceiling) handed to the service's own lifecycle:
    // a new home without history only reaches the ceiling, which is critical already.
    const [alert] = w.svc.alerts.apply(w.home.householdId, [majorInactivity(w.clock.now())]);
    expect(alert).toMatchObject({ severity: "major", checkIn: { result: null } });
    const r = await gatewayAnswer(w.svc, w.clock, { alertId: alert!.id, answer: "help" });
    expect(r).toMatchObject({ status: 200, body: { accepted: true, status: "open" } });
    await waitUntil(() => w.workerMails().length === 1, 5000, "worker mail");
    expect(w.workerMails()[0]!.text).toContain("老人回应需要帮助");
    expect(alerts(w)[0]).toMatchObject({ severity: "critical", checkIn: { result: "help", via: "call" } });
  });

  it("refuses an answer that is not signed with the gateway's secret, and changes nothing", async () => {
    const w = await world({ channels: ["call"] });
    const alert = await quietUntilInactivityAlert(w);
    const forged = await gatewayAnswer(w.svc, w.clock, { alertId: alert.id, answer: "ok" }, "not-the-secret");
    expect(forged.status).toBe(401);
    const unknown = await gatewayAnswer(w.svc, w.clock, { alertId: 999_999, answer: "ok" });
    expect(unknown.status).toBe(404);
    const bad = await gatewayAnswer(w.svc, w.clock, { alertId: alert.id, answer: "maybe" });
    expect(bad.status).toBe(400);
    expect(alerts(w)[0]).toMatchObject({ status: "open", checkIn: { result: null } });
  });

  it("keeps the check-in timer across a restart inside the window", async () => {
    const w = await world({ channels: ["call"], minutes: 30 });
    await quietUntilInactivityAlert(w);
    w.clock.advanceBy(10 * 60_000);
    await w.restart();
    w.clock.advanceBy(19 * 60_000);
    await settle();
    expect(w.workerMails()).toHaveLength(0);
    w.clock.advanceBy(60_000);
    await waitUntil(() => w.workerMails().length === 1, 5000, "worker mail after the restart");
    expect(alerts(w)[0]).toMatchObject({ status: "open", checkIn: { result: "no_answer" } });
  });

  it("with check-in off (the default), the worker hears at once and nobody calls the resident", async () => {
    const w = await world();
    const got = await w.operator.request("GET", `/api/households/${w.home.householdId}/checkin`);
    expect(got.body).toMatchObject({ enabled: false, minutes: 30 });
    const alert = await quietUntilInactivityAlert(w);
    expect(alert.checkIn).toBeNull();
    await waitUntil(() => w.workerMails().length === 1, 5000, "worker mail");
    expect(w.workerMails()[0]!.text).not.toContain("未获回应");
    expect(events(w, alert.id).map((e) => e.action)).toEqual(["raised"]);
    expect(w.calls().map((c) => c.template)).toEqual(["alert_raised"]);
  });

  it("does not wait for an answer that cannot come: no phone number for a call-only check-in", async () => {
    const w = await world({ channels: ["call"] });
    const cleared = await w.operator.request("PATCH", `/api/households/${w.home.householdId}`, {
      phone: null,
    });
    expect(cleared.status).toBe(200);
    const got = await w.operator.request("GET", `/api/households/${w.home.householdId}/checkin`);
    expect(got.body).toMatchObject({ enabled: true, callAvailable: false });
    const alert = await quietUntilInactivityAlert(w);
    expect(alert.checkIn).toBeNull();
    await waitUntil(() => w.workerMails().length === 1, 5000, "worker mail at once");
  });

  it("an alert the resident answered is not in the family's daily summary: nobody was told of it", async () => {
    // From 20:00 the evening before, so that the alert, the answer and the next 20:00 fall on one local day.
    const w = await startWorld({}, T0 - 12 * 3_600_000);
    worlds.push(w);
    const put = await w.operator.request("PUT", `/api/households/${w.home.householdId}/checkin`, {
      enabled: true,
      channels: ["button"],
    });
    expect(put.status).toBe(200);
    const people = createPeopleStore(w.svc.stores.db, Date.now);
    const son = people.addPerson({ name: "Son", role: "family", email: "son@family.test" });
    people.linkFamily(son.id, w.home.householdId, "son", true);
    const alert = await quietUntilInactivityAlert(w);
    await publish(w, "button", { kind: "button", ok: true });
    await waitUntil(() => alerts(w)[0]?.status === "cleared", 5000, "answered");
    const toSon = () => w.smtp.received.filter((m) => m.envelopeTo.includes("son@family.test"));
    while (toSon().length === 0 && w.clock.now() < alert.checkIn!.until + 14 * 3_600_000) {
      w.clock.advanceBy(3_600_000);
      await publish(w, "meter", { kind: "water", totalLiters: 1005 });
    }
    await waitUntil(() => toSon().length === 1, 5000, "daily summary");
    expect(toSon()[0]!.subject).toContain("一切如常");
    expect(toSon()[0]!.text).not.toContain("条提醒");
  });
});

/** Signs in as the operator like a browser, then sends the change without the CSRF header. */
async function putWithoutCsrf(base: string, path: string, body: unknown): Promise<Response> {
  const jar: string[] = [];
  const keep = (r: Response) => {
    for (const c of r.headers.getSetCookie()) jar.push(c.split(";")[0]!);
    return r;
  };
  const csrf = keep(await fetch(`${base}/api/auth/csrf`));
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  keep(
    await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrfToken, cookie: jar.join("; ") },
      body: JSON.stringify({ login: "operator", password: "operator-password-1" }),
    }),
  );
  return fetch(`${base}${path}`, {
    method: "PUT",
    headers: { "content-type": "application/json", cookie: jar.join("; ") },
    body: JSON.stringify(body),
  });
}

describe("the check-in setting", () => {
  it("is changed by carers in scope only, validated, CSRF-protected and audited", async () => {
    const w = await world();
    const { householdId } = w.home;
    const other = await w.svc.provision("water");
    const people = createPeopleStore(w.svc.stores.db, Date.now);
    const stores = {
      people,
      accounts: createAccountStore(w.svc.stores.db, Date.now),
      transaction: <T>(fn: () => T) => w.svc.stores.db.transaction(fn)(),
    };
    const stranger = await createAccount(stores, {
      role: "family",
      login: "stranger",
      name: "Other daughter",
      password: "family-password-1",
    });
    people.linkFamily(stranger.id, other.householdId, "daughter");
    const daughter = await createAccount(stores, {
      role: "family",
      login: "daughter",
      name: "Daughter",
      password: "family-password-2",
    });
    people.linkFamily(daughter.id, householdId, "daughter");
    const base = `http://127.0.0.1:${w.svc.httpPort}`;
    const path = `/api/households/${householdId}/checkin`;
    const on = { enabled: true, minutes: 20, channels: ["button"] };

    const s = httpClient(base);
    await s.login("stranger", "family-password-1");
    expect((await s.request("GET", path)).status).toBe(404);
    expect((await s.request("PUT", path, on)).status).toBe(404);

    const d = httpClient(base);
    await d.login("daughter", "family-password-2");
    expect((await d.request("GET", path)).body).toMatchObject({ enabled: false });
    expect((await d.request("PUT", path, on)).status).toBe(403);

    expect((await httpClient(base).request("PUT", path, on)).status).toBe(401);
    expect((await putWithoutCsrf(base, path, on)).status).toBe(403);
    const bad = await w.operator.request("PUT", path, { enabled: true, minutes: 500, channels: ["fax"] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/minutes/);
    expect(JSON.stringify(bad.body)).toMatch(/channels/);

    const ok = await w.operator.request("PUT", path, on);
    expect(ok).toMatchObject({ status: 200, body: { enabled: true, minutes: 20, channels: ["button"] } });
    const audit = w.svc.stores.db
      .prepare("SELECT action, detail FROM audit_log WHERE household_id = ? AND action = 'change'")
      .all(householdId) as { detail: string }[];
    expect(audit.some((a) => a.detail.includes('"minutes":20'))).toBe(true);
  });
});
