import { describe, expect, it } from "vitest";
import type { Alert, CheckIn } from "../../../alerts/alert-types.js";
import {
  feedbackOutcome,
  type InactivityOutcome,
  inactivityFeedback,
} from "../../../alerts/rules/inactivity-feedback.js";
import { emptyOut, outLimitMs } from "../../../alerts/rules/inactivity-out.js";
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

  it("false alarms while out (door) relax the outing limit, never the at-home tail share", () => {
    const f = inactivityFeedback(
      inactivityDefaults,
      [falseAt(30, "out"), falseAt(12, "out"), falseAt(4, "out")],
      now,
    );
    expect(f.override).toEqual({ inactivity: { outAlpha: 0.01, outMarginMin: 60 } });
    expect(f.reasons).toEqual([
      {
        en: '3 false alarms while out (door) in 60 days: "usually back within" now reads the 99% of this home\'s outings (was 98%) plus 60 min (was 30).',
        "zh-CN":
          '60天内外出（门磁）期间误报3次："通常回家时间"改为该住户外出时长的99%分位（原98%）加60分钟（原30分钟）。',
      },
    ]);
    // What that means for this home: "usually back within" comes later, never sooner.
    const hist = emptyOut().hist.map((_, i) => (i >= 10 && i <= 16 ? 20 - i : 0));
    const out = { ...emptyOut(), hist };
    const before = outLimitMs(out, inactivityDefaults, 1);
    const after = outLimitMs(out, resolveRuleParams({}, f.override).inactivity, 1);
    expect(before).not.toBeNull();
    expect(after! - before!).toBeGreaterThanOrEqual(30 * 60_000);
    // Each further alarm goes one step on, to the floors: 0.002 and 2 h.
    const many = Array.from({ length: 9 }, (_, i) => falseAt(i + 1, "out"));
    expect(inactivityFeedback(inactivityDefaults, many, now).override).toEqual({
      inactivity: { outAlpha: 0.002, outMarginMin: 120 },
    });
    // Two out, one hour, one ceiling: three of no single kind, so nothing changes.
    const mixed = [falseAt(9, "out"), falseAt(7, "out"), falseAt(5, "hour"), falseAt(3, "ceiling")];
    expect(inactivityFeedback(inactivityDefaults, mixed, now).override).toEqual({});
  });

  it("each source adjusts its own limit when several reach three", () => {
    const all = (["ceiling", "hour", "out"] as const).flatMap((r) => [
      falseAt(20, r),
      falseAt(10, r),
      falseAt(2, r),
    ]);
    const f = inactivityFeedback(inactivityDefaults, all, now);
    expect(f.override).toEqual({
      inactivity: { ceilingHours: 14, learnMaxGapHours: 14, alpha: 0.0015, outAlpha: 0.01, outMarginMin: 60 },
    });
    expect(f.reasons).toHaveLength(3);
    // One confirmed emergency, whatever its limit, drops all of it.
    const real = { at: now - DAY, falseAlarm: false, reason: "out" as const };
    expect(inactivityFeedback(inactivityDefaults, [...all, real], now)).toEqual({
      override: {},
      reasons: [],
    });
  });
});

describe("feedbackOutcome: what one closed alert teaches", () => {
  const checkIn = (result: CheckIn["result"]): CheckIn => ({
    startedAt: now,
    until: now + 30 * 60_000,
    channels: ["button"],
    result,
    endedAt: result === null ? null : now + 5 * 60_000,
    via: result === "ok" ? "button" : null,
  });
  const alert = (
    patch: Partial<Pick<Alert, "rule" | "status" | "outcome" | "checkIn">>,
    limit = "out",
  ): Pick<Alert, "rule" | "raisedAt" | "status" | "outcome" | "checkIn" | "evidence"> => ({
    rule: "inactivity",
    raisedAt: now,
    status: "resolved",
    outcome: null,
    checkIn: null,
    evidence: {
      rule: "inactivity",
      severity: "major",
      threshold: { name: `gap limit (${limit})`, value: 300, unit: "min" },
      observed: { name: "gap without water", value: 310, unit: "min" },
      baseline: null,
      readings: [],
      confidence: null,
      message: { en: "x", "zh-CN": "x" },
    },
    ...patch,
  });

  it("names the limit from the evidence: out, ceiling, wake, hour", () => {
    for (const limit of ["out", "ceiling", "wake", "hour"] as const)
      expect(feedbackOutcome(alert({ outcome: "false_alarm_away" }, limit))).toEqual({
        at: now,
        falseAlarm: true,
        reason: limit,
      });
  });

  it("a worker's outcome decides; an emergency is not a false alarm", () => {
    expect(feedbackOutcome(alert({ outcome: "hospital" }))).toMatchObject({ falseAlarm: false });
  });

  it("the resident's OK, or water during the check-in, is a false alarm of that limit", () => {
    expect(feedbackOutcome(alert({ status: "cleared", checkIn: checkIn("ok") }))).toEqual({
      at: now,
      falseAlarm: true,
      reason: "out",
    });
    expect(feedbackOutcome(alert({ status: "cleared", checkIn: checkIn("cleared") }, "hour"))).toEqual({
      at: now,
      falseAlarm: true,
      reason: "hour",
    });
  });

  it("teaches nothing while open, when it cleared without a check-in, or from another rule", () => {
    expect(feedbackOutcome(alert({ status: "open", checkIn: checkIn(null) }))).toBeNull();
    expect(feedbackOutcome(alert({ status: "cleared" }))).toBeNull();
    expect(feedbackOutcome(alert({ status: "cleared", checkIn: checkIn("taken_over") }))).toBeNull();
    expect(feedbackOutcome(alert({ rule: "no_data", outcome: "false_alarm_other" }))).toBeNull();
  });
});
