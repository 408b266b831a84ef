import { rmSync } from "node:fs";
import type { MqttClient } from "mqtt";
import { createManualClock, type ManualClock } from "../../core/clock.js";
import { createAccount } from "../../dashboard/auth/passwords.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";
import { httpClient } from "../helpers/http-client.js";
import { closeClient, connect, waitUntil } from "../helpers/mqtt.js";
import { signAsGateway, startGateway } from "../helpers/notify/gateway.js";
import { startSmtp, type TestSmtp } from "../helpers/notify/smtp.js";
import { startTestService, type TestService, tempDir } from "../helpers/service.js";

export const SECRET = "whsec-checkin-0123456789";
export const T0 = Date.parse("2026-03-02T00:00:00Z"); // 08:00 in Shanghai

/** What the gateway does when the resident pressed a key: POST the answer back, signed. */
export async function gatewayAnswer(
  svc: TestService,
  clock: ManualClock,
  body: unknown,
  secret: string = SECRET,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const raw = JSON.stringify(body);
  const ts = String(Math.floor(clock.now() / 1000));
  const signature = signAsGateway(secret, ts, raw);
  const res = await fetch(`http://127.0.0.1:${svc.httpPort}/hooks/checkin/answer`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-jinlin-timestamp": ts,
      "x-jinlin-signature": signature,
    },
    body: raw,
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export interface CallBody {
  id: string;
  template: string;
  to: string;
  audience: string;
  text: string;
  data: Record<string, unknown>;
}

export interface World {
  svc: TestService;
  clock: ManualClock;
  smtp: TestSmtp;
  gateway: Awaited<ReturnType<typeof startGateway>>;
  /** What the gateway received, parsed. */
  calls(): CallBody[];
  operator: ReturnType<typeof httpClient>;
  home: { householdId: string; meter: string; meterSecret: string; button: string; buttonSecret: string };
  /** Mails to the home's primary worker. */
  workerMails(): TestSmtp["received"];
  /** Stops the service and starts it again on the same data directory, at the same virtual time. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real service (manual clock, real SMTP, real gateway) with one home: a water meter, a panic button, a
 * primary worker with e-mail and phone, a backup worker, the resident's phone, and an operator signed in.
 */
export async function startWorld(env: Record<string, string> = {}, at = T0): Promise<World> {
  const smtp = await startSmtp();
  const gateway = await startGateway(SECRET, [], "/calls");
  const clock = createManualClock(at);
  const dataDir = tempDir();
  const fullEnv = {
    JINLIN_SMTP_HOST: "127.0.0.1",
    JINLIN_SMTP_PORT: String(smtp.port),
    JINLIN_SMTP_FROM: "近邻 <alerts@jinlin.test>",
    JINLIN_WEBHOOK_URL: gateway.url,
    JINLIN_WEBHOOK_SECRET: SECRET,
    JINLIN_DATA_DIR: dataDir,
    ...env,
  };
  const svc = await startTestService(fullEnv, clock);
  const meter = await svc.provision("water");
  const button = await svc.provision("button", { householdId: meter.householdId });
  const people = createPeopleStore(svc.stores.db, Date.now);
  const grid = svc.stores.registry.getHousehold(meter.householdId)!.gridId;
  const worker = people.addPerson({
    name: "李网格员",
    role: "worker",
    email: "li@grid.test",
    phone: "13900000001",
  });
  people.assign(worker.id, grid, "primary");
  people.assign(
    people.addPerson({ name: "Chen", role: "worker", email: "chen@grid.test" }).id,
    grid,
    "backup",
  );
  await createAccount(
    {
      people,
      accounts: createAccountStore(svc.stores.db, Date.now),
      transaction: (fn) => svc.stores.db.transaction(fn)(),
    },
    { role: "operator", login: "operator", name: "Operator", password: "operator-password-1" },
  );
  const operator = httpClient(`http://127.0.0.1:${svc.httpPort}`);
  await operator.login("operator", "operator-password-1");
  const phone = await operator.request("PATCH", `/api/households/${meter.householdId}`, {
    phone: "13800000000",
  });
  if (phone.status !== 200) throw new Error(`phone: ${phone.status}`);
  const w: World = {
    svc,
    clock,
    smtp,
    gateway,
    operator,
    home: {
      householdId: meter.householdId,
      meter: meter.deviceId,
      meterSecret: meter.secret,
      button: button.deviceId,
      buttonSecret: button.secret,
    },
    calls: () => gateway.hits.map((h) => JSON.parse(h.body) as CallBody),
    workerMails: () => smtp.received.filter((m) => m.envelopeTo.includes("li@grid.test")),
    async restart() {
      const now = w.clock.now();
      await w.svc.stop();
      w.clock = createManualClock(now);
      w.svc = await startTestService(fullEnv, w.clock);
    },
    async stop() {
      await w.svc.stop();
      await smtp.stop();
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return w;
}

/** Publishes one reading as the device would (QoS 1: stored when this resolves) and lets the rules run. */
/** Turns the resident check-in on for the world's home through the operator's API; returns the setting. */
export async function enableCheckIn(
  w: World,
  checkIn: { channels: string[]; minutes?: number },
): Promise<Record<string, unknown>> {
  const r = await w.operator.request("PUT", `/api/households/${w.home.householdId}/checkin`, {
    enabled: true,
    ...checkIn,
  });
  if (r.status !== 200) throw new Error(`check-in setting refused: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function publish(w: World, device: "meter" | "button", reading: object): Promise<void> {
  const id = device === "meter" ? w.home.meter : w.home.button;
  const secret = device === "meter" ? w.home.meterSecret : w.home.buttonSecret;
  const c: MqttClient = await connect(w.svc.mqttPort, { username: id, password: secret });
  await c.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ ts: w.clock.now(), ...reading }), {
    qos: 1,
  });
  await closeClient(c);
  await new Promise((r) => setTimeout(r, 50));
}

export interface AlertRow {
  id: number;
  rule: string;
  severity: string;
  status: string;
  level: number;
  nextActionAt: number | null;
  checkIn: { result: string | null; via: string | null; until: number } | null;
  message: string;
}

export function alerts(w: World, rule = "inactivity"): AlertRow[] {
  const rows = w.svc.stores.db
    .prepare(
      `SELECT id, rule, severity, status, escalation_level AS level, next_action_at AS nextActionAt,
              checkin, evidence FROM alerts WHERE household_id = ? AND rule = ? ORDER BY id`,
    )
    .all(w.home.householdId, rule) as (Omit<AlertRow, "checkIn" | "message"> & {
    checkin: string | null;
    evidence: string;
  })[];
  return rows.map(({ checkin, evidence, ...r }) => ({
    ...r,
    checkIn: checkin ? (JSON.parse(checkin) as AlertRow["checkIn"]) : null,
    message: (JSON.parse(evidence) as { message: { en: string } }).message.en,
  }));
}

export function events(w: World, alertId: number): { action: string; actor: string }[] {
  return w.svc.stores.db
    .prepare("SELECT action, actor FROM alert_events WHERE alert_id = ? ORDER BY id")
    .all(alertId) as { action: string; actor: string }[];
}

/**
 * Some water is used, then the meter keeps reporting an unchanged register (nobody uses water) while
 * the clock runs on, an hour at a time, until the inactivity rule has raised its alert.
 */
export async function quietUntilInactivityAlert(w: World, maxHours = 14): Promise<AlertRow> {
  await publish(w, "meter", { kind: "water", totalLiters: 1000 });
  w.clock.advanceBy(60_000);
  await publish(w, "meter", { kind: "water", totalLiters: 1005 });
  for (let h = 0; h < maxHours; h++) {
    w.clock.advanceBy(3_600_000);
    await publish(w, "meter", { kind: "water", totalLiters: 1005 });
    const open = alerts(w).find((a) => a.status === "open");
    if (open) return open;
  }
  throw new Error("no inactivity alert");
}

export async function settle(ms = 300): Promise<void> {
  await waitUntil(() => true, ms);
  await new Promise((r) => setTimeout(r, ms));
}
