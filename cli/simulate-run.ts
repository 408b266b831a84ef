import { writeFileSync } from "node:fs";
import { type Clock, clockReaches } from "../core/clock.js";
import { DEVICE_KINDS } from "../core/domain.js";
import type { Logger } from "../core/log.js";
import { createPublisher, type PublisherStats } from "../simulators/publisher.js";
import { planSimulation, type SimulationOptions, simulate } from "../simulators/run.js";
import { groundTruthNdjson } from "../simulators/scenarios.js";
import type { ProvisionInput } from "./commands/provision.js";
import type { ProvisionedHome } from "./provision-homes.js";

export interface SimulateRunOptions {
  url: string;
  simulation: SimulationOptions;
  gridPath: string;
  /** Simulated ms per wall ms while replaying the past; 0 replays it as fast as the broker takes it. */
  speed: number;
  groundTruthFile?: string;
  clock: Clock;
  /** Creates the homes and devices through the service's own provisioning, returning the secrets. */
  provision(homes: ProvisionInput): Promise<ProvisionedHome[]>;
  onProgress?(p: SimulateProgress): void;
  signal?: AbortSignal;
  log: Logger;
}

export interface SimulateProgress extends PublisherStats {
  homes: number;
  /** Readings in the telemetry messages handed to the publisher (a batch counts its readings). */
  readings: number;
  simTime: number;
  ratePerSecond: number;
}

/**
 * Drives a real Jinlin over MQTT with a simulated neighbourhood: provisions the homes, writes the ground
 * truth, replays the past (paced by `speed`) and then publishes each message when `clock` reaches its time.
 */
export async function runSimulate(o: SimulateRunOptions): Promise<SimulateProgress> {
  const plan = planSimulation(o.simulation);
  if (o.groundTruthFile) writeFileSync(o.groundTruthFile, groundTruthNdjson(plan.scenarios));
  const provisioned = await o.provision(
    plan.homes.map((h) => ({
      id: h.id,
      resident: `演示住户 ${h.id}`,
      address: `演示小区 ${h.index + 1} 号`,
      gridPath: o.gridPath,
      timezone: h.timezone,
      devices: DEVICE_KINDS.map((kind) => ({ id: h.devices[kind], kind })),
    })),
  );
  const secrets = new Map(provisioned.flatMap((h) => h.devices.map((d) => [d.id, d.secret] as const)));
  let simTime = plan.from;
  let readings = 0;
  const started = Date.now();
  const progress = (s: PublisherStats): SimulateProgress => ({
    ...s,
    homes: plan.homes.length,
    readings,
    simTime,
    ratePerSecond: Math.round(s.acked / Math.max(0.001, (Date.now() - started) / 1000)),
  });
  const publisher = createPublisher({
    url: o.url,
    credentials: (deviceId) => ({ username: deviceId, password: secrets.get(deviceId) ?? "" }),
    qos: 1,
    maxInFlight: 2_000,
    log: o.log,
    progressEvery: 500,
    onProgress: (s) => o.onProgress?.(progress(s)),
  });
  try {
    for (const m of simulate(plan)) {
      if (o.signal?.aborted) break;
      simTime = m.ts;
      if (m.ts > o.clock.now()) await clockReaches(o.clock, m.ts);
      else if (o.speed > 0) {
        const due = started + (m.ts - plan.from) / o.speed;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      }
      if (m.kind !== "status")
        readings += m.payload.startsWith("[") ? (JSON.parse(m.payload) as unknown[]).length : 1;
      await publisher.publish(m);
    }
    await publisher.flush();
  } finally {
    await publisher.close();
  }
  const final = progress(publisher.stats());
  o.onProgress?.(final);
  return final;
}

export function progressLine(p: SimulateProgress): string {
  const sim = new Date(p.simTime).toISOString().slice(0, 16).replace("T", " ");
  return `homes ${p.homes} · sent ${p.sent} · acked ${p.acked} · errors ${p.errors} · ${p.ratePerSecond}/s · PUBACK p50 ${p.latency.p50.toFixed(1)} ms p99 ${p.latency.p99.toFixed(1)} ms · sim ${sim} UTC`;
}
