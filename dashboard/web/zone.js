// Times of a home are shown in the home's own IANA zone (its `timezone`), not the browser's: a grid
// worker or a daughter abroad reads "07:00" as the parent's morning. Intl does the zone arithmetic.

/** @type {Map<string, Intl.DateTimeFormat>} */
const partsFormats = new Map();

/**
 * The wall-clock fields of an instant in a zone (undefined zone: the browser's).
 * @param {number} ms @param {string} [timeZone]
 * @returns {{ year: number, month: number, day: number, hour: number, minute: number }}
 */
export function zoneParts(ms, timeZone) {
  const key = timeZone ?? "";
  let f = partsFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
    });
    partsFormats.set(key, f);
  }
  /** @type {Record<string, number>} */
  const p = {};
  for (const x of f.formatToParts(ms)) if (x.type !== "literal") p[x.type] = Number(x.value);
  return {
    year: p.year ?? 0,
    month: p.month ?? 1,
    day: p.day ?? 1,
    hour: p.hour ?? 0,
    minute: p.minute ?? 0,
  };
}

/** The zone's offset from UTC at an instant, in ms. @param {number} ms @param {string} [timeZone] */
function offsetAt(ms, timeZone) {
  const p = zoneParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
  return asUtc - (ms - (((ms % 60_000) + 60_000) % 60_000));
}

/** A datetime-local value ("2026-11-21T07:30") for an instant, on the zone's wall clock. @param {number} ms @param {string} [timeZone] */
export function toZonedInput(ms, timeZone) {
  const p = zoneParts(ms, timeZone);
  const two = (/** @type {number} */ n) => String(n).padStart(2, "0");
  return `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`;
}

/**
 * The instant a datetime-local value means on the zone's wall clock; NaN when it is not a date. Two
 * passes settle the offset across a DST change (a skipped wall time lands after the gap).
 * @param {string} value @param {string} [timeZone]
 */
export function fromZonedInput(value, timeZone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return Number.NaN;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}
