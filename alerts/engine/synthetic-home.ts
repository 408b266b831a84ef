/**
 * A seeded, regular older person living alone, for the detection evaluation next to the one real
 * home (WEUSEDTO's occupant is out all day on many days, which the population mostly is
 * not). Assumptions, all stated here and in docs/detection.md: up 06:30–07:30 (5% of days an hour
 * later), water every 30–90 min while up, to bed 20:30–21:30, a night toilet visit on 30% of
 * nights, out for 2–4 h in the morning on 20% of days, away 2–4 days once a month.
 */

import { zoneFor } from "../../core/local-time.js";
import type { WeusedtoData } from "../../simulators/weusedto.js";
import { mulberry32 } from "./detection-trials.js";

function dayUses(rnd: () => number): number[] {
  const late = rnd() < 0.05 ? 60 : 0;
  const wake = 390 + late + Math.floor(rnd() * 60);
  const bed = 1230 + Math.floor(rnd() * 60);
  const out = rnd() < 0.2 ? { from: 540 + Math.floor(rnd() * 60), len: 120 + Math.floor(rnd() * 120) } : null;
  const uses: number[] = [];
  for (let m = wake; m < bed; m += 30 + Math.floor(rnd() * 60)) {
    if (!out || m < out.from || m > out.from + out.len) uses.push(m);
  }
  if (rnd() < 0.3) uses.push(1440 + 60 + Math.floor(rnd() * 180));
  return uses;
}

export function syntheticHome(seed: number, days: number, tz: string, start: number): WeusedtoData {
  const rnd = mulberry32(seed);
  const zone = zoneFor(tz);
  const minutes = new Map<number, number>();
  const dailyTotals = new Map<string, number>();
  let away = 0;
  let day = zone.dayStart(start);
  for (let d = 0; d < days; d++, day = zone.dayStart(day + 36 * 3_600_000)) {
    if (away === 0 && d % 30 === 15) away = 2 + Math.floor(rnd() * 3);
    if (away > 0) {
      away--;
      continue;
    }
    for (const m of dayUses(rnd)) {
      const ms = day + m * 60_000;
      const at = ms + (zone.offsetMs(day) - zone.offsetMs(ms));
      const liters = 1 + rnd() * 6;
      minutes.set(Math.floor(at / 60_000), liters);
      const key = new Date(at + zone.offsetMs(at)).toISOString().slice(0, 10);
      dailyTotals.set(key, (dailyTotals.get(key) ?? 0) + liters);
    }
  }
  return { minutes, dailyTotals, from: zone.dayStart(start), to: day };
}
