import { afterEach, describe, expect, it } from "vitest";
import { createNotificationDispatcher } from "../../alerts/notify/dispatcher.js";
import { createEmailSender, messageIdFor } from "../../alerts/notify/email-sender.js";
import { createNotificationOutbox } from "../../alerts/notify/outbox.js";
import { createManualClock, type ManualClock } from "../../core/clock.js";
import type { Db } from "../../storage/sqlite/open.js";
import { captureLogs } from "../helpers/log-sink.js";
import { ALERT, notifyDb, raised, T0 } from "../helpers/notify/fixtures.js";
import { type ReceivedMail, startSmtp, type TestSmtp } from "../helpers/notify/smtp.js";

const FROM = "近邻 <alerts@jinlin.example.org>";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function service(db: Db, port: number, clock: ManualClock) {
  const logs = captureLogs("debug");
  const email = createEmailSender({
    host: "127.0.0.1",
    port,
    secure: false,
    user: "jinlin",
    password: "s3cret",
    from: FROM,
    timeoutMs: 5_000,
  });
  const outbox = createNotificationOutbox(db, clock);
  const dispatcher = createNotificationDispatcher({
    outbox,
    senders: { email },
    clock,
    log: logs.log,
    backoff: { baseMs: 10_000, maxMs: 60_000, random: () => 0.5 },
  });
  const stop = async () => {
    await dispatcher.stop();
    email.close();
  };
  cleanups.push(stop);
  return { outbox, dispatcher, logs, stop };
}

async function smtp(port?: number, received?: ReceivedMail[]): Promise<TestSmtp> {
  const s = await startSmtp(port, received);
  cleanups.push(() => s.stop());
  return s;
}

function openDb(file?: string): { db: Db; file: string } {
  const opened = notifyDb(file);
  cleanups.push(() => opened.db.close());
  return opened;
}

describe("e-mail notifications through a real SMTP server", () => {
  it("delivers a worker's alert in Chinese and a family's in English", async () => {
    const server = await smtp();
    const clock = createManualClock(T0);
    const { outbox, dispatcher, logs } = service(openDb().db, server.port, clock);
    outbox.enqueue([
      raised("al-42:raised:worker"),
      raised("al-42:raised:family", { to: "son@family.example.org", audience: "family", language: "en" }),
    ]);
    dispatcher.start();
    await dispatcher.idle();

    expect(server.received).toHaveLength(2);
    const zh = server.received.find((m) => m.envelopeTo[0] === "wang.fang@grid.example.org");
    const en = server.received.find((m) => m.envelopeTo[0] === "son@family.example.org");
    expect(zh?.user).toBe("jinlin");
    expect(zh?.subject).toBe("【近邻】重要：张阿姨（幸福路 8 号 3 单元 502）长时间未见活动");
    expect(zh?.text).toContain("近邻系统于 3月5日 14:30 观察到：已 14 小时没有用水，平时最长 6 小时");
    expect(zh?.text).toContain(`在工作台中处理：${ALERT.link}`);
    expect(zh?.html).toContain("幸福路 8 号 3 单元 502");
    expect(zh?.messageId).toBe(messageIdFor("al-42:raised:worker", FROM));
    expect(zh?.headers.get("content-language")).toBe("zh-CN");
    expect(zh?.headers.get("auto-submitted")).toBe("auto-generated");
    expect(zh?.headers.get("from")).toContain("近邻");

    expect(en?.subject).toBe("[Jinlin] About 张阿姨: no activity for a long time");
    expect(en?.text).toContain("The community grid worker has been notified");
    expect(en?.text).not.toContain(ALERT.address);
    expect(en?.headers.get("content-language")).toBe("en");

    expect(outbox.stats(clock.now())).toEqual({ depth: 0, oldestAgeMs: 0, retrying: 0, parked: 0 });
    expect(logs.text()).not.toMatch(/example\.org/);
  });

  it("loses nothing while the SMTP server is down and delivers once it is back", async () => {
    const first = await startSmtp();
    const port = first.port;
    await first.stop();
    const clock = createManualClock(T0);
    const { outbox, dispatcher, logs } = service(openDb().db, port, clock);
    outbox.enqueue([raised("al-42:raised:worker")]);
    dispatcher.start();
    await dispatcher.idle();
    expect(outbox.list()[0]).toMatchObject({ status: "pending", attempts: 1, nextAttemptAt: T0 + 7_500 });
    expect(outbox.list()[0]?.lastError).toMatch(/ECONNREFUSED/);
    expect(logs.lines().some((l) => l.msg === "notification failed: will retry")).toBe(true);

    const server = await smtp(port);
    clock.advanceBy(7_500);
    await dispatcher.idle();
    expect(server.received.map((m) => m.messageId)).toEqual([messageIdFor("al-42:raised:worker", FROM)]);
    expect(outbox.list()[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("delivers what was pending before a restart, once per idempotency key", async () => {
    const down = await startSmtp();
    const port = down.port;
    await down.stop();
    const keys = ["al-1:raised:w", "al-1:raised:f", "al-2:raised:w"];

    const before = openDb();
    const one = service(before.db, port, createManualClock(T0));
    one.outbox.enqueue(keys.map((k) => raised(k)));
    one.dispatcher.start();
    await one.dispatcher.idle();
    expect(one.outbox.enqueue(keys.map((k) => raised(k)))).toBe(0);
    await one.stop();
    before.db.close();

    const server = await smtp(port);
    const clock = createManualClock(T0 + 3_600_000);
    const two = service(openDb(before.file).db, port, clock);
    expect(two.outbox.stats(clock.now())).toMatchObject({ depth: 3, retrying: 3 });
    two.dispatcher.start();
    await two.dispatcher.idle();
    expect(two.outbox.enqueue(keys.map((k) => raised(k)))).toBe(0);
    clock.advanceBy(86_400_000);
    await two.dispatcher.idle();

    const ids = server.received.map((m) => m.messageId).sort();
    expect(ids).toEqual(keys.map((k) => messageIdFor(k, FROM)).sort());
    expect(two.outbox.list({ status: "sent" })).toHaveLength(3);
  });

  it("parks a notification whose recipient the server refuses for good", async () => {
    const server = await smtp();
    const clock = createManualClock(T0);
    const { outbox, dispatcher, logs } = service(openDb().db, server.port, clock);
    outbox.enqueue([
      raised("al-42:raised:gone", { to: "nobody@grid.example.org" }),
      raised("al-42:raised:w"),
    ]);
    dispatcher.start();
    await dispatcher.idle();
    expect(outbox.list({ status: "parked" })).toMatchObject([
      { idempotencyKey: "al-42:raised:gone", attempts: 1 },
    ]);
    expect(server.received).toHaveLength(1);
    expect(logs.text()).not.toContain("nobody@");
  });
});
