import { z } from "zod";
import { gridPathSchema } from "../../core/domain.js";
import { jinlinError } from "../../core/errors.js";
import { parse, principal } from "../auth/scope.js";
import { ALL_ROLES, OPERATOR, type RouteModule } from "./context.js";

const gridParams = z.object({ gridId: z.coerce.number().int().positive() });
const createBody = z.object({ path: gridPathSchema, name: z.string().trim().min(1).max(100).optional() });
const renameBody = z.object({ name: z.string().trim().min(1).max(100) });

/**
 * The grid hierarchy. Every signed-in person may list it (a family picks their parent's community when
 * registering); `mine` marks the grids a worker answers for. Operators create and rename grids.
 */
export const gridRoutes: RouteModule = (app, { deps, scope }) => {
  app.get("/api/grids", { config: { roles: ALL_ROLES } }, async (req) => {
    const mine = deps.homes.visibleGridIds(principal(req));
    return {
      grids: deps.homes.grids().map((g) => ({ ...g, mine: mine === "all" || mine.includes(g.id) })),
    };
  });

  app.post("/api/grids", { config: { roles: OPERATOR } }, async (req, reply) => {
    const body = parse(createBody, req.body);
    const grid = deps.registry.ensureGrid(body.path);
    if (body.name) deps.homes.renameGrid(grid.id, body.name);
    scope.audit(req, "change", null, { gridId: grid.id, path: body.path, created: true });
    return reply.code(201).send(deps.homes.grids().find((g) => g.id === grid.id));
  });

  app.patch("/api/grids/:gridId", { config: { roles: OPERATOR } }, async (req) => {
    const { gridId } = parse(gridParams, req.params);
    const body = parse(renameBody, req.body);
    if (!deps.homes.renameGrid(gridId, body.name))
      throw jinlinError("JINLIN_ERR_GRID_NOT_FOUND", String(gridId));
    scope.audit(req, "change", null, { gridId, renamed: true });
    return deps.homes.grids().find((g) => g.id === gridId);
  });
};
