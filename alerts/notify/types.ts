/**
 * What a notification is: who gets it, over which channel, in which language, and the facts its
 * template needs. Callers (the alert lifecycle, the escalation scheduler, the daily summary job)
 * build `NotificationRequest`s and enqueue them; the outbox stores the parsed form and the senders
 * render it. Only what the recipient needs goes in: no device secrets, no tokens in links.
 */
import { z } from "zod";
import { DEVICE_KINDS } from "../../core/domain.js";
import { OUTCOMES, type Outcome } from "../alert-types.js";
import { RULE_IDS, SEVERITIES } from "../engine/types.js";

export const CHANNELS = ["email", "webhook"] as const;
export type Channel = (typeof CHANNELS)[number];

export const LANGUAGES = ["zh-CN", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * Workers get what they need to act (address, evidence, link); family get a calm account; the resident
 * is only ever asked to check in (a call or SMS through the webhook gateway).
 */
export const AUDIENCES = ["worker", "family", "resident"] as const;
export type Audience = (typeof AUDIENCES)[number];

export const TEMPLATES = [
  "alert_raised",
  "alert_escalated",
  "alert_reminder",
  "alert_acknowledged",
  "alert_resolved",
  "alert_cleared",
  "alert_absence_recorded",
  "device_silent",
  "daily_summary",
  "resident_checkin",
] as const;
export type Template = (typeof TEMPLATES)[number];

/** How a worker closed an alert: the alert lifecycle's outcomes (alerts/alert-types.ts), worded by the templates. */
export { OUTCOMES, type Outcome };

/**
 * Outcome names used before the two vocabularies became one; a notification queued by an older
 * version still renders after an upgrade (nothing accepted is lost).
 */
const LEGACY_OUTCOMES: Record<string, Outcome> = {
  resident_safe: "safe",
  helped_at_home: "needed_help",
  false_alarm: "false_alarm_other",
  device_fault: "false_alarm_other",
  other: "false_alarm_other",
};
const outcomeField = z.preprocess(
  (v) => (typeof v === "string" ? (LEGACY_OUTCOMES[v] ?? v) : v),
  z.enum(OUTCOMES),
);

const isTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** A dashboard link: http(s), and never credentials in it (the mail may be forwarded). */
const linkSchema = z.url({ protocol: /^https?$/ }).refine((u) => {
  const url = new URL(u);
  return url.username === "" && url.password === "";
}, "a link must not carry credentials");

const epochMs = z.number().int().nonnegative();
const bilingual = z.object({ "zh-CN": z.string().min(1).max(1000), en: z.string().min(1).max(1000) });

const homeData = z.object({
  householdId: z.string().min(1).max(100),
  /** How the resident is called in messages, e.g. "张阿姨" or "Mrs Zhang". */
  resident: z.string().min(1).max(100),
  address: z.string().min(1).max(300),
  /** IANA zone of the home: times in messages are local to it. */
  timezone: z.string().default("Asia/Shanghai").refine(isTimeZone, "unknown time zone"),
  link: linkSchema.optional(),
});

const alertData = homeData.extend({
  alertId: z.string().min(1).max(100),
  rule: z.enum(RULE_IDS),
  severity: z.enum(SEVERITIES),
  /** When the condition became true (the transition's event time). */
  at: epochMs,
  /** The evidence message, in both languages (Evidence.message). */
  message: bilingual,
});

export const templateDataSchemas = {
  alert_raised: alertData,
  alert_escalated: alertData.extend({
    /** Escalation step reached, 1 = first escalation beyond the responsible worker. */
    level: z.number().int().min(1).max(20),
    unacknowledgedMinutes: z.number().nonnegative(),
  }),
  alert_reminder: alertData.extend({ openMinutes: z.number().nonnegative() }),
  alert_acknowledged: alertData.extend({ by: z.string().min(1).max(100), acknowledgedAt: epochMs }),
  alert_resolved: alertData.extend({
    outcome: outcomeField,
    /** The worker's note; it is shown to every recipient, family included. */
    note: z.string().max(500).optional(),
    by: z.string().min(1).max(100).optional(),
    resolvedAt: epochMs,
  }),
  alert_cleared: alertData.extend({
    clearedAt: epochMs,
    /** Cleared because a planned absence covering now was recorded: by whom (their role) and until when. */
    absence: z.object({ role: z.enum(["operator", "worker", "family"]), to: epochMs }).optional(),
  }),
  /** To the worker who acknowledged an alert: a planned absence covering now was recorded; it stays theirs. */
  alert_absence_recorded: alertData.extend({
    role: z.enum(["operator", "worker", "family"]),
    from: epochMs,
    to: epochMs,
  }),
  device_silent: homeData.extend({
    deviceId: z.string().min(1).max(64),
    deviceKind: z.enum(DEVICE_KINDS),
    lastSeenAt: epochMs.nullable(),
  }),
  daily_summary: homeData.extend({
    /** The local day summarised, YYYY-MM-DD. */
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    lastActivityAt: epochMs.nullable(),
    waterLiters: z.number().nonnegative().nullable(),
    alerts: z.number().int().nonnegative(),
    devicesOk: z.boolean(),
  }),
  /** To the resident: "are you all right?", answered through the gateway's callback (docs/notifications.md). */
  resident_checkin: homeData.extend({
    alertId: z.string().min(1).max(100),
    /** The answer counts until this time; after it the grid worker is sent. */
    until: epochMs,
    minutes: z.number().int().min(1).max(1440),
  }),
} as const;

const common = {
  /** Same key, same notification: enqueueing it again is ignored, and e-mails carry a Message-ID derived from it. */
  idempotencyKey: z.string().min(1).max(200),
  channel: z.enum(CHANNELS),
  /** E-mail: the address. Webhook: the recipient as the gateway knows it (phone number, WeCom user id…). */
  to: z.string().min(1).max(320),
  language: z.enum(LANGUAGES).default("zh-CN"),
  audience: z.enum(AUDIENCES),
  /** Not sent before this time (epoch ms), e.g. a reminder planned ahead. */
  notBefore: epochMs.optional(),
};

const variant = <T extends Template>(template: T) =>
  z.object({ ...common, template: z.literal(template), data: templateDataSchemas[template] });

export const notificationRequestSchema = z
  .discriminatedUnion("template", [
    variant("alert_raised"),
    variant("alert_escalated"),
    variant("alert_reminder"),
    variant("alert_acknowledged"),
    variant("alert_resolved"),
    variant("alert_cleared"),
    variant("alert_absence_recorded"),
    variant("device_silent"),
    variant("daily_summary"),
    variant("resident_checkin"),
  ])
  .superRefine((n, ctx) => {
    if (n.channel === "email" && !z.email().safeParse(n.to).success)
      ctx.addIssue({ code: "custom", path: ["to"], message: "not an e-mail address" });
  });

/** What callers pass to `enqueue` (defaults may be left out). */
export type NotificationRequest = z.input<typeof notificationRequestSchema>;
/** The validated request, as stored and rendered. */
export type Notification = z.output<typeof notificationRequestSchema>;
export type NotificationOf<T extends Template> = Extract<Notification, { template: T }>;

export const STATUSES = ["pending", "sent", "parked"] as const;
export type NotificationStatus = (typeof STATUSES)[number];

/** A notification taken from the outbox to be sent. */
export type OutboxItem = Notification & {
  id: number;
  /** Attempts made before this one. */
  attempts: number;
  createdAt: number;
};

/**
 * The outcome of one delivery attempt. `retry`: a temporary failure (network, 5xx, 429);
 * `park`: retrying cannot help (address refused, 4xx) and an operator must look.
 */
export type SendResult =
  | { kind: "sent" }
  | { kind: "retry"; error: string; retryAfterMs?: number }
  | { kind: "park"; error: string };

/** One channel's delivery: one attempt per call, no retries of its own (the dispatcher owns those). */
export interface NotificationSender {
  send(item: OutboxItem): Promise<SendResult>;
}
