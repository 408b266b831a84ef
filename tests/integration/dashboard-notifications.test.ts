import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raised } from "../helpers/notify/fixtures.js";
import { type Dashboard, startDashboard } from "./dashboard-harness.js";

/** GET /api/notifications and POST /api/notifications/:id/retry: the outbox, for operators only. */
let d: Dashboard;
beforeAll(async () => {
  d = await startDashboard();
});
afterAll(async () => d?.close());

describe("notification outbox API", () => {
  it("shows operators the stats and items, newest first; 403 for workers and family; 401 anonymous", async () => {
    d.outbox.enqueue([raised("n-1"), raised("n-2")]);
    const op = await d.user("operator");
    const res = await op.client.get("/api/notifications");
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.stats).toMatchObject({ depth: 2, parked: 0 });
    expect(body.items.map((i: { idempotencyKey: string }) => i.idempotencyKey)).toEqual(["n-2", "n-1"]);

    const worker = await d.user("worker", { grid: "city/d1/s1/c1/g-a" });
    expect((await worker.client.get("/api/notifications")).statusCode).toBe(403);
    const fam = await d.user("family");
    expect((await fam.client.get("/api/notifications")).statusCode).toBe(403);
    const anon = d.client();
    expect((await anon.get("/api/notifications")).statusCode).toBe(401);
  });

  it("filters by status, retries parked ones, and 404s anything else", async () => {
    const op = await d.user("operator");
    const [first] = d.outbox.list({ limit: 1000 }).slice(-1);
    expect(d.outbox.park(first!.id, "550 mailbox unavailable")).toBe(true);
    const parked = (await op.client.get("/api/notifications?status=parked")).json();
    expect(parked.items).toHaveLength(1);
    expect(parked.items[0]).toMatchObject({ id: first!.id, status: "parked" });
    expect(parked.stats.parked).toBe(1);
    expect((await op.client.get("/api/notifications?status=bogus")).statusCode).toBe(400);

    const worker = await d.user("worker", { grid: "city/d1/s1/c1/g-a" });
    expect((await worker.client.post(`/api/notifications/${first!.id}/retry`)).statusCode).toBe(403);
    expect((await op.client.post(`/api/notifications/${first!.id}/retry`)).statusCode).toBe(204);
    expect(d.outbox.list({ status: "parked" })).toHaveLength(0);
    // No longer parked: a second retry, or an unknown id, is 404.
    expect((await op.client.post(`/api/notifications/${first!.id}/retry`)).statusCode).toBe(404);
    expect((await op.client.post("/api/notifications/999999/retry")).statusCode).toBe(404);
    // Recipients are for operators' eyes, not for the log.
    expect(d.logs.text()).not.toContain("wang.fang@grid.example.org");
  });
});
