import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  type Alert,
  CHECKIN_ANSWERS,
  type CheckInAnswer,
  type CheckInChannel,
  checkInChannelSchema,
} from "../../alerts/alert-types.js";
import { verifyWebhook } from "../../alerts/notify/signature.js";
import { jinlinError } from "../../core/errors.js";
import { createScope, parse, principal } from "../auth/scope.js";
import type { DashboardDeps } from "../auth/types.js";
import { ALL_ROLES } from "./context.js";
import { householdParams } from "./households.js";

export interface CheckInSettingView {
  enabled: boolean;
  minutes: number;
  channels: CheckInChannel[];
  changedBy: string | null;
  changedAt: number | null;
}

/** What the check-in routes need; the composition root passes the SQLite store and the lifecycle in. */
export interface CheckInApi {
  get(householdId: string): CheckInSettingView;
  set(
    householdId: string,
    s: { enabled: boolean; minutes: number; channels: CheckInChannel[] },
    actor: string,
  ): CheckInSettingView;
  /** Whether a call/SMS can reach the resident: a gateway is configured and the home has a phone number. */
  canCall(householdId: string): boolean;
  answer(alertId: number, answer: CheckInAnswer, via: CheckInChannel): { alert: Alert; accepted: boolean };
  alertExists(alertId: number): boolean;
  /** The webhook gateway's shared secret: it signs our calls and its answers. Null: no gateway. */
  gatewaySecret: string | null;
  now(): number;
}

// 5 to 120 minutes: less cannot reach someone slow to the phone; more is a delay no carer accepts.
const settingBody = z
  .object({
    enabled: z.boolean(),
    minutes: z.number().int().min(5).max(120).default(30),
    channels: z.array(checkInChannelSchema).min(1).max(2).default(["button"]),
  })
  .refine((s) => new Set(s.channels).size === s.channels.length, {
    path: ["channels"],
    message: "each channel once",
  });

const answerBody = z.object({
  alertId: z.union([z.string().regex(/^\d{1,12}$/), z.number().int().positive()]).transform(Number),
  answer: z.enum(CHECKIN_ANSWERS),
});

export const CHECKIN_ANSWER_PATH = "/hooks/checkin/answer";

/**
 * A home's resident check-in setting (GET for everyone in scope; PUT for operators and grid workers:
 * delaying dispatch is a carer's decision), and the call/SMS gateway's answer callback, authenticated
 * by the same HMAC signature as our webhooks (docs/notifications.md). The callback lives outside /api/:
 * no session and no CSRF token, only the signature, checked on the raw body.
 */
export async function checkInRoutes(
  app: FastifyInstance,
  opts: { deps: DashboardDeps; api: CheckInApi },
): Promise<void> {
  const { deps, api } = opts;
  const scope = createScope(deps);
  const path = "/api/households/:householdId/checkin";
  const view = (id: string) => ({ ...api.get(id), callAvailable: api.canCall(id) });

  app.get(path, { config: { roles: ALL_ROLES } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    return view(h.id);
  });

  app.put(path, { config: { roles: ALL_ROLES } }, async (req) => {
    const h = scope.household(req, parse(householdParams, req.params).householdId);
    const p = principal(req);
    if (p.role === "family") throw jinlinError("JINLIN_ERR_FORBIDDEN", "ask the grid worker");
    const body = parse(settingBody, req.body);
    api.set(h.id, body, p.id);
    scope.audit(req, "change", h.id, { checkin: body });
    return view(h.id);
  });

  await app.register(async (hook) => {
    hook.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) =>
      done(null, body),
    );
    hook.post(CHECKIN_ANSWER_PATH, { config: { public: true } }, async (req) => {
      if (api.gatewaySecret === null) throw jinlinError("JINLIN_ERR_NOT_FOUND");
      const raw = typeof req.body === "string" ? req.body : "";
      const signed = verifyWebhook({
        secret: api.gatewaySecret,
        timestamp: header(req.headers["x-jinlin-timestamp"]),
        signature: header(req.headers["x-jinlin-signature"]),
        body: raw,
        nowMs: api.now(),
      });
      if (!signed) throw jinlinError("JINLIN_ERR_UNAUTHENTICATED", "signature");
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw jinlinError("JINLIN_ERR_INPUT_INVALID", "body is not JSON");
      }
      const b = parse(answerBody, json);
      if (!api.alertExists(b.alertId)) throw jinlinError("JINLIN_ERR_ALERT_NOT_FOUND");
      const { alert, accepted } = api.answer(b.alertId, b.answer, "call");
      return { alertId: alert.id, accepted, status: alert.status };
    });
  });
}

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
