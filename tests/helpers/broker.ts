import { type AddressInfo, createServer } from "node:net";
import { createBroker, type JinlinBroker } from "../../broker/create-broker.js";
import type { openStores } from "../../cli/stores.js";
import { systemClock } from "../../core/clock.js";
import { loadConfig } from "../../core/config.js";
import type { Logger } from "../../core/log.js";
import { createGroupCommitter } from "../../ingest/group-commit.js";
import { createTelemetryIngest } from "../../ingest/telemetry-ingest.js";

/**
 * Jinlin's broker and durable ingest alone, in this process, on a free port (no rules, no HTTP): for tests
 * that look inside Aedes or drive it harder than a whole service would let them.
 */
export async function startIngestBroker(
  stores: ReturnType<typeof openStores>,
  log: Logger,
): Promise<{ broker: JinlinBroker; port: number; close(): Promise<void> }> {
  const committer = createGroupCommitter({ sink: stores.readings, windowMs: 2 });
  const ingest = createTelemetryIngest({ committer, clock: systemClock, limits: loadConfig({}).limits, log });
  const broker = await createBroker({ devices: stores.registry, telemetry: ingest, log });
  const server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    broker,
    port: (server.address() as AddressInfo).port,
    async close() {
      await broker.close();
      await new Promise((r) => server.close(r));
    },
  };
}
