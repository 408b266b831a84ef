import { connectAsync, type IClientOptions, type MqttClient } from "mqtt";
import { createLogger, type Logger } from "../core/log.js";
import type { SimMessage } from "./messages.js";

export interface DeviceCredentials {
  username: string;
  password: string;
}

export interface PublisherOptions {
  /** mqtt://host:port, mqtts://…, ws://…/mqtt */
  url: string;
  /** Per-device mode: username = device id, password = its secret (the broker's ACL is per device). */
  credentials(deviceId: string): DeviceCredentials;
  qos?: 0 | 1;
  /** Publishes awaiting a PUBACK across all connections; publish() waits when the window is full. */
  maxInFlight?: number;
  connectTimeoutMs?: number;
  log?: Logger;
  /** Called every progressEvery acknowledged (or failed) messages, and on close. */
  onProgress?(stats: PublisherStats): void;
  progressEvery?: number;
  /** Monotonic ms for latency; injectable for tests. */
  now?(): number;
  clientOptions?: Partial<IClientOptions>;
}

export interface LatencyStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface PublisherStats {
  sent: number;
  acked: number;
  errors: number;
  connections: number;
  /** PUBACK latency in ms (QoS 1), over the last 100,000 acknowledgements. */
  latency: LatencyStats;
}

export interface Publisher {
  /**
   * Hands a message to its device's connection. Resolves as soon as it is in flight (waiting only
   * while maxInFlight publishes await their PUBACK), so awaiting it gives back-pressure, not one
   * round trip per message. Failures are counted and logged, never thrown.
   */
  publish(m: SimMessage): Promise<void>;
  /** Resolves when every message handed over so far is acknowledged or has failed. */
  flush(): Promise<void>;
  stats(): PublisherStats;
  /** Waits for outstanding publishes, then ends every connection. */
  close(): Promise<void>;
}

const SAMPLE_CAP = 100_000;
/** Spreads retries of different devices apart, deterministically (no global randomness in simulators/). */
function jitter(deviceId: string): number {
  let h = 0;
  for (let i = 0; i < deviceId.length; i++) h = (h * 31 + deviceId.charCodeAt(i)) >>> 0;
  return (h % 1000) / 1000;
}
/** Connection attempts in progress at once, and attempts per connection or message. */
const CONNECTING = 200;
const ATTEMPTS = 5;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

function latencyStats(samples: readonly number[]): LatencyStats {
  const s = [...samples].sort((a, b) => a - b);
  return {
    count: s.length,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? 0,
  };
}

/**
 * One MQTT connection per device, as real devices have. A gateway mode (many devices over a few
 * connections) needs gateway credentials the broker's ACL does not grant yet; see docs/simulators.md.
 */
export function createPublisher(o: PublisherOptions): Publisher {
  const log = (o.log ?? createLogger("silent")).child({ mod: "simulators/publisher" });
  const now = o.now ?? (() => performance.now());
  const qos = o.qos ?? 1;
  const maxInFlight = o.maxInFlight ?? 1000;
  const every = o.progressEvery ?? 1000;
  const clients = new Map<string, Promise<MqttClient | null>>();
  const samples: number[] = [];
  const waiters: (() => void)[] = [];
  const outstanding = new Set<Promise<void>>();
  let sent = 0;
  let acked = 0;
  let errors = 0;
  let inFlight = 0;

  const stats = (): PublisherStats => ({
    sent,
    acked,
    errors,
    connections: clients.size,
    latency: latencyStats(samples),
  });
  const settle = () => {
    inFlight--;
    waiters.shift()?.();
  };
  const counted = (ok: boolean) => {
    if (ok) acked++;
    else errors++;
    if ((acked + errors) % every === 0) o.onProgress?.(stats());
  };

  // Like real devices: connect at most CONNECTING at a time (a neighbourhood does not all dial in the
  // same millisecond), retry a failed connection with backoff, reconnect a dropped one, and send a
  // QoS 1 message again until it is acknowledged (the service stores a redelivery once).
  let connecting = 0;
  const connectQueue: (() => void)[] = [];
  const slot = async () => {
    while (connecting >= CONNECTING) await new Promise<void>((r) => connectQueue.push(r));
    connecting++;
  };
  const release = () => {
    connecting--;
    connectQueue.shift()?.();
  };

  const dial = async (deviceId: string): Promise<MqttClient | null> => {
    const { username, password } = o.credentials(deviceId);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 250 * 2 ** attempt * (0.5 + jitter(deviceId))));
      await slot();
      try {
        return await connectAsync(o.url, {
          clientId: deviceId,
          username,
          password,
          clean: true,
          reconnectPeriod: 0,
          connectTimeout: o.connectTimeoutMs ?? 10_000,
          will: {
            topic: `devices/${deviceId}/status`,
            payload: Buffer.from("offline"),
            qos: 1,
            retain: false,
          },
          ...o.clientOptions,
        });
      } catch (err) {
        log.warn({ deviceId, attempt, err }, "device connection failed");
        // A refusal (bad credentials) will not get better by retrying.
        if ((err as { code?: number }).code === 5 || (err as { code?: number }).code === 4) return null;
      } finally {
        release();
      }
    }
    return null;
  };

  const client = async (deviceId: string): Promise<MqttClient | null> => {
    const c = await clients.get(deviceId);
    if (c && !c.disconnected && !c.disconnecting) return c;
    let next = clients.get(deviceId);
    if (next === undefined || c) {
      c?.end(true);
      next = dial(deviceId);
      clients.set(deviceId, next);
    }
    return next;
  };

  const send = async (m: SimMessage): Promise<void> => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const c = await client(m.deviceId);
      if (!c) break;
      const t0 = now();
      try {
        await c.publishAsync(m.topic, m.payload, { qos, ...(attempt > 0 ? { dup: true } : {}) });
        if (qos === 1) {
          if (samples.length >= SAMPLE_CAP) samples.splice(0, samples.length - SAMPLE_CAP + 1);
          samples.push(now() - t0);
        }
        counted(true);
        return;
      } catch (err) {
        log.warn({ deviceId: m.deviceId, attempt, err }, "publish failed");
      }
    }
    counted(false);
  };

  return {
    async publish(m) {
      while (inFlight >= maxInFlight) await new Promise<void>((r) => waiters.push(r));
      inFlight++;
      sent++;
      const p: Promise<void> = send(m).finally(() => {
        outstanding.delete(p);
        settle();
      });
      outstanding.add(p);
    },
    async flush() {
      while (outstanding.size > 0) await Promise.allSettled([...outstanding]);
    },
    stats,
    async close() {
      while (outstanding.size > 0) await Promise.allSettled([...outstanding]);
      const all = await Promise.all(clients.values());
      await Promise.all(all.map((c) => (c ? c.endAsync() : undefined)));
      o.onProgress?.(stats());
    },
  };
}
