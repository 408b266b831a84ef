import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startInfluxd } from "../../tests/helpers/influxd.js";
import { type Mix, type PayloadSet, withMix } from "../lib/payloads.js";
import { forkBench, nextMessage, ROOT, sleep } from "../lib/proc.js";
import type { Progress } from "../lib/progress.js";
import { percentile } from "../lib/stats.js";
import { summariseProfile } from "../profile-summary.js";
import type { InprocResult } from "./inproc-child.js";
import { jinlinThroughput, type LoadShape, type ThroughputResult } from "./throughput-jinlin.js";
import { diyPipeline, influxCount, mosquittoRelay, nodeRedPipeline } from "./throughput-peers.js";

const JOBS = join(ROOT, "bench", ".cache", "jobs");

export interface InprocSummary {
  mix: Mix | "timers";
  sync: string;
  rate: number;
  readings: number;
  commits: number;
  timers?: { count: number; scheduleMs: number; p50: number; p99: number; max: number; busy: boolean };
}

/** The machine's limit (no network) and the deadline timers, each in a fresh process. */
export async function inproc(
  set: PayloadSet,
  mix: Mix | "timers",
  progress: Progress,
  withTimers = false,
): Promise<InprocSummary> {
  mkdirSync(JOBS, { recursive: true });
  const file = join(JOBS, `set-${mix}-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(mix === "timers" ? { ...set, devices: [] } : withMix(set, mix)));
  const mode = mix === "timers" ? "timers" : withTimers ? "both" : "ingest";
  progress.update(mode === "timers" ? "100,000 deadlines on an idle process" : `decode + commit, ${mix}`);
  const child = forkBench("scenarios/inproc-child.js", [file, mode, "full"]);
  const r = await nextMessage<{ type: string; result: InprocResult }, InprocResult>(
    child,
    (m) => (m.type === "done" ? m.result : undefined),
    300_000,
    "in-process run",
  );
  return {
    mix,
    sync: "full",
    rate: r.elapsedMs > 0 ? (r.readings * 1000) / r.elapsedMs : 0,
    readings: r.readings,
    commits: r.commits,
    ...(r.timers
      ? {
          timers: {
            count: r.timers.count,
            scheduleMs: r.timers.scheduleMs,
            p50: percentile(r.timers.lateness, 50),
            p99: percentile(r.timers.lateness, 99),
            max: Math.max(...r.timers.lateness),
            busy: mode === "both",
          },
        }
      : {}),
  };
}

export interface ThroughputSuite {
  results: (ThroughputResult & { mix: Mix })[];
  nodeRedSkipped: string | null;
  profile: { name: string; where: string; share: number }[] | null;
}

/** Every system on the same payloads, one after the other, for each mix. */
export async function throughputSuite(
  set: PayloadSet,
  mixes: Mix[],
  shapes: Record<Mix, LoadShape>,
  progress: Progress,
  opts: { nodeRed: string | null; withPeers: boolean; influx: boolean; profile: boolean; systems?: string[] },
): Promise<ThroughputSuite> {
  const results: (ThroughputResult & { mix: Mix })[] = [];
  const influx = opts.influx || (opts.withPeers && opts.nodeRed === null) ? await startInfluxd() : null;
  let profile: ThroughputSuite["profile"] = null;
  try {
    for (const mix of mixes) {
      const s = withMix(set, mix);
      const shape = shapes[mix];
      progress.step(`Jinlin, ${mix} (${s.messages.toLocaleString("en-US")} messages)`);
      results.push({
        mix,
        ...(await jinlinThroughput(s, shape, progress, { label: "Jinlin (durable, rules)" })),
      });
      await sleep(1_000);
      if (influx) {
        progress.step(`Jinlin + InfluxDB forwarder, ${mix}`);
        const db = `jinlin_${mix}_${Date.now()}`;
        await influx.createDatabase(db);
        let lastAck = 0;
        const r = await jinlinThroughput(s, shape, progress, {
          label: "Jinlin + InfluxDB forwarder",
          env: { JINLIN_INFLUX_URL: influx.url, JINLIN_INFLUX_API: "v1", JINLIN_INFLUX_DATABASE: db },
          async afterRun() {
            // How long after the last PUBACK InfluxDB holds every reading (the outbox drained).
            lastAck = performance.timeOrigin + performance.now();
            const deadline = Date.now() + 120_000;
            let n = 0;
            while (Date.now() < deadline) {
              n = await influxCount(influx, db);
              progress.update(
                `InfluxDB holds ${n.toLocaleString("en-US")}/${s.readings.toLocaleString("en-US")}`,
              );
              if (n >= s.readings) break;
              await sleep(250);
            }
            return { influxReadings: n, influxDrainMs: performance.timeOrigin + performance.now() - lastAck };
          },
        });
        results.push({ mix, ...r });
        await sleep(1_000);
      }
      if (opts.withPeers) {
        progress.step(`Mosquitto relay, ${mix}`);
        results.push({ mix, ...(await mosquittoRelay(s, shape, progress)) });
        await sleep(1_000);
        progress.step(`DIY pipeline, ${mix}`);
        results.push({ mix, ...(await diyPipeline(s, shape, progress)) });
        await sleep(1_000);
        if (influx && opts.nodeRed === null) {
          progress.step(`Node-RED, ${mix}`);
          results.push({ mix, ...(await nodeRedPipeline(s, { ...shape, maxMs: 45_000 }, progress, influx)) });
          await sleep(1_000);
        }
      }
      if (opts.profile && mix === "single") {
        progress.step("Jinlin under --cpu-prof, single");
        const dir = join(ROOT, "bench", "out", `cpu-prof-${Date.now()}`);
        await jinlinThroughput(s, shape, progress, {
          label: "profiled",
          execArgv: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
        });
        const { readdirSync } = await import("node:fs");
        const f = readdirSync(dir).find((x) => x.endsWith(".cpuprofile"));
        if (f) profile = summariseProfile(join(dir, f), 20);
      }
    }
  } finally {
    await influx?.destroy();
  }
  return { results, nodeRedSkipped: opts.nodeRed, profile };
}
