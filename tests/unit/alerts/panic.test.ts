import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runBacktest } from "../../../alerts/engine/backtest.js";
import { createHomeEvaluator } from "../../../alerts/engine/home-evaluator.js";
import type { Reading } from "../../../core/domain.js";
import { localMidnight } from "./synthetic-home.js";

const SH = "Asia/Shanghai";
const t0 = localMidnight(SH, 2024, 2, 1) + 3 * 3_600_000;
const press = (ts: number, pressed = true): Reading => ({
  deviceId: "btn-1",
  kind: "button",
  ts,
  fields: { pressed },
});

describe("panic button", () => {
  it("a press raises a critical alert at once, with the press as evidence", () => {
    const ev = createHomeEvaluator({ homeId: "h1", timezone: SH });
    const out = ev.evaluate(ev.init(t0), press(t0), t0);
    expect(out.transitions).toHaveLength(1);
    expect(out.transitions[0]).toMatchObject({ kind: "raise", rule: "panic", severity: "critical", at: t0 });
    expect(out.transitions[0]?.evidence.message).toEqual({
      en: "Panic button pressed at 03:00 (btn-1).",
      "zh-CN": "03:00按下了紧急呼叫按钮（btn-1）。",
    });
    expect(out.transitions[0]?.evidence.readings).toEqual([
      { deviceId: "btn-1", kind: "button", ts: t0, fields: { pressed: true } },
    ]);
  });

  it("another press while open is an update, a retransmission is not a second press, cancel clears", () => {
    const ev = createHomeEvaluator({ homeId: "h1", timezone: SH });
    let s = ev.init(t0);
    const kinds: string[] = [];
    for (const r of [
      press(t0),
      press(t0),
      press(t0 + 60_000),
      press(t0 + 120_000, false),
      press(t0 + 180_000),
    ]) {
      const out = ev.evaluate(s, r, r.ts);
      s = out.state;
      kinds.push(...out.transitions.filter((t) => t.rule === "panic").map((t) => t.kind));
    }
    expect(kinds).toEqual(["raise", "update", "clear", "raise"]);
  });

  it("a press in a batch delivered hours late is still raised, at the time it was pressed", () => {
    const res = runBacktest({
      homes: [{ homeId: "h1", timezone: SH }],
      readings: [{ homeId: "h1", reading: press(t0), receivedAt: t0 + 5 * 3_600_000 }],
    });
    expect(res.alerts.map((a) => [a.rule, a.raisedAt, a.notifiedAt])).toEqual([
      ["panic", t0, t0 + 5 * 3_600_000],
    ]);
  });

  it("never misses a press: every mix of readings yields one panic transition per distinct press", () => {
    const reading = fc.oneof(
      fc.record({ kind: fc.constant("button" as const), pressed: fc.boolean() }),
      fc.record({ kind: fc.constant("water" as const), liters: fc.double({ min: 0, max: 5, noNaN: true }) }),
      fc.record({ kind: fc.constant("motion" as const), detected: fc.boolean() }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), reading), { maxLength: 60 }),
        (items) => {
          const ev = createHomeEvaluator({ homeId: "h1", timezone: SH });
          let s = ev.init(t0);
          let total = 0;
          let presses = 0;
          const seen = new Set<number>();
          let transitions = 0;
          for (const [sec, x] of [...items].sort((a, b) => a[0] - b[0])) {
            const ts = t0 + sec * 1000;
            let r: Reading;
            if (x.kind === "button") {
              r = press(ts, x.pressed);
              if (x.pressed && !seen.has(ts)) {
                seen.add(ts);
                presses++;
              }
            } else if (x.kind === "water") {
              total += x.liters;
              r = { deviceId: "m", kind: "water", ts, fields: { totalLiters: total } };
            } else r = { deviceId: "pir", kind: "motion", ts, fields: { detected: x.detected } };
            const out = ev.evaluate(s, r, ts);
            s = out.state;
            transitions += out.transitions.filter((t) => t.rule === "panic" && t.kind !== "clear").length;
          }
          expect(transitions).toBe(presses);
        },
      ),
      { numRuns: 200, seed: 42 },
    );
  });
});
