import { rmSync } from "node:fs";
import Database from "better-sqlite3";
import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import { run, sleep } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/service.js";
import { CLI, spawnService, waitExit } from "../helpers/service-proc.js";

// Issue 8 item 1: the real `jinlin serve` under load is killed -9 twenty times at seeded random moments.
// Afterwards the store must hold what the clients were told: every acknowledged reading once, every alert
// and audit event seen before a kill, every queued notification, no idempotency key twice.

const KILLS = 20;
// Readings numbered from round * PER_ROUND; a round never gets near the end of its range.
const PER_ROUND = 100_000;
const SEED = 0x1e1e;

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with the same kill moments. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function cli(env: Record<string, string>, ...args: string[]): Promise<Record<string, string>> {
  const r = await run(process.execPath, [CLI, ...args, "--json"], { env });
  if (r.code !== 0) throw new Error(`jinlin ${args.join(" ")} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, string>;
}

type Dev = { id: string; secret: string };

interface Press {
  ts: number;
  pressed: boolean;
}

/** An MQTT.js device in this process (the service is the separate process that gets killed). */
async function device(
  port: number,
  dev: Dev,
): Promise<{ client: mqtt.MqttClient; closed: Promise<"closed"> } | null> {
  const client = mqtt.connect({
    host: "127.0.0.1",
    port,
    username: dev.id,
    password: dev.secret,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 3000,
  });
  client.on("error", () => {});
  // The service may die during the handshake, and MQTT.js keeps an unacknowledged QoS 1 publish pending
  // after its socket died: every wait races with the close.
  const closed = new Promise<"closed">((resolve) => client.once("close", () => resolve("closed")));
  const up = new Promise<"up">((resolve) => client.once("connect", () => resolve("up")));
  if ((await Promise.race([up, closed])) === "up") return { client, closed };
  client.end(true);
  return null;
}

/** A water meter publishing numbered QoS 1 readings, 8 in flight, until its connection dies; returns those PUBACKed. */
async function meterLoad(
  port: number,
  dev: Dev,
  first: number,
  startTs: number,
  onAck: () => void,
): Promise<number[]> {
  const acked: number[] = [];
  const d = await device(port, dev);
  if (!d) return acked;
  let next = first;
  const worker = async () => {
    while (d.client.connected) {
      const i = next++;
      const body = JSON.stringify({ kind: "water", totalLiters: i, ts: startTs + i });
      const sent = d.client.publishAsync(`devices/${dev.id}/telemetry`, body, { qos: 1 }).then(
        () => "acked" as const,
        () => "closed" as const,
      );
      if ((await Promise.race([sent, d.closed])) !== "acked") return;
      acked.push(i);
      onAck();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  d.client.end(true);
  return acked;
}

/** A panic button pressing and cancelling until its connection dies; returns the presses that got a PUBACK. */
async function presser(port: number, dev: Dev, nextTs: () => number): Promise<Press[]> {
  const acked: Press[] = [];
  const d = await device(port, dev);
  if (!d) return acked;
  let pressed = true;
  while (d.client.connected) {
    const press = { ts: nextTs(), pressed };
    const body = JSON.stringify({ kind: "button", ...press });
    const sent = d.client.publishAsync(`devices/${dev.id}/telemetry`, body, { qos: 1 }).then(
      () => "acked" as const,
      () => "closed" as const,
    );
    if ((await Promise.race([sent, d.closed])) !== "acked") break;
    acked.push(press);
    pressed = !pressed;
    await sleep(15);
  }
  d.client.end(true);
  return acked;
}

interface Snapshot {
  alerts: Map<number, string>;
  events: Map<number, string>;
  notifications: Map<number, string>;
}

function snapshot(dataDir: string): Snapshot {
  const db = new Database(`${dataDir}/jinlin.db`);
  try {
    const rows = (sql: string) => db.prepare(sql).all() as Record<string, unknown>[];
    return {
      alerts: new Map(
        rows("SELECT id, household_id, rule, raised_at FROM alerts").map((r) => [
          r.id as number,
          JSON.stringify(r),
        ]),
      ),
      events: new Map(
        rows("SELECT id, alert_id, at, action, from_status, to_status FROM alert_events").map((r) => [
          r.id as number,
          JSON.stringify(r),
        ]),
      ),
      notifications: new Map(
        rows("SELECT id, idempotency_key, alert_id, recipient FROM notifications").map((r) => [
          r.id as number,
          JSON.stringify(r),
        ]),
      ),
    };
  } finally {
    db.close();
  }
}

function expectKept(earlier: Snapshot, later: Snapshot, round: number): void {
  for (const part of ["alerts", "events", "notifications"] as const)
    for (const [id, row] of earlier[part])
      expect(later[part].get(id), `${part} ${id} lost after kill ${round}`).toBe(row);
}

describe("crash consistency", () => {
  it(`keeps acknowledged readings, alerts, audit events and queued notifications through ${KILLS} kill -9s`, async () => {
    const dataDir = tempDir("jinlin-crash-");
    const env = {
      JINLIN_DATA_DIR: dataDir,
      JINLIN_SQLITE_SYNC: "full",
      JINLIN_LOG_LEVEL: "info", // spawnService waits for the "jinlin is running" info line
      // Nothing listens there: notifications stay queued in the outbox.
      JINLIN_SMTP_HOST: "127.0.0.1",
      JINLIN_SMTP_PORT: "9",
      JINLIN_SMTP_FROM: "jinlin@example.org",
    };
    const home = (
      await cli(env, "household", "add", "--resident", "Crash", "--address", "Road 1", "--grid", "t/crash")
    ).id!;
    await cli(
      env,
      "person",
      "add",
      "--name",
      "Worker",
      "--role",
      "worker",
      "--email",
      "w@example.org",
      "--grid",
      "t/crash",
    );
    const meters: Dev[] = [];
    for (let i = 0; i < 2; i++)
      meters.push(
        (await cli(env, "device", "add", "--household", home, "--kind", "water")) as unknown as Dev,
      );
    const button = (await cli(
      env,
      "device",
      "add",
      "--household",
      home,
      "--kind",
      "button",
    )) as unknown as Dev;

    const random = prng(SEED);
    const startTs = Date.now() - 3_600_000;
    let lastPress = Date.now() - 1_800_000;
    const nextPress = () =>
      (lastPress = Math.max(lastPress + 1, Date.now() - 1_800_000 + (lastPress % 1000)) + 1);
    const ackedReadings = new Map<string, Set<number>>(meters.map((m) => [m.id, new Set()]));
    const ackedPresses: Press[] = [];
    let seen: Snapshot | undefined;
    const killAfter: number[] = [];

    for (let round = 0; round < KILLS; round++) {
      const svc = await spawnService(env);
      // The kill comes a seeded random time after the first PUBACK, so every round kills under load.
      const delay = Math.round(random() * 250);
      killAfter.push(delay);
      let firstAck: () => void = () => {};
      const loaded = new Promise<void>((resolve) => {
        firstAck = resolve;
      });
      const loads = meters.map((m) => meterLoad(svc.mqttPort, m, round * PER_ROUND, startTs, firstAck));
      const presses = presser(svc.mqttPort, button, nextPress);
      await Promise.race([loaded, sleep(3000)]);
      await sleep(delay);
      svc.child.kill("SIGKILL");
      await waitExit(svc.child);
      const results = await Promise.all(loads);
      results.forEach((acked, i) => {
        for (const n of acked) ackedReadings.get(meters[i]!.id)!.add(n);
      });
      ackedPresses.push(...(await presses));
      const now = snapshot(dataDir);
      if (seen) expectKept(seen, now, round);
      seen = now;
    }

    // A last, clean start: recovery must not add, drop or duplicate anything.
    const svc = await spawnService(env);
    await sleep(300);
    svc.child.kill("SIGTERM");
    expect(await waitExit(svc.child)).toBe(0);
    const final = snapshot(dataDir);
    expectKept(seen!, final, KILLS);

    const db = new Database(`${dataDir}/jinlin.db`, { readonly: true });
    try {
      const all = <T>(sql: string, ...p: unknown[]) => db.prepare(sql).all(...p) as T[];
      // Every acknowledged reading exactly once.
      for (const m of meters) {
        const stored = all<{ liters: number }>(
          "SELECT json_extract(fields, '$.totalLiters') AS liters FROM readings WHERE device_id = ?",
          m.id,
        ).map((r) => r.liters);
        expect(new Set(stored).size, `duplicates for ${m.id}`).toBe(stored.length);
        const have = new Set(stored);
        const missing = [...ackedReadings.get(m.id)!].filter((n) => !have.has(n));
        expect(missing, `acknowledged readings of ${m.id} missing`).toEqual([]);
      }
      const presses = all<{ ts: number; n: number }>(
        "SELECT ts, count(*) AS n FROM readings WHERE device_id = ? GROUP BY ts",
        button.id,
      );
      const pressTs = new Map(presses.map((p) => [p.ts, p.n]));
      for (const p of ackedPresses) expect(pressTs.get(p.ts), `press at ${p.ts}`).toBe(1);

      // Every acknowledged press is covered by a panic alert open at that moment.
      const alerts = all<{ id: number; raised_at: number; closed_at: number | null; status: string }>(
        "SELECT id, raised_at, closed_at, status FROM alerts WHERE household_id = ? AND rule = 'panic' ORDER BY raised_at",
        home,
      );
      const uncovered = ackedPresses
        .filter((p) => p.pressed)
        .filter(
          (p) => !alerts.some((a) => a.raised_at <= p.ts && (a.closed_at === null || a.closed_at >= p.ts)),
        );
      expect(uncovered, "acknowledged panic presses without an alert").toEqual([]);

      // A press is one emergency: it raises one alert (and one set of e-mails), however often the service restarts.
      const twice = all<{ raised_at: number; n: number }>(
        "SELECT raised_at, count(*) AS n FROM alerts WHERE household_id = ? AND rule = 'panic' GROUP BY raised_at HAVING n > 1",
        home,
      );
      expect
        .soft(
          twice.length,
          `panic presses raised more than once (press ts: alerts) ${JSON.stringify(twice.slice(0, 5))}`,
        )
        .toBe(0);

      // Audit events: each alert has exactly one event per transition, and its last one matches its status.
      const events = all<{
        alert_id: number;
        action: string;
        from_status: string | null;
        to_status: string | null;
        n: number;
      }>(
        "SELECT alert_id, action, from_status, to_status, count(*) AS n FROM alert_events GROUP BY alert_id, action, from_status, to_status",
      );
      expect(
        events.filter((e) => e.n > 1 && e.from_status !== e.to_status),
        "duplicated transitions",
      ).toEqual([]);
      for (const a of alerts) {
        const trail = all<{ to_status: string | null }>(
          "SELECT to_status FROM alert_events WHERE alert_id = ? ORDER BY id",
          a.id,
        );
        expect(trail.length, `alert ${a.id} has no audit events`).toBeGreaterThan(0);
        const lastStatus = trail.filter((t) => t.to_status !== null).at(-1)?.to_status;
        expect(lastStatus, `alert ${a.id} status vs audit trail`).toBe(a.status);
      }

      // Queued notifications: one per idempotency key, and every raised alert has its notification.
      const keys = all<{ idempotency_key: string; n: number }>(
        "SELECT idempotency_key, count(*) AS n FROM notifications GROUP BY idempotency_key HAVING n > 1",
      );
      expect(keys).toEqual([]);
      const notified = new Set(
        all<{ alert_id: string | null }>("SELECT DISTINCT alert_id FROM notifications").map((r) =>
          String(r.alert_id),
        ),
      );
      const silent = alerts.filter((a) => !notified.has(String(a.id))).map((a) => a.id);
      expect(silent, "alerts whose notification was never queued").toEqual([]);

      const total = [...ackedReadings.values()].reduce((n, s) => n + s.size, 0);
      expect(total).toBeGreaterThan(KILLS * 10);
      expect(alerts.length).toBeGreaterThan(0);
      expect(final.notifications.size).toBeGreaterThan(0);
      process.stdout.write(
        `crash-consistency: ${KILLS} kills (after ${killAfter.join(",")} ms), ${total} acknowledged readings, ` +
          `${ackedPresses.length} acknowledged presses, ${alerts.length} panic alerts, ${final.events.size} audit events, ` +
          `${final.notifications.size} queued notifications\n`,
      );
    } finally {
      db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    // 20 service start-ups and kills: about a minute alone, several on a busy 2-core machine. The test
    // is about what survives a kill, not about speed (that is the benchmark's job).
  }, 300_000);
});
