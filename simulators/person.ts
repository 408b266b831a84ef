import { clamp, type Rng } from "./random.js";

/**
 * One elderly person living alone, drawn once from the seed. Units: minutes of the local day,
 * litres, watts. Sources for the ranges are in docs/simulators.md.
 */
export interface PersonParams {
  /** Usual wake time, minute of day (~06:30 = 390). */
  wakeMin: number;
  /** Day-to-day spread of the wake time, minutes (one standard deviation). */
  wakeSdMin: number;
  /** Usual bedtime, minute of day (~21:30 = 1290). */
  sleepMin: number;
  sleepSdMin: number;
  /** Litres per flush: 4–6 L dual-flush, up to 9 L for older cisterns (GB 25502 grades). */
  flushLiters: number;
  /** Daytime toilet visits (Poisson mean), besides the one on waking and the one at bedtime. */
  toiletPerDay: number;
  /** Night toilet visits (Poisson mean per night); nocturia is common past 65. */
  nightToiletRate: number;
  /** Typical litres for one hand-wash at the basin. */
  handWashLiters: number;
  /** Days between showers on average (1 = daily). */
  showerEveryDays: number;
  /** Median litres for one shower. */
  showerLiters: number;
  /** Showers in the evening rather than the morning. */
  showerEvening: boolean;
  laundryPerWeek: number;
  laundryLiters: number;
  /** Kettle boils per day (tea, hot water bottle): Poisson mean. */
  teaPerDay: number;
  kettleWatts: number;
  /** Chance of eating lunch at the community canteen on a weekday. */
  canteenProb: number;
  /** Chance of a morning outing (market, park, exercise group). */
  morningOutProb: number;
  /** Chance of an afternoon outing (community centre, cards, visiting a friend). */
  afternoonOutProb: number;
  napProb: number;
  /** Overall frugality: multiplies every litre (0.8 thrifty … 1.2 generous). */
  waterScale: number;
  /** Fridge and standby, watts. */
  baseWatts: number;
}

export function drawPerson(rng: Rng): PersonParams {
  return {
    wakeMin: clamp(rng.normal(390, 25), 320, 480),
    wakeSdMin: rng.uniform(10, 30),
    sleepMin: clamp(rng.normal(1290, 25), 1230, 1380),
    sleepSdMin: rng.uniform(10, 25),
    flushLiters: rng.pick([4.5, 5, 6, 6, 6, 6.5, 8, 9]),
    toiletPerDay: rng.uniform(2, 4),
    nightToiletRate: rng.uniform(0.2, 1.5),
    handWashLiters: rng.uniform(0.6, 1.5),
    showerEveryDays: rng.uniform(1.2, 2.5),
    showerLiters: rng.uniform(40, 60),
    showerEvening: rng.chance(0.65),
    laundryPerWeek: rng.uniform(1, 3),
    laundryLiters: rng.uniform(35, 65),
    teaPerDay: rng.uniform(1, 4),
    kettleWatts: rng.pick([1500, 1800, 1800, 2000, 2200]),
    canteenProb: rng.uniform(0, 0.7),
    morningOutProb: rng.uniform(0.4, 0.9),
    afternoonOutProb: rng.uniform(0.1, 0.5),
    napProb: rng.uniform(0.3, 0.9),
    waterScale: clamp(rng.normal(1, 0.1), 0.8, 1.2),
    baseWatts: rng.uniform(30, 70),
  };
}
