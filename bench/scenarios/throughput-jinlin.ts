import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { newDataDir, provision, startJinlin } from "../lib/jinlin.js";
import { startLoad } from "../lib/load.js";
import type { PayloadSet } from "../lib/payloads.js";
import { splitByHome } from "../lib/payloads.js";
import { loadProgress, type Progress } from "../lib/progress.js";
import { percentile, rate } from "../lib/stats.js";

export interface ThroughputResult {
  system: string;
  readings: number;
  messages: number;
  elapsedMs: number;
  /** Readings per second at the system's completion point. */
  rate: number;
  pubackP50: number;
  pubackP99: number;
  note?: string;
  extra?: Record<string, number>;
}

export interface LoadShape {
  generators: number;
  window: number;
  maxMs: number;
}

/**
 * Jinlin end to end: devices connect and authenticate, every message is decoded, validated, committed
 * (fsync) and evaluated by the rules before its PUBACK. Completion point: the PUBACK. Afterwards the
 * store is checked: every acknowledged reading must be in it.
 */
export async function jinlinThroughput(
  set: PayloadSet,
  shape: LoadShape,
  progress: Progress,
  opts: {
    label: string;
    env?: Record<string, string>;
    execArgv?: string[];
    afterRun?: () => Promise<Record<string, number>>;
  },
): Promise<ThroughputResult & { dataDir: string }> {
  const dataDir = newDataDir("tp");
  progress.update("provisioning");
  const secrets = provision(dataDir, set.devices);
  const svc = await startJinlin(dataDir, opts.env, opts.execArgv);
  progress.update("connecting devices");
  const load = await startLoad({
    port: svc.port,
    generators: splitByHome(set.devices, shape.generators),
    secrets,
    window: shape.window,
    maxMs: shape.maxMs,
  });
  const load1 = loadavg()[0]!;
  const cpu0 = await svc.cpu();
  const res = await load.go(loadProgress(progress, set.readings));
  // CPU time per reading is the figure that survives a shared machine: the rate depends on how much of
  // the CPU the service got, its CPU cost per reading much less.
  const cpu1 = await svc.cpu();
  const cpuUs = cpu1.total - cpu0.total;
  const mainUs =
    cpu1.mainThread === null || cpu0.mainThread === null ? null : cpu1.mainThread - cpu0.mainThread;
  const extra = opts.afterRun ? await opts.afterRun() : {};
  await load.close();
  await svc.stop();
  const db = new Database(join(dataDir, "jinlin.db"), { readonly: true });
  const stored = (db.prepare("SELECT count(*) AS n FROM readings").get() as { n: number }).n;
  const state = db
    .prepare("SELECT count(*) AS homes, avg(length(state)) AS avg, max(length(state)) AS max FROM rule_state")
    .get() as {
    homes: number;
    avg: number;
    max: number;
  };
  db.close();
  if (stored < res.readings)
    throw new Error(`${opts.label}: ${res.readings} readings acknowledged, only ${stored} stored`);
  return {
    system: opts.label,
    readings: res.readings,
    messages: res.acked,
    elapsedMs: res.elapsedMs,
    rate: rate(res.readings, res.elapsedMs),
    pubackP50: percentile(res.latencies, 50),
    pubackP99: percentile(res.latencies, 99),
    extra: {
      stored,
      ruleStateHomes: state.homes,
      ruleStateAvgBytes: state.avg,
      ruleStateMaxBytes: state.max,
      load1,
      cpuUsPerReading: cpuUs / res.readings,
      ...(mainUs === null ? {} : { mainThreadCpuUsPerReading: mainUs / res.readings }),
      ...extra,
    },
    dataDir,
  };
}

export function diskUsage(dir: string): number {
  return Number(execFileSync("du", ["-sb", dir], { encoding: "utf8" }).split("\t")[0]);
}
