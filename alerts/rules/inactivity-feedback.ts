/**
 * Per-home adaptation after false alarms. Issue 5: "repeated false alarms of one kind at one home
 * adjust that home's thresholds — recorded, explainable, reversible".
 *
 * Pure: the home's closed inactivity alerts (outcomes a worker or a check-in recorded) in, a
 * parameter layer for `resolveRuleParams(global, grid, home, feedback)` and the reasons out.
 * - Recorded: the service stores the outcomes; the layer is recomputed from them, never kept apart.
 * - Explainable: every change comes with a sentence (zh-CN and en) naming the alerts behind it.
 * - Reversible: only outcomes of the last `windowDays` count, so the layer fades by itself; one
 *   confirmed emergency in the window drops it at once; deleting outcomes undoes it.
 * Of one kind: false alarms at the ceiling raise this home's ceiling by `ceilingStepHours` per
 * alarm past `minFalse`, up to `maxCeilingHours`; false alarms from the learned hour or wake limits
 * halve alpha per alarm past `minFalse` (a longer tail), down to `minAlpha`. What this costs in
 * detection delay is measured in docs/detection.md (ceiling sweep).
 */
import type { InactivityParams } from "./inactivity-params.js";

export interface InactivityOutcome {
  /** When the alert was raised (epoch ms). */
  at: number;
  /** Closed as a false alarm (resident fine, or answered the check-in) rather than an emergency. */
  falseAlarm: boolean;
  /** The limit that raised it: evidence.threshold.name "gap limit (hour|wake|ceiling)". */
  reason: "hour" | "wake" | "ceiling";
}

export interface FeedbackPolicy {
  windowDays: number;
  minFalse: number;
  ceilingStepHours: number;
  maxCeilingHours: number;
  alphaFactor: number;
  minAlpha: number;
}

export const feedbackDefaults: FeedbackPolicy = {
  windowDays: 60,
  minFalse: 3,
  ceilingStepHours: 2,
  maxCeilingHours: 20,
  alphaFactor: 0.5,
  minAlpha: 0.0005,
};

export interface Feedback {
  override: {
    inactivity?: Partial<Pick<InactivityParams, "ceilingHours" | "learnMaxGapHours" | "alpha">>;
  };
  reasons: { en: string; "zh-CN": string }[];
}

export function inactivityFeedback(
  base: InactivityParams,
  outcomes: readonly InactivityOutcome[],
  now: number,
  policy: FeedbackPolicy = feedbackDefaults,
): Feedback {
  const recent = outcomes.filter((o) => o.at <= now && o.at > now - policy.windowDays * 86_400_000);
  if (recent.length === 0 || recent.some((o) => !o.falseAlarm)) return { override: {}, reasons: [] };
  const ceil = recent.filter((o) => o.reason === "ceiling").length;
  const learned = recent.filter((o) => o.reason !== "ceiling").length;
  const over: { ceilingHours?: number; learnMaxGapHours?: number; alpha?: number } = {};
  const reasons: Feedback["reasons"] = [];
  const w = policy.windowDays;
  if (ceil >= policy.minFalse) {
    const steps = ceil - policy.minFalse + 1;
    const h = Math.min(policy.maxCeilingHours, base.ceilingHours + steps * policy.ceilingStepHours);
    if (h > base.ceilingHours) {
      // Gaps up to the new limit must be learned too, or the learned hour limits (which never
      // saw a gap past the old ceiling) fire where the ceiling used to: measured, no gain otherwise.
      over.ceilingHours = h;
      over.learnMaxGapHours = Math.max(base.learnMaxGapHours, h);
      reasons.push({
        en: `${ceil} false alarms at the ${base.ceilingHours} h limit in ${w} days: this home's limit is ${h} h.`,
        "zh-CN": `${w}天内在${base.ceilingHours}小时上限处误报${ceil}次：该住户上限调整为${h}小时。`,
      });
    }
  }
  if (learned >= policy.minFalse) {
    const steps = learned - policy.minFalse + 1;
    const alpha = Math.max(policy.minAlpha, base.alpha * policy.alphaFactor ** steps);
    if (alpha < base.alpha) {
      over.alpha = alpha;
      reasons.push({
        en: `${learned} false alarms from this home's learned limits in ${w} days: tail share lowered from ${base.alpha} to ${alpha}.`,
        "zh-CN": `${w}天内按该住户学习到的上限误报${learned}次：尾部概率由${base.alpha}降至${alpha}。`,
      });
    }
  }
  return { override: Object.keys(over).length > 0 ? { inactivity: over } : {}, reasons };
}
