/**
 * Which alerts wait for the resident's check-in, and what the worker reads when they did not answer.
 * Pure: the lifecycle applies it (docs/notifications.md, "Resident check-in before dispatch").
 */
import type { CheckIn, CheckInAnswer, CheckInSetting } from "./alert-types.js";
import { type Evidence, type RuleId, SEVERITIES, type Severity, severityRank } from "./engine/types.js";

/**
 * Only alerts that say "we have not seen the resident for a while" ask the resident first: the person
 * who can end the doubt is the one we worry about, and docs/detection.md ("Two-stage response") shows it
 * cuts false alarms from 8.5 to 0.65 a month on a real home. Never for a panic press (the resident asked
 * for help), water left running, a dangerous room temperature or a night-time door (a flood, heat stroke
 * or a wanderer outside do not stop because someone answers "OK", and a confused resident may say so),
 * nor for night activity, excessive use or a slow leak (warnings, which do not dispatch anybody at once).
 * A silent device counts only when it escalates like an inactivity alert (major and above: no other
 * live sensor in the home); below that it is a technical matter for operators.
 */
export function checkInApplies(rule: RuleId, severity: Severity): boolean {
  if (rule === "inactivity") return true;
  return rule === "no_data" && severityRank(severity) >= severityRank("major");
}

/** "Help" from the resident dispatches one level more urgent than the rule thought. */
export function raisedSeverity(s: Severity): Severity {
  return SEVERITIES[Math.min(severityRank(s) + 1, SEVERITIES.length - 1)]!;
}

function note(checkIn: CheckIn): { "zh-CN": string; en: string } | null {
  const minutes = Math.round((checkIn.until - checkIn.startedAt) / 60_000);
  if (checkIn.result === "no_answer")
    return {
      "zh-CN": `已先联系老人确认平安，${minutes} 分钟内未获回应。`,
      en: `The resident was asked to check in first and did not answer within ${minutes} minutes.`,
    };
  if (checkIn.result === "help")
    return {
      "zh-CN": "已先联系老人确认平安，老人回应需要帮助。",
      en: "The resident was asked to check in first and answered that they need help.",
    };
  return null;
}

/** The evidence a worker reads once the check-in ended in dispatch: the rule's message plus what the resident did. */
export function withCheckInNote(evidence: Evidence, checkIn: CheckIn | null): Evidence {
  const n = checkIn ? note(checkIn) : null;
  if (!n || evidence.message.en.endsWith(n.en)) return evidence;
  return {
    ...evidence,
    message: { "zh-CN": `${evidence.message["zh-CN"]}${n["zh-CN"]}`, en: `${evidence.message.en} ${n.en}` },
  };
}

export function startCheckIn(setting: CheckInSetting, now: number): CheckIn {
  return {
    startedAt: now,
    until: now + setting.minutes * 60_000,
    channels: setting.channels,
    result: null,
    endedAt: null,
    via: null,
  };
}

export function endCheckIn(
  checkIn: CheckIn,
  result: CheckIn["result"],
  now: number,
  via: CheckIn["via"] = null,
): CheckIn {
  return { ...checkIn, result, endedAt: now, via };
}

export type { CheckInAnswer };
