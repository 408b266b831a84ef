import { z } from "zod";
import { gridPathSchema } from "../../core/domain.js";
import { jinlinError } from "../../core/errors.js";
import { DUTIES, ROLES } from "../../storage/sqlite/people.js";
import { createAccount, generatePassword, hashPassword, loginSchema } from "../auth/passwords.js";
import { parse } from "../auth/scope.js";
import { accountView, OPERATOR, type RouteCtx, type RouteModule } from "./context.js";

const personParams = z.object({ personId: z.string().min(1).max(64) });
const dutiesBody = z.object({
  duties: z.array(z.object({ gridPath: gridPathSchema, duty: z.enum(DUTIES) })).max(50),
});
const createBody = z.object({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES),
  login: loginSchema,
  email: z.email().optional(),
  phone: z.string().trim().min(3).max(40).optional(),
  language: z.enum(["zh-CN", "en"]).default("zh-CN"),
  duties: dutiesBody.shape.duties.default([]),
});
const patchBody = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  email: z.email().nullable().optional(),
  phone: z.string().trim().min(3).max(40).nullable().optional(),
  disabled: z.boolean().optional(),
});
const listQuery = z.object({ role: z.enum(ROLES).optional() });

function person(ctx: RouteCtx, params: unknown) {
  const r = personParams.safeParse(params);
  const p = r.success ? ctx.deps.accounts.get(r.data.personId) : undefined;
  if (!p) throw jinlinError("JINLIN_ERR_PERSON_NOT_FOUND");
  return p;
}

function setDuties(ctx: RouteCtx, personId: string, duties: z.infer<typeof dutiesBody>["duties"]) {
  const resolved = duties.map((d) => ({ gridId: ctx.deps.registry.ensureGrid(d.gridPath).id, duty: d.duty }));
  ctx.deps.accounts.setDuties(personId, resolved);
}

/** Operators manage people: accounts (a password shown once), grid duties, disabling, password resets. */
export const peopleRoutes: RouteModule = (app, ctx) => {
  const { deps, scope } = ctx;
  const view = (id: string) => {
    const a = deps.accounts.get(id)!;
    return { ...accountView(a), duties: deps.accounts.duties(id) };
  };

  app.get("/api/people", { config: { roles: OPERATOR } }, async (req) => {
    const q = parse(listQuery, req.query);
    return { people: deps.accounts.list(q.role).map((a) => view(a.id)) };
  });

  app.post("/api/people", { config: { roles: OPERATOR } }, async (req, reply) => {
    const body = parse(createBody, req.body);
    const password = generatePassword();
    const { duties, ...input } = body;
    const stores = { people: deps.people, accounts: deps.accounts, transaction: deps.homes.transaction };
    const account = await createAccount(stores, { ...input, password });
    setDuties(ctx, account.id, duties);
    req.log.info({ personId: account.id, role: account.role }, "account created");
    scope.audit(req, "change", null, {
      personId: account.id,
      created: account.role,
      duties: duties.map((d) => `${d.gridPath}:${d.duty}`),
    });
    return reply.code(201).send({ person: view(account.id), password });
  });

  app.patch("/api/people/:personId", { config: { roles: OPERATOR } }, async (req) => {
    const p = person(ctx, req.params);
    const body = parse(patchBody, req.body);
    deps.accounts.updateProfile(p.id, body);
    if (body.disabled) deps.accounts.deleteSessions(p.id);
    scope.audit(req, "change", null, { personId: p.id, fields: Object.keys(body), disabled: body.disabled });
    return view(p.id);
  });

  app.put("/api/people/:personId/duties", { config: { roles: OPERATOR } }, async (req) => {
    const p = person(ctx, req.params);
    const body = parse(dutiesBody, req.body);
    if (p.role !== "worker" && body.duties.length > 0)
      throw jinlinError("JINLIN_ERR_INPUT_INVALID", "only grid workers have grid duties");
    deps.homes.transaction(() => setDuties(ctx, p.id, body.duties));
    scope.audit(req, "change", null, {
      personId: p.id,
      duties: body.duties.map((d) => `${d.gridPath}:${d.duty}`),
    });
    return view(p.id);
  });

  app.post("/api/people/:personId/password-reset", { config: { roles: OPERATOR } }, async (req) => {
    const p = person(ctx, req.params);
    if (!p.login) throw jinlinError("JINLIN_ERR_STATE_CONFLICT", "this person has no login");
    const password = generatePassword();
    deps.accounts.setPasswordHash(p.id, await hashPassword(password));
    deps.accounts.deleteSessions(p.id);
    req.log.info({ personId: p.id }, "password reset by operator");
    scope.audit(req, "change", null, { personId: p.id, passwordReset: true });
    return { person: view(p.id), password };
  });
};
