import { describe, expect, it } from "vitest";
import { type BacktestReading, runBacktest } from "../../../alerts/engine/backtest.js";
import type { HomeConfig } from "../../../alerts/engine/home-evaluator.js";
import type { Interval } from "../../../alerts/engine/types.js";
import { resolveRuleParams } from "../../../alerts/rules/params.js";
import type { Reading } from "../../../core/domain.js";
import { zoneFor } from "../../../core/local-time.js";
import { atLocal, localMidnight, prng, regularDay, routine } from "./synthetic-home.js";

const SH = "Asia/Shanghai";
const H = 3_600_000;
const DAY = 86_400_000;
const only = resolveRuleParams({ disabled: ["no_data", "night_activity", "slow_leak", "excessive_use"] });

function home(tz = SH, absences: Interval[] = []): HomeConfig {
  return { homeId: "h1", timezone: tz, params: only, absences };
}

function feed(rs: readonly Reading[], receivedAt?: (ts: number) => number): BacktestReading[] {
  return rs.map((reading) => ({
    homeId: "h1",
    reading,
    ...(receivedAt ? { receivedAt: receivedAt(reading.ts) } : {}),
  }));
}

const inactivity = (res: ReturnType<typeof runBacktest>) => res.alerts.filter((a) => a.rule === "inactivity");

/** The first use at or after local minute `minute` of day `d` (the collapse happens just after it). */
function collapseAfter(
  uses: (d: number) => number[],
  start: number,
  tz: string,
  d: number,
  minute: number,
): number {
  const z = zoneFor(tz);
  const dayStart = z.dayStart(start + d * DAY + 12 * H);
  const m = uses(d).find((x) => x >= minute) ?? minute;
  return atLocal(tz, dayStart, m) + 60_000;
}

function regular(seed: number) {
  const rnd = prng(seed);
  const days = Array.from({ length: 60 }, () => regularDay(rnd));
  return (d: number) => days[d] ?? [];
}

describe("inactivity: learned personal baseline", () => {
  const start = localMidnight(SH, 2024, 3, 1);
  const uses = regular(1);

  it("raises no alert on four weeks of an ordinary routine, including the learning days", () => {
    const res = runBacktest({ homes: [home()], readings: feed(routine({ tz: SH, start, days: 28, uses })) });
    expect(inactivity(res)).toEqual([]);
  });

  it("catches a daytime collapse within 3 h once the routine is learned, with evidence in zh-CN and en", () => {
    const stopAt = collapseAfter(uses, start, SH, 31, 600);
    const res = runBacktest({
      homes: [home()],
      readings: feed(routine({ tz: SH, start, days: 33, uses, stopAt })),
    });
    const [a, ...rest] = inactivity(res);
    expect(rest).toEqual([]);
    expect(a).toBeDefined();
    if (!a) return;
    const delay = a.notifiedAt - stopAt;
    expect(delay).toBeGreaterThan(H);
    expect(delay).toBeLessThanOrEqual(3 * H);
    expect(a.evidence.severity).toBe("major");
    // Nobody resumes water before the replay ends: the alert is escalated once, at the 12 h ceiling.
    expect(a.severity).toBe("critical");
    expect(a.updates).toBe(1);
    expect(a.evidence.baseline?.source).toBe("learned");
    expect(a.evidence.baseline?.daysLearned).toBeGreaterThanOrEqual(28);
    expect(a.evidence.readings[0]?.ts).toBe(stopAt - 60_000 + 59_000);
    expect(a.evidence.message.en).toMatch(
      /^No water since \d\d:\d\d \(\d+ h( \d+ min)?\); at this time of day/,
    );
    expect(a.evidence.message["zh-CN"]).toMatch(/^自\d\d:\d\d起.*未用水/);
    expect(a.evidence.confidence).toBe(0.6);
  });

  it("catches a collapse in the evening by 09:00 the next morning", () => {
    const stopAt = collapseAfter(uses, start, SH, 24, 1200);
    const res = runBacktest({
      homes: [home()],
      readings: feed(routine({ tz: SH, start, days: 27, uses, stopAt })),
    });
    const [a] = inactivity(res);
    const z = zoneFor(SH);
    expect(z.dayKey(a?.raisedAt ?? 0)).toBe(z.dayKey(stopAt) + 1);
    expect(z.minuteOfDay(a?.raisedAt ?? 0)).toBeLessThan(9 * 60);
  });

  it("after a night-time toilet visit and nothing more, says when this person is usually up", () => {
    const night = (d: number) => (d === 24 ? [...uses(d), 1440 + 180] : d === 25 ? [] : uses(d));
    const res = runBacktest({
      homes: [home()],
      readings: feed(routine({ tz: SH, start, days: 26, uses: night })),
    });
    const [a] = inactivity(res);
    expect(a).toBeDefined();
    if (!a) return;
    const z = zoneFor(SH);
    expect(z.dayKey(a.raisedAt)).toBe(z.dayKey(start) + 25);
    expect(z.minuteOfDay(a.raisedAt)).toBeGreaterThanOrEqual(7 * 60 + 20);
    expect(z.minuteOfDay(a.raisedAt)).toBeLessThanOrEqual(8 * 60 + 30);
    expect(a.evidence.message.en).toMatch(
      /^No water since 03:00; on 97% of past days this home used water by 07:\d\d\.$/,
    );
    expect(a.evidence.message["zh-CN"]).toMatch(
      /^自03:00起未用水；过去97%的日子里，该住户在07:\d\d前已用水。$/,
    );
    expect(a.evidence.threshold.name).toBe("gap limit (wake)");
  });

  it("is conservative in the first days: a collapse on day 2 is caught by the 12 h ceiling, not a generic day limit", () => {
    const stopAt = collapseAfter(uses, start, SH, 1, 600);
    const res = runBacktest({
      homes: [home()],
      readings: feed(routine({ tz: SH, start, days: 3, uses, stopAt })),
    });
    const [a] = inactivity(res);
    expect(a?.evidence.baseline?.source).toBe("prior");
    expect(a?.severity).toBe("critical");
    expect(a?.evidence.message.en).toContain("past the 12 h safety limit");
    const lastUse = stopAt - 60_000 + 59_000;
    expect((a?.notifiedAt ?? 0) - lastUse).toBeLessThanOrEqual(12 * H + 15 * 60_000);
  });
});

describe("inactivity: a batching meter beside live sensors", () => {
  it("an hourly meter uploaded every 6 h, with a climate sensor reporting live, raises nothing in 30 ordinary days", () => {
    const start = localMidnight(SH, 2024, 11, 1);
    const minuteReadings = routine({ tz: SH, start, days: 30, uses: regular(5) });
    const batchMs = 6 * H;
    const items: BacktestReading[] = [];
    let i = 0;
    for (let t = start + H; t < start + 30 * DAY; t += H) {
      while (i + 1 < minuteReadings.length && (minuteReadings[i + 1]?.ts ?? Infinity) <= t) i++;
      const total = minuteReadings[i]?.fields.totalLiters ?? 0;
      const reading: Reading = { deviceId: "nb", kind: "water", ts: t, fields: { totalLiters: total } };
      items.push({ homeId: "h1", reading, receivedAt: Math.ceil(t / batchMs) * batchMs });
    }
    for (let t = start; t < start + 30 * DAY; t += 30 * 60_000) {
      const reading: Reading = { deviceId: "th", kind: "climate", ts: t, fields: { celsius: 14 } };
      items.push({ homeId: "h1", reading, receivedAt: t });
    }
    items.sort((a, b) => (a.receivedAt ?? 0) - (b.receivedAt ?? 0) || a.reading.ts - b.reading.ts);
    const res = runBacktest({ homes: [home()], readings: items });
    // Before: the climate readings were taken as "still no water" past what the meter had reported.
    expect(inactivity(res).map((a) => a.evidence.message.en)).toEqual([]);
  });
});

describe("inactivity: away, absence, silence", () => {
  const start = localMidnight(SH, 2024, 5, 1);
  const base = regular(2);
  const away = (d: number) => (d >= 20 && d <= 22 ? [] : base(d));

  it("a three-day trip gives one alert, escalated once at the 12 h ceiling, cleared when water flows again", () => {
    const res = runBacktest({
      homes: [home()],
      readings: feed(routine({ tz: SH, start, days: 26, uses: away })),
    });
    const alerts = inactivity(res);
    expect(alerts).toHaveLength(1);
    const a = alerts[0];
    if (!a) return;
    expect(a.severity).toBe("critical");
    expect(a.updates).toBe(1);
    const resumed = atLocal(SH, zoneFor(SH).dayStart(start + 23 * DAY + 12 * H), base(23)[0] ?? 0) + 59_000;
    expect(a.clearedAt).toBe(resumed);
  });

  it("a planned absence pauses the rule and restarts the gap clock when it ends", () => {
    const absence = { from: start + 20 * DAY, to: start + 23 * DAY };
    const res = runBacktest({
      homes: [home(SH, [absence])],
      readings: feed(routine({ tz: SH, start, days: 26, uses: away })),
    });
    expect(inactivity(res)).toEqual([]);
  });

  it("a meter that stops reporting is no data, never an inactivity alert", () => {
    const rs = routine({ tz: SH, start, days: 21, uses: base });
    const cut = start + 20 * DAY + 10 * H;
    const params = resolveRuleParams({ disabled: ["night_activity", "slow_leak", "excessive_use"] });
    const res = runBacktest({
      homes: [{ homeId: "h1", timezone: SH, params }],
      readings: feed(rs.filter((r) => r.ts <= cut)),
      end: cut + 24 * H,
    });
    expect(inactivity(res)).toEqual([]);
    const nd = res.alerts.filter((a) => a.rule === "no_data");
    expect(nd).toHaveLength(1);
    const last = rs.filter((r) => r.ts <= cut).at(-1)?.ts ?? 0;
    expect(nd[0]?.raisedAt).toBe(last + 60 * 60_000);
    expect(nd[0]?.evidence.message.en).toContain('this is not "no water"');
  });
});
