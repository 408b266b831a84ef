import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { retryDelay } from "../../../alerts/notify/backoff.js";
import { messageIdFor } from "../../../alerts/notify/email-sender.js";
import { scrub } from "../../../alerts/notify/redact.js";
import { signWebhook, verifyWebhook } from "../../../alerts/notify/signature.js";
import { classifyStatus } from "../../../alerts/notify/webhook-sender.js";
import { notifyConfig, notifyProblems, notifySettingsSchema } from "../../../core/config-notify.js";

describe("webhook signature", () => {
  const secret = "0123456789abcdef-secret";
  const body = JSON.stringify({ id: "k", text: "张阿姨" });
  const now = 1_772_692_200_000;
  const ts = String(now / 1000);

  it("is HMAC-SHA256 over <timestamp>.<body>, as docs/notifications.md tells receivers", () => {
    const hex = createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex");
    expect(signWebhook(secret, Number(ts), body)).toBe(`sha256=${hex}`);
  });

  it("verifies, and refuses a changed body, a wrong secret or an old timestamp", () => {
    const signature = signWebhook(secret, Number(ts), body);
    const ok = { secret, timestamp: ts, signature, body, nowMs: now };
    expect(verifyWebhook(ok)).toBe(true);
    expect(verifyWebhook({ ...ok, body: body.replace("k", "j") })).toBe(false);
    expect(verifyWebhook({ ...ok, secret: `${secret}x` })).toBe(false);
    expect(verifyWebhook({ ...ok, nowMs: now + 301_000 })).toBe(false);
    expect(verifyWebhook({ ...ok, timestamp: undefined })).toBe(false);
  });
});

describe("delivery policy", () => {
  it("sends on 2xx, retries 408/429/5xx, parks other 4xx and 3xx", () => {
    expect(classifyStatus(204, undefined, "").kind).toBe("sent");
    for (const s of [408, 429, 500, 502, 503]) expect(classifyStatus(s, undefined, "").kind).toBe("retry");
    for (const s of [301, 400, 401, 404, 410, 422])
      expect(classifyStatus(s, undefined, "").kind).toBe("park");
    expect(classifyStatus(429, 7_000, "slow down")).toEqual({
      kind: "retry",
      error: "HTTP 429: slow down",
      retryAfterMs: 7_000,
    });
  });

  it("backs off exponentially up to the cap, Retry-After included", () => {
    const o = { baseMs: 10_000, maxMs: 60_000, random: () => 1 };
    expect([1, 2, 3, 4, 5].map((a) => retryDelay(a, undefined, o))).toEqual([
      10_000, 20_000, 40_000, 60_000, 60_000,
    ]);
    expect(retryDelay(1, 3_600_000, o)).toBe(60_000);
  });

  it("derives one Message-ID per idempotency key, in the sender's domain", () => {
    const a = messageIdFor("al-42:raised:w1", "近邻 <alerts@jinlin.example.org>");
    expect(a).toMatch(/^<[0-9a-f]{32}\.notify@jinlin\.example\.org>$/);
    expect(messageIdFor("al-42:raised:w1", "alerts@jinlin.example.org")).toBe(a);
    expect(messageIdFor("al-42:raised:w2", "alerts@jinlin.example.org")).not.toBe(a);
  });

  it("scrubs addresses and query strings out of error text", () => {
    expect(scrub("550 <wang.fang@grid.example.org>: no such user")).toBe("550 <[address]>: no such user");
    expect(scrub("POST https://oapi.dingtalk.com/robot/send?access_token=abc failed")).toBe(
      "POST https://oapi.dingtalk.com/robot/send?[query] failed",
    );
  });
});

describe("notification settings", () => {
  const parse = (env: Record<string, string>) => notifySettingsSchema.parse(env);

  it("turns channels on only when configured", () => {
    const c = parse({});
    expect(notifyProblems(c)).toEqual([]);
    expect(notifyConfig(c)).toMatchObject({ smtp: null, webhook: null, maxAttempts: 12 });
    const on = parse({
      SMTP_HOST: "smtp.example.org",
      SMTP_SECURE: "true",
      SMTP_PORT: "465",
      SMTP_FROM: "近邻 <alerts@example.org>",
      WEBHOOK_URL: "https://gw.example.org/jinlin",
      WEBHOOK_SECRET: "a-long-enough-secret",
    });
    expect(notifyConfig(on)).toMatchObject({
      smtp: { host: "smtp.example.org", port: 465, secure: true, user: undefined, timeoutMs: 30_000 },
      webhook: { url: "https://gw.example.org/jinlin", secret: "a-long-enough-secret" },
    });
  });

  it("reports settings that must go together", () => {
    const c = parse({ SMTP_HOST: "smtp.example.org", SMTP_USER: "u", WEBHOOK_URL: "https://gw.example.org" });
    expect(notifyProblems(c)).toEqual([
      "JINLIN_SMTP_FROM must be set with JINLIN_SMTP_HOST",
      "JINLIN_SMTP_USER and JINLIN_SMTP_PASSWORD must be set together",
      "JINLIN_WEBHOOK_SECRET must be set with JINLIN_WEBHOOK_URL",
    ]);
    expect(parse({ SMTP_SECURE: "false" }).SMTP_SECURE).toBe(false);
    expect(() => parse({ WEBHOOK_SECRET: "short" })).toThrow();
  });
});
