import type { HomeEvent } from "../events.js";
import { type DraftMessage, noise, reading, round1, type WireReading } from "../messages.js";
import { createAccumulator } from "./accumulator.js";
import { createTicker, type DeviceEmitter } from "./types.js";

export interface WaterMeterConfig {
  /** periodic: one message per sample; nbiot: samples buffered and sent as arrays a few times a day. */
  mode: "periodic" | "nbiot";
  intervalMin: number;
  batchesPerDay: number;
  /** Also report when flow starts and stops (many ultrasonic meters can). */
  eventDriven: boolean;
  initialLiters: number;
}

export interface WaterMeterDeps {
  homeId: string;
  deviceId: string;
  seed: number;
  from: number;
  config: WaterMeterConfig;
  /** Times the meter was swapped for a new one (register restarts near zero). */
  replacements: readonly number[];
  battery(t: number): number;
}

/** Registers count down to 0.1 L and never round up (a meter shows what has passed). */
const floor1 = (v: number) => Math.floor(v * 10 + 1e-9) / 10;

export function createWaterMeterEmitter(d: WaterMeterDeps): DeviceEmitter {
  const { config: c, deviceId, homeId, seed } = d;
  const acc = createAccumulator(c.initialLiters);
  const sampler = createTicker(
    d.from,
    c.intervalMin * 60_000,
    noise(seed, "phase", 0) * c.intervalMin * 60_000,
  );
  const batchMs = 86_400_000 / Math.max(1, c.batchesPerDay);
  const batcher = createTicker(d.from, batchMs, noise(seed, "batch", 0) * batchMs);
  const reps = d.replacements.filter((t) => t >= d.from).sort((a, b) => a - b);
  let shift = 0;
  let eventTicks: number[] = [];
  let buffer: WireReading[] = [];

  const sample = (t: number): WireReading => {
    while (reps.length > 0 && (reps[0] as number) <= t) {
      const r = reps.shift() as number;
      shift = noise(seed, "new-meter", r) * 3 - acc.at(r).total;
    }
    const { total, ratePerMin } = acc.at(t);
    return {
      kind: "water",
      ts: t,
      totalLiters: floor1(Math.max(0, total + shift)),
      flowLpm: round1(ratePerMin),
    };
  };

  return {
    deviceId,
    kind: "water",
    feed(events: readonly HomeEvent[]) {
      const draws = events.flatMap((e) =>
        e.type === "water" ? [{ start: e.start, durationMs: e.durationMs, amount: e.liters }] : [],
      );
      acc.add(draws);
      if (c.eventDriven) {
        for (const w of draws) eventTicks.push(w.start + 5_000, w.start + w.durationMs + 5_000);
        eventTicks.sort((a, b) => a - b);
      }
    },
    drain(until) {
      const out: DraftMessage[] = [];
      for (;;) {
        const ev = eventTicks[0] ?? Number.POSITIVE_INFINITY;
        const batch = c.mode === "nbiot" ? batcher.next : Number.POSITIVE_INFINITY;
        const t = Math.min(sampler.next, ev, batch);
        if (t >= until) break;
        if (t === batch) {
          const hb: WireReading = { kind: "heartbeat", ts: t, battery: round1(d.battery(t)) };
          out.push(reading(homeId, deviceId, t, [...buffer, hb]));
          buffer = [];
          batcher.advance();
          continue;
        }
        if (t === ev) eventTicks = eventTicks.slice(1);
        else sampler.advance();
        if (t < d.from) continue;
        const r = sample(t);
        if (c.mode === "nbiot") buffer.push(r);
        else out.push(reading(homeId, deviceId, t, r));
      }
      return out;
    },
  };
}
