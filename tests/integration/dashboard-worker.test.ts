import { afterEach, describe, expect, it } from "vitest";
import { type Dashboard, startDashboard } from "./dashboard-harness.js";

const open: Dashboard[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});

describe("grid worker API", () => {
  it("sorts the inbox by severity then age, only for the worker's grids", async () => {
    const d = await startDashboard();
    open.push(d);
    const mine1 = d.household("sh/a/s/c/g1");
    const mine2 = d.household("sh/a/s/c/g1");
    const below = d.household("sh/a/s/c/g1/sub");
    const other = d.household("sh/b/s/c/g2");
    const worker = await d.user("worker", { grid: "sh/a/s/c/g1" });
    const supervisor = await d.user("worker", { grid: "sh/a", duty: "supervisor" });
    const oldWarning = d.raise(mine1.id, "warning", "no_data");
    d.clock.advanceBy(60_000);
    const major = d.raise(mine1.id, "major", "inactivity");
    d.clock.advanceBy(60_000);
    const critical = d.raise(mine2.id, "critical", "panic");
    const newWarning = d.raise(mine2.id, "warning", "no_data");
    const sub = d.raise(below.id, "critical", "panic");
    d.raise(other.id, "critical", "panic");

    const inbox = (await worker.client.get("/api/alerts")).json().alerts as {
      id: number;
      household: { id: string };
    }[];
    expect(inbox.map((a) => a.id)).toEqual([critical.id, major.id, oldWarning.id, newWarning.id]);
    expect(inbox[0]!.household.id).toBe(mine2.id);
    const supIds = (await supervisor.client.get("/api/alerts"))
      .json()
      .alerts.map((a: { id: number }) => a.id);
    expect(supIds).toEqual([critical.id, sub.id, major.id, oldWarning.id, newWarning.id]);
  });

  it("acknowledges, goes, arrives and resolves through the service's lifecycle", async () => {
    const d = await startDashboard();
    open.push(d);
    const h = d.household("sh/a/s/c/g1", "Zhang Wei");
    d.homes.setProfile(h.id, { accessNotes: "key box 4711", healthNotes: "heart condition" }, "op");
    const worker = await d.user("worker", { grid: "sh/a/s/c/g1" });
    const alert = d.raise(h.id, "critical", "inactivity");

    const view = (await worker.client.get(`/api/alerts/${alert.id}`)).json();
    expect(view.alert.evidence.observed).toEqual({ name: "gap", value: 14, unit: "h" });
    expect(view.household).toMatchObject({
      resident: "Zhang Wei",
      address: h.address,
      profile: { accessNotes: "key box 4711" },
    });
    expect(view.events.map((e: { action: string }) => e.action)).toEqual(["raised"]);

    const base = `/api/alerts/${alert.id}`;
    d.clock.advanceBy(120_000);
    expect((await worker.client.post(`${base}/arrived`)).statusCode).toBe(409);
    expect((await worker.client.post(`${base}/acknowledge`)).json()).toMatchObject({
      status: "acknowledged",
      acknowledgedBy: worker.account.id,
    });
    expect((await worker.client.post(`${base}/acknowledge`)).json().error.code).toBe(
      "JINLIN_ERR_STATE_CONFLICT",
    );
    d.clock.advanceBy(60_000);
    expect((await worker.client.post(`${base}/on-my-way`)).json().status).toBe("visiting");
    d.clock.advanceBy(600_000);
    expect((await worker.client.post(`${base}/arrived`)).statusCode).toBe(200);
    const bad = await worker.client.post(`${base}/resolve`, { outcome: "fine" });
    expect(bad.json().error.code).toBe("JINLIN_ERR_INPUT_INVALID");
    const done = await worker.client.post(`${base}/resolve`, {
      outcome: "safe",
      note: "asleep, hearing aid out",
    });
    expect(done.json()).toMatchObject({
      status: "resolved",
      outcome: "safe",
      note: "asleep, hearing aid out",
    });

    // Live listeners heard every change, as they do for the rules engine's own.
    expect(d.changes.map(([, news]) => news)).toEqual(["raised", "acknowledged", "visiting", "resolved"]);
    const events = d.alertStore.events(alert.id).map((e) => [e.action, e.actor]);
    expect(events).toEqual([
      ["raised", "system"],
      ["acknowledged", worker.account.id],
      ["visiting", worker.account.id],
      ["arrived", worker.account.id],
      ["resolved", worker.account.id],
    ]);

    const metrics = (await worker.client.get("/api/reports/response-times")).json();
    expect(metrics.overall).toMatchObject({
      alerts: 1,
      toAcknowledge: { count: 1, medianMs: 120_000 },
      toOnMyWay: { count: 1, medianMs: 180_000 },
      toArrive: { count: 1, medianMs: 780_000 },
    });
    expect(metrics.byGrid).toEqual([expect.objectContaining({ gridPath: "sh/a/s/c/g1", alerts: 1 })]);
    expect(metrics.byWorker).toEqual([
      expect.objectContaining({ personId: worker.account.id, name: worker.account.name, alerts: 1 }),
    ]);
  });

  it("does not let family members work alerts", async () => {
    const d = await startDashboard();
    open.push(d);
    const h = d.household("sh/a/s/c/g1");
    const fam = await d.user("family", { household: h.id });
    const alert = d.raise(h.id, "major");
    const res = await fam.client.post(`/api/alerts/${alert.id}/acknowledge`);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("JINLIN_ERR_FORBIDDEN");
  });
});
