import { z } from "zod";
import { jinlinError } from "../../core/errors.js";
import { parse } from "../auth/scope.js";
import { CARERS, type RouteModule } from "./context.js";
import { responseTimes } from "./response-times.js";

const windowQuery = z.object({
  from: z.coerce.number().int().nonnegative().optional(),
  to: z.coerce.number().int().nonnegative().optional(),
});

/** Response-time metrics over the caller's grids (operators: every grid); 30 days by default. */
export const reportRoutes: RouteModule = (app, { deps, scope }) => {
  app.get("/api/reports/response-times", { config: { roles: CARERS } }, async (req) => {
    const q = parse(windowQuery, req.query);
    const to = q.to ?? deps.clock.now() + 1;
    const from = q.from ?? to - 30 * 86_400_000;
    if (from >= to) throw jinlinError("JINLIN_ERR_INPUT_INVALID", "from must be before to");
    const rows = deps.reports.responseRows(scope.householdIds(req), from, to);
    const people = new Map(deps.accounts.list().map((p) => [p.id, p.name]));
    const result = responseTimes(rows);
    return {
      from,
      to,
      ...result,
      byWorker: result.byWorker.map((w) => ({ ...w, name: people.get(w.personId) ?? null })),
    };
  });
};
