import type { DeviceKind } from "../../../core/domain.js";
import type { RuleId, Severity } from "../../engine/types.js";
import type { Language, Outcome } from "../types.js";

type Labels<K extends string> = Record<Language, Record<K, string>>;

export const SEVERITY_LABELS: Labels<Severity> = {
  "zh-CN": { info: "提示", warning: "注意", major: "重要", critical: "紧急" },
  en: { info: "Notice", warning: "Warning", major: "Important", critical: "Urgent" },
};

/** What a rule's alert means, in a few words (a subject line). */
export const RULE_LABELS: Labels<RuleId> = {
  "zh-CN": {
    inactivity: "长时间未见活动",
    no_data: "设备未上报数据",
    water_running: "水流长时间未停",
    slow_leak: "疑似漏水",
    excessive_use: "用水量异常偏多",
    night_activity: "夜间活动异常",
    panic: "按下了紧急呼叫按钮",
    door_night: "夜间开门",
    temperature: "室温异常",
  },
  en: {
    inactivity: "no activity for a long time",
    no_data: "devices not reporting",
    water_running: "water running for a long time",
    slow_leak: "possible water leak",
    excessive_use: "unusually high water use",
    night_activity: "unusual activity at night",
    panic: "panic button pressed",
    door_night: "door opened at night",
    temperature: "room temperature out of range",
  },
};

export const OUTCOME_LABELS: Labels<Outcome> = {
  "zh-CN": {
    safe: "老人平安，无需帮助",
    needed_help: "已上门协助，老人情况稳定",
    hospital: "已陪同就医",
    false_alarm_away: "误报：老人当时外出，平安",
    false_alarm_other: "误报，老人平安",
  },
  en: {
    safe: "the resident is safe and needed no help",
    needed_help: "helped at home; the resident is stable",
    hospital: "taken to hospital with support",
    false_alarm_away: "false alarm: the resident was away and is safe",
    false_alarm_other: "false alarm; the resident is safe",
  },
};

export const DEVICE_LABELS: Labels<DeviceKind> = {
  "zh-CN": {
    water: "水表",
    door: "门磁",
    motion: "人体感应器",
    power: "电表",
    climate: "温湿度计",
    button: "紧急按钮",
  },
  en: {
    water: "water meter",
    door: "door sensor",
    motion: "motion sensor",
    power: "power meter",
    climate: "thermometer",
    button: "panic button",
  },
};

// British order ("5 Mar") reads naturally to more English readers than "Mar 5".
const locale = (language: Language) => (language === "en" ? "en-GB" : "zh-CN");

/** "3月5日 14:30" / "5 Mar, 14:30", in the home's time zone. */
export function formatTime(ms: number, timeZone: string, language: Language): string {
  return new Intl.DateTimeFormat(locale(language), {
    timeZone,
    month: language === "en" ? "short" : "long",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(ms);
}

/** "2 小时 15 分钟" / "2 h 15 min". */
export function formatMinutes(minutes: number, language: Language): string {
  const total = Math.max(0, Math.round(minutes));
  const h = Math.floor(total / 60);
  const m = total % 60;
  const zh = language === "zh-CN";
  const parts: string[] = [];
  if (h > 0) parts.push(zh ? `${h} 小时` : `${h} h`);
  if (m > 0 || h === 0) parts.push(zh ? `${m} 分钟` : `${m} min`);
  return parts.join(" ");
}

export function formatLiters(liters: number, language: Language): string {
  const n = Math.round(liters);
  return language === "zh-CN" ? `${n} 升` : `${n} L`;
}

/** "3月5日" / "5 Mar" for a local day given as YYYY-MM-DD. */
export function formatDay(date: string, language: Language): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale(language), {
    timeZone: "UTC",
    month: language === "en" ? "short" : "long",
    day: "numeric",
  }).format(Date.UTC(y, m - 1, d));
}
