import type { ResponseRow } from "../../storage/sqlite/dashboard-reports.js";

export interface Durations {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
  meanMs: number | null;
}

export interface ResponseStats {
  alerts: number;
  /** Raise → acknowledge. */
  toAcknowledge: Durations;
  /** Raise → "on my way". */
  toOnMyWay: Durations;
  /** Raise → "arrived" at the door. */
  toArrive: Durations;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function durations(values: number[]): Durations {
  const sorted = values.filter((v) => v >= 0).sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    medianMs: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    meanMs: sorted.length ? Math.round(sum / sorted.length) : null,
  };
}

function stats(rows: ResponseRow[]): ResponseStats {
  const since = (pick: (r: ResponseRow) => number | null) =>
    durations(rows.flatMap((r) => (pick(r) === null ? [] : [pick(r)! - r.createdAt])));
  return {
    alerts: rows.length,
    toAcknowledge: since((r) => r.acknowledgedAt),
    toOnMyWay: since((r) => r.visitingAt),
    toArrive: since((r) => r.arrivedAt),
  };
}

function groupBy<K>(rows: ResponseRow[], key: (r: ResponseRow) => K | null): Map<K, ResponseRow[]> {
  const out = new Map<K, ResponseRow[]>();
  for (const r of rows) {
    const k = key(r);
    if (k === null) continue;
    out.set(k, [...(out.get(k) ?? []), r]);
  }
  return out;
}

/** Response times per grid (every alert raised there) and per worker (the alerts they acknowledged). */
export function responseTimes(rows: ResponseRow[]) {
  return {
    overall: stats(rows),
    byGrid: [...groupBy(rows, (r) => r.gridPath)].map(([gridPath, rs]) => ({ gridPath, ...stats(rs) })),
    byWorker: [...groupBy(rows, (r) => r.acknowledgedBy)].map(([personId, rs]) => ({
      personId,
      ...stats(rs),
    })),
  };
}
