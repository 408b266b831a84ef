import { describe, expect, it } from "vitest";
import { runBacktest } from "../../../alerts/engine/backtest.js";
import type { HomeConfig } from "../../../alerts/engine/home-evaluator.js";
import { resolveRuleParams } from "../../../alerts/rules/params.js";
import type { Reading } from "../../../core/domain.js";
import { localMidnight } from "./synthetic-home.js";

const SH = "Asia/Shanghai";
const MIN = 60_000;
const H = 60 * MIN;
const night = localMidnight(SH, 2024, 12, 1) + 23 * H;
const door = (ts: number, open: boolean): Reading => ({
  deviceId: "door-1",
  kind: "door",
  ts,
  fields: { open },
});
const motion = (ts: number): Reading => ({
  deviceId: "pir-1",
  kind: "motion",
  ts,
  fields: { detected: true },
});
const climate = (ts: number, celsius: number): Reading => ({
  deviceId: "th-1",
  kind: "climate",
  ts,
  fields: { celsius },
});
const home = (over: object = {}): HomeConfig => ({
  homeId: "h1",
  timezone: SH,
  params: resolveRuleParams({ disabled: ["no_data"] }, over),
});
const feed = (rs: Reading[]) => rs.map((reading) => ({ homeId: "h1", reading }));

describe("door_night", () => {
  it("out at 23:00 and not back within 45 min: alert from the deadline, cleared on return", () => {
    const rs = [
      door(night, true),
      door(night + MIN, false),
      door(night + 2 * H, true),
      motion(night + 2 * H + 3 * MIN),
    ];
    const res = runBacktest({ homes: [home()], readings: feed(rs), end: night + 3 * H });
    const a = res.alerts.filter((x) => x.rule === "door_night");
    expect(a.map((x) => [x.raisedAt, x.notifiedAt, x.clearedAt])).toEqual([
      [night + 45 * MIN, night + 45 * MIN, night + 2 * H],
    ]);
    expect(a[0]?.evidence.message.en).toBe(
      "The door opened at 23:00 at night and there has been no sign of anyone inside for 45 min.",
    );
  });

  it("back within the limit, or out by day, is no alert", () => {
    const back = [door(night, true), door(night + MIN, false), motion(night + 20 * MIN)];
    const day = [door(night - 10 * H, true), door(night - 10 * H + MIN, false)];
    const res = runBacktest({ homes: [home()], readings: feed([...day, ...back]), end: night + 3 * H });
    expect(res.alerts).toEqual([]);
  });
});

describe("temperature", () => {
  it("cold held for 30 min alarms, colder escalates to critical, clears only after 30 min back above 17 °C", () => {
    const temps = [20, 15, 15, 15, 11, 11, 16.5, 16.5, 16.5, 18, 18, 18];
    const rs = temps.map((c, i) => climate(night + i * 15 * MIN, c));
    const res = runBacktest({ homes: [home()], readings: feed(rs) });
    const [a, ...rest] = res.alerts.filter((x) => x.rule === "temperature");
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      raisedAt: night + 45 * MIN,
      severity: "critical",
      updates: 1,
      clearedAt: night + 11 * 15 * MIN,
    });
    expect(a?.evidence.message["zh-CN"]).toBe("室内温度15°C，超出16–32°C安全范围。");
  });

  it("a window opened for a quarter hour is not an alert", () => {
    const rs = [20, 14, 20, 20].map((c, i) => climate(night + i * 15 * MIN, c));
    expect(runBacktest({ homes: [home()], readings: feed(rs) }).alerts).toEqual([]);
  });
});

describe("night_activity", () => {
  it("water in more quarter-hours of the night than usual is a warning, cleared when the window ends", () => {
    const rs: Reading[] = [];
    for (let q = 0; q < 8; q++)
      rs.push({
        deviceId: "m",
        kind: "water",
        ts: night + H + q * 20 * MIN,
        fields: { totalLiters: 10 + q },
      });
    const res = runBacktest({ homes: [home()], readings: feed(rs), end: night + 8 * H });
    const a = res.alerts.filter((x) => x.rule === "night_activity");
    expect(a).toHaveLength(1);
    expect(a[0]?.evidence.observed.value).toBe(6);
    expect(a[0]?.clearedAt).toBe(night + 6 * H);
  });
});

describe("no_data", () => {
  it("a silent meter raises after its allowed silence, a second silent device updates, reporting again clears", () => {
    const params = resolveRuleParams({ no_data: { deviceSilentAfterMin: { "nb-1": 360 } } });
    const rs: Reading[] = [
      { deviceId: "m", kind: "water", ts: night, fields: { totalLiters: 1 } },
      { deviceId: "nb-1", kind: "heartbeat", ts: night, fields: {} },
      { deviceId: "m", kind: "water", ts: night + 8 * H, fields: { totalLiters: 1 } },
      { deviceId: "nb-1", kind: "heartbeat", ts: night + 8 * H + MIN, fields: {} },
    ];
    const res = runBacktest({ homes: [{ homeId: "h1", timezone: SH, params }], readings: feed(rs) });
    const a = res.alerts.filter((x) => x.rule === "no_data");
    expect(a.map((x) => [x.raisedAt, x.severity, x.updates, x.clearedAt])).toEqual([
      [night + H, "major", 1, night + 8 * H + MIN],
    ]);
  });
});

describe("params", () => {
  it("merges global → grid → home field by field and rejects bad values", () => {
    const p = resolveRuleParams(
      { inactivity: { alpha: 0.01 } },
      { inactivity: { ceilingHours: 10 } },
      { inactivity: { alpha: 0.02 } },
    );
    expect(p.inactivity).toMatchObject({ alpha: 0.02, ceilingHours: 10, marginMin: 30 });
    expect(p.no_data.silentAfterMin.water).toBe(60);
    expect(() => resolveRuleParams({ inactivity: { ceilingHours: -1 } })).toThrow(/ceilingHours/);
    expect(() => resolveRuleParams({ inactivty: {} })).toThrow();
  });
});
