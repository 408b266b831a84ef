import type { FastifyRequest } from "fastify";
import { z } from "zod";
import type { ClearReason } from "../../alerts/alert-types.js";
import { jinlinError } from "../../core/errors.js";
import type { Absence } from "../../storage/sqlite/households-api.js";
import { parse, principal } from "../auth/scope.js";
import { ALL_ROLES, type RouteModule } from "./context.js";
import { householdParams } from "./households.js";

const instant = z
  .union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })])
  .transform((v) => (typeof v === "number" ? v : Date.parse(v)));
const absenceBody = z
  .object({ from: instant, to: instant, reason: z.enum(["hospital", "travel", "other"]) })
  .refine((a) => a.to > a.from, { message: "to must be after from", path: ["to"] })
  .refine((a) => a.to - a.from <= 366 * 86_400_000, { message: "at most a year", path: ["to"] });
const absenceParams = householdParams.extend({ absenceId: z.coerce.number().int().positive() });
const listQuery = z.object({ includePast: z.enum(["true", "false"]).default("false") });

/** Who recorded an absence, for the alerts it clears: the recorder's role is shown, their id is kept. */
function recordedBy(req: FastifyRequest, a: Absence): ClearReason {
  const p = principal(req);
  return { kind: "absence", absenceId: a.id, from: a.from, to: a.to, by: p.id, role: p.role };
}

/**
 * Planned absences (hospital, travel): the rules do not raise inactivity alerts while one holds, and one
 * recorded for now clears the home's open "not seen" alerts nobody has taken on yet (docs/notifications.md).
 */
export const absenceRoutes: RouteModule = (app, { deps, scope }) => {
  const base = "/api/households/:householdId/absences";
  const find = (householdId: string, params: unknown): Absence => {
    const r = absenceParams.safeParse(params);
    const a = r.success ? deps.homes.absence(householdId, r.data.absenceId) : undefined;
    if (!a) throw jinlinError("JINLIN_ERR_NOT_FOUND", "absence");
    return a;
  };

  app.get(base, { config: { roles: ALL_ROLES } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const q = parse(listQuery, req.query);
    const since = q.includePast === "true" ? Number.MIN_SAFE_INTEGER : deps.clock.now();
    return { householdId: h.id, absences: deps.homes.absences(h.id, since) };
  });

  app.post(base, { config: { roles: ALL_ROLES } }, async (req, reply) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const body = parse(absenceBody, req.body);
    const a = deps.homes.addAbsence({ householdId: h.id, ...body, createdBy: principal(req).id });
    scope.audit(req, "change", h.id, { absenceId: a.id, reason: a.reason });
    deps.homeChanged?.(h.id, recordedBy(req, a));
    return reply.code(201).send(a);
  });

  app.put(`${base}/:absenceId`, { config: { roles: ALL_ROLES } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const a = find(h.id, req.params);
    const body = parse(absenceBody, req.body);
    deps.homes.updateAbsence(a.id, body);
    scope.audit(req, "change", h.id, { absenceId: a.id });
    const updated = find(h.id, req.params);
    deps.homeChanged?.(h.id, recordedBy(req, updated));
    return updated;
  });

  app.delete(`${base}/:absenceId`, { config: { roles: ALL_ROLES } }, async (req, reply) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const a = find(h.id, req.params);
    deps.homes.cancelAbsence(a.id);
    scope.audit(req, "change", h.id, { absenceId: a.id, cancelled: true });
    deps.homeChanged?.(h.id);
    return reply.code(204).send();
  });
};
