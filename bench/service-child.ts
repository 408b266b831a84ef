import { readFileSync } from "node:fs";
import { startService } from "../cli/service.js";
import { loadConfig } from "../core/config.js";
import { createLogger } from "../core/log.js";
import { epochNow } from "./load/job.js";

/**
 * The Jinlin service in its own process, configured from the environment exactly as `jinlin serve`
 * is. It reports over IPC: ready (the MQTT port), every alert change with the time it was committed
 * (the bench's live stream: no HTTP live stream of alerts exists yet), and its memory on request.
 */
export type ServiceMessage =
  | { type: "ready"; mqttPort: number }
  | { type: "alert"; at: number; householdId: string; rule: string; news: string }
  | { type: "memory"; rss: number; heapUsed: number; external: number }
  | { type: "cpu"; user: number; system: number; mainThread: number | null }
  | { type: "stopped" };

export type ServiceCommand = { type: "memory" } | { type: "cpu" } | { type: "stop" };

const send = (m: ServiceMessage) => process.send?.(m);

/**
 * The main thread's CPU time, µs (Linux: /proc/self/task/<pid>/stat, utime + stime in 1/100 s), apart from
 * the process's total, which includes worker threads and libuv's pool; null where /proc is not there.
 */
function mainThreadCpuUs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) * 10_000;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const service = await startService(config, { log });
  service.onAlert((alert, news) => {
    send({ type: "alert", at: epochNow(), householdId: alert.householdId, rule: alert.rule, news });
  });
  process.on("message", async (m: ServiceCommand) => {
    if (m.type === "memory") {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      await new Promise((r) => setTimeout(r, 200));
      gc?.();
      const mem = process.memoryUsage();
      send({ type: "memory", rss: mem.rss, heapUsed: mem.heapUsed, external: mem.external });
    }
    if (m.type === "cpu") {
      const { user, system } = process.cpuUsage();
      send({ type: "cpu", user, system, mainThread: mainThreadCpuUs() });
    }
    if (m.type === "stop") {
      await service.close();
      send({ type: "stopped" });
      // process.exit flushes a --cpu-prof profile; the IPC channel would otherwise keep us alive.
      setTimeout(() => process.exit(0), 100);
    }
  });
  process.on("disconnect", () => {
    void service.close().finally(() => process.exit(0));
  });
  send({ type: "ready", mqttPort: service.mqttPort });
}

void main();
