import { z } from "zod";
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
  /** Removes what was learned from a home's outcomes. */
  forgetLearned(householdId: string, by: string): void;
  /** The alerts this home's real history gives with its current parameters and with `params`. */
  preview(householdId: string, params: unknown, days: number): unknown;
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
  }));
  app.put("/api/rules", { config: { roles: OPERATOR } }, async (req) => {
    const b = parse(body, req.body);
    return rules.set("global", b.params, b.reason, principal(req).id);
  });
  app.get("/api/grids/:gridId/rules", { config: { roles: OPERATOR } }, async (req) => {
    const { gridId } = parse(gridParams, req.params);
    return { gridId, settings: rules.get(`grid:${gridId}`) ?? null };
  });
  app.put("/api/grids/:gridId/rules", { config: { roles: OPERATOR } }, async (req) => {
    const { gridId } = parse(gridParams, req.params);
    const b = parse(body, req.body);
    return rules.set(`grid:${gridId}`, b.params, b.reason, principal(req).id);
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
