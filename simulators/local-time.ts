/**
 * The household model thinks in the home's local time; epochs are UTC. Conversion goes through Intl,
 * never through the machine's time zone (new Date(y, m, d) would use it).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(tz, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localParts(tz: string, epochMs: number): LocalParts {
  const out: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(epochMs))) {
    if (p.type !== "literal") out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 1970,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** Milliseconds the zone is ahead of UTC at epochMs (+8 h for Asia/Shanghai). */
export function zoneOffsetMs(tz: string, epochMs: number): number {
  const p = localParts(tz, epochMs);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/** Epoch ms of a local wall-clock time; minute may exceed 1440 (it rolls into the next day). */
export function localToEpoch(tz: string, year: number, month: number, day: number, minute: number): number {
  const wall = Date.UTC(year, month - 1, day, 0, 0) + Math.round(minute * 60_000);
  const first = wall - zoneOffsetMs(tz, wall);
  // A second pass settles times near a DST change.
  return wall - zoneOffsetMs(tz, first);
}

/** One local calendar day: its bounds and a fast local-minute → epoch conversion. */
export interface LocalDay {
  /** "YYYY-MM-DD" in the home's zone. */
  key: string;
  start: number;
  end: number;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  month: number;
  /** 1 … 366. */
  dayOfYear: number;
  at(minuteOfDay: number): number;
}

export function localDay(tz: string, year: number, month: number, day: number): LocalDay {
  const start = localToEpoch(tz, year, month, day, 0);
  const next = new Date(Date.UTC(year, month - 1, day + 1));
  const end = localToEpoch(tz, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0);
  const uniform = end - start === 86_400_000;
  const key = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  const dayOfYear = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / 86_400_000) + 1;
  return {
    key,
    start,
    end,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    month,
    dayOfYear,
    at: (m) => (uniform ? start + Math.round(m * 60_000) : localToEpoch(tz, year, month, day, m)),
  };
}

/** The local day containing epochMs. */
export function localDayOf(tz: string, epochMs: number): LocalDay {
  const p = localParts(tz, epochMs);
  return localDay(tz, p.year, p.month, p.day);
}

/** The local day after `day`. */
export function nextLocalDay(tz: string, day: LocalDay): LocalDay {
  return localDayOf(tz, day.end + 3_600_000);
}

/** Minutes since local midnight of the day containing epochMs. */
export function localMinuteOfDay(tz: string, epochMs: number): number {
  const p = localParts(tz, epochMs);
  return p.hour * 60 + p.minute + p.second / 60;
}
