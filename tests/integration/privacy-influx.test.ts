import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPEAT_DROP_MS } from "../../cli/privacy-api.js";
import { createManualClock } from "../../core/clock.js";
import { addAccount } from "../helpers/accounts.js";
import { httpClient } from "../helpers/http-client.js";
import { type Influxd, startInfluxd, until } from "../helpers/influxd.js";
import { closeClient, connect, run } from "../helpers/mqtt.js";
import { startTestService, type TestService } from "../helpers/service.js";
import { CLI } from "../helpers/service-proc.js";

/** An erase reaches InfluxDB too (a real influxd 1.x): the home's series go, the neighbour's stay. */
let influx: Influxd;
let svc: TestService;
const DB = "jinlin_erase";
const ENV = {
  JINLIN_INFLUX_API: "v1",
  JINLIN_INFLUX_DATABASE: DB,
  JINLIN_INFLUX_FLUSH_MS: "100",
};

beforeAll(async () => {
  influx = await startInfluxd();
  await influx.createDatabase(DB);
  svc = await startTestService({ ...ENV, JINLIN_INFLUX_URL: influx.url });
}, 60_000);
afterAll(async () => {
  await svc?.stop();
  await influx?.destroy();
});

/** `jinlin household erase <id> --confirm <id> --json`, as an operator runs it, with InfluxDB at `influxUrl`. */
const eraseByCli = (householdId: string, influxUrl: string) =>
  run(
    process.execPath,
    [CLI, "household", "erase", householdId, "--confirm", householdId, "--json", "--data-dir", svc.dataDir],
    { env: { ...ENV, JINLIN_INFLUX_URL: influxUrl } },
  );
const points = (home: string) => influx.count(DB, "water", "total_l", `"household" = '${home}'`);

describe("erase with InfluxDB forwarding", () => {
  it("drops the erased household's series and nothing else", async () => {
    const a = await svc.provision("water");
    const b = await svc.provision("water");
    for (const m of [a, b]) {
      const c = await connect(svc.mqttPort, { username: m.deviceId, password: m.secret });
      for (const l of [10, 12, 15])
        await c.publishAsync(
          `devices/${m.deviceId}/telemetry`,
          JSON.stringify({ kind: "water", totalLiters: l }),
          {
            qos: 1,
          },
        );
      await closeClient(c);
    }
    await until(async () => (await points(a.householdId)) === 3 && (await points(b.householdId)) === 3);
    // Hourly sums kept in a second retention policy (docs/influxdb.md) are that home's data too.
    await influx.query(DB, `CREATE RETENTION POLICY "forever" ON "${DB}" DURATION INF REPLICATION 1`);
    const hourly = (home: string) =>
      influx.count(DB, 'forever"."water_hourly', "consumed_l", `"household" = '${home}'`);
    for (const h of [a.householdId, b.householdId]) {
      const res = await fetch(`${influx.url}/write?db=${DB}&rp=forever&precision=ms`, {
        method: "POST",
        body: `water_hourly,household=${h} consumed_l=5 ${Date.now()}`,
      });
      expect(res.status).toBe(204);
    }
    expect(await hourly(a.householdId)).toBe(1);

    const r = await eraseByCli(a.householdId, influx.url);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).deleted).not.toHaveProperty("influxFailed");
    expect(await points(a.householdId)).toBe(0);
    expect(await points(b.householdId)).toBe(3);
    expect(await hourly(a.householdId)).toBe(0);
    expect(await hourly(b.householdId)).toBe(1);
  });

  it("still erases SQLite when InfluxDB is down, and says the InfluxDB part failed", async () => {
    const a = await svc.provision("water");
    const r = await eraseByCli(a.householdId, "http://127.0.0.1:9");
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).deleted).toMatchObject({ households: 1, influxFailed: 1 });
    expect(svc.stores.registry.getHousehold(a.householdId)).toBeUndefined();
  });

  it("repeats the DROP after a minute in the running service, for a batch that was in flight", async () => {
    const clock = createManualClock(Date.now());
    const live = await startTestService({ ...ENV, JINLIN_INFLUX_URL: influx.url }, clock);
    try {
      const a = await live.provision("water");
      const c = await connect(live.mqttPort, { username: a.deviceId, password: a.secret });
      await c.publishAsync(`devices/${a.deviceId}/telemetry`, '{"kind":"water","totalLiters":7}', { qos: 1 });
      await closeClient(c);
      await until(async () => {
        clock.advanceBy(200);
        return (await points(a.householdId)) === 1;
      });
      const op = await addAccount(live.stores.db, "operator", "op-influx");
      const http = httpClient(`http://127.0.0.1:${live.httpPort}`);
      expect((await http.login(op.login, op.password)).status).toBe(200);
      const res = await http.request("POST", `/api/households/${a.householdId}/erase`, {
        confirm: a.householdId,
      });
      expect(res.status).toBe(200);
      expect(await points(a.householdId)).toBe(0);
      // A write the forwarder had in flight lands after the first DROP…
      await influx.write(
        DB,
        `water,device=${a.deviceId},household=${a.householdId} total_l=7 ${clock.now()}`,
      );
      expect(await points(a.householdId)).toBe(1);
      // …and the second DROP, a minute later, removes it.
      clock.advanceBy(REPEAT_DROP_MS);
      await until(async () => (await points(a.householdId)) === 0, 10_000, "the second DROP SERIES");
    } finally {
      await live.stop();
    }
  });
});
