import type { Clock, TimerHandle } from "../core/clock.js";

/**
 * One deadline per key (a home, an alert) on one clock timer: a binary min-heap ordered by time, with
 * stale entries skipped when popped. Scheduling is O(log n), and 100,000 homes cost one OS timer, not
 * 100,000. Keys due at the same time fire in scheduling order.
 */
export function createDeadlineScheduler(clock: Clock, onDue: (key: string, at: number) => void) {
  type Entry = { at: number; seq: number; key: string };
  const heap: Entry[] = [];
  const current = new Map<string, Entry>();
  let seq = 0;
  let timer: TimerHandle | null = null;
  let armedAt = Number.POSITIVE_INFINITY;
  let stopped = false;

  const less = (a: Entry, b: Entry) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
  function push(e: Entry): void {
    heap.push(e);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(heap[i]!, heap[p]!)) break;
      [heap[i], heap[p]] = [heap[p]!, heap[i]!];
      i = p;
    }
  }
  function pop(): Entry | undefined {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
  function dropStale(): void {
    while (heap.length > 0 && current.get(heap[0]!.key) !== heap[0]) pop();
  }
  function arm(): void {
    dropStale();
    const next = heap[0];
    if (stopped || !next) return;
    if (timer && armedAt <= next.at) return;
    timer?.cancel();
    armedAt = next.at;
    timer = clock.setTimer(next.at, fire);
  }
  function fire(): void {
    timer = null;
    armedAt = Number.POSITIVE_INFINITY;
    const now = clock.now();
    for (;;) {
      dropStale();
      const next = heap[0];
      if (!next || next.at > now) break;
      pop();
      current.delete(next.key);
      onDue(next.key, next.at);
    }
    arm();
  }

  return {
    /** Sets (or replaces) the deadline of `key`; null removes it. */
    schedule(key: string, at: number | null): void {
      if (at === null) {
        current.delete(key);
        return;
      }
      const e = { at, seq: seq++, key };
      current.set(key, e);
      push(e);
      arm();
    },
    /** Removes the deadline of `key`, if any: it will not fire. */
    cancel(key: string): void {
      current.delete(key);
    },
    deadlineOf: (key: string): number | null => current.get(key)?.at ?? null,
    size: () => current.size,
    stop(): void {
      stopped = true;
      timer?.cancel();
      timer = null;
    },
  };
}

export type DeadlineScheduler = ReturnType<typeof createDeadlineScheduler>;
