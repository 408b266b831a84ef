/**
 * Notification settings (alerts/notify), in the shape of core/config.ts SETTINGS (environment JINLIN_<NAME>, flag
 * --<name-in-kebab-case>), to be spread into it; `notifyConfig` turns the parsed values into the
 * options the senders and the dispatcher take. E-mail is off while SMTP_HOST is unset, webhooks
 * while WEBHOOK_URL is unset: notifications for a channel that is off are parked, not lost.
 */
import { z } from "zod";

/** Retries double from 10 s up to 30 min; 12 attempts span about 2 h 20 min before a notification is parked. */
export const DEFAULT_NOTIFY_BACKOFF = { baseMs: 10_000, maxMs: 30 * 60_000 } as const;
export const DEFAULT_MAX_ATTEMPTS = 12;

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();

export const NOTIFY_SETTINGS = {
  SMTP_HOST: {
    schema: z.string().min(1).optional(),
    help: "SMTP server for e-mail notifications (unset: no e-mail)",
  },
  SMTP_PORT: {
    schema: port.default(587),
    help: "SMTP port (587 submission with STARTTLS, 465 with SMTP_SECURE)",
  },
  SMTP_SECURE: {
    schema: z.stringbool().default(false),
    help: "connect with TLS from the start (port 465); otherwise STARTTLS is used when offered",
  },
  SMTP_USER: { schema: z.string().min(1).optional(), help: "SMTP user name" },
  SMTP_PASSWORD: { schema: z.string().min(1).optional(), help: "SMTP password" },
  SMTP_FROM: {
    schema: z.string().min(3).optional(),
    help: 'sender of notification e-mails, e.g. "近邻 <alerts@example.org>" (required with SMTP_HOST)',
  },
  WEBHOOK_URL: {
    schema: z.url({ protocol: /^https?$/ }).optional(),
    help: "outgoing webhook for SMS / WeCom / DingTalk gateways (unset: no webhook)",
  },
  WEBHOOK_SECRET: {
    schema: z.string().min(16).optional(),
    help: "HMAC-SHA256 key signing webhook requests (required with WEBHOOK_URL; see docs/notifications.md)",
  },
  NOTIFY_TIMEOUT_MS: {
    schema: positiveInt.max(300_000).default(30_000),
    help: "longest wait for one e-mail or webhook delivery",
  },
  NOTIFY_MAX_ATTEMPTS: {
    schema: positiveInt.max(100).default(DEFAULT_MAX_ATTEMPTS),
    help: "delivery attempts before a notification is parked for an operator",
  },
  NOTIFY_BACKOFF_BASE_MS: {
    schema: positiveInt.default(DEFAULT_NOTIFY_BACKOFF.baseMs),
    help: "first retry delay; it doubles on every failure",
  },
  NOTIFY_BACKOFF_MAX_MS: {
    schema: positiveInt.default(DEFAULT_NOTIFY_BACKOFF.maxMs),
    help: "longest retry delay",
  },
} as const;

/** The settings as one object schema (tests; core/config.ts builds its own from SETTINGS). */
export const notifySettingsSchema = z.object({
  SMTP_HOST: NOTIFY_SETTINGS.SMTP_HOST.schema,
  SMTP_PORT: NOTIFY_SETTINGS.SMTP_PORT.schema,
  SMTP_SECURE: NOTIFY_SETTINGS.SMTP_SECURE.schema,
  SMTP_USER: NOTIFY_SETTINGS.SMTP_USER.schema,
  SMTP_PASSWORD: NOTIFY_SETTINGS.SMTP_PASSWORD.schema,
  SMTP_FROM: NOTIFY_SETTINGS.SMTP_FROM.schema,
  WEBHOOK_URL: NOTIFY_SETTINGS.WEBHOOK_URL.schema,
  WEBHOOK_SECRET: NOTIFY_SETTINGS.WEBHOOK_SECRET.schema,
  NOTIFY_TIMEOUT_MS: NOTIFY_SETTINGS.NOTIFY_TIMEOUT_MS.schema,
  NOTIFY_MAX_ATTEMPTS: NOTIFY_SETTINGS.NOTIFY_MAX_ATTEMPTS.schema,
  NOTIFY_BACKOFF_BASE_MS: NOTIFY_SETTINGS.NOTIFY_BACKOFF_BASE_MS.schema,
  NOTIFY_BACKOFF_MAX_MS: NOTIFY_SETTINGS.NOTIFY_BACKOFF_MAX_MS.schema,
});

/** The parsed settings, as core/config.ts's RawConfig holds them. */
export type NotifyRawConfig = z.output<typeof notifySettingsSchema>;

export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user: string | undefined;
  password: string | undefined;
  from: string;
  timeoutMs: number;
}

export interface WebhookConfig {
  url: string;
  secret: string;
  timeoutMs: number;
}

export interface NotifyConfig {
  smtp: SmtpConfig | null;
  webhook: WebhookConfig | null;
  maxAttempts: number;
  backoff: { baseMs: number; maxMs: number };
}

/** Checks the settings that go together; returns the problems (empty when fine) in loadConfig's wording. */
export function notifyProblems(c: NotifyRawConfig): string[] {
  const problems: string[] = [];
  if (c.SMTP_HOST !== undefined && c.SMTP_FROM === undefined)
    problems.push("JINLIN_SMTP_FROM must be set with JINLIN_SMTP_HOST");
  if ((c.SMTP_USER === undefined) !== (c.SMTP_PASSWORD === undefined))
    problems.push("JINLIN_SMTP_USER and JINLIN_SMTP_PASSWORD must be set together");
  if (c.WEBHOOK_URL !== undefined && c.WEBHOOK_SECRET === undefined)
    problems.push("JINLIN_WEBHOOK_SECRET must be set with JINLIN_WEBHOOK_URL");
  if (c.NOTIFY_BACKOFF_BASE_MS > c.NOTIFY_BACKOFF_MAX_MS)
    problems.push("JINLIN_NOTIFY_BACKOFF_BASE_MS must not exceed JINLIN_NOTIFY_BACKOFF_MAX_MS");
  return problems;
}

/** Assumes `notifyProblems(c)` is empty. */
export function notifyConfig(c: NotifyRawConfig): NotifyConfig {
  const timeoutMs = c.NOTIFY_TIMEOUT_MS;
  return {
    smtp:
      c.SMTP_HOST !== undefined && c.SMTP_FROM !== undefined
        ? {
            host: c.SMTP_HOST,
            port: c.SMTP_PORT,
            secure: c.SMTP_SECURE,
            user: c.SMTP_USER,
            password: c.SMTP_PASSWORD,
            from: c.SMTP_FROM,
            timeoutMs,
          }
        : null,
    webhook:
      c.WEBHOOK_URL !== undefined && c.WEBHOOK_SECRET !== undefined
        ? { url: c.WEBHOOK_URL, secret: c.WEBHOOK_SECRET, timeoutMs }
        : null,
    maxAttempts: c.NOTIFY_MAX_ATTEMPTS,
    backoff: { baseMs: c.NOTIFY_BACKOFF_BASE_MS, maxMs: c.NOTIFY_BACKOFF_MAX_MS },
  };
}
