import type { FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import type { z } from "zod";
import type { Alert } from "../../alerts/alert-types.js";
import type { Device, Household } from "../../core/domain.js";
import { jinlinError } from "../../core/errors.js";
import type { Registration } from "../../storage/sqlite/households-api.js";
import type { DashboardDeps, Principal } from "./types.js";

/** The signed-in person; the guard has already answered 401 on routes that need one. */
export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw jinlinError("JINLIN_ERR_UNAUTHENTICATED");
  return req.principal;
}

/** Zod at the edge: a failure is JINLIN_ERR_INPUT_INVALID naming each field (never echoing values). */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (!r.success)
    throw jinlinError(
      "JINLIN_ERR_INPUT_INVALID",
      r.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; "),
    );
  return r.data;
}

/**
 * Scope: a household, or anything of it, outside the caller's scope answers exactly as one that does
 * not exist (404), so ids cannot be probed. Handlers call these before reading the body.
 */
export function createScope(deps: DashboardDeps) {
  const { homes, registry, alerts } = deps;
  function household(req: FastifyRequest, id: string): Household {
    const h = homes.seesHousehold(principal(req), id) ? registry.getHousehold(id) : undefined;
    if (!h) throw jinlinError("JINLIN_ERR_HOUSEHOLD_NOT_FOUND");
    return h;
  }
  return {
    household,
    alert(req: FastifyRequest, id: number): { alert: Alert; household: Household } {
      const alert = alerts.get(id);
      if (!alert || !homes.seesHousehold(principal(req), alert.householdId))
        throw jinlinError("JINLIN_ERR_ALERT_NOT_FOUND");
      return { alert, household: household(req, alert.householdId) };
    },
    device(req: FastifyRequest, id: string): Device {
      const d = registry.getDevice(id);
      if (!d || !homes.seesHousehold(principal(req), d.householdId))
        throw jinlinError("JINLIN_ERR_DEVICE_NOT_FOUND");
      return d;
    },
    registration(req: FastifyRequest, id: string): Registration {
      const p = principal(req);
      const r = homes.registration(id);
      const visible =
        r !== undefined &&
        (p.role === "operator" ||
          (p.role === "family" ? r.familyPersonId === p.id : homes.seesGrid(p, r.gridId)));
      if (!visible) throw jinlinError("JINLIN_ERR_REGISTRATION_NOT_FOUND");
      return r;
    },
    householdIds: (req: FastifyRequest) => homes.visibleHouseholdIds(principal(req)),
    /** Audit: who viewed or changed which household, and when. */
    audit(req: FastifyRequest, action: "view" | "change", householdId: string | null, detail?: object) {
      homes.audit({
        actor: principal(req).id,
        action,
        householdId,
        what: `${req.method} ${req.routeOptions.url ?? req.url}`,
        detail: (detail as Record<string, unknown> | undefined) ?? null,
      });
    },
  };
}

export type Scope = ReturnType<typeof createScope>;

/**
 * For route modules that take a `preHandler` (dashboard/routes/history.ts): checks `:id` as a device
 * under /api/devices/ and as a household elsewhere, answering 404 outside the caller's scope.
 */
export function idScopePreHandler(deps: DashboardDeps): preHandlerAsyncHookHandler {
  const scope = createScope(deps);
  return async (req) => {
    const id = (req.params as { id?: unknown }).id;
    if (typeof id !== "string") return;
    if (req.url.startsWith("/api/devices/")) scope.device(req, id);
    else scope.household(req, id);
  };
}
