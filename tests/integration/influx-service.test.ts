import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../dashboard/auth/passwords.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";
import { httpClient } from "../helpers/http-client.js";
import { type Influxd, startInfluxd, until } from "../helpers/influxd.js";
import { closeClient, connect, run } from "../helpers/mqtt.js";
import { startTestService, type TestService, tempDir } from "../helpers/service.js";
import { CLI } from "../helpers/service-proc.js";

let influx: Influxd;
const DB = "jinlin";
const dataDir = tempDir();
const running: TestService[] = [];

beforeAll(async () => {
  influx = await startInfluxd();
  await influx.createDatabase(DB);
});
afterAll(async () => {
  for (const s of running) await s.stop().catch(() => {});
  await influx.destroy();
});

async function start(influxOn = true) {
  const svc = await startTestService({
    JINLIN_DATA_DIR: dataDir,
    ...(influxOn
      ? {
          JINLIN_INFLUX_URL: influx.url,
          JINLIN_INFLUX_API: "v1",
          JINLIN_INFLUX_DATABASE: DB,
          JINLIN_INFLUX_FLUSH_MS: "200",
        }
      : {}),
  });
  running.push(svc);
  return svc;
}

async function stop(svc: TestService) {
  running.splice(running.indexOf(svc), 1);
  await svc.stop();
}

/** NB-IoT style: batches of readings, one per minute, with a register that grows 1 L a minute. */
async function publish(
  svc: TestService,
  dev: { deviceId: string; secret: string },
  first: number,
  count: number,
  t0: number,
) {
  const c = await connect(svc.mqttPort, { username: dev.deviceId, password: dev.secret });
  for (let i = first; i < first + count; i += 500) {
    const batch = Array.from({ length: Math.min(500, first + count - i) }, (_, j) => ({
      kind: "water",
      totalLiters: i + j,
      ts: t0 + (i + j) * 60_000,
    }));
    await c.publishAsync(`devices/${dev.deviceId}/telemetry`, JSON.stringify(batch), { qos: 1 });
  }
  await closeClient(c);
}

describe("Jinlin with InfluxDB", () => {
  it("forwards MQTT readings within 2 s, survives an outage and its own restart with no loss or duplicate, and both stores answer alike", async () => {
    let svc = await start();
    const meter = await svc.provision("water");
    const t0 = Date.now() - 20 * 86_400_000;
    const started = Date.now();
    await publish(svc, meter, 0, 100, t0);
    await until(
      async () => (await influx.count(DB, "water", "total_l")) === 100,
      2_000,
      "readings in InfluxDB within 2 s",
    );
    expect(Date.now() - started).toBeLessThan(4_000);

    // InfluxDB goes away; 10,000 more readings arrive; Jinlin restarts while it is still away.
    await influx.stop();
    await publish(svc, meter, 100, 10_000, t0);
    await stop(svc);
    svc = await start();
    await new Promise((r) => setTimeout(r, 1_000));
    await influx.start();
    await until(
      async () => (await influx.count(DB, "water", "total_l")) >= 10_100,
      30_000,
      "the backlog in InfluxDB",
    );
    expect(await influx.count(DB, "water", "total_l")).toBe(10_100);
    const outbox = await run(process.execPath, [CLI, "influx", "parked", "--json"], {
      env: { JINLIN_DATA_DIR: dataDir },
    });
    expect(JSON.parse(outbox.stdout)).toMatchObject({ parked: 0, waiting: 0, lines: [] });
    const tags = await influx.query(
      DB,
      `SELECT count("total_l") FROM "water" GROUP BY "device", "household"`,
    );
    expect(tags).toHaveLength(1);
    expect(tags[0]?.tags).toMatchObject({ device: meter.deviceId, household: meter.householdId });

    // The household's water history, hourly, from InfluxDB and from SQLite.
    const people = createPeopleStore(svc.stores.db, Date.now);
    await createAccount(
      {
        people,
        accounts: createAccountStore(svc.stores.db, Date.now),
        transaction: (fn) => svc.stores.db.transaction(fn)(),
      },
      { role: "operator", login: "operator", name: "Operator", password: "operator-password-1" },
    );
    const path = `/api/households/${meter.householdId}/water?from=${new Date(t0).toISOString()}&to=${new Date(t0 + 3 * 86_400_000).toISOString()}&every=1h`;
    const fromInflux = httpClient(`http://127.0.0.1:${svc.httpPort}`);
    await fromInflux.login("operator", "operator-password-1");
    const a = await fromInflux.request("GET", path);
    expect(a.status).toBe(200);
    await stop(svc);
    const sqliteOnly = await start(false);
    const fromSqlite = httpClient(`http://127.0.0.1:${sqliteOnly.httpPort}`);
    await fromSqlite.login("operator", "operator-password-1");
    const b = await fromSqlite.request("GET", path);
    expect(b.status).toBe(200);
    expect(a.body).toEqual(b.body);
    expect(JSON.stringify(a.body)).toContain("60");
  }, 120_000);
});
