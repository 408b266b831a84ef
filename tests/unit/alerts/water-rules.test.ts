import { describe, expect, it } from "vitest";
import type { Evaluation, Rule, Transition } from "../../../alerts/engine/types.js";
import { createExcessiveUseRule, excessiveUseDefaults } from "../../../alerts/rules/excessive-use.js";
import { createSlowLeakRule, slowLeakDefaults } from "../../../alerts/rules/slow-leak.js";
import { createWaterRunningRule, waterRunningDefaults } from "../../../alerts/rules/water-running.js";
import type { Reading } from "../../../core/domain.js";
import { localMidnight } from "./synthetic-home.js";

const SH = "Asia/Shanghai";
const MIN = 60_000;
const H = 60 * MIN;
const cfg = <P>(params: P) => ({ params, timezone: SH, absences: [] });
const water = (ts: number, totalLiters: number): Reading => ({
  deviceId: "m",
  kind: "water",
  ts,
  fields: { totalLiters },
});

/** Feeds readings in order, collecting every transition. */
function drive<S>(rule: Rule<S>, rs: readonly Reading[]): { state: S; transitions: Transition[] } {
  let ev: Evaluation<S> = { state: rule.init(rs[0]?.ts ?? 0), transitions: [], deadline: null };
  const all: Transition[] = [];
  for (const r of rs) {
    ev = rule.evaluate(ev.state, r, r.ts);
    all.push(...ev.transitions);
  }
  return { state: ev.state, transitions: all };
}

/** Meter stream: a reading each minute with flow, every 15 min idle. flow(m) gives litres in minute m. */
function stream(t0: number, minutes: number, flow: (m: number) => number, start = 100): Reading[] {
  const out: Reading[] = [];
  let total = start;
  for (let m = 0; m < minutes; m++) {
    const l = flow(m);
    if (l > 0) {
      total += l;
      out.push(water(t0 + m * MIN + 59_000, total));
    } else if (m % 15 === 0) out.push(water(t0 + m * MIN, total));
  }
  return out;
}

describe("water_running", () => {
  const rule = createWaterRunningRule(cfg(waterRunningDefaults));
  const t0 = localMidnight(SH, 2024, 6, 1) + 9 * H;

  it("a tap left open at 6 L/min alarms at 57 min (within the 60 min target), with the first and the latest reading as evidence", () => {
    const { transitions } = drive(
      rule,
      stream(t0, 180, (m) => (m >= 10 ? 6 : 0)),
    );
    expect(transitions.map((t) => t.kind)).toEqual(["raise"]);
    const t = transitions[0];
    expect(t?.at).toBe(t0 + 9 * MIN + 59_000 + 57 * MIN);
    expect(t?.evidence.readings[0]?.ts).toBe(t0 + 10 * MIN + 59_000);
    expect(t?.evidence.message.en).toMatch(
      /^Water has been running without a pause since \d\d:\d\d \(57 min\)/,
    );
  });

  it("a 12-minute shower, pauses included, is not an alert; the alert clears when the water stops", () => {
    expect(
      drive(
        rule,
        stream(t0, 120, (m) => (m >= 5 && m < 17 ? 8 : 0)),
      ).transitions,
    ).toEqual([]);
    const kinds = drive(
      rule,
      stream(t0, 200, (m) => (m >= 10 && m < 100 ? 6 : 0)),
    ).transitions.map((t) => t.kind);
    expect(kinds).toEqual(["raise", "clear"]);
  });
});

describe("slow_leak", () => {
  const rule = createSlowLeakRule(cfg(slowLeakDefaults));
  const t0 = localMidnight(SH, 2024, 6, 1) + 20 * H;

  it("a cistern leaking 1 L/h from 20:00 alarms once the night's quiet hours (01–05) are covered; a flat quarter-hour clears it", () => {
    const rs: Reading[] = [];
    for (let q = 0; q <= 40; q++) rs.push(water(t0 + q * 15 * MIN, 100 + q * 0.25));
    rs.push(water(t0 + 41 * 15 * MIN, 100 + 40 * 0.25), water(t0 + 42 * 15 * MIN, 100 + 40 * 0.25));
    const { transitions } = drive(rule, rs);
    expect(transitions.map((t) => t.kind)).toEqual(["raise", "clear"]);
    expect(transitions[0]?.at).toBe(t0 + 9 * H);
    expect(transitions[0]?.evidence.message.en).toContain("about 1.0 L/h");
  });

  it("a busy morning on an hourly (NB-IoT) meter, never flat for 6 h, is not a leak", () => {
    const rs: Reading[] = [];
    for (let h = 0; h <= 8; h++) rs.push(water(t0 + 10 * H + h * H, 100 + h * 12));
    expect(drive(rule, rs).transitions).toEqual([]);
  });

  it("an ordinary evening with flat quarter-hours between uses is not a leak", () => {
    expect(
      drive(
        rule,
        stream(t0, 12 * 60, (m) => (m % 47 === 0 ? 3 : 0)),
      ).transitions,
    ).toEqual([]);
  });
});

describe("excessive_use", () => {
  const rule = createExcessiveUseRule(cfg(excessiveUseDefaults));
  const day0 = localMidnight(SH, 2024, 6, 1);

  function days(perDay: number[]): Reading[] {
    const rs: Reading[] = [];
    let total = 0;
    perDay.forEach((liters, d) => {
      for (let h = 0; h < 24; h++) {
        total += h >= 8 && h < 18 ? liters / 10 : 0;
        rs.push(water(day0 + d * 24 * H + h * H + 30 * MIN, total));
      }
    });
    return rs;
  }

  it("three times the usual day (and 150 L over it) alarms once, and clears at local midnight", () => {
    const { transitions } = drive(rule, days([100, 100, 100, 100, 100, 100, 100, 100, 500, 100]));
    expect(transitions.map((t) => t.kind)).toEqual(["raise", "clear"]);
    expect(transitions[0]?.evidence.baseline).toMatchObject({
      source: "learned",
      values: { medianDailyLiters: 100 },
    });
    expect(transitions[0]?.evidence.threshold.value).toBe(300);
    expect(transitions[1]?.at).toBe(day0 + 9 * 24 * H);
  });

  it("a heavy laundry day (2.5×) is not an alert; a new home uses the 120 L prior (limit 360 L)", () => {
    expect(drive(rule, days([100, 100, 100, 100, 100, 100, 100, 100, 250])).transitions).toEqual([]);
    const fresh = drive(rule, days([370]));
    expect(fresh.transitions[0]?.evidence.baseline?.source).toBe("prior");
    expect(fresh.transitions[0]?.evidence.threshold.value).toBe(360);
  });

  it("a meter reset does not count as use (nor as negative use)", () => {
    const rs = [
      water(day0 + H, 5000),
      water(day0 + 2 * H, 5010),
      water(day0 + 3 * H, 0),
      water(day0 + 4 * H, 20),
    ];
    expect(drive(rule, rs).state.liters).toBe(30);
  });
});
