import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeviceKind } from "../../core/domain.js";
import { planSimulation, simulate } from "../../simulators/run.js";
import { ROOT } from "./proc.js";

/** One simulated device and everything it published, in order. */
export interface DeviceLoad {
  id: string;
  homeId: string;
  kind: DeviceKind;
  payloads: string[];
  counts: number[];
}

export interface PayloadSet {
  homes: string[];
  devices: DeviceLoad[];
  messages: number;
  readings: number;
  bytes: number;
  builtAt: number;
}

export type Mix = "single" | "batched";
/** An NB-IoT meter that reports every 15 min and sends 4 batches a day sends 24 readings at a time. */
export const BATCH = 24;

const CACHE = join(ROOT, "bench", ".cache");
/** Readings older than JINLIN_MAX_READING_AGE_DAYS (30) are refused: rebuild a set after a week. */
const MAX_CACHE_AGE_MS = 7 * 86_400_000;

/**
 * `homes` simulated households (simulators/run.ts: people's days, water, power, climate, door, motion,
 * heartbeats, 30 % NB-IoT water meters sending batches) over the `days` before an hour ago. Cached on
 * disk, so every system in a run gets the same bytes.
 */
export function payloadSet(homes: number, days: number, seed = "jinlin-bench"): PayloadSet {
  const file = join(CACHE, `payloads-${homes}h-${days}d-${seed}.json`);
  if (existsSync(file) && Date.now() - statSync(file).mtimeMs < MAX_CACHE_AGE_MS)
    return JSON.parse(readFileSync(file, "utf8")) as PayloadSet;
  const to = Date.now() - 3_600_000;
  const plan = planSimulation({ homes, from: to - days * 86_400_000, to, seed, nbiotShare: 0.3 });
  const byDevice = new Map<string, DeviceLoad>();
  let messages = 0;
  let readings = 0;
  let bytes = 0;
  for (const m of simulate(plan)) {
    if (m.kind === "status" || !m.topic.endsWith("/telemetry")) continue;
    let d = byDevice.get(m.deviceId);
    if (!d) {
      const kind = m.deviceId.slice(m.homeId.length + 1) as DeviceKind;
      d = { id: m.deviceId, homeId: m.homeId, kind, payloads: [], counts: [] };
      byDevice.set(m.deviceId, d);
    }
    const n = m.payload.startsWith("[") ? (JSON.parse(m.payload) as unknown[]).length : 1;
    d.payloads.push(m.payload);
    d.counts.push(n);
    messages++;
    readings += n;
    bytes += Buffer.byteLength(m.payload);
  }
  const set: PayloadSet = {
    homes: plan.homes.map((h) => h.id),
    devices: [...byDevice.values()],
    messages,
    readings,
    bytes,
    builtAt: Date.now(),
  };
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(file, JSON.stringify(set));
  return set;
}

/** The same readings; for "batched", each device's consecutive single readings go out 24 to a message. */
export function withMix(set: PayloadSet, mix: Mix): PayloadSet {
  if (mix === "single") return set;
  let messages = 0;
  let bytes = 0;
  const devices = set.devices.map((d) => {
    const payloads: string[] = [];
    const counts: number[] = [];
    let group: string[] = [];
    const flush = () => {
      if (group.length === 0) return;
      payloads.push(`[${group.join(",")}]`);
      counts.push(group.length);
      group = [];
    };
    d.payloads.forEach((p, i) => {
      if (d.counts[i] === 1 && !p.startsWith("[")) {
        group.push(p);
        if (group.length === BATCH) flush();
        return;
      }
      flush();
      payloads.push(p);
      counts.push(d.counts[i]!);
    });
    flush();
    messages += payloads.length;
    for (const p of payloads) bytes += Buffer.byteLength(p);
    return { ...d, payloads, counts };
  });
  return { ...set, devices, messages, bytes };
}

/** Whole homes to `n` generator processes, round robin, so each process's share is alike. */
export function splitByHome(devices: DeviceLoad[], n: number): DeviceLoad[][] {
  const homeIndex = new Map<string, number>();
  const out: DeviceLoad[][] = Array.from({ length: n }, () => []);
  for (const d of devices) {
    if (!homeIndex.has(d.homeId)) homeIndex.set(d.homeId, homeIndex.size);
    out[homeIndex.get(d.homeId)! % n]!.push(d);
  }
  return out;
}
