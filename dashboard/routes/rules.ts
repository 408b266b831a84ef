import { z } from "zod";
import { jinlinError } from "../../core/errors.js";
import { parse, principal } from "../auth/scope.js";
import { CARERS, OPERATOR, type RouteModule } from "./context.js";
import { householdParams } from "./households.js";

/** What the rules routes need; the composition root implements it over the rule settings and the backtest. */
export interface RulesApi {
  defaults(): unknown;
  /** The parameters in force for a home, and the layers they come from, most general first. */
  forHousehold(householdId: string): { effective: unknown; layers: unknown[]; history: unknown[] };
  /** Validates (throws JINLIN_ERR_INPUT_INVALID naming bad fields, 404 for an unknown grid) and saves an operator layer. */
  set(
    scope: "global" | `grid:${number}` | `household:${string}`,
    params: unknown,
    reason: string,
    by: string,
  ): unknown;
  get(scope: "global" | `grid:${number}`): unknown;
  /** Every change of one scope's layers, oldest first. */
  history(scope: "global" | `grid:${number}`): unknown[];
  /** Removes what was learned from a home's outcomes. */
  forgetLearned(householdId: string, by: string): void;
  /**
   * The alerts this home's real history gives with its current parameters, and with `params` in place
   * of `scope`'s operator layer (the home's own by default; 400 when the home is not under `scope`).
   */
  preview(
    householdId: string,
    params: unknown,
    days: number,
    scope?: "global" | `grid:${number}` | `household:${string}`,
  ): unknown;
}

const body = z.object({
  params: z.record(z.string(), z.unknown()),
  reason: z.string().trim().min(3).max(300),
});
const previewBody = z.object({
  params: z.record(z.string(), z.unknown()),
  days: z.number().int().min(1).max(90).default(30),
});
const gridParams = z.object({ gridId: z.coerce.number().int().positive() });
/** A global or grid change is previewed on one home below it (the operator picks which). */
const scopePreviewBody = previewBody.extend({ householdId: z.string().min(1).max(64) });

/**
 * Rule thresholds globally, per grid and per home. Operators change them, after previewing a change on
 * the home's real history; workers of the home's grid can read what is in force and why.
 */
export const ruleRoutes: RouteModule = (app, { deps, scope }) => {
  const rules = deps.rules;
  if (!rules) return;
  app.get("/api/rules", { config: { roles: OPERATOR } }, async () => ({
    defaults: rules.defaults(),
    global: rules.get("global") ?? null,
    history: rules.history("global"),
  }));
  app.put("/api/rules", { config: { roles: OPERATOR } }, async (req) => {
    const b = parse(body, req.body);
    const saved = rules.set("global", b.params, b.reason, principal(req).id);
    scope.audit(req, "change", null, { what: "rules", scope: "global", reason: b.reason });
    return saved;
  });
  app.post("/api/rules/preview", { config: { roles: OPERATOR } }, async (req) => {
    const b = parse(scopePreviewBody, req.body);
    const h = scope.household(req, b.householdId);
    return rules.preview(h.id, b.params, b.days, "global");
  });
  app.get("/api/grids/:gridId/rules", { config: { roles: OPERATOR } }, async (req) => {
    const { gridId } = parse(gridParams, req.params);
    const grid = deps.homes.grids().find((g) => g.id === gridId);
    if (!grid) throw jinlinError("JINLIN_ERR_GRID_NOT_FOUND", String(gridId));
    return {
      gridId,
      path: grid.path,
      settings: rules.get(`grid:${gridId}`) ?? null,
      history: rules.history(`grid:${gridId}`),
    };
  });
  app.put("/api/grids/:gridId/rules", { config: { roles: OPERATOR } }, async (req) => {
    const { gridId } = parse(gridParams, req.params);
    const b = parse(body, req.body);
    const saved = rules.set(`grid:${gridId}`, b.params, b.reason, principal(req).id);
    scope.audit(req, "change", null, { what: "rules", scope: `grid:${gridId}`, reason: b.reason });
    return saved;
  });
  app.post("/api/grids/:gridId/rules/preview", { config: { roles: OPERATOR } }, async (req) => {
    const { gridId } = parse(gridParams, req.params);
    const b = parse(scopePreviewBody, req.body);
    const h = scope.household(req, b.householdId);
    return rules.preview(h.id, b.params, b.days, `grid:${gridId}`);
  });
  app.get("/api/households/:householdId/rules", { config: { roles: CARERS } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    scope.audit(req, "view", h.id, { what: "rules" });
    return rules.forHousehold(h.id);
  });
  app.put("/api/households/:householdId/rules", { config: { roles: OPERATOR } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const b = parse(body, req.body);
    const saved = rules.set(`household:${h.id}`, b.params, b.reason, principal(req).id);
    scope.audit(req, "change", h.id, { what: "rules", reason: b.reason });
    return saved;
  });
  app.delete(
    "/api/households/:householdId/rules/learned",
    { config: { roles: OPERATOR } },
    async (req, reply) => {
      const h = scope.household(req, parse(householdParams, req.params).householdId);
      rules.forgetLearned(h.id, principal(req).id);
      scope.audit(req, "change", h.id, { what: "rules", learned: "forgotten" });
      return reply.code(204).send();
    },
  );
  app.post("/api/households/:householdId/rules/preview", { config: { roles: OPERATOR } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const b = parse(previewBody, req.body);
    return rules.preview(h.id, b.params, b.days);
  });
};
