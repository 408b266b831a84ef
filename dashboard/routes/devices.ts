import { z } from "zod";
import { deviceIdSchema, deviceKindSchema } from "../../core/domain.js";
import { jinlinError } from "../../core/errors.js";
import { hashSecret, newSecret } from "../../core/secrets.js";
import { parse } from "../auth/scope.js";
import { ALL_ROLES, CARERS, OPERATOR, type RouteModule } from "./context.js";
import { householdParams } from "./households.js";

const deviceParams = z.object({ deviceId: z.string().min(1).max(64) });
const provisionBody = z.object({ kind: deviceKindSchema, id: deviceIdSchema.optional() });
const healthQuery = z.object({ silentOnly: z.enum(["true", "false"]).default("false") });

/** Devices: list per home, provision (credentials shown once), rotate, revoke (disconnects at once), health. */
export const deviceRoutes: RouteModule = (app, { deps, scope, opts }) => {
  const deviceId = (params: unknown) => {
    const r = deviceParams.safeParse(params);
    if (!r.success) throw jinlinError("JINLIN_ERR_DEVICE_NOT_FOUND");
    return r.data.deviceId;
  };

  app.get("/api/households/:householdId/devices", { config: { roles: ALL_ROLES } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    return { householdId: h.id, devices: deps.registry.listDevices(h.id) };
  });

  app.post("/api/households/:householdId/devices", { config: { roles: OPERATOR } }, async (req, reply) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const body = parse(provisionBody, req.body);
    const secret = newSecret();
    const device = deps.registry.addDevice({
      householdId: h.id,
      kind: body.kind,
      secretHash: await hashSecret(secret),
      ...(body.id ? { id: body.id } : {}),
    });
    scope.audit(req, "change", h.id, { deviceId: device.id, provisioned: true });
    req.log.info({ deviceId: device.id, householdId: h.id }, "device provisioned");
    // Shown once: Jinlin keeps only the scrypt hash.
    return reply.code(201).send({ device, mqtt: { username: device.id, password: secret } });
  });

  app.post("/api/devices/:deviceId/rotate", { config: { roles: OPERATOR } }, async (req) => {
    const d = scope.device(req, deviceId(req.params));
    const secret = newSecret();
    deps.registry.setSecretHash(d.id, await hashSecret(secret));
    const disconnected = deps.disconnectDevice(d.id);
    scope.audit(req, "change", d.householdId, { deviceId: d.id, rotated: true });
    req.log.info({ deviceId: d.id, disconnected }, "device secret rotated");
    return {
      device: deps.registry.getDevice(d.id),
      mqtt: { username: d.id, password: secret },
      disconnected,
    };
  });

  app.post("/api/devices/:deviceId/revoke", { config: { roles: OPERATOR } }, async (req) => {
    const d = scope.device(req, deviceId(req.params));
    deps.registry.revokeDevice(d.id);
    const disconnected = deps.disconnectDevice(d.id);
    scope.audit(req, "change", d.householdId, { deviceId: d.id, revoked: true });
    req.log.info({ deviceId: d.id, disconnected }, "device revoked");
    return { device: deps.registry.getDevice(d.id), disconnected };
  });

  app.get("/api/devices/health", { config: { roles: CARERS } }, async (req) => {
    const q = parse(healthQuery, req.query);
    const silentBefore = deps.clock.now() - opts.silentAfterMs;
    const rows = deps.reports.deviceHealth(scope.householdIds(req)).map((d) => ({
      ...d,
      silent: d.revokedAt === null && (d.lastSeenAt ?? 0) < silentBefore,
      lowBattery: d.battery !== null && d.battery < 20,
    }));
    return {
      silentAfterMs: opts.silentAfterMs,
      devices: q.silentOnly === "true" ? rows.filter((d) => d.silent) : rows,
    };
  });
};
