import { newDataDir, provision, startJinlin } from "../lib/jinlin.js";
import { startLoad } from "../lib/load.js";
import { type PayloadSet, splitByHome } from "../lib/payloads.js";
import { sleep } from "../lib/proc.js";
import type { Progress } from "../lib/progress.js";
import { percentile } from "../lib/stats.js";
import { epochNow } from "../load/job.js";
import { type RawClient, rawConnect } from "../load/raw-mqtt.js";
import type { ServiceMessage } from "../service-child.js";

export interface PanicResult {
  presses: number;
  alerts: number;
  backgroundRate: number;
  backgroundTarget: number;
  alertP50: number;
  alertP99: number;
  alertMax: number;
  pubackP50: number;
  pubackP99: number;
}

/**
 * Panic button → alert under background load: simulated homes send their readings at `rate`
 * readings/s (single readings, as simulated) while `presses` button devices are pressed one every
 * 50 ms. Latency: from the PUBLISH leaving the button's socket to the service's onAlert listener
 * reporting the committed "raised" alert (the service's live alert feed).
 */
export async function panicLatency(
  set: PayloadSet,
  rate: number,
  presses: number,
  progress: Progress,
): Promise<PanicResult> {
  const dataDir = newDataDir("panic");
  progress.update("provisioning");
  const secrets = provision(dataDir, set.devices);
  const svc = await startJinlin(dataDir);
  const buttons = set.devices.filter((d) => d.kind === "button").slice(0, presses);
  const background = set.devices.filter((d) => d.kind !== "button");
  const raised = new Map<string, number>();
  svc.child.on("message", (m: ServiceMessage) => {
    if (m.type === "alert" && m.rule === "panic" && m.news === "raised" && !raised.has(m.householdId))
      raised.set(m.householdId, m.at);
  });
  const clients: { home: string; client: RawClient; topic: Buffer }[] = [];
  for (const b of buttons) {
    const client = await rawConnect({
      host: "127.0.0.1",
      port: svc.port,
      clientId: b.id,
      username: b.id,
      password: secrets.get(b.id)!,
      keepaliveS: 300,
    });
    clients.push({ home: b.homeId, client, topic: Buffer.from(`devices/${b.id}/telemetry`) });
  }
  progress.update("connecting background devices");
  const load = await startLoad({
    port: svc.port,
    generators: splitByHome(background, 3),
    secrets,
    window: 4,
    rate,
    maxMs: 15_000 + presses * 50,
  });
  const bg = load.go((_, r) =>
    progress.update(`background ${r.toLocaleString("en-US")} readings, ${raised.size}/${presses} alerts`),
  );
  await sleep(3_000);
  const sentAt = new Map<string, number>();
  const pubacks: number[] = [];
  for (const c of clients) {
    const payload = Buffer.from(
      JSON.stringify({ kind: "button", pressed: true, ts: new Date().toISOString() }),
    );
    const t0 = epochNow();
    sentAt.set(c.home, t0);
    c.client.publish(c.topic, payload, () => pubacks.push(epochNow() - t0));
    await sleep(50);
  }
  const res = await bg;
  const deadline = Date.now() + 10_000;
  while (raised.size < presses && Date.now() < deadline) await sleep(50);
  await load.close();
  for (const c of clients) c.client.close();
  await svc.stop();
  const lat = [...sentAt].flatMap(([home, t0]) => (raised.has(home) ? [raised.get(home)! - t0] : []));
  return {
    presses: clients.length,
    alerts: lat.length,
    backgroundRate: (res.readings * 1000) / res.elapsedMs,
    backgroundTarget: rate,
    alertP50: percentile(lat, 50),
    alertP99: percentile(lat, 99),
    alertMax: Math.max(...lat),
    pubackP50: percentile(pubacks, 50),
    pubackP99: percentile(pubacks, 99),
  };
}
