import type { Zone } from "../../core/local-time.js";
import type { Evidence, EvidenceReading, Severity } from "../engine/types.js";
import type { InactivityState } from "./inactivity.js";
import type { InactivityParams } from "./inactivity-params.js";
import { blendWeight, type Crossing } from "./inactivity-threshold.js";
import { confidence, corroborationText } from "./shared/corroboration.js";
import { durationEn, durationZh, pct, whenEn, whenZh } from "./shared/text.js";

interface Args {
  s: InactivityState;
  p: InactivityParams;
  zone: Zone;
  c: Crossing;
  gapStart: number;
  severity: Severity;
}

const minuteText = (m: number) =>
  `${String(Math.floor(m / 60) % 24).padStart(2, "0")}:${String(Math.round(m) % 60).padStart(2, "0")}`;

/** The limit's sentence, then what the home's other sensors say (nothing for a home with water only). */
function messages(a: Args): Evidence["message"] {
  const base = limitMessages(a);
  const more = corroborationText(a.s.act, a.gapStart, a.c.at, a.zone);
  return more ? { en: `${base.en} ${more.en}`, "zh-CN": `${base["zh-CN"]}${more["zh-CN"]}` } : base;
}

function limitMessages(a: Args): Evidence["message"] {
  const { zone, c, gapStart, s } = a;
  const sinceEn = whenEn(zone, gapStart, c.at);
  const sinceZh = whenZh(zone, gapStart, c.at);
  const gap = c.at - gapStart;
  if (c.reason === "ceiling") {
    return {
      en: `No water since ${sinceEn} (${durationEn(gap)}): past the ${a.p.ceilingHours} h safety limit.`,
      "zh-CN": `自${sinceZh}起已${durationZh(gap)}未用水，超过${a.p.ceilingHours}小时安全上限。`,
    };
  }
  if (c.reason === "out" && s.out?.left != null) {
    const left = zone.hhmm(s.out.left);
    return {
      en: `No water since ${sinceEn}; left home at ${left} (door) and not back after ${durationEn(c.at - s.out.left)}; this home is usually back within ${durationEn(c.thresholdMs)}.`,
      "zh-CN": `自${sinceZh}起未用水；${left}出门（门磁）后${durationZh(c.at - s.out.left)}未归；该住户通常在${durationZh(c.thresholdMs)}内回家。`,
    };
  }
  if (c.reason === "wake" && c.wakeMinute !== null) {
    const by = minuteText(c.wakeMinute);
    return {
      en: `No water since ${sinceEn}; on ${pct(c.probability)} of past days this home used water by ${by}.`,
      "zh-CN": `自${sinceZh}起未用水；过去${pct(c.probability)}的日子里，该住户在${by}前已用水。`,
    };
  }
  if (s.model.days < a.p.minLearnDays) {
    return {
      en: `No water since ${sinceEn} (${durationEn(gap)}); still learning this home's routine, default limit at this hour is ${durationEn(c.thresholdMs)}.`,
      "zh-CN": `自${sinceZh}起${durationZh(gap)}未用水；仍在学习该住户作息，此时段默认上限为${durationZh(c.thresholdMs)}。`,
    };
  }
  const share = c.probability < 0.01 ? "under 1%" : pct(c.probability);
  const shareZh = c.probability < 0.01 ? "不到1%" : pct(c.probability);
  return {
    en: `No water since ${sinceEn} (${durationEn(gap)}); at this time of day this home went that long without water ${share} of the time (limit ${durationEn(c.thresholdMs)}).`,
    "zh-CN": `自${sinceZh}起${durationZh(gap)}未用水；在此时段该住户只有${shareZh}的时间出现如此长的无用水间隔（上限${durationZh(c.thresholdMs)}）。`,
  };
}

export function inactivityEvidence(a: Args): Evidence {
  const w = blendWeight(a.s.model, a.p);
  const readings = [a.s.lastUseReading, a.s.latest].filter((r): r is EvidenceReading => r !== null);
  return {
    rule: "inactivity",
    severity: a.severity,
    threshold: {
      name: `gap limit (${a.c.reason})`,
      value: Math.round(a.c.thresholdMs / 60_000),
      unit: "min",
    },
    observed: { name: "gap without water", value: Math.round((a.c.at - a.gapStart) / 60_000), unit: "min" },
    baseline: {
      source: w === 0 ? "prior" : w >= 1 ? "learned" : "blend",
      daysLearned: a.s.model.days,
      values: {
        localHour: a.c.hour,
        learnedWeight: Math.round(w * 100) / 100,
        probability: Math.round(a.c.probability * 1000) / 1000,
        ...(a.c.wakeMinute !== null ? { wakeByMinute: a.c.wakeMinute } : {}),
      },
    },
    readings: dedupe(readings),
    confidence: confidence(a.s.act, a.gapStart, a.c.at),
    message: messages(a),
  };
}

function dedupe(rs: EvidenceReading[]): EvidenceReading[] {
  return rs.filter((r, i) => rs.findIndex((o) => o.ts === r.ts && o.deviceId === r.deviceId) === i);
}

export function reopenedEvidence(a: {
  s: InactivityState;
  zone: Zone;
  at: number;
  reading: EvidenceReading;
}): Evidence {
  const gap = a.at - (a.s.lastUse ?? a.at);
  const severity = a.s.open?.severity ?? "major";
  return {
    rule: "inactivity",
    severity,
    threshold: { name: "water use", value: 0, unit: "L" },
    observed: { name: "gap without water", value: Math.round(gap / 60_000), unit: "min" },
    baseline: null,
    readings: dedupe([a.s.lastUseReading, a.reading].filter((r): r is EvidenceReading => r !== null)),
    confidence: null,
    message: {
      en: `Water used again at ${a.zone.hhmm(a.at)} after ${durationEn(gap)} without water.`,
      "zh-CN": `${a.zone.hhmm(a.at)}恢复用水，此前${durationZh(gap)}未用水。`,
    },
  };
}
