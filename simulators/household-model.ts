import type { LocalDay } from "../core/local-time.js";
import {
  basinWash,
  bedtime,
  boilKettle,
  cookMeal,
  createDayBuilder,
  type DayBuilder,
  handWash,
  laundry,
  mopFloor,
  outing,
  shower,
  toiletVisit,
} from "./activities.js";
import { byStart, type HomeEvent } from "./events.js";
import type { PersonParams } from "./person.js";
import { clamp, type Rng } from "./random.js";

/** What a scenario changes about a day before it is planned (late rising, illness). */
export interface DayModifiers {
  wakeDelayMin: number;
  /** 1 = usual; illness lowers it (no outings, fewer showers, more rest). */
  activity: number;
}

export const NO_MODIFIERS: DayModifiers = { wakeDelayMin: 0, activity: 1 };

export interface DayPlan {
  day: LocalDay;
  /** Wake time (minute of day) before any scenario delay: ground truth for late rising. */
  plannedWakeMin: number;
  wakeMin: number;
  sleepMin: number;
  /** Time-ordered; night events after midnight belong to this day's plan and run past day.end. */
  events: HomeEvent[];
}

type Span = [number, number];

const TAU = 2 * Math.PI;

/** Shanghai (31° N): sunrise ~04:50 in June, ~06:50 in January; sunset ~19:00 / ~17:00. */
function sunMinutes(doy: number): { sunrise: number; sunset: number } {
  const c = Math.cos((TAU * (doy - 172)) / 365);
  return { sunrise: 350 - 60 * c, sunset: 1080 + 60 * c };
}

/** 1 in mid-summer, -1 in mid-winter. */
export function seasonIndex(doy: number): number {
  return Math.cos((TAU * (doy - 200)) / 365);
}

/** The wake time a person plans for a day; drawn from its own stream so scenarios cannot shift it. */
export function plannedWake(person: PersonParams, day: LocalDay, dayRng: Rng): number {
  const r = dayRng.fork("wake");
  const winterLie = -10 * seasonIndex(day.dayOfYear);
  return clamp(r.normal(person.wakeMin + winterLie, person.wakeSdMin), 300, 600);
}

function freeMinute(rng: Rng, from: number, to: number, busy: readonly Span[]): number | null {
  if (to <= from) return null;
  for (let i = 0; i < 25; i++) {
    const m = rng.uniform(from, to);
    if (!busy.some(([a, b]) => m >= a - 5 && m < b + 5)) return m;
  }
  return null;
}

function repeatAtFreeTimes(
  b: DayBuilder,
  count: number,
  span: Span,
  busy: Span[],
  act: (m: number) => number,
): void {
  for (let i = 0; i < count; i++) {
    const m = freeMinute(b.rng, span[0], span[1], busy);
    if (m !== null) busy.push([m, act(m)]);
  }
}

/** Returns whether lunch is eaten at the canteen; `outs` receives the outings' spans. */
function planOutings(b: DayBuilder, wake: number, mods: DayModifiers, busy: Span[], away: Span[]): boolean {
  const { rng, person, day } = b;
  const weekday = day.weekday >= 1 && day.weekday <= 5;
  const able = mods.activity >= 0.9;
  const outs: Span[] = [];
  let morningBack = 0;
  if (able && rng.chance(person.morningOutProb)) {
    const leave = wake + rng.uniform(60, 110);
    morningBack = leave + clamp(rng.lognormal(80, 0.35), 30, 200);
    outs.push([leave, morningBack]);
  }
  // Community canteens for the elderly (老年食堂) serve weekday lunches around 11:00–12:30.
  const canteen = able && weekday && rng.chance(person.canteenProb);
  if (canteen) {
    const leave = Math.max(morningBack + 10, rng.uniform(645, 675));
    outs.push([leave, leave + rng.uniform(50, 80)]);
  }
  if (able && rng.chance(person.afternoonOutProb)) {
    const leave = rng.uniform(870, 930);
    outs.push([leave, leave + clamp(rng.lognormal(100, 0.3), 40, 180)]);
  }
  for (const [leave, back] of mergeSpans(outs)) {
    outing(b, leave, back);
    busy.push([leave, back]);
    away.push([b.day.at(leave), b.day.at(back)]);
  }
  return canteen;
}

function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((x, y) => x[0] - y[0]);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s[0] <= last[1] + 10) last[1] = Math.max(last[1], s[1]);
    else out.push([s[0], s[1]]);
  }
  return out;
}

function atFree(b: DayBuilder, wanted: number, busy: Span[], act: (m: number) => number): void {
  let m = wanted;
  for (const [a, e] of busy) if (m >= a - 5 && m < e + 5) m = e + b.rng.uniform(5, 20);
  busy.push([m, act(m)]);
}

function planMeals(b: DayBuilder, wake: number, busy: Span[], hasCanteen: boolean): void {
  atFree(b, wake + b.rng.uniform(15, 35), busy, (m) => cookMeal(b, m, "breakfast"));
  if (!hasCanteen) atFree(b, b.rng.uniform(650, 690), busy, (m) => cookMeal(b, m, "lunch"));
  atFree(b, b.rng.uniform(1020, 1065), busy, (m) => cookMeal(b, m, "dinner"));
}

function planShower(b: DayBuilder, wake: number, sleep: number, mods: DayModifiers, busy: Span[]): void {
  const { rng, person, day } = b;
  // Showers are more frequent in Shanghai's humid summers, rarer in unheated winter bathrooms.
  const season = 1 + 0.25 * seasonIndex(day.dayOfYear);
  const p = clamp((season / person.showerEveryDays) * (mods.activity < 0.9 ? 0.3 : 1), 0, 1);
  if (!rng.chance(p)) return;
  const wanted = person.showerEvening
    ? clamp(rng.normal(1170, 30), 1110, sleep - 40)
    : wake + rng.uniform(5, 12);
  atFree(b, wanted, busy, (m) => shower(b, m));
}

function planEvening(b: DayBuilder, wake: number, sleep: number): void {
  const { rng, day } = b;
  const { sunrise, sunset } = sunMinutes(day.dayOfYear);
  const g = b.group();
  if (wake < sunrise) b.power(wake, sunrise + 20 - wake, rng.uniform(20, 40), "lights", g);
  const on = Math.min(sunset - 15, sleep - 30);
  b.power(on, sleep - on, rng.uniform(20, 45), "lights", g);
  const tvFrom = Math.max(on, 1140 + rng.uniform(-20, 20));
  if (tvFrom < sleep - 30) b.power(tvFrom, sleep - 30 - tvFrom, rng.uniform(70, 130), "tv", g);
}

function planNight(b: DayBuilder, sleep: number): void {
  const { rng, person } = b;
  const nightEnd = 1440 + person.wakeMin - 20;
  const visits = rng.poisson(person.nightToiletRate);
  for (let i = 0; i < visits; i++) {
    const m = rng.uniform(sleep + 45, nightEnd);
    const g = b.group();
    b.power(m, 4, rng.uniform(8, 15), "lights", g);
    toiletVisit(b, m);
  }
}

/**
 * Activities are placed by their start time; one that would run into an outing (a wash cycle started
 * just before leaving) is dropped, so nothing draws water while the home is empty.
 */
function dropWhileAway(events: HomeEvent[], away: readonly Span[]): HomeEvent[] {
  const inside = (t: number) => away.some(([a, b]) => t > a && t < b);
  const bad = new Set<number>();
  for (const e of events) {
    if (e.type === "door") continue;
    const s = e.type === "water" || e.type === "power" ? e.start : e.ts;
    const end = e.type === "water" || e.type === "power" ? e.start + e.durationMs : e.ts;
    if (
      e.type !== "motion" &&
      e.type !== "power" &&
      (inside(s) || inside(end) || away.some(([a, b]) => s <= a && end >= b))
    ) {
      bad.add(e.group);
    }
  }
  return events.filter((e) => !bad.has(e.group)).sort(byStart);
}

/** One day for one person: deterministic given the day's stream. */
export function planDay(
  person: PersonParams,
  day: LocalDay,
  dayRng: Rng,
  mods: DayModifiers,
  groupBase: number,
): DayPlan {
  const planned = plannedWake(person, day, dayRng);
  const rng = dayRng.fork("day");
  const b = createDayBuilder(day, person, rng, groupBase);
  const ill = mods.activity < 0.9;
  const wake = clamp(planned + mods.wakeDelayMin + (ill ? 30 : 0), 300, 1000);
  const sleep = clamp(rng.normal(person.sleepMin - (ill ? 30 : 0), person.sleepSdMin), wake + 600, 1430);
  const busy: Span[] = [];
  const wakeEnd = toiletVisit(b, wake);
  busy.push([wake, basinWash(b, wakeEnd + 1)]);
  if (!person.showerEvening) planShower(b, wake, sleep, mods, busy);
  const away: Span[] = [];
  const canteen = planOutings(b, wake, mods, busy, away);
  planMeals(b, wake, busy, canteen);
  if (rng.chance(ill ? 0.95 : person.napProb))
    atFree(b, rng.uniform(760, 800), busy, (m) => m + rng.uniform(40, ill ? 150 : 100));
  if (person.showerEvening) planShower(b, wake, sleep, mods, busy);
  const laundryP = (person.laundryPerWeek / 7) * (day.weekday === 0 ? 1.6 : 1) * (ill ? 0.3 : 1);
  if (rng.chance(laundryP)) repeatAtFreeTimes(b, 1, [wake + 40, 1080], busy, (m) => laundry(b, m));
  if (rng.chance(0.3 * mods.activity))
    repeatAtFreeTimes(b, 1, [wake + 40, 1100], busy, (m) => mopFloor(b, m));
  const day0: Span = [wake + 20, sleep - 30];
  repeatAtFreeTimes(b, rng.poisson(person.toiletPerDay), day0, busy, (m) => toiletVisit(b, m));
  repeatAtFreeTimes(b, rng.poisson(person.teaPerDay), day0, busy, (m) => boilKettle(b, m));
  repeatAtFreeTimes(b, rng.poisson(1.5 + seasonIndex(day.dayOfYear)), day0, busy, (m) =>
    handWash(b, m, b.group()),
  );
  repeatAtFreeTimes(b, rng.poisson(((sleep - wake) / 60) * 2 * mods.activity), day0, busy, (m) => {
    b.motion(m, b.group());
    return m + 1;
  });
  planEvening(b, wake, sleep);
  bedtime(b, sleep);
  planNight(b, sleep);
  return {
    day,
    plannedWakeMin: planned,
    wakeMin: wake,
    sleepMin: sleep,
    events: dropWhileAway(b.events, away),
  };
}
