/** Human wording shared by the rules' evidence sentences (zh-CN and en). */
import type { Zone } from "../../../core/local-time.js";

export function durationEn(ms: number): string {
  const totalMin = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const m = totalMin % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

export function durationZh(ms: number): string {
  const totalMin = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(totalMin / 1440);
  const h = Math.floor((totalMin % 1440) / 60);
  const m = totalMin % 60;
  if (d > 0) return `${d}天${h}小时`;
  if (h > 0) return m > 0 ? `${h}小时${m}分钟` : `${h}小时`;
  return `${m}分钟`;
}

/** "07:10", "yesterday 23:05" / "昨天23:05", or "3 days ago 10:00", relative to `ref`. */
export function whenEn(zone: Zone, ts: number, ref: number): string {
  const days = zone.dayKey(ref) - zone.dayKey(ts);
  if (days <= 0) return zone.hhmm(ts);
  if (days === 1) return `yesterday ${zone.hhmm(ts)}`;
  return `${days} days ago ${zone.hhmm(ts)}`;
}

export function whenZh(zone: Zone, ts: number, ref: number): string {
  const days = zone.dayKey(ref) - zone.dayKey(ts);
  if (days <= 0) return zone.hhmm(ts);
  if (days === 1) return `昨天${zone.hhmm(ts)}`;
  return `${days}天前${zone.hhmm(ts)}`;
}

export const pct = (p: number): string => `${Math.round(p * 100)}%`;
