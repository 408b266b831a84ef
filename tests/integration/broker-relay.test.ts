import { rmSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import type { AedesPublishPacket } from "aedes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBroker, type JinlinBroker } from "../../broker/create-broker.js";
import { openStores } from "../../cli/stores.js";
import { systemClock } from "../../core/clock.js";
import { loadConfig } from "../../core/config.js";
import { hashSecret, newSecret } from "../../core/secrets.js";
import { createGroupCommitter } from "../../ingest/group-commit.js";
import { createTelemetryIngest } from "../../ingest/telemetry-ingest.js";
import { captureLogs } from "../helpers/log-sink.js";
import { closeClient, connect, sleep } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/service.js";

/**
 * Telemetry ends in the broker's authorizePublish (stored, then PUBACK); Aedes's relay after the PUBACK is
 * skipped for it because nobody may receive it. Wills and status messages still go through Aedes.
 */
describe("the broker consumes telemetry instead of relaying it", () => {
  const dir = tempDir();
  const stores = openStores(loadConfig({ JINLIN_DATA_DIR: dir }));
  const logs = captureLogs("info");
  const relayed: string[] = [];
  let broker: JinlinBroker;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const committer = createGroupCommitter({ sink: stores.readings, windowMs: 2 });
    const ingest = createTelemetryIngest({
      committer,
      clock: systemClock,
      limits: loadConfig({}).limits,
      log: logs.log,
    });
    broker = await createBroker({ devices: stores.registry, telemetry: ingest, log: logs.log });
    broker.aedes.on("publish", (packet: AedesPublishPacket, client) => {
      if (client) relayed.push(packet.topic);
    });
    server = createServer(broker.handle);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await broker.close();
    await new Promise((r) => server.close(r));
    stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores telemetry, sends its PUBACK, relays nothing and keeps no retained copy, even when asked", async () => {
    const householdId = stores.registry.addHousehold({ resident: "R", address: "A", gridPath: "t/g" }).id;
    const secret = newSecret();
    const { id } = stores.registry.addDevice({
      householdId,
      kind: "water",
      secretHash: await hashSecret(secret),
    });
    const client = await connect(port, { username: id, password: secret });
    const telemetry = `devices/${id}/telemetry`;
    for (const [i, retain] of [false, true, false].entries())
      await client.publishAsync(telemetry, JSON.stringify({ kind: "water", totalLiters: 10 + i }), {
        qos: 1,
        retain,
      });
    await client.publishAsync(`devices/${id}/status`, "online", { qos: 1 });
    await sleep(100);

    expect(stores.readings.query({ deviceId: id }).map((r) => r.fields.totalLiters)).toEqual([10, 11, 12]);
    // Status still goes through Aedes's publish (and its `publish` event); telemetry never does.
    expect(relayed).toEqual([`devices/${id}/status`]);
    const retained: string[] = [];
    const aedes = broker.aedes as unknown as {
      persistence: { createRetainedStream(pattern: string): AsyncIterable<{ topic: string }> };
    };
    for await (const p of aedes.persistence.createRetainedStream("#")) retained.push(p.topic);
    expect(retained).not.toContain(telemetry);
    await closeClient(client);
  });
});
