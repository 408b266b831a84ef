import type { ChildProcess } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { Influxd } from "../../tests/helpers/influxd.js";
import { newDataDir } from "../lib/jinlin.js";
import { startLoad } from "../lib/load.js";
import { type PayloadSet, splitByHome } from "../lib/payloads.js";
import { forkBench, nextMessage, sleep, spawnTracked } from "../lib/proc.js";
import { loadProgress, type Progress } from "../lib/progress.js";
import { percentile, rate } from "../lib/stats.js";
import { startMosquitto } from "../peers/mosquitto.js";
import { startNodeRed } from "../peers/node-red.js";
import type { LoadShape, ThroughputResult } from "./throughput-jinlin.js";

const epoch = () => performance.timeOrigin + performance.now();

/** Readings stored in an InfluxDB 1.x database, over every measurement (the largest field count of each). */
export async function influxCount(influx: Influxd, db: string): Promise<number> {
  const series = await influx.query(db, "SELECT count(*) FROM /.*/").catch(() => []);
  let n = 0;
  for (const s of series)
    n += Math.max(0, ...((s.values[0] ?? []).slice(1) as number[]).filter((v) => typeof v === "number"));
  return n;
}

/**
 * Runs the load against Mosquitto with `consumer` subscribed; `completed` resolves with the epoch ms
 * at which the consumer finished (or gave up) and the readings it got through.
 */
async function throughMosquitto(
  set: PayloadSet,
  shape: LoadShape,
  progress: Progress,
  label: string,
  consumer: (port: number) => Promise<{
    subscribedTopic: string;
    completed: Promise<{ at: number; readings: number }>;
    onProgress?: (cb: (n: number) => void) => void;
    stop(): Promise<void>;
  }>,
): Promise<ThroughputResult> {
  const mosquitto = await startMosquitto();
  try {
    const c = await consumer(mosquitto.port);
    await mosquitto.subscribed(c.subscribedTopic, 60_000);
    const load = await startLoad({
      port: mosquitto.port,
      generators: splitByHome(set.devices, shape.generators),
      window: shape.window,
      maxMs: shape.maxMs,
    });
    const load1 = loadavg()[0]!;
    const show = loadProgress(progress, set.readings, "readings consumed");
    let publishedNote = "";
    c.onProgress?.(show);
    const acks = load.go((_, r) => {
      if (!c.onProgress) show(r);
    });
    const [res, done] = await Promise.all([acks, c.completed]);
    publishedNote = `PUBACKs (Mosquitto, on receipt): ${Math.round(rate(res.readings, res.elapsedMs)).toLocaleString("en-US")} readings/s`;
    await load.close();
    await c.stop();
    const elapsedMs = done.at - res.firstSendAt;
    return {
      system: label,
      readings: done.readings,
      messages: res.acked,
      elapsedMs,
      rate: rate(done.readings, elapsedMs),
      pubackP50: percentile(res.latencies, 50),
      pubackP99: percentile(res.latencies, 99),
      note: publishedNote,
      extra: { pubackRate: rate(res.readings, res.elapsedMs), load1 },
    };
  } finally {
    await mosquitto.stop();
  }
}

/** Mosquitto relaying QoS 1 to one C subscriber that does nothing (mosquitto_sub into /dev/null). */
export function mosquittoRelay(set: PayloadSet, shape: LoadShape, progress: Progress) {
  return throughMosquitto(set, shape, progress, "Mosquitto 2 relay (QoS 1 → 1 subscriber)", async (port) => {
    const sub: ChildProcess = spawnTracked("mosquitto_sub", [
      ...["-h", "127.0.0.1", "-p", String(port), "-q", "1", "-i", "bench-null-sub"],
      ...["-t", "devices/+/telemetry", "-C", String(set.messages)],
    ]);
    const completed = new Promise<{ at: number; readings: number }>((resolve) => {
      const timer = setTimeout(() => sub.kill("SIGTERM"), shape.maxMs + 10_000);
      sub.once("exit", (code) => {
        clearTimeout(timer);
        resolve({ at: epoch(), readings: code === 0 ? set.readings : Number.NaN });
      });
    });
    return { subscribedTopic: "devices/+/telemetry", completed, stop: async () => {} };
  });
}

/** Mosquitto + an MQTT.js subscriber inserting every reading into SQLite. */
export function diyPipeline(set: PayloadSet, shape: LoadShape, progress: Progress) {
  return throughMosquitto(set, shape, progress, "DIY: Mosquitto + MQTT.js → SQLite", async (port) => {
    const file = join(newDataDir("diy"), "diy.db");
    const child = forkBench("peers/diy-subscriber.js", [
      String(port),
      file,
      String(set.readings),
      String(shape.maxMs + 10_000),
    ]);
    await nextMessage<{ type: string }, true>(
      child,
      (m) => (m.type === "subscribed" ? true : undefined),
      30_000,
      "diy subscribe",
    );
    const completed = nextMessage<
      { type: string; readings: number; lastAt: number },
      { at: number; readings: number }
    >(
      child,
      (m) => (m.type === "done" ? { at: m.lastAt, readings: m.readings } : undefined),
      shape.maxMs + 20_000,
      "diy subscriber",
    );
    return {
      subscribedTopic: "devices/+/telemetry",
      completed,
      onProgress(cb) {
        child.on("message", (m: { type: string; readings: number }) => {
          if (m.type === "progress") cb(m.readings);
        });
      },
      stop: async () => {},
    };
  });
}

/** Node-RED 4: mqtt in → json → function → influxdb out, through Mosquitto into a real influxd. */
export function nodeRedPipeline(set: PayloadSet, shape: LoadShape, progress: Progress, influx: Influxd) {
  return throughMosquitto(set, shape, progress, "Node-RED 4: mqtt in → json → influxdb out", async (port) => {
    const db = `nodered_${Date.now()}`;
    await influx.createDatabase(db);
    const red = await startNodeRed(port, Number(new URL(influx.url).port), db);
    let cb: ((n: number) => void) | undefined;
    const completed = (async () => {
      const deadline = Date.now() + shape.maxMs + 10_000;
      let n = 0;
      let at = epoch();
      for (;;) {
        n = await influxCount(influx, db);
        cb?.(n);
        if (n >= set.readings || Date.now() > deadline) break;
        at = epoch();
        await sleep(250);
      }
      return { at: n >= set.readings ? at : epoch(), readings: n };
    })();
    return {
      subscribedTopic: "devices/+/telemetry",
      completed,
      onProgress(f) {
        cb = f;
      },
      stop: () => red.stop(),
    };
  });
}
