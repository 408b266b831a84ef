import { localDayOf, nextLocalDay } from "../core/local-time.js";
import { createClimateEmitter } from "./emitters/climate.js";
import { batteryCurve, createHeartbeatEmitter } from "./emitters/heartbeat.js";
import { createPowerMeterEmitter } from "./emitters/power-meter.js";
import { createButtonEmitter, createDoorEmitter, createMotionEmitter } from "./emitters/sensors.js";
import type { DeviceEmitter } from "./emitters/types.js";
import { createWaterMeterEmitter } from "./emitters/water-meter.js";
import { applyFaults } from "./faults.js";
import { byTs, type DraftMessage, type SimMessage, serialise } from "./messages.js";
import { type HomeSpec, homeDay } from "./neighbourhood.js";
import { createRng, hashSeed } from "./random.js";
import type { ScenarioInstance } from "./scenarios.js";

const HOUR = 3_600_000;

function batteryFor(home: HomeSpec, deviceId: string, from: number, scenarios: readonly ScenarioInstance[]) {
  const r = createRng(hashSeed(home.seed, deviceId)).fork("battery");
  const dying = scenarios.filter((s) => s.kind === "battery-dying" && s.deviceId === deviceId);
  // Lithium meter cells last 6–10 years; coin cells in door/motion sensors about 1–2.
  const perDay = deviceId === home.devices.water ? r.uniform(0.02, 0.04) : r.uniform(0.1, 0.3);
  return batteryCurve(from, r.uniform(40, 100), perDay, dying);
}

function createEmitters(
  home: HomeSpec,
  from: number,
  scenarios: readonly ScenarioInstance[],
): DeviceEmitter[] {
  const d = home.devices;
  const seedOf = (id: string) => hashSeed(home.seed, id);
  const base = { homeId: home.id, from };
  const heat = scenarios.filter((s) => s.kind === "heat-wave");
  const emitters: DeviceEmitter[] = [
    createWaterMeterEmitter({
      ...base,
      deviceId: d.water,
      seed: seedOf(d.water),
      config: home.water,
      replacements: scenarios
        .filter((s) => s.kind === "meter-replaced" && s.deviceId === d.water)
        .map((s) => s.start),
      battery: batteryFor(home, d.water, from, scenarios),
    }),
    createDoorEmitter({ homeId: home.id, deviceId: d.door }),
    createMotionEmitter({ homeId: home.id, deviceId: d.motion }),
    createButtonEmitter({ homeId: home.id, deviceId: d.button }),
    createPowerMeterEmitter({
      ...base,
      deviceId: d.power,
      seed: seedOf(d.power),
      intervalMin: home.powerIntervalMin,
      baseWatts: home.person.baseWatts,
      initialKwh: home.initialKwh,
    }),
    createClimateEmitter({
      ...base,
      deviceId: d.climate,
      seed: seedOf(d.climate),
      timezone: home.timezone,
      intervalMin: home.climateIntervalMin,
      offsetC: home.climateOffsetC,
      // A heat wave warms the flat over its first day and cools it over a day after.
      extraC: (t) => heat.reduce((sum, s) => sum + (s.params.deltaC ?? 6) * heatRamp(t, s.start, s.end), 0),
    }),
  ];
  for (const kind of ["water", "door", "motion", "button", "power", "climate"] as const) {
    if (kind === "water" && home.water.mode === "nbiot") continue;
    const id = d[kind];
    const rssi = createRng(seedOf(id)).uniform(-95, -60);
    emitters.push(
      createHeartbeatEmitter({
        ...base,
        deviceId: id,
        seed: seedOf(id),
        everyMin: home.heartbeatMin,
        battery: batteryFor(home, id, from, scenarios),
        rssi,
      }),
    );
  }
  return emitters;
}

function heatRamp(t: number, start: number, end: number): number {
  const DAY = 24 * HOUR;
  if (t < start || t > end + DAY) return 0;
  if (t < start + DAY) return (t - start) / DAY;
  if (t <= end) return 1;
  return 1 - (t - end) / DAY;
}

/**
 * One home's messages in publish order over [from, to), produced an hour at a time so memory stays
 * at one day of events per home. The day before `from` is planned too: its night runs into `from`.
 */
export function* homeMessages(
  home: HomeSpec,
  from: number,
  to: number,
  scenarios: readonly ScenarioInstance[],
): Generator<SimMessage> {
  const mine = scenarios.filter((s) => s.homeId === home.id);
  const emitters = createEmitters(home, from, mine);
  const ctx = { seed: hashSeed(home.seed, "faults"), scenarios: mine };
  let day = localDayOf(home.timezone, from - 24 * HOUR);
  let pending: DraftMessage[] = [];
  for (let t = from; t < to; ) {
    const until = Math.min(to, t + HOUR);
    while (day.start < until) {
      const events = homeDay(home, day, mine).events;
      for (const e of emitters) e.feed(events);
      day = nextLocalDay(home.timezone, day);
    }
    const drafts = emitters.flatMap((e) => e.drain(until));
    pending = pending.concat(applyFaults(drafts, ctx, t, until)).sort(byTs);
    let n = 0;
    while (n < pending.length && (pending[n] as DraftMessage).ts < until) n++;
    for (const m of pending.slice(0, n)) if (m.ts >= from && m.ts < to) yield serialise(m);
    pending = pending.slice(n);
    t = until;
  }
}
