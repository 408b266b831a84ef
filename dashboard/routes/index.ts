import type { FastifyInstance } from "fastify";
import { createPasswordCheck } from "../auth/passwords.js";
import { createScope } from "../auth/scope.js";
import { registerSecurity } from "../auth/security.js";
import { createSessions, guard, isApi } from "../auth/session.js";
import { type DashboardDeps, DEFAULT_AUTH_OPTIONS } from "../auth/types.js";
import { absenceRoutes } from "./absences.js";
import { alertRoutes } from "./alerts.js";
import { auditRoutes } from "./audit.js";
import { authRoutes } from "./auth.js";
import type { RouteCtx } from "./context.js";
import { deviceRoutes } from "./devices.js";
import { gridRoutes } from "./grids.js";
import { householdRoutes } from "./households.js";
import { notificationRoutes } from "./notifications.js";
import { peopleRoutes } from "./people.js";
import { privacyRoutes } from "./privacy.js";
import { registrationRoutes } from "./registrations.js";
import { reportRoutes } from "./reports.js";
import { ruleRoutes } from "./rules.js";
import { statusRoutes } from "./status.js";

const MODULES = [
  authRoutes,
  registrationRoutes,
  householdRoutes,
  statusRoutes,
  absenceRoutes,
  alertRoutes,
  reportRoutes,
  deviceRoutes,
  gridRoutes,
  peopleRoutes,
  auditRoutes,
  ruleRoutes,
  notificationRoutes,
  privacyRoutes,
];

/**
 * The dashboard API: accounts, scope, family, grid workers, operators. Registers security (headers, CSRF,
 * rate limits, the error format) and the session guard at the root so that every route, this module's
 * or another's, is covered; call it before other routes are added.
 */
export async function registerDashboard(app: FastifyInstance, deps: DashboardDeps): Promise<void> {
  const opts = { ...DEFAULT_AUTH_OPTIONS, ...deps.options };
  if (deps.onRoute) app.addHook("onRoute", deps.onRoute);
  await registerSecurity(app, opts.secureCookies);
  app.decorateRequest("principal", null);
  const sessions = createSessions(deps, opts);
  app.addHook("onRequest", guard(app, sessions));
  const ctx: RouteCtx = {
    deps,
    opts,
    sessions,
    scope: createScope(deps),
    passwords: createPasswordCheck(deps.accounts, deps.clock.now, opts),
  };
  await app.register(async (api) => {
    api.addHook("onRoute", (route) => {
      if (isApi(route.url) && !route.config?.public && !route.config?.roles)
        throw new Error(`${String(route.method)} ${route.url}: declare config.roles or config.public`);
    });
    for (const register of MODULES) register(api, ctx);
  });
}
