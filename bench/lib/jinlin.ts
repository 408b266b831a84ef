import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServiceCommand, ServiceMessage } from "../service-child.js";
import type { DeviceLoad } from "./payloads.js";
import { exited, forkBench, nextMessage, ROOT } from "./proc.js";

export interface JinlinInstance {
  child: ChildProcess;
  port: number;
  dataDir: string;
  memory(): Promise<{ rss: number; heapUsed: number; external: number }>;
  /** The service process's CPU time so far, µs (user + system): all threads, and its main thread's alone. */
  cpu(): Promise<{ total: number; mainThread: number | null }>;
  stop(): Promise<void>;
}

/** Households and devices through `jinlin provision --file -`, the bulk path the simulators use. */
export function provision(dataDir: string, devices: DeviceLoad[]): Map<string, string> {
  const homes = new Map<string, { id: string; kind: string }[]>();
  for (const d of devices) {
    const list = homes.get(d.homeId) ?? [];
    list.push({ id: d.id, kind: d.kind });
    homes.set(d.homeId, list);
  }
  const input = [...homes].map(([id, devs], i) => ({
    id,
    resident: `Bench Resident ${i}`,
    address: `${i} Bench Road`,
    gridPath: `bench/district/street/grid-${i % 50}`,
    devices: devs,
  }));
  const out = spawnSync(
    process.execPath,
    [join(ROOT, "dist", "cli", "main.js"), "provision", "--file", "-"],
    {
      input: JSON.stringify(input),
      env: { ...process.env, JINLIN_DATA_DIR: dataDir, JINLIN_LOG_LEVEL: "error" },
      maxBuffer: 256 * 1024 * 1024,
      encoding: "utf8",
    },
  );
  if (out.status !== 0) throw new Error(`provision failed: ${out.stderr}`);
  const secrets = new Map<string, string>();
  for (const h of JSON.parse(out.stdout) as { devices: { id: string; secret: string }[] }[])
    for (const d of h.devices) secrets.set(d.id, d.secret);
  return secrets;
}

const dataDirs: string[] = [];
// Data directories of a run hold hundreds of MB of readings: gone when the bench ends.
process.once("exit", () => {
  for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
});

export function newDataDir(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `jinlin-bench-${tag}-`));
  dataDirs.push(dir);
  return dir;
}

/** The service in its own process (bench/service-child.ts), as `jinlin serve` would run it. */
export async function startJinlin(
  dataDir: string,
  env: Record<string, string> = {},
  execArgv: string[] = [],
): Promise<JinlinInstance> {
  const child = forkBench("service-child.js", [], {
    env: {
      ...process.env,
      JINLIN_DATA_DIR: dataDir,
      JINLIN_MQTT_PORT: "0",
      JINLIN_HTTP_PORT: "0",
      JINLIN_BIND: "127.0.0.1",
      JINLIN_LOG_LEVEL: "error",
      // Every simulated device dials from 127.0.0.1: the per-address limits meant for one NAT'd
      // neighbourhood would refuse the bench's thousands of devices.
      JINLIN_MQTT_MAX_PENDING_PER_ADDRESS: "0",
      JINLIN_MQTT_MAX_CONNECTIONS_PER_ADDRESS: "0",
      ...env,
    },
    execArgv: ["--expose-gc", ...execArgv],
  });
  const port = await nextMessage<ServiceMessage, number>(
    child,
    (m) => (m.type === "ready" ? m.mqttPort : undefined),
    60_000,
    "jinlin start",
  );
  const ask = (c: ServiceCommand) => child.send(c);
  return {
    child,
    port,
    dataDir,
    memory() {
      const p = nextMessage<ServiceMessage, { rss: number; heapUsed: number; external: number }>(
        child,
        (m) => (m.type === "memory" ? m : undefined),
        20_000,
        "jinlin memory",
      );
      ask({ type: "memory" });
      return p;
    },
    cpu() {
      const p = nextMessage<ServiceMessage, { total: number; mainThread: number | null }>(
        child,
        (m) => (m.type === "cpu" ? { total: m.user + m.system, mainThread: m.mainThread } : undefined),
        20_000,
        "jinlin cpu",
      );
      ask({ type: "cpu" });
      return p;
    },
    async stop() {
      if (child.exitCode !== null) return;
      ask({ type: "stop" });
      await exited(child, 30_000);
    },
  };
}
