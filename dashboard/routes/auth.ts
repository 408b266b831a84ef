import { z } from "zod";
import { createAccount, loginSchema, passwordSchema } from "../auth/passwords.js";
import { parse, principal } from "../auth/scope.js";
import { ALL_ROLES, accountView, type RouteModule } from "./context.js";

const loginBody = z.object({ login: z.string().min(1).max(100), password: z.string().min(1).max(200) });
const passwordBody = z.object({ currentPassword: z.string().min(1).max(200), newPassword: passwordSchema });
const registerBody = z.object({
  login: loginSchema,
  password: passwordSchema,
  name: z.string().trim().min(1).max(100),
  email: z.email().optional(),
  phone: z.string().trim().min(3).max(40).optional(),
  language: z.enum(["zh-CN", "en"]).default("zh-CN"),
});

/** Sign-in, sign-out, who am I, password change, and family self-registration. */
export const authRoutes: RouteModule = (app, ctx) => {
  const { deps, opts, sessions, passwords, scope } = ctx;
  const rateLimit = { max: opts.loginRateLimit.max, timeWindow: opts.loginRateLimit.windowMs };

  app.get("/api/auth/csrf", { config: { public: true } }, async (_req, reply) => ({
    csrfToken: reply.generateCsrf(),
  }));

  app.post("/api/auth/login", { config: { public: true, rateLimit } }, async (req, reply) => {
    const body = parse(loginBody, req.body);
    const account = await passwords.signIn(body.login, body.password);
    if (req.principal) sessions.end(req, reply);
    sessions.start(reply, account);
    req.log.info({ personId: account.id, role: account.role }, "signed in");
    return { account: accountView(account), csrfToken: reply.generateCsrf() };
  });

  app.post("/api/auth/logout", { config: { roles: ALL_ROLES } }, async (req, reply) => {
    sessions.end(req, reply);
    return reply.code(204).send();
  });

  app.get("/api/auth/me", { config: { roles: ALL_ROLES } }, async (req) => {
    const p = principal(req);
    return {
      account: accountView(p),
      duties: p.role === "worker" ? deps.accounts.duties(p.id) : [],
      households: p.role === "family" ? deps.homes.familyHouseholds(p.id) : [],
      // The service's clock (epoch ms): the demo and backtests run it faster than the browser's.
      now: deps.clock.now(),
    };
  });

  app.post("/api/auth/password", { config: { roles: ALL_ROLES } }, async (req, reply) => {
    const p = principal(req);
    const body = parse(passwordBody, req.body);
    await passwords.change(p, body.currentPassword, body.newPassword);
    // Every other session ends; this one is replaced so a stolen id stops working too.
    deps.accounts.deleteSessions(p.id);
    sessions.start(reply, p);
    req.log.info({ personId: p.id }, "password changed");
    scope.audit(req, "change", null, { passwordChanged: true, otherSessionsEnded: true });
    return reply.code(204).send();
  });

  app.post("/api/auth/register", { config: { public: true, rateLimit } }, async (req, reply) => {
    const body = parse(registerBody, req.body);
    const account = await createAccount(
      { people: deps.people, accounts: deps.accounts, transaction: deps.homes.transaction },
      { ...body, role: "family" },
    );
    sessions.start(reply, account);
    req.log.info({ personId: account.id }, "family member registered");
    return reply.code(201).send({ account: accountView(account), csrfToken: reply.generateCsrf() });
  });
};
