import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

    const r = await run(
      process.execPath,
      [
        CLI,
        "household",
        "erase",
        a.householdId,
        "--confirm",
        a.householdId,
        "--json",
        "--data-dir",
        svc.dataDir,
      ],
      { env: { ...ENV, JINLIN_INFLUX_URL: influx.url } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).deleted).not.toHaveProperty("influxFailed");
    expect(await points(a.householdId)).toBe(0);
    expect(await points(b.householdId)).toBe(3);
  });

  it("still erases SQLite when InfluxDB is down, and says the InfluxDB part failed", async () => {
    const a = await svc.provision("water");
    const r = await run(
      process.execPath,
      [
        CLI,
        "household",
        "erase",
        a.householdId,
        "--confirm",
        a.householdId,
        "--json",
        "--data-dir",
        svc.dataDir,
      ],
      { env: { ...ENV, JINLIN_INFLUX_URL: "http://127.0.0.1:9" } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).deleted).toMatchObject({ households: 1, influxFailed: 1 });
    expect(svc.stores.registry.getHousehold(a.householdId)).toBeUndefined();
  });
});
