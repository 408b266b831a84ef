import { type Clock, systemClock } from "../../core/clock.js";
import type { Logger } from "../../core/log.js";
import { type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.js";
import { type DeliveryState, deliver, type Line } from "./deliver.js";
import type { LineWriter } from "./http.js";
import { type ForwardedReading, toLine } from "./schema.js";

/** The durable outbox the forwarder drains (storage/sqlite/influx-outbox.ts implements it). */
export interface ForwarderOutbox {
  next(limit: number): { readings: ForwardedReading[]; lastId: number; full: boolean } | null;
  commit(
    lastId: number,
    parked: readonly { readingId: number; line: string; status: number; error: string; parkedAt: number }[],
  ): void;
  depth(): number;
  oldestReceivedAt(): number | null;
  listParked(limit: number): { readingId: number }[];
  reading(id: number): ForwardedReading | undefined;
  unpark(readingId: number): void;
}

export interface ForwarderOptions {
  outbox: ForwarderOutbox;
  writer: LineWriter;
  log: Logger;
  clock?: Clock;
  batchSize: number;
  flushMs: number;
  backoff?: BackoffOptions;
  /** Wait after 401/403/404 before trying again (an operator may fix the token without a restart). */
  stoppedRetryMs?: number;
  /** The readiness check fails when readings wait and nothing was delivered for this long. */
  stallAfterMs?: number;
}

export interface ForwarderStatus {
  depth: number;
  oldestSeconds: number;
  state: DeliveryState["kind"];
  lastStatus: number | null;
  lastError: string | null;
  lastDeliveredAt: number | null;
  parkedSinceStart: number;
}

function abortableSleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      timer.cancel();
      reject(signal.reason);
    };
    const timer = clock.setTimer(clock.now() + ms, () => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Drains the outbox into InfluxDB: a full batch is sent at once, a partial one every flushMs. A batch
 * leaves the outbox (the cursor moves) only after every line was confirmed 2xx or parked as rejected.
 */
export function createInfluxForwarder(o: ForwarderOptions) {
  const clock = o.clock ?? systemClock;
  const log = o.log;
  const stallAfterMs = o.stallAfterMs ?? 5 * 60_000;
  const stop = new AbortController();
  let state: DeliveryState = { kind: "ok" };
  let lastDeliveredAt: number | null = null;
  let lastProgressAt = clock.now();
  let parkedSinceStart = 0;
  let pendingNotified = 0;
  let wake: (() => void) | null = null;
  let running: Promise<void> | null = null;

  const deps = {
    writer: o.writer,
    log,
    backoff: o.backoff ?? DEFAULT_BACKOFF,
    stoppedRetryMs: o.stoppedRetryMs ?? 60_000,
    sleep: (ms: number, signal: AbortSignal) => abortableSleep(clock, ms, signal),
    onState: (s: DeliveryState) => {
      state = s;
    },
  };

  function waitForWork(): Promise<void> {
    return new Promise((resolve) => {
      const timer = clock.setTimer(clock.now() + o.flushMs, () => done());
      const done = () => {
        timer.cancel();
        wake = null;
        resolve();
      };
      wake = done;
      if (stop.signal.aborted || pendingNotified >= o.batchSize) done();
    });
  }

  async function sendBatch(): Promise<boolean> {
    const batch = o.outbox.next(o.batchSize);
    if (!batch) {
      lastProgressAt = clock.now(); // nothing waits: up to date, not stalled
      return false;
    }
    const lines: Line[] = [];
    const parked = [];
    for (const r of batch.readings) {
      try {
        lines.push({ readingId: r.id, line: toLine(r) });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        parked.push({ readingId: r.id, line: "", status: 0, error, parkedAt: clock.now() });
      }
    }
    const rejected = await deliver(lines, deps, stop.signal);
    for (const r of rejected) parked.push({ ...r, parkedAt: clock.now() });
    o.outbox.commit(batch.lastId, parked);
    lastDeliveredAt = lastProgressAt = clock.now();
    if (parked.length > 0) {
      parkedSinceStart += parked.length;
      log.error(
        { parked: parked.length, readingIds: parked.slice(0, 10).map((p) => p.readingId) },
        "influx rejected lines: parked (see listParked / docs/influxdb.md)",
      );
    }
    return batch.full;
  }

  async function run(): Promise<void> {
    while (!stop.signal.aborted) {
      pendingNotified = 0;
      let more = false;
      try {
        more = await sendBatch();
      } catch (err) {
        if (stop.signal.aborted) break;
        // SQLite errors (disk full…): the batch stays in the outbox; try again after the interval.
        log.error({ err }, "influx forwarding failed");
      }
      if (!more) await waitForWork();
    }
  }

  return {
    start(): void {
      if (running) return;
      lastProgressAt = clock.now();
      running = run();
    },

    /** Tells the forwarder that readings were committed; a full batch is then sent without waiting. */
    notify(count: number): void {
      pendingNotified += count;
      if (pendingNotified >= o.batchSize) wake?.();
    },

    status(): ForwarderStatus {
      const oldest = o.outbox.oldestReceivedAt();
      return {
        depth: o.outbox.depth(),
        oldestSeconds: oldest === null ? 0 : Math.max(0, (clock.now() - oldest) / 1000),
        state: state.kind,
        lastStatus: state.kind === "ok" ? null : state.status,
        lastError: state.kind === "ok" ? null : state.error,
        lastDeliveredAt,
        parkedSinceStart,
      };
    },

    /** Readiness: not ok when forwarding is stopped (401/404…) or readings wait with no progress. */
    health(): { ok: boolean; detail?: string } {
      if (state.kind === "stopped") return { ok: false, detail: `influx answered ${state.status}` };
      const stalled = o.outbox.depth() > 0 && clock.now() - lastProgressAt > stallAfterMs;
      if (stalled)
        return {
          ok: false,
          detail: `no write confirmed for ${Math.round((clock.now() - lastProgressAt) / 1000)} s`,
        };
      return { ok: true };
    },

    /**
     * Sends parked lines again, rebuilt from the stored readings (after an operator fixed what InfluxDB
     * refused, e.g. a field type clash): delivered ones leave the parking table, refused ones stay.
     */
    async retryParked(limit = 10_000): Promise<{ delivered: number; stillParked: number }> {
      const lines: Line[] = [];
      for (const p of o.outbox.listParked(limit)) {
        const r = o.outbox.reading(p.readingId);
        if (r === undefined) o.outbox.unpark(p.readingId);
        else lines.push({ readingId: r.id, line: toLine(r) });
      }
      const rejected = await deliver(lines, deps, stop.signal);
      const refused = new Set(rejected.map((r) => r.readingId));
      for (const l of lines) if (!refused.has(l.readingId)) o.outbox.unpark(l.readingId);
      o.outbox.commit(
        0,
        rejected.map((r) => ({ ...r, parkedAt: clock.now() })),
      );
      log.info(
        { delivered: lines.length - refused.size, stillParked: refused.size },
        "parked influx lines retried",
      );
      return { delivered: lines.length - refused.size, stillParked: refused.size };
    },

    /** Stops at once; a batch in flight stays in the outbox and is sent again after a restart. */
    async close(): Promise<void> {
      stop.abort(new Error("influx forwarder closed"));
      wake?.();
      await running;
    },
  };
}

export type InfluxForwarder = ReturnType<typeof createInfluxForwarder>;
