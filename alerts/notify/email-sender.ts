import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import type { SmtpConfig } from "../../core/config-notify.js";
import { errorText } from "./redact.js";
import { renderNotification } from "./templates/render.js";
import type { NotificationSender, OutboxItem, SendResult } from "./types.js";

/**
 * The Message-ID of a notification: the same for every attempt, so that a mail sent twice (the
 * relay took it but the connection dropped before its answer) is recognisable as one message, and
 * mail clients that deduplicate by Message-ID show it once [RFC 5322 §3.6.4].
 */
export function messageIdFor(idempotencyKey: string, from: string): string {
  const hash = createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32);
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? "jinlin.invalid";
  return `<${hash}.notify@${domain}>`;
}

/** SMTP errors worth no retry: the server refused the address or the message for good (5xx). */
function classify(err: unknown): SendResult {
  const e = err as { code?: unknown; responseCode?: unknown };
  const error = errorText(err);
  const status = typeof e.responseCode === "number" ? e.responseCode : 0;
  // A refused login (535) is a configuration problem an operator fixes without losing the queue.
  if (status >= 500 && status < 600 && e.code !== "EAUTH") return { kind: "park", error };
  return { kind: "retry", error };
}

export interface EmailSender extends NotificationSender {
  close(): void;
}

/**
 * E-mail through an SMTP relay with nodemailer. One connection per message (no pool): alerts are few,
 * and an idle pooled connection would only fail on the next alert after a relay restart.
 */
export function createEmailSender(smtp: SmtpConfig): EmailSender {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    auth: smtp.user === undefined ? undefined : { user: smtp.user, pass: smtp.password ?? "" },
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
  });

  return {
    async send(item: OutboxItem): Promise<SendResult> {
      if (item.channel !== "email") return { kind: "park", error: `not an e-mail: ${item.channel}` };
      const m = renderNotification(item);
      try {
        const info = await transport.sendMail({
          from: smtp.from,
          to: item.to,
          subject: m.subject,
          text: m.text,
          html: m.html,
          messageId: messageIdFor(item.idempotencyKey, smtp.from),
          // The time it was written, on every attempt: a late mail shows when it was meant for.
          date: new Date(item.createdAt),
          headers: {
            // RFC 3834: no auto-replies (holiday notices) to an alert.
            "Auto-Submitted": "auto-generated",
            "Content-Language": item.language,
          },
        });
        const rejected = (info as { rejected?: unknown[] }).rejected ?? [];
        if (rejected.length > 0) return { kind: "park", error: "recipient refused" };
        return { kind: "sent" };
      } catch (err) {
        return classify(err);
      }
    },

    close(): void {
      transport.close();
    },
  };
}
