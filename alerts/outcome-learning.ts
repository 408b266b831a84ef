import type { Outcome } from "./alert-types.js";
import type { RuleId } from "./engine/types.js";
import type { RuleParams } from "./rules/params.js";

/** Repeated false alarms of one rule at one home within this window make the home's rule less eager. */
export const LEARNING_WINDOW_MS = 30 * 86_400_000;
export const FALSE_ALARMS_TO_ADJUST = 2;
/** At most this many steps are learned; beyond it the home needs a person to look (an operator). */
export const MAX_STEPS = 3;

export const isFalseAlarm = (o: Outcome | null): boolean => o === "false_alarm_away" || o === "false_alarm_other";

export interface Adjustment {
  /** The home's learned override for this rule after the step (merged over the other layers). */
  override: Record<string, unknown>;
  steps: number;
  reason: { "zh-CN": string; en: string };
}

/**
 * One step of learning from outcomes, for the inactivity rule: each step waits 30 minutes longer than
 * the learned threshold and halves the improbability level (alpha) at which it raises. Bounded, recorded
 * with its reason, and reversible by an operator (the learned layer is one row that can be removed).
 * Other rules are not tuned automatically: their thresholds are safety limits, not habits.
 */
export function learnFromFalseAlarms(
  rule: RuleId,
  falseAlarmIds: readonly number[],
  effective: RuleParams,
  learnedSteps: number,
): Adjustment | null {
  if (rule !== "inactivity" || falseAlarmIds.length < FALSE_ALARMS_TO_ADJUST || learnedSteps >= MAX_STEPS) return null;
  const p = effective.inactivity;
  const marginMin = Math.min(240, p.marginMin + 30);
  const alpha = Math.max(0.0001, p.alpha / 2);
  const steps = learnedSteps + 1;
  const ids = falseAlarmIds.map((id) => `#${id}`).join(", ");
  return {
    override: { marginMin, alpha },
    steps,
    reason: {
      "zh-CN": `近30天内${falseAlarmIds.length}次误报（${ids}）：未用水提醒多等待30分钟（余量${marginMin}分钟，α=${alpha}），第${steps}/${MAX_STEPS}步`,
      en: `${falseAlarmIds.length} false alarms in 30 days (${ids}): inactivity waits 30 min longer (margin ${marginMin} min, alpha ${alpha}), step ${steps} of ${MAX_STEPS}`,
    },
  };
}
