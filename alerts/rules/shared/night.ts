import type { Zone } from "../../../core/local-time.js";

/** Whether local time of ts falls in [fromHour, toHour), wrapping midnight. */
export function inWindow(zone: Zone, ts: number, fromHour: number, toHour: number): boolean {
  const h = zone.hour(ts);
  return fromHour <= toHour ? h >= fromHour && h < toHour : h >= fromHour || h < toHour;
}

/** A key shared by all moments of one night: the local date of the morning that ends it. */
export const nightKey = (zone: Zone, ts: number): number => zone.dayKey(ts + 12 * 3_600_000);

/** Epoch ms of the local `toHour` that ends the night holding ts. */
export function nightEnd(zone: Zone, ts: number, toHour: number): number {
  let t = zone.nextHour(ts);
  for (let i = 0; i < 48 && zone.hour(t) !== toHour; i++) t = zone.nextHour(t);
  return t;
}
