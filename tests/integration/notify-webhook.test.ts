import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createNotificationDispatcher } from "../../alerts/notify/dispatcher.js";
import { createNotificationOutbox } from "../../alerts/notify/outbox.js";
import { createWebhookSender } from "../../alerts/notify/webhook-sender.js";
import { createManualClock } from "../../core/clock.js";
import { captureLogs } from "../helpers/log-sink.js";
import { notifyDb, raised, T0 } from "../helpers/notify/fixtures.js";
import { startGateway } from "../helpers/notify/gateway.js";

const SECRET = "whsec-test-0123456789";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A gateway on a free port answering each request with the next scripted status (then 200). */
async function gateway(script: { status: number; headers?: Record<string, string> }[]) {
  const gw = await startGateway(SECRET, script);
  cleanups.push(gw.stop);
  return gw;
}

function setup(url: string) {
  const { db } = notifyDb();
  cleanups.push(() => db.close());
  const clock = createManualClock(T0);
  const logs = captureLogs("debug");
  const outbox = createNotificationOutbox(db, clock);
  const dispatcher = createNotificationDispatcher({
    outbox,
    senders: { webhook: createWebhookSender({ url, secret: SECRET, timeoutMs: 5_000 }, clock) },
    clock,
    log: logs.log,
    backoff: { baseMs: 10_000, maxMs: 60_000, random: () => 0.5 },
  });
  cleanups.push(() => dispatcher.stop());
  return { clock, logs, outbox, dispatcher };
}

const sms = (key: string) => raised(key, { channel: "webhook", to: "13800000000" });

describe("webhook notifications to a real HTTP server", () => {
  it("POSTs signed JSON with the rendered text and an Idempotency-Key", async () => {
    const gw = await gateway([]);
    const { outbox, dispatcher, logs } = setup(gw.url);
    outbox.enqueue([sms("al-42:raised:sms")]);
    dispatcher.start();
    await dispatcher.idle();

    expect(gw.hits).toHaveLength(1);
    const hit = gw.hits[0]!;
    expect(hit.signatureValid).toBe(true);
    expect(hit.headers["x-jinlin-timestamp"]).toBe(String(T0 / 1000));
    expect(hit.headers["idempotency-key"]).toBe("al-42:raised:sms");
    expect(hit.headers["content-type"]).toBe("application/json; charset=utf-8");
    const body = JSON.parse(hit.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: "al-42:raised:sms",
      template: "alert_raised",
      language: "zh-CN",
      audience: "worker",
      to: "13800000000",
      subject: "【近邻】重要：张阿姨（幸福路 8 号 3 单元 502）长时间未见活动",
      data: { alertId: "al-42", rule: "inactivity", severity: "major" },
      createdAt: new Date(T0).toISOString(),
    });
    expect(body.text).toContain("已 14 小时没有用水");
    expect(outbox.list()[0]?.status).toBe("sent");
    expect(logs.text()).not.toContain("gateway-token");
  });

  it("retries after 500 and after 429 (honouring Retry-After), with a fresh signature each time", async () => {
    const gw = await gateway([{ status: 500 }, { status: 429, headers: { "retry-after": "30" } }]);
    const { outbox, dispatcher, clock } = setup(gw.url);
    outbox.enqueue([sms("k")]);
    dispatcher.start();
    await dispatcher.idle();
    expect(outbox.list()[0]).toMatchObject({
      status: "pending",
      nextAttemptAt: T0 + 7_500,
      lastError: "HTTP 500: answer",
    });

    clock.advanceBy(7_500);
    await dispatcher.idle();
    expect(outbox.list()[0]).toMatchObject({ status: "pending", nextAttemptAt: clock.now() + 30_000 });

    clock.advanceBy(30_000);
    await dispatcher.idle();
    expect(outbox.list()[0]).toMatchObject({ status: "sent", attempts: 3 });
    expect(gw.hits.map((h) => h.signatureValid)).toEqual([true, true, true]);
    expect(gw.hits.map((h) => h.headers["x-jinlin-timestamp"])).toEqual(
      [T0, T0 + 7_500, T0 + 37_500].map((t) => String(Math.floor(t / 1000))),
    );
    expect(new Set(gw.hits.map((h) => h.headers["idempotency-key"]))).toEqual(new Set(["k"]));
  });

  it("parks on 400 and does not try again", async () => {
    const gw = await gateway([{ status: 400 }]);
    const { outbox, dispatcher, clock, logs } = setup(gw.url);
    outbox.enqueue([sms("k")]);
    dispatcher.start();
    await dispatcher.idle();
    clock.advanceBy(3_600_000);
    await dispatcher.idle();
    expect(gw.hits).toHaveLength(1);
    expect(outbox.list()[0]).toMatchObject({ status: "parked", lastError: "HTTP 400: answer" });
    expect(outbox.stats(clock.now()).parked).toBe(1);
    expect(logs.lines().find((l) => l.level === 50)).toMatchObject({ notificationId: 1, channel: "webhook" });
  });

  it("retries when the gateway cannot be reached", async () => {
    // A port that was free a moment ago: nothing listens there now.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const { outbox, dispatcher } = setup(`http://127.0.0.1:${port}/jinlin/notify`);
    outbox.enqueue([sms("k")]);
    dispatcher.start();
    await dispatcher.idle();
    expect(outbox.list()[0]).toMatchObject({ status: "pending", attempts: 1 });
    expect(outbox.list()[0]?.lastError).toMatch(/fetch failed/);
  });
});
