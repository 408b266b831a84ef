import type { AppendResult, ReadingSink, ReadingToAppend } from "./reading-sink.js";

export interface GroupCommitOptions {
  sink: ReadingSink;
  /** How long the first reading of a group waits for others; 0 commits on the next turn of the event loop. */
  windowMs: number;
  /** A group this large commits at once (default MAX_GROUP). */
  maxGroup?: number;
  /** After every commit, before its submitters' promises continue; `urgent` for the fast lane's commits. */
  onCommitted?: (result: AppendResult, seconds: number, urgent: boolean) => void;
}

/**
 * The most readings one commit takes. A commit (inserts and fsync) and the PUBACKs it releases run in one
 * go on the event loop; at ≈ 20–40 µs per reading under load, 1,000 readings keep that under ~40 ms, so a
 * panic press arriving meanwhile is read soon after, while the fsync is still shared by hundreds of readings.
 * It was 5,000: a backlog then made 100–400 ms commits (BENCHMARKS.md, panic → alert).
 */
export const MAX_GROUP = 1_000;

interface Group {
  items: ReadingToAppend[];
  done: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A group that fails rejects every submitter's promise; this handler only keeps an unobserved
  // rejection (no submitter left) from crashing the process.
  done.catch(() => {});
  return { items: [], done, resolve, reject };
}

/**
 * Group commit: readings from many devices arriving within a few milliseconds share one transaction and
 * one fsync. Each submitter's promise settles when the transaction holding its readings has committed.
 * Every submitter of a group shares one promise: no promise or closure per message on the hot path.
 *
 * `submitUrgent` is the fast lane (a panic press): its readings commit at once in their own small
 * transaction, without waiting for the window or for the group being gathered, and are just as durable.
 */
export function createGroupCommitter(options: GroupCommitOptions) {
  const maxGroup = options.maxGroup ?? MAX_GROUP;
  let group: Group | null = null;
  let timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  let closed = false;

  function run(g: Group, urgent: boolean): void {
    const started = process.hrtime.bigint();
    let result: AppendResult;
    try {
      result = options.sink.append(g.items);
    } catch (err) {
      g.reject(err);
      return;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    g.resolve();
    options.onCommitted?.(result, seconds, urgent);
  }

  function commit(): void {
    if (timer) {
      if (options.windowMs > 0) clearTimeout(timer as NodeJS.Timeout);
      else clearImmediate(timer as NodeJS.Immediate);
      timer = null;
    }
    const g = group;
    group = null;
    if (g) run(g, false);
  }

  function schedule(g: Group): void {
    if (g.items.length >= maxGroup) {
      commit();
      return;
    }
    if (timer) return;
    timer = options.windowMs > 0 ? setTimeout(commit, options.windowMs) : setImmediate(commit);
  }

  return {
    submit(readings: ReadingToAppend[]): Promise<void> {
      if (closed) return Promise.reject(new Error("ingest is closed"));
      if (!group) group = newGroup();
      const g = group;
      for (const r of readings) g.items.push(r);
      schedule(g);
      return g.done;
    },
    /** Commits these readings now, in their own transaction (the fast lane); resolves when durable. */
    submitUrgent(readings: ReadingToAppend[]): Promise<void> {
      if (closed) return Promise.reject(new Error("ingest is closed"));
      const g = newGroup();
      g.items = readings;
      run(g, true);
      return g.done;
    },
    /** Commits whatever is pending now (shutdown). */
    flush(): void {
      commit();
    },
    close(): void {
      commit();
      closed = true;
    },
    pending: () => group?.items.length ?? 0,
  };
}

export type GroupCommitter = ReturnType<typeof createGroupCommitter>;
