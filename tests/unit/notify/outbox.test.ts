import { afterEach, describe, expect, it } from "vitest";
import { createNotificationOutbox } from "../../../alerts/notify/outbox.js";
import { createManualClock } from "../../../core/clock.js";
import { isJinlinError } from "../../../core/errors.js";
import type { Db } from "../../../storage/sqlite/open.js";
import { ALERT, notifyDb, raised, T0 } from "../../helpers/notify/fixtures.js";

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function setup() {
  const { db, file } = notifyDb();
  dbs.push(db);
  const clock = createManualClock(T0);
  return { db, file, clock, outbox: createNotificationOutbox(db, clock) };
}

describe("notification outbox", () => {
  it("stores each idempotency key once", () => {
    const { outbox } = setup();
    expect(outbox.enqueue([raised("a"), raised("b"), raised("a")])).toBe(2);
    expect(outbox.enqueue([raised("b", { to: "other@example.org" })])).toBe(0);
    expect(outbox.due(T0, 10).map((i) => [i.idempotencyKey, i.to])).toEqual([
      ["a", "wang.fang@grid.example.org"],
      ["b", "wang.fang@grid.example.org"],
    ]);
  });

  it("stores nothing when one item is invalid", () => {
    const { outbox } = setup();
    let err: unknown;
    try {
      outbox.enqueue([raised("a"), raised("b", { to: "nobody" })]);
    } catch (e) {
      err = e;
    }
    expect(isJinlinError(err, "JINLIN_ERR_INPUT_INVALID")).toBe(true);
    expect(String(err)).toContain("notification 1: to");
    expect(outbox.stats(T0).depth).toBe(0);
  });

  it("joins the caller's transaction: rolled back together with the alert", () => {
    const { db, outbox } = setup();
    db.exec("CREATE TABLE test_alerts (id TEXT PRIMARY KEY)");
    const raise = db.transaction((fail: boolean) => {
      db.prepare("INSERT INTO test_alerts VALUES ('al-42')").run();
      outbox.enqueue([raised("al-42:raised:w1")]);
      if (fail) throw new Error("boom");
    });
    expect(() => raise(true)).toThrow("boom");
    expect(outbox.stats(T0).depth).toBe(0);
    raise(false);
    expect(outbox.stats(T0).depth).toBe(1);
  });

  it("holds notBefore items back and reports the next due time", () => {
    const { outbox } = setup();
    outbox.enqueue([raised("later", { notBefore: T0 + 60_000 }), raised("now")]);
    expect(outbox.due(T0, 10).map((i) => i.idempotencyKey)).toEqual(["now"]);
    expect(outbox.nextDueAt()).toBe(T0);
    const now = outbox.due(T0, 10)[0]!;
    outbox.markSent(now.id, T0);
    expect(outbox.nextDueAt()).toBe(T0 + 60_000);
    expect(outbox.stats(T0)).toEqual({ depth: 1, oldestAgeMs: 0, retrying: 0, parked: 0 });
    expect(outbox.due(T0 + 60_000, 10).map((i) => i.idempotencyKey)).toEqual(["later"]);
  });

  it("records failures, parks, and lets an operator retry", () => {
    const { outbox, clock } = setup();
    outbox.enqueue([raised("a"), raised("b")]);
    const [a, b] = outbox.due(T0, 10);
    if (!a || !b) throw new Error("expected two due items");
    expect(outbox.markFailed(a.id, "ECONNREFUSED", T0 + 10_000)).toBe(true);
    clock.advanceBy(5_000);
    expect(outbox.due(clock.now(), 10).map((i) => i.idempotencyKey)).toEqual(["b"]);
    expect(outbox.stats(clock.now())).toEqual({ depth: 2, oldestAgeMs: 5_000, retrying: 1, parked: 0 });
    expect(outbox.park(b.id, "HTTP 400")).toBe(true);
    expect(outbox.markSent(b.id, clock.now())).toBe(false);
    expect(outbox.list({ status: "parked" })).toMatchObject([
      { idempotencyKey: "b", status: "parked", attempts: 1, lastError: "HTTP 400", alertId: "al-42" },
    ]);
    expect(outbox.retry(b.id)).toBe(true);
    expect(outbox.list({ status: "parked" })).toEqual([]);
    expect(outbox.due(clock.now(), 10)[0]).toMatchObject({ idempotencyKey: "b", attempts: 0 });
  });

  it("parks a household's unsent notifications when its consent is withdrawn, and no one else's", () => {
    const { outbox } = setup();
    outbox.enqueue([raised("a"), raised("b"), raised("other", { data: { ...ALERT, householdId: "hh-8" } })]);
    const [a] = outbox.due(T0, 10);
    if (!a) throw new Error("expected a due item");
    expect(outbox.markSent(a.id, T0)).toBe(true);
    expect(outbox.parkHousehold("hh-7", "consent withdrawn")).toBe(1); // "a" was already sent
    expect(outbox.due(T0, 10).map((i) => i.idempotencyKey)).toEqual(["other"]);
    expect(outbox.list({ status: "parked" })).toMatchObject([
      { idempotencyKey: "b", status: "parked", lastError: "consent withdrawn" },
    ]);
  });

  it("lists by alert and household, newest first, and prunes old sent rows", () => {
    const { outbox } = setup();
    outbox.enqueue([raised("a"), raised("b"), raised("c", { data: { ...ALERT, alertId: "al-9" } })]);
    expect(outbox.list({ alertId: "al-42" }).map((r) => r.idempotencyKey)).toEqual(["b", "a"]);
    expect(outbox.list({ householdId: "hh-7", limit: 1 }).map((r) => r.idempotencyKey)).toEqual(["c"]);
    for (const i of outbox.due(T0, 10)) outbox.markSent(i.id, T0);
    expect(outbox.prune(T0 + 1)).toBe(3);
    expect(outbox.enqueue([raised("a")])).toBe(1);
  });

  it("keeps pending items across a reopen of the database file", () => {
    const { db, file, outbox } = setup();
    outbox.enqueue([raised("a")]);
    db.close();
    dbs.splice(dbs.indexOf(db), 1);
    const again = notifyDb(file).db;
    dbs.push(again);
    const reopened = createNotificationOutbox(again, createManualClock(T0 + 1000));
    expect(reopened.due(T0 + 1000, 10).map((i) => i.idempotencyKey)).toEqual(["a"]);
    expect(reopened.stats(T0 + 1000).oldestAgeMs).toBe(1000);
  });

  it("parks a stored row that no longer parses instead of failing the batch", () => {
    const { db, outbox } = setup();
    outbox.enqueue([raised("a"), raised("b")]);
    db.prepare("UPDATE notifications SET data = '{}' WHERE idempotency_key = 'a'").run();
    expect(outbox.due(T0, 10).map((i) => i.idempotencyKey)).toEqual(["b"]);
    expect(outbox.list({ status: "parked" })[0]?.lastError).toMatch(/no longer valid/);
  });
});
