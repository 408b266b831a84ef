import { type Alert, type ClearReason, isDispatched } from "../alerts/alert-types.js";
import { severityRank } from "../alerts/engine/types.js";
import type { EscalationPolicy } from "../alerts/escalation.js";
import type { AlertNews, AlertNotifier } from "../alerts/lifecycle.js";
import type { NotificationRequest } from "../alerts/notify/types.js";
import type { Household } from "../core/domain.js";
import type { PeopleStore, Recipient } from "../storage/sqlite/people.js";

export interface AlertNotifierDeps {
  people: PeopleStore;
  household(id: string): Household | undefined;
  enqueue(items: NotificationRequest[]): void;
  policy: EscalationPolicy;
  publicUrl: string;
  webhook: boolean;
  /** The number the call/SMS gateway reaches the resident on (the household profile's phone). */
  residentPhone(householdId: string): string | null;
  now(): number;
}

/**
 * Who hears what: a raised alert goes to the level-0 recipients (family too for critical ones), each
 * escalation to everyone at the new level, reminders to the workers, and the outcome to everyone who
 * heard of the alert. A silent device below `major` is a technical matter: operators and family.
 */
export function createAlertNotifier(d: AlertNotifierDeps): AlertNotifier {
  function audienceOf(r: Recipient): "worker" | "family" {
    return r.as === "family" ? "family" : "worker";
  }

  function recipientsFor(alert: Alert, news: AlertNews): Recipient[] {
    if (alert.rule === "no_data" && severityRank(alert.severity) < severityRank("major")) {
      if (news !== "raised") return [];
      return [
        ...d.people.operators().map((p) => ({ ...p, as: "operator" as const })),
        ...d.people.family(alert.householdId).map((p) => ({ ...p, as: "family" as const })),
      ];
    }
    const all = d.people.recipients(
      alert.householdId,
      alert.escalationLevel,
      d.policy.familyFromLevel[alert.severity],
    );
    if (news === "reminder") return all.filter((r) => r.as !== "family");
    if (news === "absence_recorded") return acknowledger(alert);
    if (news === "acknowledged" || news === "resolved")
      return all.filter((r) => r.id !== alert.acknowledgedBy);
    return all;
  }

  /** The person who took the alert (whatever their duty), to be told what changed under them. */
  function acknowledger(alert: Alert): Recipient[] {
    const p = alert.acknowledgedBy ? d.people.get(alert.acknowledgedBy) : undefined;
    return p ? [{ ...p, as: p.role === "operator" ? "operator" : "primary" }] : [];
  }

  function data(alert: Alert, h: Household) {
    return {
      householdId: h.id,
      resident: h.resident,
      address: h.address,
      timezone: h.timezone,
      link: `${d.publicUrl}/#/alerts/${alert.id}`,
      alertId: String(alert.id),
      rule: alert.rule,
      severity: alert.severity,
      at: alert.raisedAt,
      message: alert.evidence.message,
    };
  }

  /** Minutes since the workers were first told: from dispatch when the resident was asked first. */
  function minutesSinceDispatch(alert: Alert, now: number): number {
    return Math.round((now - (alert.checkIn?.endedAt ?? alert.createdAt)) / 60_000);
  }

  /** The call/SMS to the resident through the webhook gateway, when the check-in asks for one. */
  function checkInCall(alert: Alert, h: Household): NotificationRequest[] {
    const phone = d.residentPhone(h.id);
    if (!alert.checkIn?.channels.includes("call") || !phone || !d.webhook) return [];
    const { startedAt, until } = alert.checkIn;
    return [
      {
        template: "resident_checkin",
        channel: "webhook",
        to: phone,
        language: h.language,
        audience: "resident",
        idempotencyKey: `checkin:${alert.id}:call`,
        data: {
          householdId: h.id,
          resident: h.resident,
          address: h.address,
          timezone: h.timezone,
          alertId: String(alert.id),
          until,
          minutes: Math.round((until - startedAt) / 60_000),
        },
      },
    ];
  }

  function request(
    alert: Alert,
    news: AlertNews,
    h: Household,
    absence?: ClearReason,
  ): Pick<NotificationRequest, "template" | "data"> | undefined {
    const base = data(alert, h);
    const now = d.now();
    const by = alert.acknowledgedBy
      ? (d.people.get(alert.acknowledgedBy)?.name ?? alert.acknowledgedBy)
      : undefined;
    switch (news) {
      case "raised": {
        const device = alert.evidence.readings[0];
        if (alert.rule === "no_data" && device && device.kind !== "heartbeat") {
          return {
            template: "device_silent",
            data: { ...base, deviceId: device.deviceId, deviceKind: device.kind, lastSeenAt: device.ts },
          };
        }
        return { template: "alert_raised", data: base };
      }
      case "escalated":
        return {
          template: "alert_escalated",
          data: {
            ...base,
            level: Math.max(1, alert.escalationLevel),
            unacknowledgedMinutes: minutesSinceDispatch(alert, now),
          },
        };
      case "reminder":
        return {
          template: "alert_reminder",
          data: { ...base, openMinutes: minutesSinceDispatch(alert, now) },
        };
      case "acknowledged":
        return {
          template: "alert_acknowledged",
          data: { ...base, by: by ?? "?", acknowledgedAt: alert.acknowledgedAt ?? now },
        };
      case "resolved":
        return {
          template: "alert_resolved",
          data: {
            ...base,
            outcome: alert.outcome ?? "safe",
            resolvedAt: alert.closedAt ?? now,
            ...(by ? { by } : {}),
            ...(alert.note ? { note: alert.note.slice(0, 500) } : {}),
          },
        };
      case "absence_recorded": {
        const role = absence && recorderRole(absence.role);
        if (!absence || !role) return undefined;
        return {
          template: "alert_absence_recorded",
          data: { ...base, role, from: absence.from, to: absence.to },
        };
      }
      case "cleared": {
        const r = alert.clearReason;
        const role = r && recorderRole(r.role);
        const absence = r && role ? { absence: { role, to: r.to } } : {};
        return { template: "alert_cleared", data: { ...base, clearedAt: alert.closedAt ?? now, ...absence } };
      }
      default:
        return undefined;
    }
  }

  return {
    notify(alert, news, absence) {
      const h = d.household(alert.householdId);
      if (news === "checkin_started") {
        const call = h ? checkInCall(alert, h) : [];
        if (call.length > 0) d.enqueue(call);
        return;
      }
      // Nobody but the resident has heard of an alert still in, or ended by, its check-in.
      if (!isDispatched(alert)) return;
      const content = h ? request(alert, news, h, absence) : undefined;
      if (!h || !content) return;
      const items: NotificationRequest[] = [];
      // Whoever recorded the absence knows of it already.
      for (const r of recipientsFor(alert, news).filter((x) => x.id !== absence?.by)) {
        const key = `alert:${alert.id}:${news}:${alert.escalationLevel}:${news === "reminder" ? `${alert.updatedAt}:` : ""}${r.id}`;
        const common = { language: r.language, audience: audienceOf(r) };
        if (r.email)
          items.push({
            ...content,
            ...common,
            idempotencyKey: `${key}:email`,
            channel: "email",
            to: r.email,
          } as NotificationRequest);
        if (r.phone && d.webhook)
          items.push({
            ...content,
            ...common,
            idempotencyKey: `${key}:webhook`,
            channel: "webhook",
            to: r.phone,
          } as NotificationRequest);
      }
      if (items.length > 0) d.enqueue(items);
    },
  };
}

const RECORDER_ROLES = ["operator", "worker", "family"] as const;
const recorderRole = (role: string) => RECORDER_ROLES.find((x) => x === role);
