/**
 * The rule deployed programmes use today, for comparison only: alarm when under 10 L were used in
 * the last 12 h (see docs/detection.md). Checked at every meter reading (at least every 15 min),
 * which is kinder to it than the daily checks programmes run.
 */
import type { Reading } from "../../core/domain.js";

export interface LegacyEpisode {
  raisedAt: number;
  clearedAt: number | null;
}

export function legacyEpisodes(
  readings: Iterable<Reading>,
  windowMs = 12 * 3_600_000,
  minLiters = 10,
): LegacyEpisode[] {
  const window: { ts: number; liters: number }[] = [];
  let sum = 0;
  let prev: { ts: number; total: number } | null = null;
  let firstTs: number | null = null;
  let open: LegacyEpisode | null = null;
  const out: LegacyEpisode[] = [];
  for (const r of readings) {
    if (r.kind !== "water") continue;
    firstTs ??= r.ts;
    if (prev && r.ts > prev.ts && r.fields.totalLiters >= prev.total) {
      const liters = r.fields.totalLiters - prev.total;
      window.push({ ts: r.ts, liters });
      sum += liters;
    }
    if (!prev || r.ts > prev.ts) prev = { ts: r.ts, total: r.fields.totalLiters };
    while (window.length > 0 && (window[0]?.ts ?? 0) <= r.ts - windowMs) sum -= window.shift()?.liters ?? 0;
    const low = r.ts - firstTs >= windowMs && sum < minLiters;
    if (low && !open) {
      open = { raisedAt: r.ts, clearedAt: null };
      out.push(open);
    } else if (!low && open) {
      open.clearedAt = r.ts;
      open = null;
    }
  }
  return out;
}
