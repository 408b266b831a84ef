import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NotificationRequest } from "../../../alerts/notify/types.js";
import { type Db, openDatabase } from "../../../storage/sqlite/open.js";

export const T0 = Date.parse("2026-03-05T06:30:00Z"); // 14:30 in Shanghai

/** A fresh store (its migrations include the notification outbox). */
export function notifyDb(file = join(mkdtempSync(join(tmpdir(), "jinlin-notify-")), "jinlin.db")): {
  db: Db;
  file: string;
} {
  const db = openDatabase(file, { sync: "normal" });
  return { db, file };
}

export const ALERT = {
  alertId: "al-42",
  rule: "inactivity",
  severity: "major",
  householdId: "hh-7",
  resident: "张阿姨",
  address: "幸福路 8 号 3 单元 502",
  timezone: "Asia/Shanghai",
  at: T0,
  message: {
    "zh-CN": "已 14 小时没有用水，平时最长 6 小时",
    en: "no water used for 14 h; her longest usual gap is 6 h",
  },
  link: "https://jinlin.example.org/alerts/al-42",
} as const;

export function raised(
  key: string,
  overrides: Partial<Omit<Extract<NotificationRequest, { template: "alert_raised" }>, "template">> = {},
): NotificationRequest {
  return {
    idempotencyKey: key,
    channel: "email",
    to: "wang.fang@grid.example.org",
    audience: "worker",
    template: "alert_raised",
    data: { ...ALERT },
    ...overrides,
  };
}

/** One request of every template, for the given audience and language. */
export function everyTemplate(
  audience: "worker" | "family",
  language: "zh-CN" | "en",
): NotificationRequest[] {
  const common = { channel: "email", to: "family@example.org", audience, language } as const;
  const key = (t: string) => `${t}:${audience}:${language}`;
  return [
    { ...common, idempotencyKey: key("r"), template: "alert_raised", data: { ...ALERT } },
    {
      ...common,
      idempotencyKey: key("e"),
      template: "alert_escalated",
      data: { ...ALERT, level: 2, unacknowledgedMinutes: 35 },
    },
    { ...common, idempotencyKey: key("m"), template: "alert_reminder", data: { ...ALERT, openMinutes: 125 } },
    {
      ...common,
      idempotencyKey: key("a"),
      template: "alert_acknowledged",
      data: { ...ALERT, by: "王芳", acknowledgedAt: T0 + 600_000 },
    },
    {
      ...common,
      idempotencyKey: key("s"),
      template: "alert_resolved",
      data: {
        ...ALERT,
        outcome: "safe",
        by: "王芳",
        note: "在邻居家打麻将",
        resolvedAt: T0 + 3_600_000,
      },
    },
    {
      ...common,
      idempotencyKey: key("c"),
      template: "alert_cleared",
      data: { ...ALERT, clearedAt: T0 + 1_800_000 },
    },
    {
      ...common,
      idempotencyKey: key("d"),
      template: "device_silent",
      data: {
        householdId: "hh-7",
        resident: "张阿姨",
        address: ALERT.address,
        deviceId: "wm-001",
        deviceKind: "water",
        lastSeenAt: T0 - 7_200_000,
      },
    },
    {
      ...common,
      idempotencyKey: key("y"),
      template: "daily_summary",
      data: {
        householdId: "hh-7",
        resident: "张阿姨",
        address: ALERT.address,
        date: "2026-03-05",
        lastActivityAt: T0,
        waterLiters: 96.4,
        alerts: 0,
        devicesOk: true,
      },
    },
    {
      ...common,
      idempotencyKey: key("a"),
      template: "alert_absence_recorded",
      data: { ...ALERT, role: "family", from: T0, to: T0 + 3 * 86_400_000 },
    },
  ];
}
