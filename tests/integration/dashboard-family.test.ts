import { afterEach, describe, expect, it } from "vitest";
import { type Dashboard, startDashboard } from "./dashboard-harness.js";

const open: Dashboard[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});

const parent = {
  resident: "<script>alert(1)</script>",
  address: "12 Lane 3, Jing'an",
  gridPath: "sh/jingan/s1/c1/g1",
  phone: "021-5555-0100",
  healthNotes: "diabetic; insulin in the fridge",
  accessNotes: "key with neighbour in 302",
  emergencyContacts: [{ name: "Li Na", phone: "13800000000", relation: "daughter" }],
  consent: { given: true, by: "family" },
  language: "zh-CN",
  relation: "daughter",
  meterSerial: "WM-2026-0001",
};

describe("family registration → approval → status", () => {
  it("registers a parent, a grid worker approves, the family sees a calm summary", async () => {
    const d = await startDashboard();
    open.push(d);
    d.registry.ensureGrid(parent.gridPath);
    const worker = await d.user("worker", { grid: parent.gridPath });
    const otherWorker = await d.user("worker", { grid: "sh/other/s1/c1/g1" });
    const c = d.client();
    await c.fetchCsrf();
    const reg = await c.post("/api/auth/register", {
      login: "li.na",
      password: "a-long-password",
      name: "Li Na",
    });
    c.csrf = reg.json().csrfToken;

    const missingConsent = await c.post("/api/registrations", { ...parent, consent: undefined });
    expect(missingConsent.json().error.code).toBe("JINLIN_ERR_INPUT_INVALID");
    const sub = await c.post("/api/registrations", parent);
    expect(sub.statusCode).toBe(201);
    expect(sub.json()).toMatchObject({ status: "pending", gridPath: parent.gridPath });
    const id = sub.json().id;

    expect((await otherWorker.client.get("/api/registrations")).json().registrations).toEqual([]);
    const inbox = (await worker.client.get("/api/registrations?status=pending")).json().registrations;
    expect(inbox.map((r: { id: string }) => r.id)).toEqual([id]);

    const approved = await worker.client.post(`/api/registrations/${id}/approve`, {
      note: "visited, all fine",
    });
    expect(approved.statusCode).toBe(200);
    const { household, device } = approved.json();
    expect(household.resident).toBe("<script>alert(1)</script>");
    expect(approved.headers["content-type"]).toContain("application/json");
    expect(device).toMatchObject({ id: "WM-2026-0001", kind: "water", mqtt: { username: "WM-2026-0001" } });
    expect(device.mqtt.password).toMatch(/^[A-Za-z0-9_-]{27}$/);
    expect((await worker.client.post(`/api/registrations/${id}/approve`, {})).statusCode).toBe(409);

    const me = (await c.get("/api/auth/me")).json();
    expect(me.households).toEqual([household.id]);
    const detail = (await c.get(`/api/households/${household.id}`)).json();
    expect(detail.resident).toBe("<script>alert(1)</script>");
    expect(detail.profile).toEqual({
      phone: parent.phone,
      healthNotes: parent.healthNotes,
      accessNotes: parent.accessNotes,
    });

    const status = await c.get(`/api/households/${household.id}/status`);
    expect(status.json()).toMatchObject({
      householdId: household.id,
      state: "check_devices", // the meter has never reported yet
      alerts: { open: 0, thisMonth: 0 },
      lastWaterUse: { at: null, localTime: null },
      devices: { total: 1, silent: 1 },
    });

    const audit = await d.user("operator");
    const entries = (await audit.client.get(`/api/audit?householdId=${household.id}`)).json().entries;
    expect(entries.map((e: { actor: string; action: string }) => [e.actor, e.action])).toEqual(
      expect.arrayContaining([
        [worker.account.id, "change"],
        [reg.json().account.id, "view"],
      ]),
    );
  });

  it("reports water use and alerts in the household's day, and plans absences", async () => {
    const d = await startDashboard();
    open.push(d);
    const h = d.household("sh/a/b/c/d", "Wang Fang");
    const fam = await d.user("family", { household: h.id });
    d.registry.addDevice({ householdId: h.id, kind: "water", id: "m-1", secretHash: "x" });
    // 2026-03-02T02:00Z is 10:00 in Shanghai; water used at 08:12 local time
    const at = Date.parse("2026-03-02T00:12:00Z");
    d.db
      .prepare(
        "INSERT INTO readings (device_id, household_id, kind, ts, received_at, value, fields, consumed_l) VALUES ('m-1', ?, 'water', ?, ?, 1, '{}', 12.5)",
      )
      .run(h.id, at, at);
    d.db.prepare("UPDATE devices SET last_seen_at = ? WHERE id = 'm-1'").run(at);
    const s1 = (await fam.client.get(`/api/households/${h.id}/status`)).json();
    expect(s1).toMatchObject({ state: "all_normal", date: "2026-03-02", waterLitersToday: 12.5 });
    expect(s1.lastWaterUse).toEqual({ at, localTime: "08:12" });

    const alert = d.raise(h.id, "major");
    d.lifecycle.resolve(alert.id, "p-worker", "safe", "she was at the market");
    const alerts = (await fam.client.get(`/api/households/${h.id}/alerts`)).json().alerts;
    expect(alerts[0]).toMatchObject({
      id: alert.id,
      status: "resolved",
      outcome: "safe",
      message: { en: "test alert" },
    });
    expect(alerts[0].note).toBeUndefined();
    expect((await fam.client.get(`/api/households/${h.id}/status`)).json().alerts).toEqual({
      open: 0,
      thisMonth: 1,
    });

    const base = `/api/households/${h.id}/absences`;
    const now = d.clock.now();
    const bad = await fam.client.post(base, { from: now + 10, to: now, reason: "travel" });
    expect(bad.statusCode).toBe(400);
    const created = await fam.client.post(base, {
      from: now - 1000,
      to: now + 86_400_000,
      reason: "hospital",
    });
    expect(created.statusCode).toBe(201);
    const absence = created.json();
    expect((await fam.client.get(`/api/households/${h.id}/status`)).json().state).toBe("away");
    const moved = await fam.client.request("PUT", `${base}/${absence.id}`, {
      from: now + 1000,
      to: now + 2000,
      reason: "travel",
    });
    expect(moved.json()).toMatchObject({ reason: "travel", from: now + 1000 });
    expect((await fam.client.request("DELETE", `${base}/${absence.id}`)).statusCode).toBe(204);
    expect((await fam.client.get(base)).json().absences).toEqual([]);
    expect(d.db.prepare("SELECT cancelled_at FROM absences WHERE id = ?").get(absence.id)).toEqual({
      cancelled_at: now,
    });
  });

  it("keeps notification preferences per family member", async () => {
    const d = await startDashboard();
    open.push(d);
    const h = d.household("sh/a/b/c/d");
    const fam = await d.user("family", { household: h.id });
    const url = `/api/households/${h.id}/preferences`;
    expect((await fam.client.get(url)).json()).toEqual({ email: true, dailySummary: false });
    await fam.client.request("PUT", url, { email: false, dailySummary: true });
    expect((await fam.client.get(url)).json()).toEqual({ email: false, dailySummary: true });
    expect(d.people.family(h.id)).toEqual([]); // e-mail off: no longer among alert recipients
  });

  it("lets an operator reject a request with a reason", async () => {
    const d = await startDashboard();
    open.push(d);
    d.registry.ensureGrid("sh/a/b/c/d");
    const fam = await d.user("family");
    const op = await d.user("operator");
    const id = (await fam.client.post("/api/registrations", { ...parent, gridPath: "sh/a/b/c/d" })).json().id;
    expect((await op.client.post(`/api/registrations/${id}/reject`, {})).statusCode).toBe(400);
    const res = await op.client.post(`/api/registrations/${id}/reject`, {
      note: "duplicate of an existing home",
    });
    expect(res.json()).toMatchObject({ status: "rejected", decisionNote: "duplicate of an existing home" });
    expect((await fam.client.get(`/api/registrations/${id}`)).json().status).toBe("rejected");
  });
});
