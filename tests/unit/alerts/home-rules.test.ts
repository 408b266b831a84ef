import { describe, expect, it } from "vitest";
import { type BacktestReading, runBacktest } from "../../../alerts/engine/backtest.js";
import type { HomeConfig } from "../../../alerts/engine/home-evaluator.js";
import { learnedWindow } from "../../../alerts/rules/night-activity.js";
import { resolveRuleParams } from "../../../alerts/rules/params.js";
import type { Reading } from "../../../core/domain.js";
import { localMidnight, routine } from "./synthetic-home.js";

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
  const every30 = (temps: number[]) => temps.map((c, i) => climate(night + i * 30 * MIN, c));

  it("an unheated winter night at 11–15.7 °C raises nothing (normal in Fuzhou; WHO's 18 °C is a comfort standard)", () => {
    const temps = Array.from({ length: 48 }, (_, i) => 11 + 4.7 * Math.abs(Math.sin(i / 7)));
    expect(runBacktest({ homes: [home()], readings: feed(every30(temps)) }).alerts).toEqual([]);
  });

  it("below 10 °C for 2 h is a warning, below 8 °C for 2 h escalates to major; it clears after 1 h above 11.5 °C", () => {
    const temps = [12, 9.5, 9.5, 9, 9, 7.5, 7.5, 7.5, 7.5, 7.5, 11, 12, 12, 12, 12];
    const res = runBacktest({ homes: [home()], readings: feed(every30(temps)) });
    const [a, ...rest] = res.alerts.filter((x) => x.rule === "temperature");
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      raisedAt: night + 5 * 30 * MIN,
      severity: "major",
      updates: 1,
      clearedAt: night + 13 * 30 * MIN,
    });
    expect(a?.evidence.message["zh-CN"]).toBe("室内温度7.5°C，已2小时低于10°C，对老年人有健康风险。");
  });

  it("heat: 33 °C held 2 h is a warning; 37 °C held 1 h is critical", () => {
    const res = runBacktest({
      homes: [home()],
      readings: feed(every30([30, 33, 33, 33, 33, 37, 37, 37])),
    });
    const [a] = res.alerts.filter((x) => x.rule === "temperature");
    expect(a).toMatchObject({ raisedAt: night + 5 * 30 * MIN, severity: "critical", updates: 1 });
    expect(a?.evidence.threshold).toEqual({ name: "heat limit", value: 32, unit: "°C" });
  });

  it("a window opened for an hour is not an alert", () => {
    expect(runBacktest({ homes: [home()], readings: feed(every30([14, 6, 6, 14, 14])) }).alerts).toEqual([]);
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

describe("night_activity: the night window is learned per home", () => {
  it("an early sleeper (last water 20:30, up 06:30) gets 21:00–06:00; restlessness at 21:30–23:30 is then seen", () => {
    const start = localMidnight(SH, 2024, 11, 1);
    const day = [390, 420, 480, 600, 720, 840, 960, 1080, 1200, 1230];
    const restless = [...day, 1290, 1320, 1350, 1380, 1410];
    const uses = (d: number) => (d === 20 ? restless : d % 3 === 0 ? [...day, 1440 + 150] : day);
    const rs = routine({ tz: SH, start, days: 22, uses });
    const params = resolveRuleParams({
      disabled: ["no_data", "inactivity", "slow_leak", "excessive_use", "water_running"],
    });
    const res = runBacktest({ homes: [{ homeId: "h1", timezone: SH, params }], readings: feed(rs) });
    const a = res.alerts.filter((x) => x.rule === "night_activity");
    expect(a).toHaveLength(1);
    expect(a[0]?.evidence.baseline?.values).toMatchObject({ fromHour: 21, toHour: 6 });
    expect(a[0]?.evidence.message.en).toMatch(/of the night \(21:00–06:00\)/);
    expect(learnedWindow(new Array(24).fill(10), 10, 0.5)).toBeNull();
  });
});

describe("no_data", () => {
  const params = resolveRuleParams({ disabled: ["inactivity", "slow_leak", "night_activity"] });
  const nb = (batchAt: number, n: number): BacktestReading[] =>
    Array.from({ length: n }, (_, i) => ({
      homeId: "h1",
      reading: { deviceId: "nb-1", kind: "water", ts: batchAt - (n - 1 - i) * H, fields: { totalLiters: 1 } },
      receivedAt: batchAt,
    }));

  it("an NB-IoT meter uploading every 6 h is not silent between batches, and is reported when it stops", () => {
    const batches = Array.from({ length: 8 }, (_, k) => nb(night + k * 6 * H, 6)).flat();
    const lastBatch = night + 7 * 6 * H;
    const res = runBacktest({
      homes: [{ homeId: "h1", timezone: SH, params }],
      readings: batches,
      end: lastBatch + 24 * H,
    });
    const a = res.alerts.filter((x) => x.rule === "no_data");
    // Allowed silence: 2.5 × its 6 h cadence = 15 h, i.e. within 3 of its intervals.
    expect(a.map((x) => [x.raisedAt, x.severity])).toEqual([[lastBatch + 15 * H, "major"]]);
    expect(a[0]?.evidence.threshold).toEqual({ name: "allowed silence", value: 900, unit: "min" });
  });

  it("a meter reporting every 15 min is reported after 60 min; the climate sensor silent too updates it to major; reporting again clears", () => {
    const q = 15 * MIN;
    const rs: BacktestReading[] = [];
    for (let k = 0; k <= 4; k++) {
      rs.push({
        homeId: "h1",
        reading: { deviceId: "m", kind: "water", ts: night + k * q, fields: { totalLiters: 1 } },
      });
      rs.push({
        homeId: "h1",
        reading: { deviceId: "th", kind: "climate", ts: night + k * q, fields: { celsius: 14 } },
      });
    }
    rs.push({
      homeId: "h1",
      reading: { deviceId: "th", kind: "climate", ts: night + 2 * H, fields: { celsius: 14 } },
    });
    rs.push({
      homeId: "h1",
      reading: { deviceId: "m", kind: "water", ts: night + 8 * H, fields: { totalLiters: 1 } },
    });
    rs.push({
      homeId: "h1",
      reading: { deviceId: "th", kind: "climate", ts: night + 8 * H + MIN, fields: { celsius: 14 } },
    });
    const res = runBacktest({ homes: [{ homeId: "h1", timezone: SH, params }], readings: rs });
    const a = res.alerts.filter((x) => x.rule === "no_data");
    expect(a.map((x) => [x.raisedAt, x.severity, x.updates, x.clearedAt])).toEqual([
      [night + H + H, "major", 1, night + 8 * H + MIN],
    ]);
  });
});

describe("no_data during a planned absence", () => {
  const params = resolveRuleParams({ disabled: ["inactivity", "slow_leak", "night_activity"] });
  const meter = (ts: number): BacktestReading => ({
    homeId: "h1",
    reading: { deviceId: "m", kind: "water", ts, fields: { totalLiters: 1 } },
  });
  const quarterHours = (from: number, n: number) =>
    Array.from({ length: n }, (_, k) => meter(from + k * 15 * MIN));
  const away = { from: night + 30 * MIN, to: night + 10 * H };

  it("a silent home inside an absence is a technical warning, major only once the absence is over", () => {
    const res = runBacktest({
      homes: [{ homeId: "h1", timezone: SH, params, absences: [away] }],
      readings: quarterHours(night, 5),
      end: night + 12 * H,
    });
    const a = res.alerts.filter((x) => x.rule === "no_data");
    // Silent from night + 1 h: warning at + 2 h (nobody is home to watch), major when the absence ends.
    expect(a.map((x) => [x.raisedAt, x.severity, x.updates, x.clearedAt])).toEqual([
      [night + 2 * H, "major", 1, null],
    ]);
  });

  it("a meter back before the absence ends never reaches major", () => {
    const res = runBacktest({
      homes: [{ homeId: "h1", timezone: SH, params, absences: [away] }],
      readings: [...quarterHours(night, 5), ...quarterHours(night + 6 * H, 25)],
      end: night + 12 * H,
    });
    const a = res.alerts.filter((x) => x.rule === "no_data");
    expect(a.map((x) => [x.raisedAt, x.severity, x.updates, x.clearedAt])).toEqual([
      [night + 2 * H, "warning", 0, night + 6 * H],
    ]);
  });

  it("without an absence the same silence is major at once", () => {
    const res = runBacktest({
      homes: [{ homeId: "h1", timezone: SH, params }],
      readings: quarterHours(night, 5),
      end: night + 12 * H,
    });
    expect(res.alerts.filter((x) => x.rule === "no_data").map((x) => [x.severity, x.updates])).toEqual([
      ["major", 0],
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
