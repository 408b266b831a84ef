import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GeneratorJob, GeneratorMessage } from "../load/job.js";
import type { DeviceLoad } from "./payloads.js";
import { forkBench, nextMessage, ROOT, stopChild } from "./proc.js";

export interface LoadOptions {
  port: number;
  generators: DeviceLoad[][];
  /** Credentials per device id; peers that do not authenticate get none. */
  secrets?: Map<string, string>;
  window: number;
  /** Readings per second over all generators; null for as fast as possible. */
  rate?: number | null;
  maxMs: number;
  idle?: boolean;
}

export interface LoadRun {
  processes: ChildProcess[];
  connections: number;
  failed: number;
  /** Starts publishing in every generator at once. */
  go(onProgress?: (acked: number, readings: number) => void): Promise<LoadResult>;
  close(): Promise<void>;
}

export interface LoadResult {
  acked: number;
  readings: number;
  sent: number;
  /** From the first PUBLISH to the last PUBACK over all generators, ms. */
  elapsedMs: number;
  firstSendAt: number;
  lastAckAt: number;
  latencies: number[];
}

let jobSeq = 0;

/** Starts the generator processes and connects every device; publishing waits for go(). */
export async function startLoad(o: LoadOptions): Promise<LoadRun> {
  const dir = join(ROOT, "bench", ".cache", "jobs");
  mkdirSync(dir, { recursive: true });
  const rate = o.rate ?? null;
  const processes = o.generators.map((devices, i) => {
    const job: GeneratorJob = {
      host: "127.0.0.1",
      port: o.port,
      window: o.window,
      rate: rate === null ? null : rate / o.generators.length,
      maxMs: o.maxMs,
      idle: o.idle ?? false,
      devices: devices.map((d) => ({
        id: d.id,
        password: o.secrets?.get(d.id) ?? "bench",
        payloads: o.idle ? [] : d.payloads,
        counts: o.idle ? [] : d.counts,
      })),
    };
    const file = join(dir, `job-${process.pid}-${jobSeq++}-${i}.json`);
    writeFileSync(file, JSON.stringify(job));
    return forkBench("load/generator.js", [file]);
  });
  const connected = await Promise.all(
    processes.map((p) =>
      nextMessage<GeneratorMessage, { connections: number; failed: number; firstError?: string }>(
        p,
        (m) => (m.type === "connected" ? m : undefined),
        180_000,
        "generator connect",
      ),
    ),
  );
  const failed = connected.reduce((n, c) => n + c.failed, 0);
  const firstError = connected.find((c) => c.firstError)?.firstError;
  if (failed > 0 && !o.idle) throw new Error(`${failed} device connections failed: ${firstError}`);
  return {
    processes,
    connections: connected.reduce((n, c) => n + c.connections, 0),
    failed,
    async go(onProgress) {
      const progress = new Map<ChildProcess, { acked: number; readings: number }>();
      const listeners = processes.map((p) => {
        const l = (m: GeneratorMessage) => {
          if (m.type !== "progress") return;
          progress.set(p, m);
          let a = 0;
          let r = 0;
          for (const v of progress.values()) {
            a += v.acked;
            r += v.readings;
          }
          onProgress?.(a, r);
        };
        p.on("message", l);
        return l;
      });
      const done = processes.map((p) =>
        nextMessage<GeneratorMessage, Extract<GeneratorMessage, { type: "done" }>>(
          p,
          (m) => (m.type === "done" ? m : undefined),
          o.maxMs + 30_000,
          "generator run",
        ),
      );
      for (const p of processes) p.send({ type: "go" });
      const results = await Promise.all(done);
      processes.forEach((p, i) => {
        p.off("message", listeners[i]!);
      });
      const firstSendAt = Math.min(...results.map((r) => r.firstSendAt));
      const lastAckAt = Math.max(...results.map((r) => r.lastAckAt));
      return {
        acked: results.reduce((n, r) => n + r.acked, 0),
        readings: results.reduce((n, r) => n + r.readings, 0),
        sent: results.reduce((n, r) => n + r.sent, 0),
        elapsedMs: lastAckAt - firstSendAt,
        firstSendAt,
        lastAckAt,
        latencies: results.flatMap((r) => r.latencies),
      };
    },
    async close() {
      for (const p of processes) if (p.connected) p.send({ type: "close" });
      await Promise.all(processes.map((p) => stopChild(p, 5_000)));
    },
  };
}
