/**
 * Local time in a home's IANA zone, through Intl only: no tz database of our own, and never the
 * machine's zone (new Date(y, m, d) would use it). One module for the rules (a fast `Zone` with
 * offsets cached per UTC quarter-hour), the simulators (local calendar days) and the dashboard
 * (local midnight, month start, "08:12").
 */

const QUARTER = 900_000;
const DAY_MS = 86_400_000;

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

/** Minutes since local midnight of the day containing epochMs. */
export function localMinuteOfDay(tz: string, epochMs: number): number {
  const p = localParts(tz, epochMs);
  return p.hour * 60 + p.minute + p.second / 60;
}

// ---- Calendar days (simulators) ----

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

const pad = (n: number) => String(n).padStart(2, "0");

export function localDay(tz: string, year: number, month: number, day: number): LocalDay {
  const start = localToEpoch(tz, year, month, day, 0);
  const next = new Date(Date.UTC(year, month - 1, day + 1));
  const end = localToEpoch(tz, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0);
  const uniform = end - start === DAY_MS;
  const dayOfYear = Math.round((Date.UTC(year, month - 1, day) - Date.UTC(year, 0, 1)) / DAY_MS) + 1;
  return {
    key: `${year}-${pad(month)}-${pad(day)}`,
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

// ---- Dashboard helpers (argument order: time first, as the routes call them) ----

export function startOfLocalDay(ms: number, tz: string): number {
  const p = localParts(tz, ms);
  return localToEpoch(tz, p.year, p.month, p.day, 0);
}

export function startOfLocalMonth(ms: number, tz: string): number {
  const p = localParts(tz, ms);
  return localToEpoch(tz, p.year, p.month, 1, 0);
}

/** "08:12" in the household's zone; null stays null. */
export function localClock(ms: number | null, tz: string): string | null {
  if (ms === null) return null;
  const p = localParts(tz, ms);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

export function localDate(ms: number, tz: string): string {
  const p = localParts(tz, ms);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

// ---- Zone (rules: called per reading, so offsets are cached) ----

export interface Zone {
  tz: string;
  offsetMs(ts: number): number;
  /** 0..23, local wall-clock hour. */
  hour(ts: number): number;
  /** 0..1439, local wall-clock minute of the day. */
  minuteOfDay(ts: number): number;
  /** Days since 1970-01-01 in local time: a stable key for "the same local day". */
  dayKey(ts: number): number;
  /** 0 = Sunday … 6 = Saturday, local. */
  weekday(ts: number): number;
  /** Epoch ms of local midnight starting the day that holds ts. */
  dayStart(ts: number): number;
  /** Epoch ms of the next local hour boundary strictly after ts. */
  nextHour(ts: number): number;
  /** "07:10" local. */
  hhmm(ts: number): string;
}

const zones = new Map<string, Zone>();

/** Every zone in use changes offset on a quarter-hour, so one lookup per UTC quarter-hour suffices. */
function cachedOffset(tz: string): (ts: number) => number {
  const cache = new Map<number, number>();
  // The rules ask about the same quarter-hour many times per reading (the hour walk of the inactivity
  // threshold, every rule's local hour): the last answer is kept in front of the map.
  let lastKey = Number.NaN;
  let lastOff = 0;
  return (ts) => {
    const key = Math.floor(ts / QUARTER);
    if (key === lastKey) return lastOff;
    let off = cache.get(key);
    if (off === undefined) {
      off = zoneOffsetMs(tz, key * QUARTER);
      if (cache.size > 50_000) cache.clear();
      cache.set(key, off);
    }
    lastKey = key;
    lastOff = off;
    return off;
  };
}

export function zoneFor(tz: string): Zone {
  const known = zones.get(tz);
  if (known) return known;
  const offsetMs = cachedOffset(tz);
  const local = (ts: number) => ts + offsetMs(ts);
  const minuteOfDay = (ts: number) => Math.floor((((local(ts) % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
  const dayKey = (ts: number) => Math.floor(local(ts) / DAY_MS);
  const zone: Zone = {
    tz,
    offsetMs,
    minuteOfDay,
    hour: (ts) => Math.floor(minuteOfDay(ts) / 60),
    dayKey,
    // 1970-01-01 was a Thursday (4).
    weekday: (ts) => (((dayKey(ts) + 4) % 7) + 7) % 7,
    dayStart(ts) {
      const startLocal = dayKey(ts) * DAY_MS;
      const guess = startLocal - offsetMs(ts);
      return startLocal - offsetMs(guess);
    },
    nextHour(ts) {
      const intoHour = ((local(ts) % 3_600_000) + 3_600_000) % 3_600_000;
      return ts - intoHour + 3_600_000;
    },
    hhmm(ts) {
      const m = minuteOfDay(ts);
      return `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
    },
  };
  zones.set(tz, zone);
  return zone;
}
