import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createManualClock, type ManualClock } from "../../core/clock.js";
import { openDatabase, storePath } from "../../storage/sqlite/open.js";
import { createReadingStore } from "../../storage/sqlite/readings.js";
import { createRegistry } from "../../storage/sqlite/registry.js";
import { createRetention } from "../../storage/sqlite/retention.js";
import { closeClient, connect, run, waitUntil } from "../helpers/mqtt.js";
import { startTestService, type TestService, tempDir } from "../helpers/service.js";
import { CLI } from "../helpers/service-proc.js";

const DAY = 86_400_000;
const T0 = Date.parse("2026-01-05T02:00:00Z");

let clock: ManualClock;
let svc: TestService;

const count = (sql: string, ...params: unknown[]) =>
  (svc.stores.db.prepare(sql).get(...params) as { n: number }).n;

function oldRows(at: number, tag: string) {
  const db = svc.stores.db;
  db.prepare(
    "INSERT INTO audit_log (at, actor, action, household_id, what, detail) VALUES (?, 'op', 'view', NULL, ?, NULL)",
  ).run(at, `GET ${tag}`);
  for (const status of ["sent", "parked"])
    db.prepare(
      `INSERT INTO notifications (idempotency_key, channel, recipient, language, audience, template, data, status,
         due_at, next_attempt_at, created_at, updated_at, sent_at)
       VALUES (?, 'email', 'x@example.org', 'en', 'family', 't', '{}', ?, ?, ?, ?, ?, ?)`,
    ).run(`${tag}-${status}`, status, at, at, at, at, status === "sent" ? at : null);
}

async function publishMotion(port: number, device: { deviceId: string; secret: string }, n: number) {
  const c = await connect(port, { username: device.deviceId, password: device.secret });
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      c.publishAsync(
        `devices/${device.deviceId}/telemetry`,
        JSON.stringify({
          kind: "motion",
          detected: true,
          ts: new Date(clock.now() - i * 1000).toISOString(),
        }),
        { qos: 1 },
      ),
    ),
  );
  await closeClient(c);
}

beforeAll(async () => {
  clock = createManualClock(T0);
  svc = await startTestService(
    {
      JINLIN_MAX_READING_AGE_DAYS: "1",
      JINLIN_RETENTION_READINGS_DAYS: "2",
      JINLIN_RETENTION_ALERTS_DAYS: "90",
      JINLIN_RETENTION_AUDIT_DAYS: "180",
      JINLIN_RETENTION_NOTIFICATIONS_DAYS: "7",
    },
    clock,
  );
});
afterAll(async () => svc?.stop());

/** A store of its own with one household, outside any service. */
function storeWithHome() {
  const dir = tempDir("jinlin-retention-");
  const db = openDatabase(storePath(dir), { sync: "normal" });
  const registry = createRegistry(db, () => T0);
  const readings = createReadingStore(db, registry.touchDevices);
  const h = registry.addHousehold({ resident: "R", address: "1 Road", gridPath: "t/g" });
  return { dir, db, registry, readings, h };
}

describe("automatic retention in the running service", () => {
  it("deletes old readings, delivered notifications and expired sessions once a day while ingest goes on", async () => {
    // Day 0: a home with 20,000 readings (stored before its rules ever ran: they replay them on first use)
    // and a motion sensor over MQTT; delivered and parked notifications; an expired session.
    const motion = await svc.provision("motion");
    const home = motion.householdId;
    svc.stores.readings.append(
      Array.from({ length: 20_000 }, (_, i) => ({
        reading: {
          deviceId: motion.deviceId,
          kind: "motion" as const,
          ts: T0 - 30_000_000 + i * 1000,
          fields: { detected: true },
        },
        householdId: home,
        receivedAt: T0,
      })),
    );
    await publishMotion(svc.mqttPort, motion, 10);
    // A second home whose readings are stored but not yet folded into its rule state (no rule_state row:
    // its rules would replay them from the start after a restart): retention must leave them.
    const held = await svc.provision("motion");
    svc.stores.readings.append(
      Array.from({ length: 5 }, (_, i) => ({
        reading: {
          deviceId: held.deviceId,
          kind: "motion" as const,
          ts: T0 - i * 1000,
          fields: { detected: true },
        },
        householdId: held.householdId,
        receivedAt: T0,
      })),
    );
    oldRows(T0, "old");
    svc.stores.db
      .prepare(
        "INSERT INTO sessions (id_hash, person_id, created_at, last_seen_at, expires_at) SELECT ?, id, ?, ?, ? FROM people LIMIT 1",
      )
      .run(Buffer.from("old-session"), T0, T0, T0 + DAY);
    expect(count("SELECT count(*) AS n FROM readings WHERE household_id = ?", home)).toBe(20_010);

    // Ten days later: recent readings and notifications.
    clock.advanceBy(10 * DAY);
    await publishMotion(svc.mqttPort, motion, 10);
    oldRows(clock.now(), "recent");

    // The daily run comes due; the device keeps publishing (QoS 1) while it deletes in small transactions.
    const runs = () => svc.logs.lines().filter((l) => l.msg === "retention run done");
    const before = runs().length;
    clock.advanceBy(DAY + 60_000);
    await publishMotion(svc.mqttPort, motion, 20);
    await waitUntil(() => runs().length > before, 20_000, "the retention run");
    const done = runs().at(-1) as { deleted: Record<string, number>; readingsHeldBack: number };

    expect(done.deleted.readings).toBe(20_010);
    expect(count("SELECT count(*) AS n FROM readings WHERE household_id = ?", home)).toBe(30);
    expect(count("SELECT count(*) AS n FROM readings WHERE ts < ?", T0 + DAY)).toBe(5);
    expect(done.readingsHeldBack).toBe(5);
    expect(count("SELECT count(*) AS n FROM readings WHERE household_id = ?", held.householdId)).toBe(5);
    expect(count("SELECT count(*) AS n FROM notifications WHERE idempotency_key = 'old-sent'")).toBe(0);
    // Parked notifications wait for an operator whatever their age; recent delivered ones stay.
    expect(
      count("SELECT count(*) AS n FROM notifications WHERE idempotency_key IN ('old-parked', 'recent-sent')"),
    ).toBe(2);
    expect(count("SELECT count(*) AS n FROM sessions WHERE expires_at < ?", clock.now())).toBe(0);
    // Within its own retention (180 days): the audit entry stays.
    expect(count("SELECT count(*) AS n FROM audit_log WHERE what = 'GET old'")).toBe(1);
    // And the next day's run is armed.
    expect(clock.pendingTimers()).toBeGreaterThan(0);
  });
});

describe("retention of closed alerts and the audit log", () => {
  it("deletes closed alerts with their events and old audit entries, keeps open alerts and recent rows", async () => {
    const { db, h } = storeWithHome();
    const NOW = T0 + 200 * DAY;
    const alert = (status: string, at: number, closed: number | null) => {
      const id = Number(
        db
          .prepare(
            `INSERT INTO alerts (household_id, rule, severity, status, raised_at, created_at, updated_at, closed_at, evidence)
             VALUES (?, 'panic', 'critical', ?, ?, ?, ?, ?, '{}')`,
          )
          .run(h.id, status, at, at, at, closed).lastInsertRowid,
      );
      db.prepare(
        "INSERT INTO alert_events (alert_id, at, actor, action, from_status, to_status) VALUES (?, ?, 'rules', 'raise', NULL, 'open')",
      ).run(id, at);
      return id;
    };
    const oldResolved = alert("resolved", T0, T0 + 3_600_000);
    const oldCleared = alert("cleared", T0 + DAY, T0 + DAY);
    const oldOpen = alert("open", T0, null);
    const recentResolved = alert("resolved", NOW - 10 * DAY, NOW - 10 * DAY);
    const audit = db.prepare(
      "INSERT INTO audit_log (at, actor, action, household_id, what) VALUES (?, 'op', 'view', ?, ?)",
    );
    audit.run(T0, h.id, "old");
    audit.run(NOW - 100 * DAY, h.id, "recent");
    const retention = createRetention(db, {
      retention: { readingsDays: 400, alertsDays: 90, auditDays: 180, notificationsDays: 7 },
      influxForwarding: false,
    });
    const report = await retention.run(NOW);
    expect(report.deleted).toMatchObject({ alerts: 2, alertEvents: 2, auditEntries: 1 });
    const ids = (db.prepare("SELECT id FROM alerts ORDER BY id").all() as { id: number }[]).map((a) => a.id);
    expect(ids).toEqual([oldOpen, recentResolved]);
    expect(
      db
        .prepare("SELECT count(*) AS n FROM alert_events WHERE alert_id IN (?, ?)")
        .get(oldResolved, oldCleared),
    ).toEqual({ n: 0 });
    expect(db.prepare("SELECT what FROM audit_log").all()).toEqual([{ what: "recent" }]);
    // Outside a retention run the append-only tables stay append-only.
    expect(() => db.prepare("DELETE FROM audit_log").run()).toThrow(/append-only/);
    expect(() => db.prepare("DELETE FROM alert_events").run()).toThrow(/append-only/);
    db.close();
  });
});

describe("retention beside InfluxDB forwarding", () => {
  it("keeps old readings the forwarder's cursor has not passed, and yields between small batches", async () => {
    const { db, registry, readings, h } = storeWithHome();
    registry.addDevice({ householdId: h.id, kind: "power", id: "p-1", secretHash: "x" });
    readings.append(
      Array.from({ length: 1_000 }, (_, i) => ({
        reading: { deviceId: "p-1", kind: "power" as const, ts: T0 + i * 1000, fields: { watts: i } },
        householdId: h.id,
        receivedAt: T0,
      })),
    );
    db.prepare(
      "INSERT INTO rule_state (household_id, state, last_reading_id, updated_at) VALUES (?, '{}', 1000, ?)",
    ).run(h.id, T0);
    db.prepare("INSERT INTO influx_cursor (id, last_id, updated_at) VALUES (1, 600, ?)").run(T0);
    let pauses = 0;
    const retention = createRetention(db, {
      retention: { readingsDays: 40, alertsDays: 90, auditDays: 180, notificationsDays: 7 },
      influxForwarding: true,
      batchSize: 100,
      pause: async () => {
        pauses++;
      },
    });
    const report = await retention.run(T0 + 41 * DAY);
    expect(report.deleted.readings).toBe(600);
    expect(report.readingsHeldBack).toBe(400);
    expect(pauses).toBe(7); // after each of the 6 full batches of 100, and after the home
    expect((db.prepare("SELECT min(id) AS n FROM readings").get() as { n: number }).n).toBe(601);
    db.close();
  });
});

describe("jinlin retention run", () => {
  it("deletes on demand and reports what it deleted as JSON", async () => {
    const { dir, db, registry, readings, h } = storeWithHome();
    registry.addDevice({ householdId: h.id, kind: "water", id: "w-cli", secretHash: "x" });
    const now = Date.now();
    readings.append(
      [now - 500 * DAY, now - 450 * DAY, now - DAY].map((ts, i) => ({
        reading: { deviceId: "w-cli", kind: "water" as const, ts, fields: { totalLiters: i } },
        householdId: h.id,
        receivedAt: ts,
      })),
    );
    db.prepare(
      "INSERT INTO rule_state (household_id, state, last_reading_id, updated_at) VALUES (?, '{}', 3, ?)",
    ).run(h.id, now);
    db.close();
    const r = await run(process.execPath, [CLI, "retention", "run", "--json", "--data-dir", dir]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { deleted: Record<string, number>; readingsHeldBack: number };
    expect(report.deleted).toMatchObject({ readings: 2, alerts: 0, auditEntries: 0 });
    expect(report.readingsHeldBack).toBe(0);
    const after = openDatabase(storePath(dir), { sync: "normal" });
    expect(after.prepare("SELECT ts FROM readings").pluck().all()).toEqual([now - DAY]);
    after.close();
  });
});
