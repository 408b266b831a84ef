import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runBacktest } from "../../../alerts/engine/backtest.js";
import { resolveRuleParams } from "../../../alerts/rules/params.js";
import { loadWeusedto, romeDate, WEUSEDTO_TIMEZONE, weusedtoReadings } from "../../../simulators/weusedto.js";

const DIR = resolve(import.meta.dirname, "../../../../shared/data/weusedto");
const DAY = 86_400_000;

describe.runIf(existsSync(DIR))("WEUSEDTO replay (real home, Europe/Rome)", () => {
  const data = loadWeusedto(DIR);

  it("the meter stream reproduces the dataset's daily totals, with a monotonic register and no hole", () => {
    const perDay = new Map<string, number>();
    // The register starts at 0 L, so the first reading's litres count too.
    let prev = { ts: 0, total: 0 };
    let maxGap = 0;
    let n = 0;
    for (const r of weusedtoReadings(data, { deviceId: "m", startLiters: 0 })) {
      n++;
      expect(r.ts).toBeGreaterThan(prev.ts);
      expect(r.fields.totalLiters).toBeGreaterThanOrEqual(prev.total);
      if (prev.ts > 0) maxGap = Math.max(maxGap, r.ts - prev.ts);
      const d = romeDate(Math.floor(r.ts / 1000));
      perDay.set(d, (perDay.get(d) ?? 0) + r.fields.totalLiters - prev.total);
      prev = { ts: r.ts, total: r.fields.totalLiters };
    }
    expect(n).toBeGreaterThan(20_000);
    // A flow report at second 59 replaces the quarter-hour report of that minute.
    expect(maxGap).toBeLessThanOrEqual(16 * 60_000);
    expect(data.dailyTotals.size).toBeGreaterThan(200);
    for (const [day, liters] of data.dailyTotals) expect(perDay.get(day) ?? 0).toBeCloseTo(liters, 1);
    const total = [...data.dailyTotals.values()].reduce((a, b) => a + b, 0);
    expect(prev.total).toBeCloseTo(total, 0);
    expect(data.from).toBe(Date.UTC(2019, 1, 13, 8, 56, 9));
  });

  it("replays a month of real life through the rules with the away trips as single alerts", () => {
    const from = Date.UTC(2019, 7, 1);
    const params = resolveRuleParams({});
    const res = runBacktest({
      homes: [{ homeId: "w", timezone: WEUSEDTO_TIMEZONE, params }],
      readings: (function* () {
        for (const reading of weusedtoReadings(data, { deviceId: "m", from, to: from + 31 * DAY }))
          yield { homeId: "w", reading };
      })(),
    });
    expect(res.summary.householdMonths).toBeCloseTo(31 / 30.4375, 1);
    const inact = res.alerts.filter((a) => a.rule === "inactivity");
    // 2019-08-09 19:21 → 2019-08-13 (93 h away): one alert, escalated, cleared on return.
    const trip = inact.find(
      (a) => a.raisedAt > Date.UTC(2019, 7, 9, 19) && a.raisedAt < Date.UTC(2019, 7, 10, 12),
    );
    expect(trip?.severity).toBe("critical");
    expect(trip?.clearedAt).toBeGreaterThan(Date.UTC(2019, 7, 13));
    expect(
      inact.filter((a) => a.raisedAt > (trip?.raisedAt ?? 0) && a.raisedAt < (trip?.clearedAt ?? 0)),
    ).toEqual([]);
    expect(res.alerts.filter((a) => a.rule === "no_data" || a.rule === "panic")).toEqual([]);
    expect(res.summary.byRule.inactivity.alerts).toBe(inact.length);
  });
});
