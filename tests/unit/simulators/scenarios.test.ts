import { describe, expect, it } from "vitest";
import type { DeviceKind } from "../../../core/domain.js";
import { decodeTelemetry } from "../../../ingest/decode.js";
import type { SimMessage } from "../../../simulators/messages.js";
import { planSimulation, simulate } from "../../../simulators/run.js";
import {
  groundTruthNdjson,
  type ScenarioInstance,
  type ScenarioSpec,
} from "../../../simulators/scenarios.js";

const LIMITS = {
  maxPayloadBytes: 65_536,
  maxBatch: 2_000,
  maxReadingAgeMs: 30 * 86_400_000,
  maxClockSkewMs: 300_000,
};
const HOUR = 3_600_000;
const base = { from: "2025-06-02T00:00:00+08:00", to: "2025-06-16T00:00:00+08:00", seed: "scenarios" };

function run(homes: number, scenarios: ScenarioSpec[], water: "periodic" | "nbiot" = "periodic") {
  const plan = planSimulation({ homes, ...base, scenarios, water: { mode: water } });
  return { plan, msgs: [...simulate(plan)] };
}

interface Row {
  kind: string;
  ts: string;
  totalLiters?: number;
  open?: boolean;
  pressed?: boolean;
  battery?: number;
  celsius?: number;
}
const rows = (m: SimMessage): Row[] => {
  const body = JSON.parse(m.payload) as Row | Row[];
  return Array.isArray(body) ? body : [body];
};
const register = (msgs: SimMessage[], deviceId: string) =>
  msgs
    .filter((m) => m.deviceId === deviceId && m.kind === "water")
    .flatMap(rows)
    .filter((r) => r.kind === "water")
    .map((r) => ({ t: Date.parse(r.ts), v: r.totalLiters ?? 0 }));
const only = (plan: { scenarios: ScenarioInstance[] }, kind: string): ScenarioInstance => {
  const s = plan.scenarios.find((x) => x.kind === kind);
  if (!s) throw new Error(`no ${kind}`);
  return s;
};

describe("scenarios and ground truth", () => {
  it("collapse: the register stays flat and nothing moves after the ground-truth start", () => {
    const { plan, msgs } = run(2, [{ kind: "collapse", home: "h0001", at: "2025-06-05T10:20:00+08:00" }]);
    const s = only(plan, "collapse");
    expect(s.end).toBe(plan.to);
    const after = register(msgs, "h0001-water").filter((r) => r.t >= s.start);
    expect(after.length).toBeGreaterThan(900);
    expect(new Set(after.map((r) => r.v)).size).toBe(1);
    const before = register(msgs, "h0001-water").filter(
      (r) => r.t < s.start && r.t >= s.start - 2 * 86_400_000,
    );
    expect((before[before.length - 1]?.v ?? 0) - (before[0]?.v ?? 0)).toBeGreaterThan(100);
    const late = msgs.filter((m) => m.ts > s.start + 10 * 60_000 && m.homeId === "h0001");
    expect(late.filter((m) => m.kind === "door" || m.kind === "motion")).toEqual([]);
    // The other home carries on.
    expect(
      register(msgs, "h0002-water")
        .filter((r) => r.t >= s.start)
        .map((r) => r.v)
        .at(-1),
    ).toBeGreaterThan(register(msgs, "h0002-water").find((r) => r.t >= s.start)?.v ?? 0);
  });

  it("hospital, late rising and illness: no water and no door inside their windows except leaving and return", () => {
    const { plan, msgs } = run(1, [
      { kind: "hospital", at: "2025-06-03T09:00:00+08:00", durationMin: 3 * 1440 },
      { kind: "late-rising", at: "2025-06-08T12:00:00+08:00", delayMin: 150 },
      { kind: "illness", at: "2025-06-10T12:00:00+08:00", durationMin: 3 * 1440 },
    ]);
    const reg = register(msgs, "h0001-water");
    for (const kind of ["hospital", "late-rising"]) {
      const s = only(plan, kind);
      const inside = reg.filter((r) => r.t > s.start + 60_000 && r.t < s.end);
      expect(inside.length).toBeGreaterThan(kind === "hospital" ? 200 : 8);
      expect(new Set(inside.map((r) => r.v)).size).toBe(1);
    }
    const h = only(plan, "hospital");
    const doors = msgs.filter((m) => m.kind === "door" && m.ts >= h.start && m.ts <= h.end + 60_000);
    expect(doors.map((m) => rows(m)[0]?.open)).toEqual([true, false, true, false]);
    const ill = only(plan, "illness");
    expect(msgs.filter((m) => m.kind === "door" && m.ts >= ill.start && m.ts < ill.end)).toEqual([]);
    const late = only(plan, "late-rising");
    expect(new Date(late.start + 8 * HOUR).getUTCHours()).toBeLessThan(9);
  });

  it("tap left running and slow leak add their litres to the register", () => {
    const { plan, msgs } = run(1, [
      { kind: "tap-left-running", at: "2025-06-04T14:00:00+08:00", durationMin: 120, flowLpm: 6 },
      { kind: "slow-leak", at: "2025-06-09T00:00:00+08:00", litersPerHour: 2 },
    ]);
    const reg = register(msgs, "h0001-water");
    const tap = only(plan, "tap-left-running");
    const at = (t: number) => reg.filter((r) => r.t <= t).at(-1)?.v ?? 0;
    expect(at(tap.end + 15 * 60_000) - at(tap.start)).toBeGreaterThanOrEqual(6 * 120 - 1);
    const leak = only(plan, "slow-leak");
    expect(leak.end).toBe(plan.to);
    // Every 15-minute step now moves by at least the leak's 0.5 L, night included.
    const steps = reg.filter((r) => r.t > leak.start + HOUR);
    for (let i = 1; i < steps.length; i++)
      expect((steps[i]?.v ?? 0) - (steps[i - 1]?.v ?? 0)).toBeGreaterThanOrEqual(0.4);
  });

  it("night wandering, panic button and heat wave show on door, button and climate", () => {
    const { plan, msgs } = run(1, [
      { kind: "night-wandering", at: "2025-06-05T03:00:00+08:00", durationMin: 40 },
      { kind: "panic-button", at: "2025-06-06T15:00:00+08:00" },
      { kind: "heat-wave", at: "2025-06-10T00:00:00+08:00", durationMin: 4 * 1440, deltaC: 7 },
    ]);
    const w = only(plan, "night-wandering");
    const doors = msgs.filter((m) => m.kind === "door" && m.ts >= w.start && m.ts < w.end + HOUR);
    expect(doors.map((m) => m.ts - w.start)).toEqual([0, 15_000, w.end - w.start, w.end - w.start + 12_000]);
    const p = only(plan, "panic-button");
    const presses = msgs.filter((m) => m.kind === "button").flatMap(rows);
    expect(presses.map((r) => [Date.parse(r.ts) - p.start, r.pressed])).toEqual([
      [0, true],
      [2_000, false],
    ]);
    const heat = only(plan, "heat-wave");
    const temps = (a: number, b: number) => {
      const v = msgs
        .filter((m) => m.kind === "climate" && m.ts >= a && m.ts < b)
        .flatMap(rows)
        .map((r) => r.celsius ?? 0);
      return v.reduce((x, y) => x + y, 0) / v.length;
    };
    expect(
      temps(heat.start + 86_400_000, heat.end) - temps(heat.start - 3 * 86_400_000, heat.start),
    ).toBeGreaterThan(5);
  });

  it("device offline, battery dying and meter replacement: silence, status messages, register reset", () => {
    const { plan, msgs } = run(1, [
      { kind: "device-offline", device: "power", at: "2025-06-03T10:00:00+08:00", durationMin: 300 },
      { kind: "battery-dying", device: "door", at: "2025-06-05T10:00:00+08:00", durationMin: 3 * 1440 },
      { kind: "meter-replaced", at: "2025-06-12T10:00:00+08:00", durationMin: 20 },
    ]);
    const off = only(plan, "device-offline");
    const power = msgs.filter((m) => m.deviceId === "h0001-power");
    expect(power.filter((m) => m.kind !== "status" && m.ts >= off.start && m.ts < off.end)).toEqual([]);
    expect(power.filter((m) => m.kind === "status").map((m) => [m.payload, m.ts - off.start])).toEqual([
      ["offline", 90_000],
      ["online", off.end - off.start],
    ]);
    const bat = only(plan, "battery-dying");
    const door = msgs.filter((m) => m.deviceId === "h0001-door" && m.kind !== "status");
    expect(door.filter((m) => m.ts >= bat.end)).toEqual([]);
    const levels = door
      .filter((m) => m.kind === "heartbeat" && m.ts >= bat.start)
      .map((m) => rows(m)[0]?.battery ?? 100);
    expect(levels.length).toBeGreaterThan(8);
    expect(levels[0]).toBeLessThanOrEqual(25);
    for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeLessThan(levels[i - 1] ?? 0);
    const rep = only(plan, "meter-replaced");
    const reg = register(msgs, "h0001-water");
    const before = reg.filter((r) => r.t < rep.start).at(-1)?.v ?? 0;
    const afterReg = reg.filter((r) => r.t >= rep.end);
    expect(before).toBeGreaterThan(1000);
    expect(afterReg[0]?.v).toBeLessThan(20);
    expect(reg.filter((r) => r.t >= rep.start && r.t < rep.end)).toEqual([]);
  });

  it("clock drift, duplicates, out-of-order and malformed payloads stay inside their windows", () => {
    const { plan, msgs } = run(1, [
      {
        kind: "clock-drift",
        device: "water",
        at: "2025-06-03T00:00:00+08:00",
        durationMin: 2 * 1440,
        driftMinPerDay: 10,
      },
      { kind: "duplicates", device: "power", at: "2025-06-05T00:00:00+08:00", durationMin: 720, rate: 0.4 },
      {
        kind: "out-of-order",
        device: "climate",
        at: "2025-06-07T00:00:00+08:00",
        durationMin: 720,
        rate: 0.4,
      },
      { kind: "malformed", device: "power", at: "2025-06-09T00:00:00+08:00", durationMin: 720, rate: 0.4 },
    ]);
    const drift = only(plan, "clock-drift");
    const skew = msgs
      .filter((m) => m.deviceId === "h0001-water" && m.kind === "water")
      .map((m) => ({ t: m.ts, d: Date.parse(rows(m)[0]?.ts ?? "") - m.ts }));
    expect(skew.filter((x) => x.t < drift.start || x.t >= drift.end).every((x) => x.d === 0)).toBe(true);
    const lastIn = skew.filter((x) => x.t < drift.end).at(-1);
    expect(lastIn?.d).toBeGreaterThan(19 * 60_000);
    const dup = only(plan, "duplicates");
    const powerPayloads = msgs
      .filter((m) => m.deviceId === "h0001-power")
      .map((m) => ({ ts: m.ts, p: m.payload }));
    const seen = new Map<string, number>();
    for (const x of powerPayloads) seen.set(x.p, (seen.get(x.p) ?? 0) + 1);
    const repeated = powerPayloads.filter((x) => (seen.get(x.p) ?? 0) > 1);
    expect(repeated.length).toBeGreaterThan(4);
    for (const x of repeated) expect(x.ts).toBeGreaterThanOrEqual(dup.start);
    const ooo = only(plan, "out-of-order");
    const climateTs = msgs
      .filter((m) => m.deviceId === "h0001-climate")
      .map((m) => Date.parse(rows(m)[0]?.ts ?? ""));
    const inversions = climateTs.filter((t, i) => i > 0 && t < (climateTs[i - 1] ?? 0));
    expect(inversions.length).toBeGreaterThan(0);
    for (const t of inversions) expect(t).toBeGreaterThanOrEqual(ooo.start);
    const bad = only(plan, "malformed");
    const rejected = msgs
      .filter((m) => m.deviceId === "h0001-power")
      .filter(
        (m) =>
          decodeTelemetry(
            Buffer.from(m.payload),
            { id: m.deviceId, kind: "power" as DeviceKind },
            m.ts,
            LIMITS,
          ).rejections.length > 0,
      );
    expect(rejected.length).toBeGreaterThan(4);
    for (const m of rejected) {
      expect(m.ts).toBeGreaterThanOrEqual(bad.start);
      expect(m.ts).toBeLessThan(bad.end);
    }
  });

  it("resolves random scenarios from the seed and writes them as NDJSON ground truth", () => {
    const specs: ScenarioSpec[] = [
      { kind: "collapse", count: 3 },
      { kind: "device-offline" },
      { kind: "illness" },
    ];
    const a = planSimulation({ homes: 20, ...base, scenarios: specs });
    const b = planSimulation({ homes: 20, ...base, scenarios: specs });
    expect(groundTruthNdjson(a.scenarios)).toBe(groundTruthNdjson(b.scenarios));
    const lines = groundTruthNdjson(a.scenarios)
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(5);
    for (const l of lines) {
      expect(Object.keys(l)).toEqual(["household", "device", "scenario", "start", "end"]);
      expect(Date.parse(String(l.start))).toBeGreaterThanOrEqual(a.from);
      expect(Date.parse(String(l.end))).toBeLessThanOrEqual(a.to);
      expect(Date.parse(String(l.end))).toBeGreaterThanOrEqual(Date.parse(String(l.start)));
    }
    expect(lines.filter((l) => l.scenario === "device-offline")[0]?.device).toMatch(/^h\d{4}-[a-z]+$/);
    expect(lines.filter((l) => l.scenario === "collapse").every((l) => l.device === null)).toBe(true);
    expect(() =>
      planSimulation({ homes: 2, ...base, scenarios: [{ kind: "collapse", home: "h0999" }] }),
    ).toThrow();
  });
});
