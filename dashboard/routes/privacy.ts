import { z } from "zod";
import { jinlinError } from "../../core/errors.js";
import { parse, principal } from "../auth/scope.js";
import { OPERATOR, type RouteModule } from "./context.js";
import { householdParams } from "./households.js";

/** Personal-data rights over one household (docs/privacy.md); the composition root implements it. */
export interface PrivacyApi {
  /** Everything held about the household, as one JSON document. */
  exportHousehold(householdId: string): object;
  /** Irreversible: deletes the household's personal data and readings, revokes and disconnects its devices. */
  eraseHousehold(
    householdId: string,
    actor: string,
  ): Promise<{ deviceIds: string[]; deleted: Record<string, number> }>;
  /** People whose approved registration created the household (they may export it too). */
  registeredBy(householdId: string): string[];
}

const eraseBody = z.object({ confirm: z.string().max(64) });
const EXPORTERS = ["operator", "family"] as const;

/**
 * Export (operators; the family member who registered the resident) and erase (operators, with the
 * household id typed as confirmation). Outside scope → 404 like every household route.
 */
export const privacyRoutes: RouteModule = (app, { deps, scope }) => {
  const privacy = deps.privacy;
  if (!privacy) return;

  app.get("/api/households/:householdId/export", { config: { roles: EXPORTERS } }, async (req, reply) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const p = principal(req);
    if (p.role === "family" && !privacy.registeredBy(h.id).includes(p.id))
      throw jinlinError(
        "JINLIN_ERR_FORBIDDEN",
        "only the family member who registered the resident may export",
      );
    const doc = privacy.exportHousehold(h.id);
    scope.audit(req, "view", h.id, { export: true });
    const day = new Date(deps.clock.now()).toISOString().slice(0, 10);
    return reply
      .header("content-disposition", `attachment; filename="jinlin-${h.id}-${day}.json"`)
      .header("cache-control", "no-store")
      .send(doc);
  });

  app.post("/api/households/:householdId/erase", { config: { roles: OPERATOR } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const body = parse(eraseBody, req.body);
    if (body.confirm !== h.id) throw jinlinError("JINLIN_ERR_ERASE_UNCONFIRMED");
    const result = await privacy.eraseHousehold(h.id, principal(req).id);
    return { erased: h.id, devices: result.deviceIds.length, deleted: result.deleted };
  });
};
