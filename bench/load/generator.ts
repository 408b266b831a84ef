import { readFileSync } from "node:fs";
import { epochNow, type GeneratorCommand, type GeneratorJob, type GeneratorMessage } from "./job.js";
import { type RawClient, rawConnect } from "./raw-mqtt.js";

/**
 * One load-generator process: one connection per device (as real devices have), each device's payloads
 * in order, `window` publishes in flight per connection, optional rate limit. Talks to the orchestrator
 * over IPC; stops by itself after job.maxMs.
 */
const job = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as GeneratorJob;
const send = (m: GeneratorMessage) => process.send?.(m);
const CONNECTING = 100;
const SAMPLE = 20_000;

interface Conn {
  client: RawClient;
  topic: Buffer;
  payloads: Buffer[];
  counts: number[];
  next: number;
}

async function connectAll(): Promise<Conn[]> {
  const conns: Conn[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let i = 0;
  async function worker(): Promise<void> {
    while (i < job.devices.length) {
      const d = job.devices[i++]!;
      try {
        const client = await rawConnect({
          host: job.host,
          port: job.port,
          clientId: d.id,
          username: d.id,
          password: d.password,
          keepaliveS: 300,
          willTopic: `devices/${d.id}/status`,
        });
        client.socket.on("error", () => {});
        conns.push({
          client,
          topic: Buffer.from(`devices/${d.id}/telemetry`),
          payloads: d.payloads.map((p) => Buffer.from(p)),
          counts: d.counts,
          next: 0,
        });
      } catch (err) {
        failed++;
        firstError ??= (err as Error).message;
      }
    }
  }
  await Promise.all(Array.from({ length: CONNECTING }, worker));
  send({ type: "connected", connections: conns.length, failed, ...(firstError ? { firstError } : {}) });
  return conns;
}

function run(conns: Conn[]): Promise<void> {
  let acked = 0;
  let readings = 0;
  let sent = 0;
  let seen = 0;
  const latencies: number[] = [];
  const firstSendAt = epochNow();
  let lastAckAt = firstSendAt;
  const total = conns.reduce((n, c) => n + c.payloads.length, 0);
  let budget = job.rate === null ? Number.POSITIVE_INFINITY : 0;
  const blocked: Conn[] = [];

  return new Promise((resolve) => {
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(progress);
      if (ticker) clearInterval(ticker);
      clearTimeout(stopper);
      send({ type: "done", acked, readings, sent, firstSendAt, lastAckAt, latencies });
      resolve();
    };
    function pump(c: Conn): void {
      while (c.next < c.payloads.length && c.client.inFlight() < job.window) {
        const n = c.counts[c.next]!;
        if (budget < n) {
          blocked.push(c);
          return;
        }
        budget -= n;
        const i = c.next++;
        const t0 = epochNow();
        sent++;
        c.client.publish(c.topic, c.payloads[i]!, () => {
          const t1 = epochNow();
          lastAckAt = t1;
          acked++;
          readings += n;
          // Reservoir sampling keeps a uniform sample of every latency.
          seen++;
          if (latencies.length < SAMPLE) latencies.push(t1 - t0);
          else {
            const k = Math.floor(Math.random() * seen);
            if (k < SAMPLE) latencies[k] = t1 - t0;
          }
          if (acked === total) finish();
          else pump(c);
        });
      }
    }
    const progress = setInterval(() => send({ type: "progress", acked, readings, sent }), 250);
    const stopper = setTimeout(finish, job.maxMs);
    let ticker: NodeJS.Timeout | null = null;
    if (job.rate !== null) {
      const rate = job.rate;
      let last = performance.now();
      ticker = setInterval(() => {
        const now = performance.now();
        budget = Math.min(budget + ((now - last) * rate) / 1000, rate / 10);
        last = now;
        const again = blocked.splice(0, blocked.length);
        for (const c of again) pump(c);
      }, 5);
    }
    if (total === 0) finish();
    for (const c of conns) pump(c);
  });
}

async function main(): Promise<void> {
  const conns = await connectAll();
  const go = new Promise<void>((resolve) => {
    process.on("message", (m: GeneratorCommand) => {
      if (m.type === "go") resolve();
      if (m.type === "close") {
        for (const c of conns) c.client.close();
        setTimeout(() => process.exit(0), 200);
      }
    });
  });
  // Never outlive the orchestrator: stop on our own after the job's time plus connection time.
  setTimeout(() => process.exit(2), job.maxMs + 120_000).unref();
  process.on("disconnect", () => process.exit(0));
  if (job.idle) return;
  await go;
  await run(conns);
}

void main();
