/**
 * Local time for a home's IANA zone, computed with Intl (no tz database of our own).
 * Offsets are cached per UTC quarter-hour: every zone in use changes offset on a quarter-hour.
 */
export interface Zone {
  tz: string;
  offsetMs(ts: number): number;
  /** 0..23, local wall-clock hour. */
  hour(ts: number): number;
  /** 0..1439, local wall-clock minute of the day. */
  minuteOfDay(ts: number): number;
  /** Days since 1970-01-01 in local time: a stable key for "the same local day". */
  dayKey(ts: number): number;
  /** Epoch ms of local midnight starting the day that holds ts. */
  dayStart(ts: number): number;
  /** Epoch ms of the next local hour boundary strictly after ts. */
  nextHour(ts: number): number;
  /** "07:10" local. */
  hhmm(ts: number): string;
}

const QUARTER = 900_000;
const zones = new Map<string, Zone>();

function makeOffset(tz: string): (ts: number) => number {
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  });
  const cache = new Map<number, number>();
  return (ts) => {
    const key = Math.floor(ts / QUARTER);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const p: Record<string, number> = {};
    for (const part of fmt.formatToParts(key * QUARTER)) p[part.type] = Number(part.value);
    const local = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0);
    const off = local - key * QUARTER;
    if (cache.size > 50_000) cache.clear();
    cache.set(key, off);
    return off;
  };
}

export function zoneFor(tz: string): Zone {
  const known = zones.get(tz);
  if (known) return known;
  const offsetMs = makeOffset(tz);
  const local = (ts: number) => ts + offsetMs(ts);
  const minuteOfDay = (ts: number) =>
    Math.floor((((local(ts) % 86_400_000) + 86_400_000) % 86_400_000) / 60_000);
  const zone: Zone = {
    tz,
    offsetMs,
    minuteOfDay,
    hour: (ts) => Math.floor(minuteOfDay(ts) / 60),
    dayKey: (ts) => Math.floor(local(ts) / 86_400_000),
    dayStart(ts) {
      const startLocal = Math.floor(local(ts) / 86_400_000) * 86_400_000;
      const guess = startLocal - offsetMs(ts);
      return startLocal - offsetMs(guess);
    },
    nextHour(ts) {
      const intoHour = (((local(ts) % 3_600_000) + 3_600_000) % 3_600_000) as number;
      return ts - intoHour + 3_600_000;
    },
    hhmm(ts) {
      const m = minuteOfDay(ts);
      return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    },
  };
  zones.set(tz, zone);
  return zone;
}
