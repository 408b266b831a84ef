import type { HomeEvent } from "../events.js";
import { type DraftMessage, noise, reading } from "../messages.js";
import { createAccumulator } from "./accumulator.js";
import { createTicker, type DeviceEmitter } from "./types.js";

export interface PowerMeterDeps {
  homeId: string;
  deviceId: string;
  seed: number;
  from: number;
  intervalMin: number;
  /** Fridge and standby, always on. */
  baseWatts: number;
  initialKwh: number;
}

/** Report a change as it happens when the load moves by at least this much (kettle on, kettle off). */
const STEP_WATTS = 200;

/**
 * A smart plug/sub-meter on the home's circuit: instantaneous watts and a kWh register, every
 * intervalMin and on large steps.
 */
export function createPowerMeterEmitter(d: PowerMeterDeps): DeviceEmitter {
  const { homeId, deviceId, seed } = d;
  const energy = createAccumulator(d.initialKwh * 1000);
  const ticker = createTicker(
    d.from,
    d.intervalMin * 60_000,
    noise(seed, "phase", 0) * d.intervalMin * 60_000,
  );
  let steps: number[] = [];
  let lastWatts = -1;

  const sample = (t: number): DraftMessage => {
    const { total, ratePerMin } = energy.at(t);
    const wh = total + (d.baseWatts * (t - d.from)) / 3_600_000;
    const jitter = 1 + (noise(seed, "w", t) - 0.5) * 0.06;
    const watts = Math.round((d.baseWatts + ratePerMin * 60) * jitter);
    lastWatts = watts;
    return reading(homeId, deviceId, t, { kind: "power", ts: t, watts, totalKwh: Math.round(wh) / 1000 });
  };

  return {
    deviceId,
    kind: "power",
    feed(events: readonly HomeEvent[]) {
      const uses = events.flatMap((e) => (e.type === "power" && e.durationMs > 0 ? [e] : []));
      energy.add(
        uses.map((u) => ({
          start: u.start,
          durationMs: u.durationMs,
          amount: (u.watts * u.durationMs) / 3_600_000,
        })),
      );
      for (const u of uses)
        if (u.watts >= STEP_WATTS) steps.push(u.start + 2_000, u.start + u.durationMs + 2_000);
      steps.sort((a, b) => a - b);
    },
    drain(until) {
      const out: DraftMessage[] = [];
      for (;;) {
        const step = steps[0] ?? Number.POSITIVE_INFINITY;
        const t = Math.min(ticker.next, step);
        if (t >= until) break;
        if (t === step) steps = steps.slice(1);
        else ticker.advance();
        if (t < d.from) continue;
        const before = lastWatts;
        const m = sample(t);
        if (t !== step || Math.abs(lastWatts - before) >= STEP_WATTS / 2) out.push(m);
      }
      return out;
    },
  };
}
