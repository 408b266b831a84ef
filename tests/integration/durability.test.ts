import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { run } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/service.js";
import { CLI, spawnService, waitExit } from "../helpers/service-proc.js";

const PUBLISHER = fileURLToPath(new URL("../helpers/publisher-proc.mjs", import.meta.url));

async function provision(dataDir: string): Promise<{ id: string; secret: string }> {
  const env = { JINLIN_DATA_DIR: dataDir };
  const h = await run(
    process.execPath,
    [CLI, "household", "add", "--resident", "Test", "--address", "Road 1", "--grid", "t/g1", "--json"],
    { env },
  );
  const householdId = (JSON.parse(h.stdout) as { id: string }).id;
  const d = await run(
    process.execPath,
    [CLI, "device", "add", "--household", householdId, "--kind", "water", "--json"],
    { env },
  );
  return JSON.parse(d.stdout) as { id: string; secret: string };
}

/** Publishes from a separate process and kills the service with SIGKILL once `killAfter` PUBACKs arrived. */
function publishAndKill(
  port: number,
  dev: { id: string; secret: string },
  count: number,
  killAfter: number,
  startTs: number,
  kill: () => void,
) {
  return new Promise<Set<number>>((resolve) => {
    const acked = new Set<number>();
    const pub = spawn(process.execPath, [
      PUBLISHER,
      String(port),
      dev.id,
      dev.secret,
      "0",
      String(count),
      String(startTs),
    ]);
    let buf = "";
    pub.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split("\n");
      buf = lines.pop() ?? "";
      for (const l of lines) {
        if (!l.startsWith("ack ")) continue;
        acked.add(Number(l.slice(4)));
        if (acked.size === killAfter) kill();
      }
    });
    pub.on("exit", () => resolve(acked));
  });
}

async function storedRegisters(dataDir: string, deviceId: string): Promise<number[]> {
  const r = await run(
    process.execPath,
    [CLI, "readings", "--device", deviceId, "--limit", "100000", "--json"],
    { env: { JINLIN_DATA_DIR: dataDir } },
  );
  return (JSON.parse(r.stdout) as { totalLiters: number }[]).map((x) => x.totalLiters);
}

describe("durability", () => {
  it.each([
    ["right after the last PUBACK", 1500, 1500],
    ["in the middle of the stream", 3000, 1234],
  ])(
    "keeps every acknowledged reading, once, when the service is killed -9 %s",
    async (_when, count, killAfter) => {
      const dataDir = tempDir();
      const dev = await provision(dataDir);
      const env = { JINLIN_DATA_DIR: dataDir, JINLIN_SQLITE_SYNC: "full", JINLIN_LOG_LEVEL: "info" };
      const svc = await spawnService(env);
      const startTs = Date.now() - 3_600_000;
      const acked = await publishAndKill(svc.mqttPort, dev, count, killAfter, startTs, () =>
        svc.child.kill("SIGKILL"),
      );
      await waitExit(svc.child);
      expect(acked.size).toBeGreaterThanOrEqual(killAfter);

      const after = await storedRegisters(dataDir, dev.id);
      expect(new Set(after).size).toBe(after.length); // none twice
      for (const i of acked) expect(after).toContain(i);

      // The device redelivers what was not acknowledged; the restarted service stores each reading once.
      const again = await spawnService(env);
      const redelivered = await publishAndKill(again.mqttPort, dev, count, -1, startTs, () => {});
      expect(redelivered.size).toBe(count);
      again.child.kill("SIGTERM");
      expect(await waitExit(again.child)).toBe(0);
      const final = await storedRegisters(dataDir, dev.id);
      expect(final).toEqual(Array.from({ length: count }, (_, i) => i));
    },
    60_000,
  );
});
