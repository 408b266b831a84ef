import type { Logger } from "../../core/log.js";
import { type BackoffOptions, retryDelay } from "./backoff.js";
import type { LineWriter, WriteResult } from "./http.js";

export interface Line {
  readingId: number;
  line: string;
}

export interface Rejected extends Line {
  status: number;
  error: string;
}

/** What delivery is doing now, for status() and the readiness check. */
export type DeliveryState =
  | { kind: "ok" }
  | { kind: "retrying"; status: number; error: string; attempt: number }
  /** 401/403/404 and other answers retrying cannot fix: waiting for an operator. */
  | { kind: "stopped"; status: number; error: string };

export interface DeliverDeps {
  writer: LineWriter;
  log: Logger;
  backoff: BackoffOptions;
  /** How long to wait before asking again after an answer an operator must fix (401, 404…). */
  stoppedRetryMs: number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  onState(state: DeliveryState): void;
}

/** 400 and 422: InfluxDB refused some line of the batch (parse error, field type conflict). 413: too big. */
const isRejection = (status: number) => status === 400 || status === 413 || status === 422;
const isRetryable = (status: number) => status === 0 || status === 408 || status === 429 || status >= 500;

/** Sends one chunk until InfluxDB answers 2xx or rejects it; transient failures are retried here. */
async function sendChunk(
  chunk: readonly Line[],
  deps: DeliverDeps,
  signal: AbortSignal,
): Promise<WriteResult> {
  const lines = chunk.map((l) => l.line);
  for (let attempt = 0; ; attempt++) {
    signal.throwIfAborted();
    const result = await deps.writer.write(lines, signal);
    if ((result.status >= 200 && result.status < 300) || isRejection(result.status)) {
      if (attempt > 0) deps.log.info({ attempts: attempt + 1 }, "influx write succeeded after retrying");
      deps.onState({ kind: "ok" });
      return result;
    }
    if (isRetryable(result.status)) {
      const delay = retryDelay(attempt, result.retryAfterMs, deps.backoff);
      deps.onState({ kind: "retrying", status: result.status, error: result.error, attempt });
      deps.log.warn(
        { status: result.status, err: result.error, attempt, delayMs: delay },
        "influx write failed, retrying",
      );
      await deps.sleep(delay, signal);
      continue;
    }
    deps.onState({ kind: "stopped", status: result.status, error: result.error });
    deps.log.error(
      { status: result.status, err: result.error, retryInMs: deps.stoppedRetryMs },
      "influx refused the write (check URL, database/bucket and credentials); forwarding paused",
    );
    await deps.sleep(deps.stoppedRetryMs, signal);
  }
}

/**
 * Delivers lines so that each is either confirmed by InfluxDB or rejected on its own: a rejected batch
 * is split in halves until the bad line stands alone (log2(n) rounds), so one bad line neither blocks
 * the outbox nor takes its batch down. Re-sending the good half is safe: writes are idempotent.
 * Resolves with the rejected lines; rejects only when `signal` aborts (nothing is then confirmed).
 */
export async function deliver(
  lines: readonly Line[],
  deps: DeliverDeps,
  signal: AbortSignal,
): Promise<Rejected[]> {
  const rejected: Rejected[] = [];
  const stack: (readonly Line[])[] = [lines];
  while (stack.length > 0) {
    const chunk = stack.pop()!;
    if (chunk.length === 0) continue;
    const result = await sendChunk(chunk, deps, signal);
    if (!isRejection(result.status)) continue;
    const only = chunk.length === 1 ? chunk[0] : undefined;
    if (only) {
      rejected.push({ ...only, status: result.status, error: result.error });
      continue;
    }
    const half = Math.ceil(chunk.length / 2);
    stack.push(chunk.slice(half), chunk.slice(0, half));
  }
  return rejected;
}
