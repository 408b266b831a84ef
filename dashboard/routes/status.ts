import { z } from "zod";
import type { Alert } from "../../alerts/alert-types.js";
import { localClock, localDate, startOfLocalDay, startOfLocalMonth } from "../../core/local-time.js";
import { parse, principal } from "../auth/scope.js";
import { ALL_ROLES, type RouteModule } from "./context.js";
import { householdParams } from "./households.js";

const alertsQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(20) });

/** What a family sees of an alert: what happened and how it ended, not the workers' internals. */
export function familyAlertView(a: Alert) {
  return {
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    status: a.status,
    raisedAt: a.raisedAt,
    acknowledgedAt: a.acknowledgedAt,
    visitingAt: a.visitingAt,
    closedAt: a.closedAt,
    outcome: a.outcome,
    message: a.evidence.message,
    // While the resident is being asked the family see "checking with the resident (until 14:30)", not "open".
    checkIn: a.checkIn ? { until: a.checkIn.until, result: a.checkIn.result } : null,
    // "Cleared: absence recorded by family": the recorder's role and the absence's end, not who it was.
    clearReason: a.clearReason
      ? { kind: a.clearReason.kind, role: a.clearReason.role, to: a.clearReason.to }
      : null,
  };
}

/** The calm summary a family opens first, and the home's recent alerts with their outcomes. */
export const statusRoutes: RouteModule = (app, { deps, scope, opts }) => {
  app.get("/api/households/:householdId/status", { config: { roles: ALL_ROLES } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    scope.audit(req, "view", h.id);
    const now = deps.clock.now();
    const tz = h.timezone;
    const a = deps.reports.homeActivity(h.id, {
      dayStart: startOfLocalDay(now, tz),
      monthStart: startOfLocalMonth(now, tz),
      silentBefore: now - opts.silentAfterMs,
    });
    const absences = deps.homes.absences(h.id, now);
    const current = absences.find((x) => x.from <= now) ?? null;
    const state =
      a.openAlerts > 0
        ? "needs_attention"
        : current
          ? "away"
          : a.silentDevices > 0
            ? "check_devices"
            : "all_normal";
    return {
      householdId: h.id,
      resident: h.resident,
      timezone: tz,
      date: localDate(now, tz),
      state,
      lastWaterUse: { at: a.lastWaterUseAt, localTime: localClock(a.lastWaterUseAt, tz) },
      lastActivity: { at: a.lastActivityAt, localTime: localClock(a.lastActivityAt, tz) },
      waterLitersToday: a.waterLitersToday,
      alerts: { open: a.openAlerts, thisMonth: a.alertsThisMonth },
      absence: { current, next: absences.find((x) => x.from > now) ?? null },
      devices: { total: a.devices, silent: a.silentDevices },
    };
  });

  app.get("/api/households/:householdId/alerts", { config: { roles: ALL_ROLES } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const q = parse(alertsQuery, req.query);
    const list = deps.alerts.list({ householdIds: [h.id], limit: q.limit });
    const family = principal(req).role === "family";
    return { householdId: h.id, alerts: family ? list.map(familyAlertView) : list };
  });
};
