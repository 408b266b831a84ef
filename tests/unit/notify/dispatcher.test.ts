import { afterEach, describe, expect, it } from "vitest";
import { createNotificationDispatcher } from "../../../alerts/notify/dispatcher.js";
import { createNotificationOutbox } from "../../../alerts/notify/outbox.js";
import type { NotificationSender, OutboxItem, SendResult } from "../../../alerts/notify/types.js";
import { createManualClock } from "../../../core/clock.js";
import type { Db } from "../../../storage/sqlite/open.js";
import { captureLogs } from "../../helpers/log-sink.js";
import { notifyDb, raised, T0 } from "../../helpers/notify/fixtures.js";

/**
 * The dispatcher against a scripted sender: the retry policy is the dispatcher's, and a scripted
 * answer per attempt is what exercises it. Real SMTP and HTTP senders: tests/integration/notify-*.
 */
function scriptedSender(script: (item: OutboxItem, n: number) => SendResult | Promise<SendResult>) {
  const calls: string[] = [];
  const sender: NotificationSender = {
    async send(item) {
      calls.push(item.idempotencyKey);
      return script(item, calls.length);
    },
  };
  return { sender, calls };
}

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function setup(sender: NotificationSender, options: { batch?: number; maxAttempts?: number } = {}) {
  const { db } = notifyDb();
  dbs.push(db);
  const clock = createManualClock(T0);
  const logs = captureLogs("debug");
  const outbox = createNotificationOutbox(db, clock);
  const dispatcher = createNotificationDispatcher({
    outbox,
    senders: { email: sender },
    clock,
    log: logs.log,
    backoff: { baseMs: 1_000, maxMs: 8_000, random: () => 0.5 },
    pollMs: 60_000,
    ...options,
  });
  return { clock, logs, outbox, dispatcher };
}

describe("notification dispatcher", () => {
  it("sends what is due at start and what is enqueued on kick, logging ids only", async () => {
    const s = scriptedSender(() => ({ kind: "sent" }));
    const { outbox, dispatcher, logs } = setup(s.sender);
    outbox.enqueue([raised("a")]);
    dispatcher.start();
    await dispatcher.idle();
    outbox.enqueue([raised("b")]);
    dispatcher.kick();
    await dispatcher.idle();
    expect(s.calls).toEqual(["a", "b"]);
    expect(outbox.list({ status: "sent" })).toHaveLength(2);
    const sent = logs.lines().filter((l) => l.msg === "notification sent");
    expect(sent[0]).toMatchObject({
      mod: "notify",
      notificationId: 1,
      alertId: "al-42",
      template: "alert_raised",
    });
    expect(logs.text()).not.toContain("@");
    await dispatcher.stop();
  });

  it("retries with exponential backoff, then parks after the last attempt", async () => {
    const s = scriptedSender(() => ({ kind: "retry", error: "connect ECONNREFUSED to wang@example.org" }));
    const { outbox, dispatcher, clock, logs } = setup(s.sender, { maxAttempts: 4 });
    outbox.enqueue([raised("a")]);
    dispatcher.start();
    await dispatcher.idle();
    // equal jitter with random 0.5: 3/4 of 1 s, 2 s, 4 s.
    for (const wait of [750, 1_500, 3_000]) {
      expect(outbox.list()[0]).toMatchObject({ status: "pending", nextAttemptAt: clock.now() + wait });
      clock.advanceBy(wait - 1);
      await dispatcher.idle();
      const before = s.calls.length;
      clock.advanceBy(1);
      await dispatcher.idle();
      expect(s.calls.length).toBe(before + 1);
    }
    expect(outbox.list()[0]).toMatchObject({ status: "parked", attempts: 4 });
    expect(outbox.stats(clock.now()).parked).toBe(1);
    const parked = logs.lines().find((l) => l.msg?.toString().startsWith("notification parked"));
    expect(parked).toMatchObject({ level: 50, attempts: 4, error: "connect ECONNREFUSED to [address]" });
    expect(logs.text()).not.toContain("wang@example.org");
    await dispatcher.stop();
  });

  it("honours Retry-After, parks at once when told, and retries a sender that throws", async () => {
    const s = scriptedSender((item) => {
      if (item.idempotencyKey === "slow") return { kind: "retry", error: "HTTP 429", retryAfterMs: 5_000 };
      if (item.idempotencyKey === "bad") return { kind: "park", error: "HTTP 400" };
      throw new Error("socket hang up");
    });
    const { outbox, dispatcher } = setup(s.sender);
    outbox.enqueue([raised("slow"), raised("bad"), raised("throws")]);
    dispatcher.start();
    await dispatcher.idle();
    const byKey = Object.fromEntries(outbox.list().map((r) => [r.idempotencyKey, r]));
    expect(byKey.slow).toMatchObject({ status: "pending", nextAttemptAt: T0 + 5_000, lastError: "HTTP 429" });
    expect(byKey.bad).toMatchObject({ status: "parked", lastError: "HTTP 400" });
    expect(byKey.throws).toMatchObject({
      status: "pending",
      nextAttemptAt: T0 + 750,
      lastError: "socket hang up",
    });
    await dispatcher.stop();
  });

  it("parks notifications for a channel without a sender", async () => {
    const s = scriptedSender(() => ({ kind: "sent" }));
    const { outbox, dispatcher } = setup(s.sender);
    outbox.enqueue([raised("w", { channel: "webhook", to: "13800000000" })]);
    dispatcher.start();
    await dispatcher.idle();
    expect(outbox.list()[0]).toMatchObject({
      status: "parked",
      lastError: "no sender configured for webhook",
    });
  });

  it("drains more than one batch without waiting for the timer", async () => {
    const s = scriptedSender(() => ({ kind: "sent" }));
    const { outbox, dispatcher, clock } = setup(s.sender, { batch: 2 });
    outbox.enqueue(["a", "b", "c", "d", "e"].map((k) => raised(k)));
    dispatcher.start();
    await dispatcher.idle();
    expect(s.calls).toEqual(["a", "b", "c", "d", "e"]);
    expect(clock.now()).toBe(T0);
    await dispatcher.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it("sends planned notifications when their time comes", async () => {
    const s = scriptedSender(() => ({ kind: "sent" }));
    const { outbox, dispatcher, clock } = setup(s.sender);
    outbox.enqueue([raised("reminder", { notBefore: T0 + 15 * 60_000 })]);
    dispatcher.start();
    await dispatcher.idle();
    expect(s.calls).toEqual([]);
    clock.advanceBy(15 * 60_000);
    await dispatcher.idle();
    expect(s.calls).toEqual(["reminder"]);
    await dispatcher.stop();
  });

  it("does not resend at once what it could not record as sent (disk full)", async () => {
    const s = scriptedSender(() => ({ kind: "sent" }));
    const { db } = notifyDb();
    dbs.push(db);
    const clock = createManualClock(T0);
    const logs = captureLogs();
    const outbox = createNotificationOutbox(db, clock);
    let diskFull = true;
    const dispatcher = createNotificationDispatcher({
      outbox: {
        ...outbox,
        markSent: (id, at) => {
          if (diskFull) throw new Error("SQLITE_FULL");
          return outbox.markSent(id, at);
        },
      },
      senders: { email: s.sender },
      clock,
      log: logs.log,
      pollMs: 30_000,
    });
    outbox.enqueue([raised("a")]);
    dispatcher.start();
    await dispatcher.idle();
    clock.advanceBy(29_999);
    await dispatcher.idle();
    expect(s.calls).toEqual(["a"]);
    expect(logs.lines().some((l) => l.msg === "notification outcome not recorded")).toBe(true);
    diskFull = false;
    clock.advanceBy(1);
    await dispatcher.idle();
    expect(s.calls).toEqual(["a", "a"]);
    expect(outbox.list()[0]?.status).toBe("sent");
    await dispatcher.stop();
  });

  it("stop waits for the sends in flight and records them", async () => {
    let release: (r: SendResult) => void = () => {};
    const s = scriptedSender(() => new Promise<SendResult>((r) => (release = r)));
    const { outbox, dispatcher } = setup(s.sender);
    outbox.enqueue([raised("a")]);
    dispatcher.start();
    await new Promise((r) => setImmediate(r));
    expect(s.calls).toEqual(["a"]);
    let stopped = false;
    const stopping = dispatcher.stop().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    release({ kind: "sent" });
    await stopping;
    expect(outbox.list()[0]?.status).toBe("sent");
    outbox.enqueue([raised("b")]);
    dispatcher.kick();
    await dispatcher.idle();
    expect(s.calls).toEqual(["a"]);
  });
});
