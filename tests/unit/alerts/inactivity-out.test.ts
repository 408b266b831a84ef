import { describe, expect, it } from "vitest";
import { type BacktestReading, runBacktest } from "../../../alerts/engine/backtest.js";
import type { HomeState } from "../../../alerts/engine/home-evaluator.js";
import { resolveRuleParams } from "../../../alerts/rules/params.js";
import type { Reading } from "../../../core/domain.js";
import { zoneFor } from "../../../core/local-time.js";
import { atLocal, localMidnight, prng, regularDay, routine } from "./synthetic-home.js";

const SH = "Asia/Shanghai";
const H = 3_600_000;
const DAY = 86_400_000;
const params = resolveRuleParams({ disabled: ["no_data", "night_activity", "slow_leak", "excessive_use"] });
const start = localMidnight(SH, 2024, 3, 1);
const zone = zoneFor(SH);
const dayStart = (d: number) => zone.dayStart(start + d * DAY + 12 * H);

// Out every morning from 09:00 for 3–5 h (the door opens when leaving and when coming back).
const rnd = prng(7);
const days = Array.from({ length: 40 }, () => regularDay(rnd));
const outLen = (d: number) => 180 + ((d * 37) % 120);
const uses = (d: number) => (days[d] ?? []).filter((m) => m < 540 || m > 540 + outLen(d));

function door(ts: number): Reading {
  return { deviceId: "door-1", kind: "door", ts, fields: { open: true } };
}

function feed(opts: {
  days: number;
  stopAt?: number;
  doors: boolean;
  lastDoorDay?: number;
}): BacktestReading[] {
  const water: Reading[] = routine({
    tz: SH,
    start,
    days: opts.days,
    uses,
    ...(opts.stopAt ? { stopAt: opts.stopAt } : {}),
  });
  const doors: Reading[] = [];
  for (let d = 0; opts.doors && d < opts.days; d++) {
    const leave = atLocal(SH, dayStart(d), 540);
    if (opts.stopAt !== undefined && leave >= opts.stopAt) break;
    doors.push(door(leave));
    if (d !== opts.lastDoorDay) doors.push(door(atLocal(SH, dayStart(d), 540 + outLen(d))));
  }
  return [...water, ...doors].sort((a, b) => a.ts - b.ts).map((reading) => ({ homeId: "h1", reading }));
}

function run(opts: Parameters<typeof feed>[0]) {
  const res = runBacktest({ homes: [{ homeId: "h1", timezone: SH, params }], readings: feed(opts) });
  return res.alerts.filter((a) => a.rule === "inactivity");
}

describe("inactivity with a door sensor: out is judged by 'usually back within'", () => {
  it("raises nothing on 35 days of a 3–5 h outing every morning", () => {
    expect(run({ days: 35, doors: true })).toEqual([]);
  });

  it("a resident who leaves and does not come back is reported after the usual outing, not at the 12 h ceiling", () => {
    const leave = atLocal(SH, dayStart(35), 540);
    const alerts = run({ days: 37, doors: true, stopAt: leave + 60_000, lastDoorDay: 35 });
    expect(alerts).toHaveLength(1);
    const a = alerts[0];
    if (!a) return;
    expect(a.evidence.threshold.name).toBe("gap limit (out)");
    const afterLeaving = a.raisedAt - leave;
    expect(afterLeaving).toBeGreaterThan(5 * H); // the longest outings last 5 h
    expect(afterLeaving).toBeLessThan(7 * H);
    expect(a.evidence.message.en).toMatch(/left home at 09:00 \(door\) and not back after \d+ h/);
    expect(a.evidence.message["zh-CN"]).toContain("09:00出门（门磁）后");
  });

  it("a collapse at home just before the usual outing is caught sooner than with water alone", () => {
    const before =
      (uses(35)
        .filter((m) => m < 540)
        .at(-1) ?? 480) + 1;
    const stopAt = atLocal(SH, dayStart(35), before);
    const delay = (doors: boolean) => {
      const [a] = run({ days: 37, doors, stopAt });
      return a ? a.notifiedAt - stopAt : Number.POSITIVE_INFINITY;
    };
    const withDoor = delay(true);
    const waterOnly = delay(false);
    // Water alone learns the mornings out as ordinary 3–5 h gaps; with the door they are outings,
    // and the afternoon's at-home limits (this person is never home in the morning) catch it.
    expect(waterOnly - withDoor).toBeGreaterThan(H);
    expect(withDoor).toBeLessThan(4 * H);
  });

  it("a restart in the middle of an outing resumes from JSON state with the same alert", () => {
    const leave = atLocal(SH, dayStart(35), 540);
    const readings = feed({ days: 37, doors: true, stopAt: leave + 60_000, lastDoorDay: 35 });
    const home = { homeId: "h1", timezone: SH, params };
    let snapshot = "";
    const live = runBacktest({
      homes: [home],
      readings,
      observe: (_h, state, now) => {
        if (now <= leave + H) snapshot = JSON.stringify(state);
      },
    });
    const cut = leave + H;
    expect((JSON.parse(snapshot) as HomeState).rules.inactivity).toMatchObject({
      out: { left: leave, back: null },
    });
    const restored = runBacktest({
      homes: [home],
      readings: readings.filter((r) => r.reading.ts > cut),
      start: cut,
      initialStates: { h1: JSON.parse(snapshot) as HomeState },
    });
    const pick = (r: ReturnType<typeof runBacktest>) =>
      r.alerts.filter((a) => a.rule === "inactivity").map((a) => [a.raisedAt, a.evidence.message.en]);
    expect(pick(restored)).toEqual(pick(live));
    expect(pick(live)).toHaveLength(1);
    // State written before outings existed has no `out`: it loads, and the outing starts with the next door.
    const old = JSON.parse(snapshot) as HomeState;
    delete (old.rules.inactivity as { out?: unknown }).out;
    const fromOld = runBacktest({
      homes: [home],
      readings: readings.filter((r) => r.reading.ts > cut),
      start: cut,
      initialStates: { h1: old },
    });
    expect(pick(fromOld)).toHaveLength(1);
  });
});
