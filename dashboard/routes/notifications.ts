import { z } from "zod";
import { jinlinError } from "../../core/errors.js";
import { parse, principal } from "../auth/scope.js";
import { OPERATOR, type RouteModule } from "./context.js";

/** What the notification routes need; the composition root implements it over the notification outbox. */
export interface NotificationsApi {
  stats(): unknown;
  /** Newest first. */
  list(filter: { status?: "pending" | "sent" | "parked"; limit?: number }): unknown;
  /** A parked notification is tried again now; false when there is no parked notification with this id. */
  retry(id: number): boolean;
}

const listQuery = z.object({
  status: z.enum(["pending", "sent", "parked"]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const idParams = z.object({ notificationId: z.coerce.number().int().positive() });

/**
 * The notification outbox for operators: how many wait, how many were parked after failing, and a
 * retry for parked ones. Recipients are shown to operators but never logged here.
 */
export const notificationRoutes: RouteModule = (app, { deps }) => {
  const notifications = deps.notifications;
  if (!notifications) return;
  app.get("/api/notifications", { config: { roles: OPERATOR } }, async (req) => {
    const q = parse(listQuery, req.query);
    return {
      stats: notifications.stats(),
      items: notifications.list({ ...(q.status ? { status: q.status } : {}), limit: q.limit }),
    };
  });
  app.post(
    "/api/notifications/:notificationId/retry",
    { config: { roles: OPERATOR } },
    async (req, reply) => {
      const { notificationId } = parse(idParams, req.params);
      if (!notifications.retry(notificationId))
        throw jinlinError("JINLIN_ERR_NOT_FOUND", "parked notification");
      req.log.info({ notificationId, by: principal(req).id }, "notification retry");
      return reply.code(204).send();
    },
  );
};
