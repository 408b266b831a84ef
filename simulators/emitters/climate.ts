import { type LocalDay, localDayOf } from "../../core/local-time.js";
import type { DraftMessage } from "../messages.js";
import { noise, reading, round1 } from "../messages.js";
import { createTicker, type DeviceEmitter } from "./types.js";

export interface ClimateDeps {
  homeId: string;
  deviceId: string;
  seed: number;
  from: number;
  timezone: string;
  intervalMin: number;
  /** Indoor warmth of this flat relative to the model (floor, orientation, heater use), °C. */
  offsetC: number;
  /** Extra indoor °C at t (heat waves). */
  extraC(t: number): number;
}

const TAU = 2 * Math.PI;

/**
 * Outdoor: Shanghai monthly normals, ~4–5 °C in January and ~28–29 °C in July (CMA 1991–2020),
 * as a cosine over the year with a ±3 °C day cycle peaking mid-afternoon. Indoor follows it damped,
 * as in an unheated, naturally ventilated flat (most homes south of the Huai River have no
 * central heating).
 */
export function indoorCelsius(dayOfYear: number, minuteOfDay: number): number {
  const outdoor =
    16.5 - 12 * Math.cos((TAU * (dayOfYear - 15)) / 365) + 3 * Math.cos((TAU * (minuteOfDay - 900)) / 1440);
  return 0.55 * outdoor + 9;
}

export function createClimateEmitter(d: ClimateDeps): DeviceEmitter {
  const ticker = createTicker(
    d.from,
    d.intervalMin * 60_000,
    noise(d.seed, "phase", 0) * d.intervalMin * 60_000,
  );
  let day: LocalDay | null = null;
  return {
    deviceId: d.deviceId,
    kind: "climate",
    feed() {},
    drain(until) {
      const out: DraftMessage[] = [];
      while (ticker.next < until) {
        const t = ticker.next;
        ticker.advance();
        // Intl is slow; the local day only changes once a day.
        if (!day || t < day.start || t >= day.end) day = localDayOf(d.timezone, t);
        const doy = day.dayOfYear;
        const base = indoorCelsius(doy, (t - day.start) / 60_000) + d.offsetC + d.extraC(t);
        const celsius = round1(base + (noise(d.seed, "c", t) - 0.5) * 0.4);
        const season = Math.cos((TAU * (doy - 200)) / 365);
        const humidity = Math.round(68 + 8 * season + (noise(d.seed, "h", t) - 0.5) * 10);
        out.push(reading(d.homeId, d.deviceId, t, { kind: "climate", ts: t, celsius, humidity }));
      }
      return out;
    },
  };
}
