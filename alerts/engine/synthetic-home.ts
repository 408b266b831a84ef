/**
 * A seeded, regular older person living alone, for the detection evaluation next to the one real
 * home (WEUSEDTO's occupant is out all day on many days, which the population mostly is
 * not). Assumptions, all stated here and in docs/detection.md: up 06:30–07:30 (5% of days an hour
 * later), water every 30–90 min while up, to bed 20:30–21:30, a night toilet visit on 30% of
 * nights, out for 2–4 h in the morning on 20% of days, away 2–4 days once a month.
 * Door (for the door-based "out" judgement; not in WEUSEDTO): the door opens when the person leaves
 * for a morning out and when they come back, 15 min after the last use before a trip and 5 min
 * before the first use after it; the sensor also reports "closed" every 6 h, as sensors with a
 * periodic status report do. The water trace is the same with or without the door.
 */

import { zoneFor } from "../../core/local-time.js";
import type { WeusedtoData } from "../../simulators/weusedto.js";
import { mulberry32 } from "./detection-trials.js";

export interface SyntheticHome extends WeusedtoData {
  /** Door openings, epoch ms, ascending. */
  doors: number[];
}

function dayUses(rnd: () => number): { uses: number[]; out: { from: number; len: number } | null } {
  const late = rnd() < 0.05 ? 60 : 0;
  const wake = 390 + late + Math.floor(rnd() * 60);
  const bed = 1230 + Math.floor(rnd() * 60);
  const out = rnd() < 0.2 ? { from: 540 + Math.floor(rnd() * 60), len: 120 + Math.floor(rnd() * 120) } : null;
  const uses: number[] = [];
  for (let m = wake; m < bed; m += 30 + Math.floor(rnd() * 60)) {
    if (!out || m < out.from || m > out.from + out.len) uses.push(m);
  }
  if (rnd() < 0.3) uses.push(1440 + 60 + Math.floor(rnd() * 180));
  return { uses, out };
}

export function syntheticHome(seed: number, days: number, tz: string, start: number): SyntheticHome {
  const rnd = mulberry32(seed);
  const zone = zoneFor(tz);
  const minutes = new Map<number, number>();
  const dailyTotals = new Map<string, number>();
  const doors: number[] = [];
  let away = 0;
  let back = false;
  let lastUse = 0;
  let day = zone.dayStart(start);
  const local = (m: number) => {
    const ms = day + m * 60_000;
    return ms + (zone.offsetMs(day) - zone.offsetMs(ms));
  };
  for (let d = 0; d < days; d++, day = zone.dayStart(day + 36 * 3_600_000)) {
    if (away === 0 && d % 30 === 15) {
      away = 2 + Math.floor(rnd() * 3);
      if (lastUse > 0) doors.push(lastUse + 15 * 60_000);
    }
    if (away > 0) {
      away--;
      back = true;
      continue;
    }
    const { uses, out } = dayUses(rnd);
    if (back && uses[0] !== undefined) doors.push(local(uses[0]) - 5 * 60_000);
    back = false;
    if (out) doors.push(local(out.from), local(out.from + out.len));
    for (const m of uses) {
      const at = local(m);
      if (m < 1440) lastUse = at;
      const liters = 1 + rnd() * 6;
      minutes.set(Math.floor(at / 60_000), liters);
      const key = new Date(at + zone.offsetMs(at)).toISOString().slice(0, 10);
      dailyTotals.set(key, (dailyTotals.get(key) ?? 0) + liters);
    }
  }
  return { minutes, dailyTotals, from: zone.dayStart(start), to: day, doors: doors.sort((a, b) => a - b) };
}
