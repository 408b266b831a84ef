import { z } from "zod";
import { parse } from "../auth/scope.js";
import { OPERATOR, type RouteModule } from "./context.js";

const auditQuery = z.object({
  householdId: z.string().min(1).max(64).optional(),
  actor: z.string().min(1).max(64).optional(),
  /** Paging: entries with a smaller id than this. */
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** Who viewed or changed which household, and when (newest first). */
export const auditRoutes: RouteModule = (app, { deps }) => {
  app.get("/api/audit", { config: { roles: OPERATOR } }, async (req) => {
    const q = parse(auditQuery, req.query);
    const entries = deps.homes.auditLog(q);
    return { entries, next: entries.length === q.limit ? entries[entries.length - 1]!.id : null };
  });
};
