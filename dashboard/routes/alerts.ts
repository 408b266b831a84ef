import { z } from "zod";
import { ACTIVE_STATUSES, type Alert, outcomeSchema } from "../../alerts/alert-types.js";
import { severityRank } from "../../alerts/engine/types.js";
import { isJinlinError, jinlinError } from "../../core/errors.js";
import { parse, principal } from "../auth/scope.js";
import { CARERS, type RouteModule } from "./context.js";

const alertParams = z.object({ alertId: z.coerce.number().int().positive() });
const inboxQuery = z.object({
  status: z.enum(["active", "closed", "all"]).default("active"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
const resolveBody = z.object({
  outcome: outcomeSchema,
  note: z.string().trim().max(2000).nullable().default(null),
});

/** Most severe first, then the longest waiting (oldest raise) first. */
export function inboxOrder(a: Alert, b: Alert): number {
  return severityRank(b.severity) - severityRank(a.severity) || a.raisedAt - b.raisedAt || a.id - b.id;
}

/** The lifecycle reports "wrong status" as invalid input; to the UI it is a conflict with the alert's state. */
function transition(fn: () => Alert): Alert {
  try {
    return fn();
  } catch (err) {
    if (isJinlinError(err, "JINLIN_ERR_INPUT_INVALID"))
      throw jinlinError("JINLIN_ERR_STATE_CONFLICT", err.message);
    throw err;
  }
}

function alertId(params: unknown): number {
  const r = alertParams.safeParse(params);
  if (!r.success) throw jinlinError("JINLIN_ERR_ALERT_NOT_FOUND");
  return r.data.alertId;
}

/** The grid worker's inbox, the home behind an alert with its evidence, and the alert's lifecycle. */
export const alertRoutes: RouteModule = (app, { deps, scope }) => {
  app.get("/api/alerts", { config: { roles: CARERS } }, async (req) => {
    const q = parse(inboxQuery, req.query);
    const ids = scope.householdIds(req);
    const statuses =
      q.status === "active"
        ? [...ACTIVE_STATUSES]
        : q.status === "closed"
          ? (["resolved", "cleared"] as const)
          : undefined;
    const list = deps.alerts.list({
      ...(ids === "all" ? {} : { householdIds: ids }),
      ...(statuses ? { statuses: [...statuses] } : {}),
      limit: q.limit,
    });
    const homes = new Map(deps.registry.listHouseholds().map((h) => [h.id, h]));
    return {
      alerts: list.sort(inboxOrder).map((a) => {
        const h = homes.get(a.householdId);
        return {
          ...a,
          household: h ? { id: h.id, resident: h.resident, address: h.address, gridPath: h.gridPath } : null,
        };
      }),
    };
  });

  app.get("/api/alerts/:alertId", { config: { roles: CARERS } }, async (req) => {
    const { alert, household } = scope.alert(req, alertId(req.params));
    scope.audit(req, "view", household.id, { alertId: alert.id });
    return {
      alert,
      events: deps.alerts.events(alert.id),
      household: {
        ...household,
        profile: deps.homes.profile(household.id),
        devices: deps.registry.listDevices(household.id),
        family: deps.people.family(household.id),
        absences: deps.homes.absences(household.id, deps.clock.now()),
      },
    };
  });

  const act = (path: string, fn: (id: number, actor: string, body: unknown) => Alert) =>
    app.post(`/api/alerts/:alertId/${path}`, { config: { roles: CARERS } }, async (req) => {
      const { alert, household } = scope.alert(req, alertId(req.params));
      const updated = fn(alert.id, principal(req).id, req.body);
      scope.audit(req, "change", household.id, { alertId: alert.id, action: path });
      return updated;
    });
  act("acknowledge", (id, actor) => transition(() => deps.lifecycle.acknowledge(id, actor)));
  act("on-my-way", (id, actor) => transition(() => deps.lifecycle.onMyWay(id, actor)));
  act("resolve", (id, actor, body) => {
    const b = parse(resolveBody, body);
    return transition(() => deps.lifecycle.resolve(id, actor, b.outcome, b.note));
  });
  // Arrival does not change the status (still visiting); it is an audit event that response times read.
  act("arrived", (id, actor) => {
    const a = deps.alerts.get(id)!;
    if (a.status !== "visiting") throw jinlinError("JINLIN_ERR_STATE_CONFLICT", `alert ${id} is ${a.status}`);
    deps.alerts.transaction(() =>
      deps.alerts.appendEvent({
        alertId: id,
        at: deps.clock.now(),
        actor,
        action: "arrived",
        fromStatus: a.status,
        toStatus: a.status,
        detail: null,
      }),
    );
    return a;
  });
};
