import { DEVICE_KINDS, type DeviceKind } from "../core/domain.js";
import { type LocalDay, localDayOf } from "../core/local-time.js";
import type { WaterMeterConfig } from "./emitters/water-meter.js";
import { type DayPlan, planDay, plannedWake } from "./household-model.js";
import { drawPerson, type PersonParams } from "./person.js";
import { createRng, hashSeed } from "./random.js";
import { applyPersonScenarios, dayModifiers } from "./scenario-effects.js";
import type { ScenarioHome, ScenarioInstance } from "./scenarios.js";

export interface HomeSpec {
  id: string;
  index: number;
  timezone: string;
  seed: number;
  person: PersonParams;
  devices: Record<DeviceKind, string>;
  water: WaterMeterConfig;
  powerIntervalMin: number;
  climateIntervalMin: number;
  heartbeatMin: number;
  /** Indoor temperature offset of this flat, °C. */
  climateOffsetC: number;
  initialKwh: number;
}

export interface NeighbourhoodOptions {
  homes: number;
  seed: number | string;
  timezone?: string;
  /** Fixes the water meter setup for every home; otherwise drawn (about one in three is NB-IoT). */
  water?: Partial<WaterMeterConfig>;
  /** Share of NB-IoT meters when `water.mode` is not fixed. */
  nbiotShare?: number;
}

export const homeId = (i: number): string => `h${String(i + 1).padStart(4, "0")}`;
export const deviceIdFor = (home: string, kind: DeviceKind): string => `${home}-${kind}`;

export function createHome(index: number, opts: NeighbourhoodOptions): HomeSpec {
  const id = homeId(index);
  const seed = hashSeed(String(opts.seed), id);
  const rng = createRng(seed).fork("setup");
  const devices = Object.fromEntries(DEVICE_KINDS.map((k) => [k, deviceIdFor(id, k)])) as Record<
    DeviceKind,
    string
  >;
  const nbiot = rng.chance(opts.nbiotShare ?? 0.3);
  const mode = opts.water?.mode ?? (nbiot ? "nbiot" : "periodic");
  return {
    id,
    index,
    timezone: opts.timezone ?? "Asia/Shanghai",
    seed,
    person: drawPerson(createRng(seed).fork("person")),
    devices,
    water: {
      mode,
      intervalMin: opts.water?.intervalMin ?? (mode === "nbiot" ? 60 : 15),
      batchesPerDay: opts.water?.batchesPerDay ?? 4,
      eventDriven: opts.water?.eventDriven ?? false,
      initialLiters: opts.water?.initialLiters ?? Math.round(rng.uniform(5_000, 900_000)),
    },
    powerIntervalMin: 15,
    climateIntervalMin: 30,
    heartbeatMin: 360,
    climateOffsetC: rng.normal(0, 1.2),
    initialKwh: Math.round(rng.uniform(100, 20_000)),
  };
}

export function createNeighbourhood(opts: NeighbourhoodOptions): HomeSpec[] {
  return Array.from({ length: opts.homes }, (_, i) => createHome(i, opts));
}

/** Days count from 2000-01-01 so a day's random stream does not depend on the simulated range. */
const dayNumber = (day: LocalDay): number => Math.round((day.start - Date.UTC(2000, 0, 1)) / 86_400_000);

/** The person's day with the home's scenarios applied: what actually happens. */
export function homeDay(home: HomeSpec, day: LocalDay, scenarios: readonly ScenarioInstance[]): DayPlan {
  const dayRng = createRng(home.seed).fork(day.key);
  const plan = planDay(home.person, day, dayRng, dayModifiers(day, scenarios), dayNumber(day) * 10_000);
  return { ...plan, events: applyPersonScenarios(plan.events, day, scenarios) };
}

export function scenarioHome(home: HomeSpec): ScenarioHome {
  return {
    id: home.id,
    timezone: home.timezone,
    deviceId: (k) => home.devices[k],
    plannedWakeAt(t) {
      const day = localDayOf(home.timezone, t);
      return day.at(plannedWake(home.person, day, createRng(home.seed).fork(day.key)));
    },
  };
}
