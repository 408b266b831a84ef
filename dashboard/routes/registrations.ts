import { z } from "zod";
import { deviceIdSchema, emergencyContactSchema, gridPathSchema } from "../../core/domain.js";
import { jinlinError } from "../../core/errors.js";
import { hashSecret, newSecret } from "../../core/secrets.js";
import { parse, principal } from "../auth/scope.js";
import { ALL_ROLES, CARERS, FAMILY, type RouteCtx, type RouteModule } from "./context.js";

const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "unknown IANA time zone");

/** What a family member tells us about their parent; stored as submitted until approval. */
export const registrationSchema = z.object({
  resident: z.string().trim().min(1).max(100),
  address: z.string().trim().min(1).max(300),
  gridPath: gridPathSchema,
  phone: z.string().trim().min(3).max(40).optional(),
  /** Only what the family chooses to share with the grid workers. */
  healthNotes: z.string().trim().max(2000).optional(),
  accessNotes: z.string().trim().max(1000).optional(),
  emergencyContacts: z.array(emergencyContactSchema).max(10).default([]),
  /** PIPL art. 13/31: consent by the resident, or by the family for a resident who cannot give it. */
  consent: z.object({ given: z.literal(true), by: z.enum(["resident", "family"]) }),
  language: z.enum(["zh-CN", "en"]).default("zh-CN"),
  timezone: timezone.default("Asia/Shanghai"),
  relation: z.string().trim().max(50).optional(),
  /** The water meter's serial: becomes the device id, credentials are issued at approval. */
  meterSerial: deviceIdSchema.optional(),
});
type RegistrationDetails = z.infer<typeof registrationSchema>;

const idParams = z.object({ registrationId: z.string().regex(/^reg-[0-9a-f]{12}$/) });
const listQuery = z.object({ status: z.enum(["pending", "approved", "rejected"]).optional() });
const approveBody = z.object({
  gridPath: gridPathSchema.optional(),
  note: z.string().trim().max(1000).optional(),
});
const rejectBody = z.object({ note: z.string().trim().min(1).max(1000) });

function registrationId(params: unknown) {
  const r = idParams.safeParse(params);
  if (!r.success) throw jinlinError("JINLIN_ERR_REGISTRATION_NOT_FOUND");
  return r.data.registrationId;
}

/** Family self-registration of a parent → pending; a worker of that grid or an operator decides. */
export const registrationRoutes: RouteModule = (app, ctx) => {
  const { deps, scope } = ctx;

  app.post("/api/registrations", { config: { roles: FAMILY } }, async (req, reply) => {
    const body = parse(registrationSchema, req.body);
    const grid = deps.homes.gridByPath(body.gridPath);
    if (!grid) throw jinlinError("JINLIN_ERR_GRID_NOT_FOUND", body.gridPath);
    const reg = deps.homes.createRegistration({
      familyPersonId: principal(req).id,
      gridId: grid.id,
      details: body,
    });
    req.log.info({ registrationId: reg.id, gridId: grid.id }, "registration submitted");
    return reply.code(201).send(reg);
  });

  app.get("/api/registrations", { config: { roles: ALL_ROLES } }, async (req) => {
    const q = parse(listQuery, req.query);
    return { registrations: deps.homes.registrations(principal(req), q.status) };
  });

  app.get("/api/registrations/:registrationId", { config: { roles: ALL_ROLES } }, async (req) =>
    scope.registration(req, registrationId(req.params)),
  );

  app.post("/api/registrations/:registrationId/approve", { config: { roles: CARERS } }, async (req) => {
    const reg = scope.registration(req, registrationId(req.params));
    const body = parse(approveBody, req.body);
    if (reg.status !== "pending") throw jinlinError("JINLIN_ERR_STATE_CONFLICT", `request is ${reg.status}`);
    if (body.gridPath && principal(req).role !== "operator") throw jinlinError("JINLIN_ERR_FORBIDDEN");
    return approve(ctx, req, reg.id, parse(registrationSchema, reg.details), body);
  });

  app.post("/api/registrations/:registrationId/reject", { config: { roles: CARERS } }, async (req) => {
    const reg = scope.registration(req, registrationId(req.params));
    const body = parse(rejectBody, req.body);
    const p = principal(req);
    const ok = deps.homes.decideRegistration(reg.id, {
      status: "rejected",
      by: p.id,
      note: body.note,
      householdId: null,
    });
    if (!ok) throw jinlinError("JINLIN_ERR_STATE_CONFLICT", `request is ${reg.status}`);
    return deps.homes.registration(reg.id);
  });
};

async function approve(
  ctx: RouteCtx,
  req: Parameters<RouteCtx["scope"]["audit"]>[0],
  id: string,
  d: RegistrationDetails,
  body: z.infer<typeof approveBody>,
) {
  const { deps, scope } = ctx;
  const actor = principal(req).id;
  const secret = d.meterSerial ? newSecret() : null;
  const secretHash = secret ? await hashSecret(secret) : null;
  const reg = deps.homes.registration(id)!;
  return deps.homes.transaction(() => {
    const household = deps.registry.addHousehold({
      resident: d.resident,
      address: d.address,
      gridPath: body.gridPath ?? reg.gridPath,
      timezone: d.timezone,
      emergencyContacts: d.emergencyContacts,
      consent: d.consent.given,
      language: d.language,
    });
    const profile = {
      phone: d.phone ?? null,
      healthNotes: d.healthNotes ?? null,
      accessNotes: d.accessNotes ?? null,
    };
    deps.homes.setProfile(household.id, profile, actor);
    deps.people.linkFamily(reg.familyPersonId, household.id, d.relation ?? null);
    const device =
      d.meterSerial && secretHash
        ? deps.registry.addDevice({ householdId: household.id, kind: "water", id: d.meterSerial, secretHash })
        : null;
    const decided = {
      status: "approved" as const,
      by: actor,
      note: body.note ?? null,
      householdId: household.id,
    };
    if (!deps.homes.decideRegistration(id, decided)) throw jinlinError("JINLIN_ERR_STATE_CONFLICT");
    scope.audit(req, "change", household.id, { registrationId: id, approved: true });
    return {
      registration: deps.homes.registration(id),
      household,
      // MQTT credentials are shown once, here; only the hash is kept.
      device: device ? { ...device, mqtt: { username: device.id, password: secret } } : null,
    };
  });
}
