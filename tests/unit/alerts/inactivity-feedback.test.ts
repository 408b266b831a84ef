import { describe, expect, it } from "vitest";
import { type InactivityOutcome, inactivityFeedback } from "../../../alerts/rules/inactivity-feedback.js";
import { inactivityDefaults } from "../../../alerts/rules/inactivity-params.js";
import { resolveRuleParams } from "../../../alerts/rules/params.js";

const DAY = 86_400_000;
const now = Date.UTC(2026, 10, 22);
const falseAt = (daysAgo: number, reason: InactivityOutcome["reason"] = "ceiling"): InactivityOutcome => ({
  at: now - daysAgo * DAY,
  falseAlarm: true,
  reason,
});

describe("inactivity feedback: repeated false alarms adjust one home, explainably and reversibly", () => {
  it("three false alarms at the 12 h limit in 60 days raise this home's limit to 14 h, four to 16 h", () => {
    const three = inactivityFeedback(inactivityDefaults, [falseAt(50), falseAt(20), falseAt(3)], now);
    expect(three.override).toEqual({ inactivity: { ceilingHours: 14, learnMaxGapHours: 14 } });
    expect(three.reasons[0]?.en).toBe(
      "3 false alarms at the 12 h limit in 60 days: this home's limit is 14 h.",
    );
    expect(three.reasons[0]?.["zh-CN"]).toBe("60天内在12小时上限处误报3次：该住户上限调整为14小时。");
    const four = inactivityFeedback(
      inactivityDefaults,
      [falseAt(50), falseAt(20), falseAt(3), falseAt(1)],
      now,
    );
    expect(four.override.inactivity?.ceilingHours).toBe(16);
    // The layer merges like any other home override.
    expect(resolveRuleParams({}, four.override).inactivity.ceilingHours).toBe(16);
  });

  it("learned-limit false alarms lower alpha instead; two of a kind change nothing", () => {
    const f = inactivityFeedback(
      inactivityDefaults,
      [falseAt(9, "hour"), falseAt(5, "wake"), falseAt(2, "hour")],
      now,
    );
    expect(f.override).toEqual({ inactivity: { alpha: 0.0015 } });
    expect(inactivityFeedback(inactivityDefaults, [falseAt(9), falseAt(2)], now)).toEqual({
      override: {},
      reasons: [],
    });
  });

  it("reverts by itself: outcomes older than 60 days no longer count, and one real emergency drops the layer", () => {
    expect(
      inactivityFeedback(inactivityDefaults, [falseAt(90), falseAt(80), falseAt(70)], now).override,
    ).toEqual({});
    const real = { at: now - DAY, falseAlarm: false, reason: "hour" as const };
    expect(
      inactivityFeedback(inactivityDefaults, [falseAt(50), falseAt(20), falseAt(3), real], now).override,
    ).toEqual({});
  });
});
