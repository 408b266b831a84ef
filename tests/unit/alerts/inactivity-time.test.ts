import { describe, expect, it } from "vitest";
import { type AlertRecord, runBacktest } from "../../../alerts/engine/backtest.js";
import { createHomeEvaluator, type HomeState } from "../../../alerts/engine/home-evaluator.js";
import { createInactivityRule, type InactivityState } from "../../../alerts/rules/inactivity.js";
import { inactivityDefaults } from "../../../alerts/rules/inactivity-params.js";
import { resolveRuleParams } from "../../../alerts/rules/params.js";
import type { Reading } from "../../../core/domain.js";
import { zoneFor } from "../../../core/local-time.js";
import { atLocal, localMidnight, prng, regularDay, routine } from "./synthetic-home.js";

const H = 3_600_000;
const DAY = 86_400_000;
const ROME = "Europe/Rome";
const SH = "Asia/Shanghai";
const params = resolveRuleParams({ disabled: ["no_data", "night_activity", "slow_leak", "excessive_use"] });
const rnd = prng(7);
const days = Array.from({ length: 60 }, () => regularDay(rnd));
const uses = (d: number) => days[d] ?? [];
const strip = (a: AlertRecord) => ({
  rule: a.rule,
  raisedAt: a.raisedAt,
  clearedAt: a.clearedAt,
  severity: a.severity,
  message: a.evidence.message,
});

function run(rs: readonly Reading[], tz: string, receivedAt?: (ts: number) => number, end?: number) {
  return runBacktest({
    homes: [{ homeId: "h1", timezone: tz, params }],
    readings: rs.map((reading) => ({
      homeId: "h1",
      reading,
      ...(receivedAt ? { receivedAt: receivedAt(reading.ts) } : {}),
    })),
    ...(end !== undefined ? { end } : {}),
  });
}

describe("inactivity on event time", () => {
  const start = localMidnight(SH, 2024, 9, 1);
  const stopAt =
    atLocal(SH, zoneFor(SH).dayStart(start + 22 * DAY + 12 * H), uses(22).find((m) => m >= 600) ?? 600) +
    60_000;
  const rs = routine({ tz: SH, start, days: 24, uses, stopAt });

  it("a late NB-IoT batch (every 6 h) gives the same alert, at the same event time, as live delivery", () => {
    const live = run(rs, SH).alerts.filter((a) => a.rule === "inactivity");
    const sixHours = 6 * H;
    const batched = run(rs, SH, (ts) => Math.ceil((ts + 1) / sixHours) * sixHours).alerts.filter(
      (a) => a.rule === "inactivity",
    );
    expect(live.length).toBe(1);
    expect(batched.map(strip)).toEqual(live.map(strip));
    expect(batched[0]?.notifiedAt ?? 0).toBeGreaterThan(live[0]?.notifiedAt ?? 0);
    expect(live[0]?.notifiedAt).toBe(live[0]?.raisedAt);
  });

  it("a batch arriving out of order within itself is sorted; stragglers already covered change nothing", () => {
    const ev = createHomeEvaluator({ homeId: "h1", timezone: SH, params });
    const head = rs.filter((r) => r.ts < stopAt + 6 * H);
    let s: HomeState = ev.init(head[0]?.ts ?? 0);
    for (const r of head) s = ev.evaluate(s, r, r.ts).state;
    const shuffled = [...head].reverse();
    const batch = ev.evaluateBatch(ev.init(0), shuffled, stopAt + 6 * H);
    expect(JSON.stringify(batch.state)).toBe(JSON.stringify(s));
    const again = ev.evaluate(batch.state, head[10] as Reading, stopAt + 6 * H);
    expect(again.transitions).toEqual([]);
    expect(JSON.stringify(again.state.rules.inactivity)).toBe(JSON.stringify(batch.state.rules.inactivity));
  });

  it("learns in local time across the Europe/Rome switch to summer time (2019-03-31)", () => {
    const from = localMidnight(ROME, 2019, 3, 10);
    const night = (d: number) => (d === 25 ? [...uses(d), 1440 + 180] : d === 26 ? [] : uses(d));
    const res = run(routine({ tz: ROME, start: from, days: 27, uses: night }), ROME);
    const alerts = res.alerts.filter((a) => a.rule === "inactivity");
    expect(alerts).toHaveLength(1);
    const z = zoneFor(ROME);
    const a = alerts[0];
    // Day 26 is 2019-04-05, after the switch: the wake limit is in local wall-clock time (07:xx + 45 min).
    expect(z.dayKey(a?.raisedAt ?? 0)).toBe(z.dayKey(Date.UTC(2019, 3, 5, 12)));
    expect(z.minuteOfDay(a?.raisedAt ?? 0)).toBeGreaterThanOrEqual(7 * 60 + 20);
    expect(z.minuteOfDay(a?.raisedAt ?? 0)).toBeLessThanOrEqual(8 * 60 + 30);
    expect(new Date(a?.raisedAt ?? 0).getUTCHours()).toBeLessThanOrEqual(6);
  });
});

describe("inactivity rule state", () => {
  const rule = createInactivityRule({ params: inactivityDefaults, timezone: SH, absences: [] });
  const water = (ts: number, totalLiters: number): Reading => ({
    deviceId: "m",
    kind: "water",
    ts,
    fields: { totalLiters },
  });

  it("a meter reset (register drops) is neither use nor negative; use is then measured on the new register", () => {
    const t0 = localMidnight(SH, 2024, 1, 10) + 10 * H;
    let s: InactivityState = rule.init(t0);
    for (const [dt, total] of [
      [0, 500],
      [15, 502],
      [30, 502],
      [45, 0],
      [60, 0],
    ] as const)
      s = rule.evaluate(s, water(t0 + dt * 60_000, total), t0).state;
    expect(s.lastUse).toBe(t0 + 15 * 60_000);
    expect(s.reg?.total).toBe(0);
    s = rule.evaluate(s, water(t0 + 61 * 60_000, 1.5), t0 + 61 * 60_000).state;
    expect(s.lastUse).toBe(t0 + 61 * 60_000);
  });

  it("state survives JSON: a restored home evaluates exactly like the live one; it stays a few kB", () => {
    const start = localMidnight(SH, 2024, 9, 1);
    const rs = routine({ tz: SH, start, days: 40, uses });
    const ev = createHomeEvaluator({ homeId: "h1", timezone: SH });
    let s = ev.init(start);
    const cut = start + 30 * DAY;
    for (const r of rs.filter((x) => x.ts < cut)) s = ev.evaluate(s, r, r.ts).state;
    const json = JSON.stringify(s);
    expect(json.length).toBeLessThan(6000);
    expect(JSON.stringify(s.rules.inactivity).length).toBeLessThan(3500);
    let live = s;
    let restored = JSON.parse(json) as HomeState;
    for (const r of rs.filter((x) => x.ts >= cut)) {
      const a = ev.evaluate(live, r, r.ts);
      const b = ev.evaluate(restored, r, r.ts);
      expect(b.transitions).toEqual(a.transitions);
      expect(b.deadline).toBe(a.deadline);
      live = a.state;
      restored = b.state;
    }
  });
});

describe("corroboration by other sensors", () => {
  const start = localMidnight(SH, 2024, 9, 1);
  const stopAt =
    atLocal(SH, zoneFor(SH).dayStart(start + 22 * DAY + 12 * H), uses(22).find((m) => m >= 600) ?? 600) +
    60_000;
  const water = routine({ tz: SH, start, days: 23, uses, stopAt });
  const motion = (detected: boolean) =>
    water
      .filter((r) => r.ts % (15 * 60_000) === 0)
      .map((r): Reading => ({ deviceId: "pir-1", kind: "motion", ts: r.ts + 1000, fields: { detected } }));
  const merged = (extra: Reading[]) => [...water, ...extra].sort((a, b) => a.ts - b.ts);
  const evidenceOf = (rs: Reading[]) => run(rs, SH).alerts.find((a) => a.rule === "inactivity")?.evidence;
  const confidenceOf = (rs: Reading[]) => evidenceOf(rs)?.confidence;

  it("movement during the gap lowers confidence, quiet sensors raise it, water alone is in between", () => {
    expect(confidenceOf(merged(motion(true)))).toBe(0.2);
    expect(confidenceOf(merged(motion(false)))).toBe(0.9);
    expect(confidenceOf(water)).toBe(0.6);
  });

  it("says so in the worker's words, in zh-CN and en: which sensor saw activity, and when", () => {
    const moving = evidenceOf(merged(motion(true)))?.message;
    expect(moving?.en).toMatch(
      /But there was activity at \d\d:\d\d \(motion sensor\): the resident may be up and about\.$/,
    );
    expect(moving?.["zh-CN"]).toMatch(/但\d\d:\d\d有活动（人体感应器）：老人可能安好。$/);
    const quiet = evidenceOf(merged(motion(false)))?.message;
    expect(quiet?.en).toMatch(/other sensors have seen no sign of activity since then either\.$/);
    expect(quiet?.["zh-CN"]).toMatch(/家中其他传感器此后也未发现任何活动迹象。$/);
    const waterOnly = evidenceOf(water)?.message;
    expect(waterOnly?.en).not.toMatch(/sensor|activity/);
    expect(waterOnly?.["zh-CN"]).not.toMatch(/传感器|活动/);
  });
});
