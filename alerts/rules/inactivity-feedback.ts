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
 * Of one kind, three sources, each adjusting its own limit (the alert's evidence names the limit):
 * - the ceiling: raise this home's ceiling by `ceilingStepHours` per alarm past `minFalse`, up to
 *   `maxCeilingHours`;
 * - the learned at-home limits (hour, wake): halve alpha per alarm past `minFalse` (a longer tail),
 *   down to `minAlpha`;
 * - the outing limit ("usually back within", door): halve outAlpha and add `outMarginStepMin` per
 *   alarm past `minFalse`, down to `minOutAlpha` and up to `maxOutMarginMin`. An outing that ran long
 *   says nothing about how long this person goes without water at home.
 * What this costs in detection delay is measured in docs/detection.md (ceiling sweep).
 * What counts as a false alarm (`feedbackOutcome`): an alert a worker resolved as one, and an alert
 * the resident answered "OK" during the check-in or that cleared during it because water flowed.
 */
import type { Alert } from "../alert-types.js";
import { isFalseAlarm } from "../alert-types.js";
import type { InactivityParams } from "./inactivity-params.js";

export const FEEDBACK_LIMITS = ["hour", "wake", "ceiling", "out"] as const;
export type FeedbackLimit = (typeof FEEDBACK_LIMITS)[number];

export interface InactivityOutcome {
  /** When the alert was raised (epoch ms). */
  at: number;
  /** Closed as a false alarm (resident fine, or answered the check-in) rather than an emergency. */
  falseAlarm: boolean;
  /** The limit that raised it: evidence.threshold.name "gap limit (hour|wake|ceiling|out)". */
  reason: FeedbackLimit;
}

/** The limit named by an inactivity alert's evidence ("gap limit (out)"); "hour" for anything older. */
export function limitOf(thresholdName: string): FeedbackLimit {
  const m = /\((hour|wake|ceiling|out)\)/.exec(thresholdName);
  return (m?.[1] as FeedbackLimit | undefined) ?? "hour";
}

/**
 * What one closed inactivity alert teaches, or null if nothing: resolved by a worker (false alarm or
 * emergency by its outcome); cleared during the resident's check-in, by an "OK" answer or by water
 * within the check-in minutes (a false alarm: the limit fired while the person was fine, though
 * nobody was dispatched). Alerts that cleared by themselves without a check-in, or after a carer
 * took over, do not count: no one confirmed anything about them.
 */
export function feedbackOutcome(
  a: Pick<Alert, "rule" | "raisedAt" | "status" | "outcome" | "checkIn" | "evidence">,
): InactivityOutcome | null {
  if (a.rule !== "inactivity") return null;
  const reason = limitOf(a.evidence.threshold.name);
  if (a.status === "resolved") return { at: a.raisedAt, falseAlarm: isFalseAlarm(a.outcome), reason };
  const r = a.checkIn?.result;
  if (a.status === "cleared" && (r === "ok" || r === "cleared"))
    return { at: a.raisedAt, falseAlarm: true, reason };
  return null;
}

export interface FeedbackPolicy {
  windowDays: number;
  minFalse: number;
  ceilingStepHours: number;
  maxCeilingHours: number;
  alphaFactor: number;
  minAlpha: number;
  outAlphaFactor: number;
  minOutAlpha: number;
  outMarginStepMin: number;
  maxOutMarginMin: number;
}

export const feedbackDefaults: FeedbackPolicy = {
  windowDays: 60,
  minFalse: 3,
  ceilingStepHours: 2,
  maxCeilingHours: 20,
  alphaFactor: 0.5,
  minAlpha: 0.0005,
  // 0.002: one false alarm in 500 outings; with a few dozen outings learned that is their longest.
  outAlphaFactor: 0.5,
  minOutAlpha: 0.002,
  // +30 min a step, up to 2 h over the quantile: the ceiling still bounds every outing.
  outMarginStepMin: 30,
  maxOutMarginMin: 120,
};

type Tunable = "ceilingHours" | "learnMaxGapHours" | "alpha" | "outAlpha" | "outMarginMin";

export interface Feedback {
  override: {
    inactivity?: Partial<Pick<InactivityParams, Tunable>>;
  };
  reasons: { en: string; "zh-CN": string }[];
}

type Override = NonNullable<Feedback["override"]["inactivity"]>;
type Step = (base: InactivityParams, n: number, policy: FeedbackPolicy) => Feedback | null;

/** Past the ceiling: a higher ceiling, and gaps learned up to it. */
const ceilingStep: Step = (base, n, policy) => {
  const h = Math.min(
    policy.maxCeilingHours,
    base.ceilingHours + (n - policy.minFalse + 1) * policy.ceilingStepHours,
  );
  if (h <= base.ceilingHours) return null;
  const w = policy.windowDays;
  // Gaps up to the new limit must be learned too, or the learned hour limits (which never
  // saw a gap past the old ceiling) fire where the ceiling used to: measured, no gain otherwise.
  return {
    override: { inactivity: { ceilingHours: h, learnMaxGapHours: Math.max(base.learnMaxGapHours, h) } },
    reasons: [
      {
        en: `${n} false alarms at the ${base.ceilingHours} h limit in ${w} days: this home's limit is ${h} h.`,
        "zh-CN": `${w}天内在${base.ceilingHours}小时上限处误报${n}次：该住户上限调整为${h}小时。`,
      },
    ],
  };
};

/** The learned at-home limits (hour and wake): a smaller tail share. */
const learnedStep: Step = (base, n, policy) => {
  const alpha = Math.max(policy.minAlpha, base.alpha * policy.alphaFactor ** (n - policy.minFalse + 1));
  if (alpha >= base.alpha) return null;
  const w = policy.windowDays;
  return {
    override: { inactivity: { alpha } },
    reasons: [
      {
        en: `${n} false alarms from this home's learned limits in ${w} days: tail share lowered from ${base.alpha} to ${alpha}.`,
        "zh-CN": `${w}天内按该住户学习到的上限误报${n}次：尾部概率由${base.alpha}降至${alpha}。`,
      },
    ],
  };
};

const pctText = (q: number) => `${Math.round(q * 1000) / 10}%`;

/** The outing limit ("usually back within"): a later quantile of this home's outings and a wider margin. */
const outStep: Step = (base, n, policy) => {
  const steps = n - policy.minFalse + 1;
  const outAlpha = Math.min(
    base.outAlpha,
    Math.max(policy.minOutAlpha, base.outAlpha * policy.outAlphaFactor ** steps),
  );
  const outMarginMin = Math.max(
    base.outMarginMin,
    Math.min(policy.maxOutMarginMin, base.outMarginMin + steps * policy.outMarginStepMin),
  );
  if (outAlpha >= base.outAlpha && outMarginMin <= base.outMarginMin) return null;
  const w = policy.windowDays;
  const [q0, q1] = [pctText(1 - base.outAlpha), pctText(1 - outAlpha)];
  return {
    override: { inactivity: { outAlpha, outMarginMin } },
    reasons: [
      {
        en: `${n} false alarms while out (door) in ${w} days: "usually back within" now reads the ${q1} of this home's outings (was ${q0}) plus ${outMarginMin} min (was ${base.outMarginMin}).`,
        "zh-CN": `${w}天内外出（门磁）期间误报${n}次："通常回家时间"改为该住户外出时长的${q1}分位（原${q0}）加${outMarginMin}分钟（原${base.outMarginMin}分钟）。`,
      },
    ],
  };
};

const STEPS: { step: Step; counts: (o: InactivityOutcome) => boolean }[] = [
  { step: ceilingStep, counts: (o) => o.reason === "ceiling" },
  { step: learnedStep, counts: (o) => o.reason === "hour" || o.reason === "wake" },
  { step: outStep, counts: (o) => o.reason === "out" },
];

export function inactivityFeedback(
  base: InactivityParams,
  outcomes: readonly InactivityOutcome[],
  now: number,
  policy: FeedbackPolicy = feedbackDefaults,
): Feedback {
  const recent = outcomes.filter((o) => o.at <= now && o.at > now - policy.windowDays * 86_400_000);
  if (recent.length === 0 || recent.some((o) => !o.falseAlarm)) return { override: {}, reasons: [] };
  const over: Override = {};
  const reasons: Feedback["reasons"] = [];
  for (const { step, counts } of STEPS) {
    const n = recent.filter(counts).length;
    const f = n >= policy.minFalse ? step(base, n, policy) : null;
    if (!f) continue;
    Object.assign(over, f.override.inactivity);
    reasons.push(...f.reasons);
  }
  return { override: Object.keys(over).length > 0 ? { inactivity: over } : {}, reasons };
}
