import type { FastifyBaseLogger } from "fastify";
import { z } from "zod";
import { emergencyContactSchema, householdInputSchema } from "../../core/domain.js";
import { jinlinError } from "../../core/errors.js";
import { parse, principal } from "../auth/scope.js";
import { ALL_ROLES, FAMILY, OPERATOR, type RouteModule } from "./context.js";

export const householdParams = z.object({ householdId: z.string().min(1).max(64) });
const profileFields = {
  phone: z.string().trim().min(3).max(40).nullable().optional(),
  healthNotes: z.string().trim().max(2000).nullable().optional(),
  accessNotes: z.string().trim().max(1000).nullable().optional(),
};
const patchBody = z
  .object({
    resident: z.string().trim().min(1).max(100).optional(),
    address: z.string().trim().min(1).max(300).optional(),
    emergencyContacts: z.array(emergencyContactSchema).max(10).optional(),
    language: z.enum(["zh-CN", "en"]).optional(),
    /** PIPL: consent can be given later, or withdrawn, by the resident or by the family for them. */
    consent: z.boolean().optional(),
    ...profileFields,
  })
  .strict();
const createBody = householdInputSchema.extend(profileFields);
const preferencesBody = z.object({ email: z.boolean(), dailySummary: z.boolean() });

const pick = <T extends object>(o: T, keys: (keyof T)[]) =>
  Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));

/**
 * Households in the caller's scope: list, details (with the carers' profile), corrections (by carers, or
 * by the family after approval: a family member only ever sees households linked to them), preferences.
 */
export const householdRoutes: RouteModule = (app, { deps, scope }) => {
  /** Whether the home is watched; while consent is withdrawn, since when and who withdrew it (name, role). */
  function monitoring(householdId: string) {
    const pause = deps.homes.monitoringPause(householdId);
    if (!pause) return { paused: false as const };
    const who = deps.people.get(pause.by);
    return {
      paused: true as const,
      since: pause.since,
      by: who ? { name: who.name, role: who.role } : { name: null, role: pause.by === "cli" ? "cli" : null },
    };
  }

  /**
   * Consent withdrawn (PIPL art. 15): close the home's device connections at once (the broker refuses them
   * from now on) and let the rules engine stop watching the home. Given again: the engine resumes it.
   */
  function monitoringChanged(householdId: string, change: "paused" | "resumed", log: FastifyBaseLogger) {
    let closed = 0;
    if (change === "paused")
      for (const d of deps.registry.listDevices(householdId)) closed += deps.disconnectDevice(d.id);
    deps.homeChanged?.(householdId);
    log.info({ householdId, monitoring: change, connectionsClosed: closed }, "household monitoring changed");
  }

  app.get("/api/households", { config: { roles: ALL_ROLES } }, async (req) => {
    const ids = scope.householdIds(req);
    const all = deps.registry.listHouseholds();
    return { households: ids === "all" ? all : all.filter((h) => ids.includes(h.id)) };
  });

  app.post("/api/households", { config: { roles: OPERATOR } }, async (req, reply) => {
    const body = parse(createBody, req.body);
    const h = deps.homes.transaction(() => {
      const created = deps.registry.addHousehold(body);
      deps.homes.setProfile(
        created.id,
        pick(body, ["phone", "healthNotes", "accessNotes"]),
        principal(req).id,
      );
      return created;
    });
    scope.audit(req, "change", h.id, { created: true });
    return reply.code(201).send({ ...h, profile: deps.homes.profile(h.id) });
  });

  app.get("/api/households/:householdId", { config: { roles: ALL_ROLES } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    scope.audit(req, "view", h.id);
    const carer = principal(req).role !== "family";
    return {
      ...h,
      monitoring: monitoring(h.id),
      profile: deps.homes.profile(h.id),
      devices: deps.registry.listDevices(h.id),
      family: carer ? deps.people.family(h.id) : undefined,
    };
  });

  app.patch("/api/households/:householdId", { config: { roles: ALL_ROLES } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const body = parse(patchBody, req.body);
    const actor = principal(req).id;
    const change = deps.homes.transaction(() => {
      deps.homes.updateHousehold(h.id, body);
      deps.homes.setProfile(h.id, pick(body, ["phone", "healthNotes", "accessNotes"]), actor);
      // Only a recorded consent that is withdrawn pauses (forms send `consent` with every save, and a home
      // whose consent was never recorded stays watched, as before); giving it again resumes.
      if (h.consent && body.consent === false)
        return deps.homes.pauseMonitoring(h.id, actor) ? ("paused" as const) : null;
      if (body.consent === true)
        return deps.homes.resumeMonitoring(h.id, actor) ? ("resumed" as const) : null;
      return null;
    });
    scope.audit(req, "change", h.id, {
      fields: Object.keys(body),
      ...(change ? { monitoring: change } : {}),
    });
    if (change) monitoringChanged(h.id, change, req.log);
    return {
      ...deps.registry.getHousehold(h.id),
      monitoring: monitoring(h.id),
      profile: deps.homes.profile(h.id),
    };
  });

  app.get("/api/households/:householdId/preferences", { config: { roles: FAMILY } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const prefs = deps.homes.preferences(principal(req).id, h.id);
    if (!prefs) throw jinlinError("JINLIN_ERR_HOUSEHOLD_NOT_FOUND");
    return prefs;
  });

  app.put("/api/households/:householdId/preferences", { config: { roles: FAMILY } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const body = parse(preferencesBody, req.body);
    deps.homes.setPreferences(principal(req).id, h.id, body);
    return body;
  });
};
