import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createHomeEvaluator } from "../../../alerts/engine/home-evaluator.js";
import { createRules, ONLY_KIND } from "../../../alerts/rules/index.js";
import { p90 } from "../../../alerts/rules/no-data.js";
import { ruleParamsDefaults } from "../../../alerts/rules/params.js";
import type { Reading } from "../../../core/domain.js";
import { localMidnight } from "./synthetic-home.js";

const SH = "Asia/Shanghai";
const t0 = localMidnight(SH, 2024, 2, 1);

/** Readings of every kind, a few minutes apart, with values that move every rule (flow, heat, presses). */
const arbReadings = fc
  .array(
    fc.tuple(
      fc.integer({ min: 1, max: 90 }),
      fc.constantFrom("water", "door", "motion", "power", "climate", "button", "heartbeat"),
      fc.integer({ min: 0, max: 40 }),
      fc.boolean(),
    ),
    { minLength: 1, maxLength: 120 },
  )
  .map((steps) => {
    let ts = t0;
    let liters = 1000;
    return steps.map(([min, kind, x, flag]): Reading => {
      ts += min * 60_000;
      const deviceId = `d-${kind}`;
      switch (kind) {
        case "water":
          liters += x;
          return { deviceId, kind, ts, fields: { totalLiters: liters } };
        case "door":
          return { deviceId, kind, ts, fields: { open: flag } };
        case "motion":
          return { deviceId, kind, ts, fields: { detected: flag } };
        case "power":
          return { deviceId, kind, ts, fields: { watts: x * 50 } };
        case "climate":
          return { deviceId, kind, ts, fields: { celsius: flag ? x : -x / 4 } };
        case "button":
          return { deviceId, kind, ts, fields: { pressed: flag } };
        default:
          return { deviceId, kind: "heartbeat", ts, fields: { battery: x } };
      }
    });
  });

describe("rules that read one kind of reading", () => {
  it("return the state they were given, no transition and no deadline for every other kind", () => {
    // The home evaluator skips them for other kinds (ONLY_KIND); this is what makes that safe.
    const rules = createRules({ params: ruleParamsDefaults, timezone: SH, absences: [] });
    const only = rules.filter((r) => ONLY_KIND[r.id] !== undefined);
    expect(only.map((r) => r.id).sort()).toEqual(
      ["excessive_use", "panic", "slow_leak", "temperature", "water_running"].sort(),
    );
    fc.assert(
      fc.property(arbReadings, (readings) => {
        for (const rule of only) {
          let s = rule.init(t0);
          for (const r of readings) {
            const ev = rule.evaluate(s, r, r.ts);
            if (r.kind !== ONLY_KIND[rule.id]) {
              expect(ev.state).toBe(s);
              expect(ev.transitions).toEqual([]);
              expect(ev.deadline).toBeNull();
            }
            s = ev.state;
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("the home evaluator gives the same states, transitions and deadlines as running every rule", () => {
    // Rules passed in are run on every reading: the same rules, unskipped, are the reference.
    const rules = createRules({ params: ruleParamsDefaults, timezone: SH, absences: [] });
    fc.assert(
      fc.property(arbReadings, (readings) => {
        const fast = createHomeEvaluator({ homeId: "h1", timezone: SH });
        const every = createHomeEvaluator({ homeId: "h1", timezone: SH }, rules);
        let a = fast.init(t0);
        let b = every.init(t0);
        for (const r of readings) {
          const x = fast.evaluate(a, r, r.ts);
          const y = every.evaluate(b, r, r.ts);
          expect(JSON.stringify(x)).toBe(JSON.stringify(y));
          a = x.state;
          b = y.state;
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe("no_data's p90", () => {
  it("is the value at ceil(0.9 n) − 1 of the sorted intervals", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 48 }), (xs) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const want = xs.length === 0 ? 0 : sorted[Math.ceil(0.9 * xs.length) - 1];
        expect(p90(xs)).toBe(want);
      }),
      { numRuns: 500 },
    );
    expect(p90([5, 60, 15, 15, 60, 15, 15, 15, 15, 15, 15, 15])).toBe(60);
    expect(p90([360])).toBe(360);
  });
});
