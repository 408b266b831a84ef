import type { AppendResult, ReadingSink, ReadingToAppend } from "./reading-sink.js";

export interface GroupCommitOptions {
  sink: ReadingSink;
  /** How long the first reading of a group waits for others; 0 commits on the next turn of the event loop. */
  windowMs: number;
  /** A group this large commits at once. */
  maxGroup?: number;
  onCommitted?: (result: AppendResult, seconds: number) => void;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: readings from many devices arriving within a few milliseconds share one transaction and
 * one fsync. Each submitter's promise settles when the transaction holding its readings has committed.
 */
export function createGroupCommitter(options: GroupCommitOptions) {
  const maxGroup = options.maxGroup ?? 5_000;
  let items: ReadingToAppend[] = [];
  let waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  let closed = false;

  function commit(): void {
    if (timer) {
      if (options.windowMs > 0) clearTimeout(timer as NodeJS.Timeout);
      else clearImmediate(timer as NodeJS.Immediate);
      timer = null;
    }
    if (items.length === 0 && waiters.length === 0) return;
    const batch = items;
    const batchWaiters = waiters;
    items = [];
    waiters = [];
    const started = process.hrtime.bigint();
    let result: AppendResult;
    try {
      result = options.sink.append(batch);
    } catch (err) {
      for (const w of batchWaiters) w.reject(err);
      return;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const w of batchWaiters) w.resolve();
    options.onCommitted?.(result, seconds);
  }

  function schedule(): void {
    if (items.length >= maxGroup) {
      commit();
      return;
    }
    if (timer) return;
    timer = options.windowMs > 0 ? setTimeout(commit, options.windowMs) : setImmediate(commit);
  }

  return {
    submit(readings: ReadingToAppend[]): Promise<void> {
      if (closed) return Promise.reject(new Error("ingest is closed"));
      return new Promise<void>((resolve, reject) => {
        for (const r of readings) items.push(r);
        waiters.push({ resolve, reject });
        schedule();
      });
    },
    /** Commits whatever is pending now (shutdown). */
    flush(): void {
      commit();
    },
    close(): void {
      commit();
      closed = true;
    },
    pending: () => items.length,
  };
}

export type GroupCommitter = ReturnType<typeof createGroupCommitter>;
