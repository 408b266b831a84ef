import { describe, expect, it } from "vitest";
import type { DeviceKind } from "../../../core/domain.js";
import { decodeTelemetry } from "../../../ingest/decode.js";
import type { SimMessage } from "../../../simulators/messages.js";
import { planSimulation, runSimulation, type SimulationOptions } from "../../../simulators/run.js";

const LIMITS = {
  maxPayloadBytes: 65_536,
  maxBatch: 2_000,
  maxReadingAgeMs: 30 * 86_400_000,
  maxClockSkewMs: 300_000,
};
const WEEK = { from: "2025-03-03T00:00:00+08:00", to: "2025-03-10T00:00:00+08:00" };

const all = (o: SimulationOptions): SimMessage[] => [...runSimulation(o)];
const kindOf = (deviceId: string) => deviceId.slice(deviceId.lastIndexOf("-") + 1) as DeviceKind;

describe("runSimulation", () => {
  it("gives identical traffic for the same seed and different traffic for another", () => {
    const a = all({ homes: 3, ...WEEK, seed: 7 });
    const b = all({ homes: 3, ...WEEK, seed: 7 });
    const c = all({ homes: 3, ...WEEK, seed: 8 });
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
    expect(c.map((m) => m.payload)).not.toEqual(a.map((m) => m.payload));
  });

  it("yields messages in global time order, inside [from, to), with ids like h0001-water", () => {
    const plan = planSimulation({ homes: 12, ...WEEK, seed: 1 });
    const msgs = all({ homes: 12, ...WEEK, seed: 1 });
    for (let i = 1; i < msgs.length; i++) expect(msgs[i]?.ts).toBeGreaterThanOrEqual(msgs[i - 1]?.ts ?? 0);
    expect(msgs[0]?.ts).toBeGreaterThanOrEqual(plan.from);
    expect(msgs[msgs.length - 1]?.ts).toBeLessThan(plan.to);
    expect(new Set(msgs.map((m) => m.homeId))).toEqual(new Set(plan.homes.map((h) => h.id)));
    expect(plan.homes[0]?.devices.water).toBe("h0001-water");
    for (const m of msgs)
      expect(m.topic).toBe(`devices/${m.deviceId}/${m.kind === "status" ? "status" : "telemetry"}`);
  });

  it("produces payloads the service's decoder accepts in full when no fault is injected", () => {
    const msgs = all({ homes: 6, ...WEEK, seed: 3, nbiotShare: 0.5 });
    let readings = 0;
    for (const m of msgs) {
      const r = decodeTelemetry(
        Buffer.from(m.payload),
        { id: m.deviceId, kind: kindOf(m.deviceId) },
        m.ts,
        LIMITS,
      );
      expect(r.rejections).toEqual([]);
      readings += r.readings.length;
    }
    const kinds = new Set(msgs.map((m) => m.kind));
    for (const k of ["water", "door", "motion", "power", "climate", "heartbeat"]) expect(kinds).toContain(k);
    expect(readings).toBeGreaterThan(msgs.length);
  });

  it("reports the water register every 15 min by default, or in NB-IoT batches a few times a day", () => {
    const periodic = all({ homes: 1, ...WEEK, seed: 5, water: { mode: "periodic" } }).filter(
      (m) => m.kind === "water",
    );
    expect(periodic.length).toBeGreaterThanOrEqual(7 * 96 - 1);
    expect(periodic.length).toBeLessThanOrEqual(7 * 96);
    const nb = all({
      homes: 1,
      ...WEEK,
      seed: 5,
      water: { mode: "nbiot", intervalMin: 15, batchesPerDay: 4 },
    }).filter((m) => m.deviceId.endsWith("-water"));
    expect(nb.length).toBeGreaterThanOrEqual(27);
    expect(nb.length).toBeLessThanOrEqual(28);
    const batch = JSON.parse(nb[5]?.payload ?? "[]") as { kind: string; ts: string; totalLiters?: number }[];
    expect(Array.isArray(batch)).toBe(true);
    expect(batch.filter((r) => r.kind === "water")).toHaveLength(24);
    expect(batch[batch.length - 1]?.kind).toBe("heartbeat");
  });

  it("keeps each register monotonic and the week's water per home in a believable range", () => {
    const msgs = all({ homes: 8, ...WEEK, seed: 11, water: { mode: "periodic" } }).filter(
      (m) => m.kind === "water",
    );
    const byDevice = new Map<string, number[]>();
    for (const m of msgs) {
      const v = (JSON.parse(m.payload) as { totalLiters: number }).totalLiters;
      byDevice.set(m.deviceId, [...(byDevice.get(m.deviceId) ?? []), v]);
    }
    for (const series of byDevice.values()) {
      for (let i = 1; i < series.length; i++) expect(series[i]).toBeGreaterThanOrEqual(series[i - 1] ?? 0);
      const perDay = ((series[series.length - 1] ?? 0) - (series[0] ?? 0)) / 7;
      expect(perDay).toBeGreaterThan(50);
      expect(perDay).toBeLessThan(220);
    }
  });

  it("is lazy: the first messages of a large neighbourhood come without generating the week", () => {
    const it = runSimulation({ homes: 2_000, from: WEEK.from, to: "2025-04-03T00:00:00+08:00", seed: 1 });
    const first: SimMessage[] = [];
    for (const m of it) {
      first.push(m);
      if (first.length === 500) break;
    }
    expect(new Set(first.map((m) => m.homeId)).size).toBeGreaterThan(200);
  });
});
