/**
 * Merges already-sorted iterators into one sorted stream, lazily: a binary heap holds one head per
 * source. Ties go to the lower source index, so the order is deterministic.
 */
interface Head<T> {
  value: T;
  key: number;
  source: number;
}

function less<T>(a: Head<T>, b: Head<T>): boolean {
  return a.key < b.key || (a.key === b.key && a.source < b.source);
}

function siftDown<T>(heap: Head<T>[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && less(heap[l] as Head<T>, heap[m] as Head<T>)) m = l;
    if (r < heap.length && less(heap[r] as Head<T>, heap[m] as Head<T>)) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m] as Head<T>, heap[i] as Head<T>];
    i = m;
  }
}

function siftUp<T>(heap: Head<T>[], i: number): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(heap[i] as Head<T>, heap[p] as Head<T>)) return;
    [heap[i], heap[p]] = [heap[p] as Head<T>, heap[i] as Head<T>];
    i = p;
  }
}

export function* mergeSorted<T>(sources: Iterator<T>[], key: (v: T) => number): Generator<T> {
  const heap: Head<T>[] = [];
  sources.forEach((it, source) => {
    const r = it.next();
    if (!r.done) {
      heap.push({ value: r.value, key: key(r.value), source });
      siftUp(heap, heap.length - 1);
    }
  });
  while (heap.length > 0) {
    const top = heap[0] as Head<T>;
    yield top.value;
    const r = (sources[top.source] as Iterator<T>).next();
    if (r.done) {
      const last = heap.pop() as Head<T>;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(heap, 0);
      }
    } else {
      heap[0] = { value: r.value, key: key(r.value), source: top.source };
      siftDown(heap, 0);
    }
  }
}
