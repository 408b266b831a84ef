import { describe, expect, it } from "vitest";
import { createHomeEvaluator } from "../../../alerts/engine/home-evaluator.js";
import { resumeAfterPause } from "../../../alerts/monitoring-pause.js";
import type { NoDataState } from "../../../alerts/rules/no-data.js";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-04-01T00:00:00Z");

/**
 * The rules' state after a consent pause (docs/privacy.md, "Withdrawing consent"): the pause's silence is
 * no "no data", a device that stays silent is reported from the resumption, and applying it again (a later
 * change of the home's settings) changes nothing.
 */
describe("resumeAfterPause", () => {
  const ev = createHomeEvaluator({ homeId: "hh-1", timezone: "Asia/Shanghai" });
  const heard = (s: ReturnType<typeof ev.init>) => (s.rules.no_data as NoDataState).devices;

  it("counts every device as heard at the resumption, and is idempotent", () => {
    let s = ev.init(T0);
    s = ev.evaluate(s, { deviceId: "m1", kind: "water", ts: T0, fields: { totalLiters: 1 } }, T0).state;
    // Silent through a three-day pause: without the reset, its deadline fired long ago.
    const late = ev.evaluateDeadline(s, T0 + 72 * HOUR);
    expect(late.transitions.map((t) => t.rule)).toContain("no_data");
    const resumedAt = T0 + 72 * HOUR;
    const r = resumeAfterPause(s, resumedAt);
    expect(heard(r).m1?.heard).toBe(resumedAt);
    const at = ev.evaluateDeadline(r, resumedAt + HOUR);
    expect(at.transitions).toEqual([]);
    expect(at.deadline).toBe(resumedAt + 26 * HOUR);
    expect(resumeAfterPause(r, resumedAt)).toEqual(r);
  });

  it("leaves a device heard after the resumption, and one already silent since then, as they are", () => {
    const resumedAt = T0 + 10 * HOUR;
    let s = ev.init(T0);
    s = ev.evaluate(s, { deviceId: "m1", kind: "water", ts: T0, fields: { totalLiters: 1 } }, T0).state;
    s = resumeAfterPause(s, resumedAt);
    // Silent after the resumption: reported, and stays reported if the home's settings change again.
    const silent = ev.evaluateDeadline(s, resumedAt + 27 * HOUR).state;
    expect((silent.rules.no_data as NoDataState).silent).toEqual(["m1"]);
    expect(resumeAfterPause(silent, resumedAt)).toEqual(silent);
  });
});
