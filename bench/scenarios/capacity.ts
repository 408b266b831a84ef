import type { DeviceKind } from "../../core/domain.js";
import { newDataDir, provision, startJinlin } from "../lib/jinlin.js";
import { type LoadRun, startLoad } from "../lib/load.js";
import type { DeviceLoad } from "../lib/payloads.js";
import { sleep } from "../lib/proc.js";
import type { Progress } from "../lib/progress.js";

export interface CapacityPoint {
  devices: number;
  connected: number;
  rss: number;
  heapUsed: number;
  /** (RSS − RSS with no device) / connected, bytes. */
  rssPerDevice: number;
  heapPerDevice: number;
}

const KINDS: DeviceKind[] = ["water", "door", "motion", "power", "climate", "button"];
/** Connections per generator process: well under the 20,000 open files a process may have here. */
const PER_PROCESS = 4_000;

/**
 * RSS of the service per connected, authenticated, idle device (keepalive 300 s, a QoS 1 will, as
 * the simulators' devices connect). Steps are cumulative: 5,000, then 5,000 more, ...
 */
export async function capacity(
  steps: number[],
  progress: Progress,
): Promise<{ base: number; points: CapacityPoint[] }> {
  const max = Math.max(...steps);
  const devices: DeviceLoad[] = Array.from({ length: max }, (_, i) => {
    const home = `cap${String(Math.floor(i / 6)).padStart(5, "0")}`;
    return { id: `${home}-${KINDS[i % 6]}`, homeId: home, kind: KINDS[i % 6]!, payloads: [], counts: [] };
  });
  const dataDir = newDataDir("capacity");
  progress.update(`provisioning ${max.toLocaleString("en-US")} devices`);
  const secrets = provision(dataDir, devices);
  const svc = await startJinlin(dataDir);
  await sleep(1_000);
  const base = await svc.memory();
  const runs: LoadRun[] = [];
  const points: CapacityPoint[] = [];
  let connected = 0;
  let from = 0;
  try {
    for (const n of steps) {
      const slice = devices.slice(from, n);
      from = n;
      const groups: DeviceLoad[][] = [];
      for (let i = 0; i < slice.length; i += PER_PROCESS) groups.push(slice.slice(i, i + PER_PROCESS));
      progress.update(`connecting ${n.toLocaleString("en-US")} idle devices`);
      const run = await startLoad({
        port: svc.port,
        generators: groups,
        secrets,
        window: 1,
        maxMs: 600_000,
        idle: true,
      });
      runs.push(run);
      connected += run.connections;
      await sleep(2_000);
      const m = await svc.memory();
      points.push({
        devices: n,
        connected,
        rss: m.rss,
        heapUsed: m.heapUsed,
        rssPerDevice: (m.rss - base.rss) / connected,
        heapPerDevice: (m.heapUsed - base.heapUsed) / connected,
      });
    }
  } finally {
    for (const r of runs) await r.close();
    await svc.stop();
  }
  return { base: base.rss, points };
}
