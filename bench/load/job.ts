/** What the orchestrator hands a load-generator process (as a JSON file, to keep IPC small). */
export interface GeneratorJob {
  host: string;
  port: number;
  /** Publishes awaiting PUBACK per connection. */
  window: number;
  /** Readings per second for this process; null publishes as fast as the window allows. */
  rate: number | null;
  /** The process stops publishing after this long, acknowledged or not. */
  maxMs: number;
  /** Connect and hold the connections without publishing (capacity runs). */
  idle: boolean;
  devices: JobDevice[];
}

export interface JobDevice {
  id: string;
  password: string;
  /** Payloads in publish order; `counts[i]` readings are in payloads[i]. */
  payloads: string[];
  counts: number[];
}

export type GeneratorMessage =
  | { type: "connected"; connections: number; failed: number; firstError?: string }
  | { type: "progress"; acked: number; readings: number; sent: number }
  | {
      type: "done";
      acked: number;
      readings: number;
      sent: number;
      firstSendAt: number;
      lastAckAt: number;
      /** PUBACK latencies in ms, a uniform sample of at most 20,000. */
      latencies: number[];
    };

export type GeneratorCommand = { type: "go" } | { type: "close" };

/** Wall-clock ms with sub-ms resolution, comparable across processes on one machine. */
export const epochNow = (): number => performance.timeOrigin + performance.now();
