import type { Transition } from "../../alerts/engine/types.js";

/**
 * A major inactivity raise at `at`, as the rule emits it, for tests that drive the alert lifecycle directly.
 * `limit` names the limit that fired (hour / wake / ceiling / out), which the per-home feedback reads back.
 */
export function inactivityRaise(at: number, limit = "hour", limitMin = 300): Transition {
  return {
    kind: "raise",
    rule: "inactivity",
    severity: "major",
    at,
    evidence: {
      rule: "inactivity",
      severity: "major",
      threshold: { name: `gap limit (${limit})`, value: limitMin, unit: "min" },
      observed: { name: "gap", value: 320, unit: "min" },
      baseline: null,
      readings: [],
      confidence: null,
      message: { "zh-CN": "自 08:00 起未用水。", en: "No water since 08:00." },
    },
  };
}
