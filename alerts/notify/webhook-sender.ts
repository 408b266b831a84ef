import type { Clock } from "../../core/clock.js";
import type { WebhookConfig } from "../../core/config-notify.js";
import { parseRetryAfter } from "./backoff.js";
import { errorText } from "./redact.js";
import { signWebhook } from "./signature.js";
import { renderNotification } from "./templates/render.js";
import type { NotificationSender, OutboxItem, SendResult } from "./types.js";

/** The JSON body a gateway receives; `id` is the idempotency key (also in the Idempotency-Key header). */
export function webhookBody(item: OutboxItem): string {
  const m = renderNotification(item);
  return JSON.stringify({
    id: item.idempotencyKey,
    template: item.template,
    language: item.language,
    audience: item.audience,
    to: item.to,
    subject: m.subject,
    text: m.text,
    data: item.data,
    createdAt: new Date(item.createdAt).toISOString(),
  });
}

/** 2xx sent; 408, 429 and 5xx retried (Retry-After honoured); anything else (4xx, 3xx) parked. */
export function classifyStatus(status: number, retryAfterMs: number | undefined, detail: string): SendResult {
  if (status >= 200 && status < 300) return { kind: "sent" };
  const error = `HTTP ${status}${detail ? `: ${detail}` : ""}`;
  if (status === 408 || status === 429 || status >= 500)
    return retryAfterMs === undefined ? { kind: "retry", error } : { kind: "retry", error, retryAfterMs };
  return { kind: "park", error };
}

/**
 * POSTs each notification as JSON to the configured gateway (SMS, WeCom, DingTalk bridges), signed
 * with HMAC-SHA256 over "<timestamp>.<body>" so the gateway can tell it came from Jinlin, unaltered
 * and recent. Redirects are not followed: a POST turned into a GET would be lost, so a 3xx is parked.
 */
export function createWebhookSender(config: WebhookConfig, clock: Clock): NotificationSender {
  return {
    async send(item: OutboxItem): Promise<SendResult> {
      if (item.channel !== "webhook") return { kind: "park", error: `not a webhook: ${item.channel}` };
      const body = webhookBody(item);
      const timestamp = Math.floor(clock.now() / 1000);
      try {
        const res = await fetch(config.url, {
          method: "POST",
          body,
          redirect: "manual",
          signal: AbortSignal.timeout(config.timeoutMs),
          headers: {
            "content-type": "application/json; charset=utf-8",
            "user-agent": "jinlin-notify/1",
            "idempotency-key": item.idempotencyKey,
            "x-jinlin-timestamp": String(timestamp),
            "x-jinlin-signature": signWebhook(config.secret, timestamp, body),
          },
        });
        const detail = (await res.text().catch(() => "")).slice(0, 200);
        return classifyStatus(
          res.status,
          parseRetryAfter(res.headers.get("retry-after"), clock.now()),
          detail,
        );
      } catch (err) {
        return { kind: "retry", error: errorText(err) };
      }
    },
  };
}
