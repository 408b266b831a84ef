import type { StoredReading } from "../core/domain.js";

export interface RulesQueueOptions {
  /** Runs readings through their homes' rules (alerts.onReadings); readings of a home arrive in commit order. */
  evaluate: (readings: StoredReading[]) => void;
  /** The longest the event loop stays in the rules before it reads sockets again (a panic press may be waiting). */
  sliceMs?: number;
  /**
   * Beyond this many readings waiting, a slice gets proportionally longer (up to `maxSliceMs`), so the rules
   * keep up with a saturated ingest instead of falling ever further behind.
   */
  highWater?: number;
  /** The longest a slice gets however far the rules are behind. */
  maxSliceMs?: number;
  /** Readings per call to `evaluate` between two looks at the time. */
  chunk?: number;
  /** A monotonic clock in ms (wall time of the process, not the domain clock). */
  elapsed?: () => number;
  /** Schedules the next slice after the loop's I/O: setImmediate (tests may pass their own). */
  defer?: (fn: () => void) => void;
}

export const RULES_SLICE_MS = 4;
export const RULES_HIGH_WATER = 2_000;
export const RULES_MAX_SLICE_MS = 40;

/**
 * Committed readings waiting for the rules. Their PUBACKs do not wait for the rules: if the process dies in
 * between, the rules fold them in after the restart (rule state keeps lastReadingId).
 *
 * The queue is drained in slices of about `sliceMs` with a turn of the event loop between slices, so a
 * thousand readings' rules never hold the loop for tens of milliseconds while a panic press waits unread in
 * its socket (BENCHMARKS.md, panic → alert). `urgent` is the fast lane: the press's home goes through the
 * rules at once, after that home's readings still queued, so each home still sees its readings in order.
 */
export function createRulesQueue(options: RulesQueueOptions) {
  const sliceMs = options.sliceMs ?? RULES_SLICE_MS;
  const highWater = options.highWater ?? RULES_HIGH_WATER;
  const maxSliceMs = options.maxSliceMs ?? RULES_MAX_SLICE_MS;
  // Small: a home seen for the first time since the start loads its state and settings (a few ms each).
  const chunk = options.chunk ?? 16;
  const elapsed = options.elapsed ?? (() => performance.now());
  const defer = options.defer ?? ((fn: () => void) => setImmediate(fn));
  let queue: StoredReading[] = [];
  let head = 0;
  let scheduled = false;

  const size = () => queue.length - head;

  function take(n: number): StoredReading[] {
    const out = queue.slice(head, head + n);
    head += out.length;
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else if (head > 16_384 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    return out;
  }

  /** Removes and returns the queued readings of these homes, in queue order. */
  function takeHomes(homes: ReadonlySet<string>): StoredReading[] {
    const now: StoredReading[] = [];
    const rest: StoredReading[] = [];
    for (let i = head; i < queue.length; i++) {
      const r = queue[i]!;
      (homes.has(r.householdId) ? now : rest).push(r);
    }
    if (now.length > 0) {
      queue = rest;
      head = 0;
    }
    return now;
  }

  function slice(): void {
    scheduled = false;
    const start = elapsed();
    const budget = Math.min(maxSliceMs, sliceMs * Math.max(1, size() / highWater));
    while (size() > 0) {
      options.evaluate(take(chunk));
      if (elapsed() - start >= budget) break;
    }
    if (size() > 0) schedule();
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    defer(slice);
  }

  return {
    /** Readings of a commit, evaluated in later slices (after this commit's PUBACKs are written). */
    push(stored: readonly StoredReading[]): void {
      if (stored.length === 0) return;
      for (const r of stored) queue.push(r);
      schedule();
    },
    /** The fast lane: these readings' homes are evaluated now, their queued readings first. */
    urgent(stored: readonly StoredReading[]): void {
      const now = takeHomes(new Set(stored.map((r) => r.householdId)));
      for (const r of stored) now.push(r);
      options.evaluate(now);
    },
    /**
     * This home's queued readings, evaluated now: called before its deadline is judged, so a reading that is
     * committed (and acknowledged) but not yet through the rules is never missed by a deadline firing first.
     */
    home(householdId: string): void {
      if (size() === 0) return;
      const now = takeHomes(new Set([householdId]));
      if (now.length > 0) options.evaluate(now);
    },
    /** Everything still queued, now (shutdown). */
    drainAll(): void {
      while (size() > 0) options.evaluate(take(chunk));
    },
    size,
  };
}

export type RulesQueue = ReturnType<typeof createRulesQueue>;
