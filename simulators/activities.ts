import type { LocalDay } from "../core/local-time.js";
import type { Appliance, Fixture, HomeEvent } from "./events.js";
import type { PersonParams } from "./person.js";
import type { Rng } from "./random.js";

/**
 * Building blocks of a day. Each activity places its events on the local clock (minutes of the day,
 * which may run past 1440 into the night) and returns the minute it ends.
 * Litres per use follow the end-use ranges cited in docs/simulators.md.
 */
export interface DayBuilder {
  readonly rng: Rng;
  readonly person: PersonParams;
  readonly day: LocalDay;
  readonly events: HomeEvent[];
  group(): number;
  water(min: number, durMin: number, liters: number, fixture: Fixture, group: number): void;
  power(min: number, durMin: number, watts: number, appliance: Appliance, group: number): void;
  door(min: number, open: boolean, group: number): void;
  motion(min: number, group: number): void;
}

export function createDayBuilder(
  day: LocalDay,
  person: PersonParams,
  rng: Rng,
  groupBase: number,
): DayBuilder {
  let next = groupBase;
  const events: HomeEvent[] = [];
  return {
    rng,
    person,
    day,
    events,
    group: () => next++,
    water(min, durMin, liters, fixture, group) {
      const litres = Math.round(liters * person.waterScale * 100) / 100;
      if (litres <= 0) return;
      events.push({
        type: "water",
        start: day.at(min),
        durationMs: Math.round(durMin * 60_000),
        liters: litres,
        fixture,
        group,
      });
    },
    power(min, durMin, watts, appliance, group) {
      events.push({
        type: "power",
        start: day.at(min),
        durationMs: Math.round(durMin * 60_000),
        watts,
        appliance,
        group,
      });
    },
    door(min, open, group) {
      events.push({ type: "door", ts: day.at(min), open, group });
    },
    motion(min, group) {
      events.push({ type: "motion", ts: day.at(min), group });
    },
  };
}

export function handWash(b: DayBuilder, min: number, group: number): number {
  const dur = b.rng.uniform(0.3, 0.7);
  b.water(min, dur, b.rng.lognormal(b.person.handWashLiters, 0.3), "washbasin", group);
  return min + dur;
}

/** Toilet: a flush refills the cistern over about a minute, then usually a hand-wash. */
export function toiletVisit(b: DayBuilder, min: number): number {
  const g = b.group();
  b.motion(min, g);
  const flushAt = min + b.rng.uniform(1.5, 5);
  b.water(flushAt, b.rng.uniform(0.8, 1.5), b.person.flushLiters, "toilet", g);
  return b.rng.chance(0.75) ? handWash(b, flushAt + 0.3, g) : flushAt + 1;
}

/** Face, teeth, dentures: a few litres at the basin. */
export function basinWash(b: DayBuilder, min: number): number {
  const g = b.group();
  const dur = b.rng.uniform(2, 4);
  b.motion(min, g);
  b.water(min, dur, b.rng.uniform(1.5, 4), "washbasin", g);
  return min + dur;
}

export function boilKettle(b: DayBuilder, min: number): number {
  const g = b.group();
  b.motion(min, g);
  b.water(min, 0.2, b.rng.uniform(0.6, 1.4), "kettle-fill", g);
  const dur = b.rng.uniform(2.5, 4.5);
  b.power(min + 0.3, dur, b.person.kettleWatts, "kettle", g);
  return min + 0.3 + dur;
}

/** Rinse, cook, eat, wash up. Breakfast is smaller (congee from the rice cooker, steamed buns). */
export function cookMeal(b: DayBuilder, min: number, meal: "breakfast" | "lunch" | "dinner"): number {
  const g = b.group();
  const r = b.rng;
  b.motion(min, g);
  const small = meal === "breakfast";
  b.water(min + 1, r.uniform(1, 3), r.uniform(small ? 1 : 2.5, small ? 3 : 7), "kitchen", g);
  const cookDur = small ? r.uniform(8, 15) : r.uniform(15, 35);
  if (small || r.chance(0.3)) b.power(min + 3, cookDur, r.uniform(450, 700), "rice-cooker", g);
  else b.power(min + 3, cookDur, r.uniform(1000, 2000), "cooker", g);
  const eatEnd = min + 3 + cookDur + r.uniform(15, 30);
  b.motion(eatEnd, g);
  const dishes = r.uniform(2, 5);
  b.water(eatEnd, dishes, r.uniform(small ? 2 : 4, small ? 4 : 8), "kitchen", g);
  return eatEnd + dishes;
}

/** ~40–60 L over several minutes (showerhead 6–9 L/min). */
export function shower(b: DayBuilder, min: number): number {
  const g = b.group();
  b.motion(min, g);
  const dur = b.rng.uniform(5, 10);
  b.water(min + 2, dur, b.rng.lognormal(b.person.showerLiters, 0.15), "shower", g);
  b.motion(min + 2 + dur + 5, g);
  return min + 2 + dur + 10;
}

/** An automatic washer fills a few times over its cycle. */
export function laundry(b: DayBuilder, min: number): number {
  const g = b.group();
  const fills = b.rng.int(2, 3);
  const total = b.person.laundryLiters * b.rng.uniform(0.85, 1.15);
  b.motion(min, g);
  for (let i = 0; i < fills; i++) b.water(min + 1 + i * 15, 2.5, total / fills, "washing-machine", g);
  b.power(min + 1, fills * 15 + 5, b.rng.uniform(250, 450), "washing-machine", g);
  return min + fills * 15 + 6;
}

export function mopFloor(b: DayBuilder, min: number): number {
  const g = b.group();
  b.motion(min, g);
  b.water(min, 1.5, b.rng.uniform(6, 10), "bucket", g);
  b.motion(min + 10, g);
  return min + 20;
}

/** Leaving and coming back: the door opens and closes each way, nothing happens at home meanwhile. */
export function outing(b: DayBuilder, leave: number, back: number): void {
  const g = b.group();
  b.motion(leave - 1, g);
  b.door(leave, true, g);
  b.door(leave + b.rng.uniform(0.1, 0.4), false, g);
  b.door(back, true, g);
  b.door(back + b.rng.uniform(0.1, 0.3), false, g);
  b.motion(back + 0.5, g);
}

/** Feet soaking before bed is a common habit among older people in China: a basin of hot water. */
export function bedtime(b: DayBuilder, sleep: number): void {
  basinWash(b, sleep - 25);
  if (b.rng.chance(0.4)) {
    const g = b.group();
    b.water(sleep - 20, 1, b.rng.uniform(3, 5), "bucket", g);
  }
  toiletVisit(b, sleep - 8);
}
