import type { Clock } from "../core/clock.js";
import type { Household } from "../core/domain.js";
import { zoneFor } from "../core/local-time.js";
import type { Logger } from "../core/log.js";
import { createDeadlineScheduler } from "./deadline-scheduler.js";
import type { NotificationRequest } from "./notify/types.js";

export interface SummarySource {
  optedIn(): { id: string; timezone: string }[];
  recipients(householdId: string): { id: string; email: string | null; language: "zh-CN" | "en" }[];
  facts(
    householdId: string,
    from: number,
    to: number,
  ): { lastActivityAt: number | null; waterLiters: number | null; alerts: number; devicesOk: boolean };
  household(id: string): Household | undefined;
}

/** Local hour at which families who asked for it get the day's summary. */
export const SUMMARY_HOUR = 20;
/** How soon a family that just opted in is picked up. */
const RESCAN_MS = 10 * 60_000;

/** The next SUMMARY_HOUR:00 in the home's zone strictly after `now`. */
export function nextSummaryAt(timezone: string, now: number, hour = SUMMARY_HOUR): number {
  const zone = zoneFor(timezone);
  let at = zone.dayStart(now) + hour * 3_600_000;
  // dayStart + hours drifts by the DST change on switch days; nudge to the local hour.
  at -= (zone.hour(at) - hour) * 3_600_000;
  return at > now ? at : nextSummaryAt(timezone, zone.dayStart(now) + 30 * 3_600_000, hour);
}

/**
 * The opt-in daily "all is well" summary to family: at 20:00 in each home's zone, what the day held
 * (last water use, litres, alerts, devices reporting). Idempotent per home, day and person.
 */
export function createDailySummaries(d: {
  source: SummarySource;
  enqueue(items: NotificationRequest[]): void;
  clock: Clock;
  log: Logger;
  publicUrl: string;
}) {
  const scheduled = new Set<string>();
  const scheduler = createDeadlineScheduler(d.clock, (key, at) => {
    if (key === "rescan") {
      rescan();
      return;
    }
    try {
      send(key, at);
    } catch (err) {
      d.log.error({ err, householdId: key }, "daily summary failed");
    }
    const h = d.source.household(key);
    if (h) scheduler.schedule(key, nextSummaryAt(h.timezone, at));
  });

  function send(householdId: string, at: number): void {
    const h = d.source.household(householdId);
    // Consent withdrawn: the home is not monitored, and nobody is told about it (docs/privacy.md).
    if (!h || h.monitoringPausedAt != null) return;
    const zone = zoneFor(h.timezone);
    const from = zone.dayStart(at - 1);
    const date = new Date(from + zone.offsetMs(from)).toISOString().slice(0, 10);
    const facts = d.source.facts(h.id, from, at);
    const items: NotificationRequest[] = d.source
      .recipients(h.id)
      .filter((r) => r.email)
      .map((r) => ({
        idempotencyKey: `summary:${h.id}:${date}:${r.id}`,
        channel: "email",
        to: r.email!,
        language: r.language,
        audience: "family",
        template: "daily_summary",
        data: {
          householdId: h.id,
          resident: h.resident,
          address: h.address,
          timezone: h.timezone,
          link: `${d.publicUrl}/`,
          date,
          ...facts,
        },
      }));
    if (items.length > 0) d.enqueue(items);
  }

  function rescan(): void {
    for (const h of d.source.optedIn()) {
      if (scheduled.has(h.id)) continue;
      scheduled.add(h.id);
      scheduler.schedule(h.id, nextSummaryAt(h.timezone, d.clock.now()));
    }
    scheduler.schedule("rescan", d.clock.now() + RESCAN_MS);
  }

  return { start: rescan, stop: () => scheduler.stop(), sendNow: send };
}
