import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningService, startService } from "../../cli/service.js";
import { openStores } from "../../cli/stores.js";
import type { Clock } from "../../core/clock.js";
import { loadConfig } from "../../core/config.js";
import type { DeviceKind } from "../../core/domain.js";
import { hashSecret, newSecret } from "../../core/secrets.js";
import { captureLogs } from "./log-sink.js";

export interface TestService extends RunningService {
  dataDir: string;
  logs: ReturnType<typeof captureLogs>;
  stores: ReturnType<typeof openStores>;
  /** Creates a household and a device through the store, as `jinlin household add` / `device add` do. */
  provision(
    kind: DeviceKind,
    options?: { householdId?: string; deviceId?: string },
  ): Promise<{ householdId: string; deviceId: string; secret: string }>;
  stop(): Promise<void>;
}

export function tempDir(prefix = "jinlin-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real service on free ports with its own temporary data directory. */
export async function startTestService(
  env: Record<string, string> = {},
  clock?: Clock,
): Promise<TestService> {
  const dataDir = env.JINLIN_DATA_DIR ?? tempDir();
  const config = loadConfig({
    JINLIN_MQTT_PORT: "0",
    JINLIN_HTTP_PORT: "0",
    JINLIN_BIND: "127.0.0.1",
    JINLIN_DATA_DIR: dataDir,
    JINLIN_SQLITE_SYNC: "normal",
    ...env,
  });
  const logs = captureLogs();
  const service = await startService(config, { log: logs.log, ...(clock ? { clock } : {}) });
  const stores = openStores(config);
  let seq = 0;
  return {
    ...service,
    dataDir,
    logs,
    stores,
    async provision(kind, options = {}) {
      const householdId =
        options.householdId ??
        stores.registry.addHousehold({
          resident: `Resident ${++seq}`,
          address: "1 Test Road",
          gridPath: "test/grid-1",
        }).id;
      const secret = newSecret();
      const device = stores.registry.addDevice({
        householdId,
        kind,
        secretHash: await hashSecret(secret),
        ...(options.deviceId ? { id: options.deviceId } : {}),
      });
      return { householdId, deviceId: device.id, secret };
    },
    async stop() {
      await service.close();
      stores.close();
      if (!env.JINLIN_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
