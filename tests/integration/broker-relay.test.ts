import { rmSync } from "node:fs";
import type { AedesPublishPacket } from "aedes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JinlinBroker } from "../../broker/create-broker.js";
import { openStores } from "../../cli/stores.js";
import { loadConfig } from "../../core/config.js";
import { hashSecret, newSecret } from "../../core/secrets.js";
import { startIngestBroker } from "../helpers/broker.js";
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
  let running: Awaited<ReturnType<typeof startIngestBroker>>;
  let broker: JinlinBroker;
  let port: number;

  beforeAll(async () => {
    running = await startIngestBroker(stores, logs.log);
    ({ broker, port } = running);
    broker.aedes.on("publish", (packet: AedesPublishPacket, client) => {
      if (client) relayed.push(packet.topic);
    });
  });
  afterAll(async () => {
    await running.close();
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
