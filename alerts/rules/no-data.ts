/**
 * Device silent: no reading or heartbeat for longer than the device's own reporting cadence allows.
 * This is "we cannot see", never "nothing happened": it is its own rule so that a dead meter never
 * becomes an inactivity alert and a living person is never presumed fine because a meter died.
 * Liveness is judged on receipt (`now`), not event time: a batch that arrives proves the device
 * works even if its readings are old.
 *
 * Allowed silence per device = max(kind default, `cadenceFactor` × p90 of its recent arrival
 * intervals), or the per-device override when one is configured. An arrival interval is the time
 * since the previous arrival, or the age of the oldest reading in the arrival when it is older (an
 * NB-IoT batch holding six hours of hourly readings shows its cadence the first time it is heard).
 * So a meter that uploads 4 times a day is allowed 2.5 × 6 h = 15 h, and a device that really stops
 * is reported within 2–3 of its own intervals. Until two intervals are known a device is allowed
 * 26 h (the heartbeat allowance). One outage cannot teach the rule to be deaf: an
 * interval is learned at most at 2 × the current p90, so only a cadence that stays slow is adopted
 * (doubling per report). Defaults: water and power every 15 min (60), climate every 30 min (120);
 * motion, door and button report on events plus a heartbeat every 6–12 h (26 h).
 *
 * Severity: warning (a technical problem) while another device still reports; major when every device of
 * the home is silent, because then nobody can see the resident (it escalates like inactivity). During a
 * planned absence it stays a warning — inactivity pauses then too — and becomes major when the absence
 * ends with the home still silent (a deadline at the absence's end).
 */
import { z } from "zod";
import { DEVICE_KINDS } from "../../core/domain.js";
import { zoneFor } from "../../core/local-time.js";
import type { Evaluation, Rule, RuleConfig, Transition } from "../engine/types.js";
import { absenceAt } from "./shared/absence.js";
import { durationEn, durationZh } from "./shared/text.js";

export const noDataParamsSchema = z.object({
  silentAfterMin: z.partialRecord(z.enum([...DEVICE_KINDS, "heartbeat"]), z.number().min(1)),
  /** Per device id: a fixed allowance that replaces the learned one. */
  deviceSilentAfterMin: z.record(z.string(), z.number().min(1)),
  cadenceFactor: z.number().min(1.5).max(10),
  /** Arrival intervals kept per device (p90 over these). */
  cadenceSamples: z.number().int().min(1).max(48),
});
export type NoDataParams = z.infer<typeof noDataParamsSchema>;
export const noDataDefaults: NoDataParams = {
  silentAfterMin: {
    water: 60,
    motion: 1560,
    power: 60,
    climate: 120,
    door: 1560,
    button: 1560,
    heartbeat: 1560,
  },
  deviceSilentAfterMin: {},
  cadenceFactor: 2.5,
  cadenceSamples: 12,
};

const HEARTBEAT_MIN = 1560;
const MIN_SAMPLES = 2;
/** Arrivals closer than this are one arrival (the readings of one batch, a heartbeat after a reading). */
const SAME_ARRIVAL_MS = 60_000;

interface Device {
  kind: string;
  /** Receipt time of the last arrival. */
  heard: number;
  /** Recent arrival intervals, minutes, oldest first. */
  gaps: number[];
}

export interface NoDataState {
  devices: Record<string, Device>;
  silent: string[];
  /** The open alert was raised or updated as major (every device silent, no planned absence then). */
  major?: boolean;
}

// The 90th percentile without a copy or a sort (a sort per arrival, and a cache lookup per device and
// reading, were 13 % of the rules' time): the value at index ceil(0.9 n) − 1 of the sorted intervals
// is the m-th largest, m = n − ceil(0.9 n) + 1 (2 of 12, 5 of 48), found by keeping the m largest.
const top: number[] = [];

export function p90(xs: readonly number[]): number {
  const n = xs.length;
  if (n === 0) return 0;
  const m = n - (Math.ceil(0.9 * n) - 1);
  top.length = 0;
  for (let i = 0; i < n; i++) {
    const v = xs[i] as number;
    const len = top.length;
    if (len === m && v <= (top[m - 1] as number)) continue;
    let j = len < m ? len : m - 1;
    while (j > 0 && (top[j - 1] as number) < v) {
      top[j] = top[j - 1] as number;
      j--;
    }
    top[j] = v;
  }
  return top[m - 1] ?? 0;
}

/** A device's allowed silence as last computed, valid while its gaps array and kind are the same. */
interface Allowance {
  gaps: readonly number[] | undefined;
  kind: string;
  ms: number;
}

export function createNoDataRule(cfg: RuleConfig<NoDataParams>): Rule<NoDataState> {
  const p = cfg.params;
  const zone = zoneFor(cfg.timezone);
  // The next deadline asks every device's allowance on every reading; a device's gaps array is replaced,
  // never changed, when it learns, so the allowance is kept per device id until the array (or kind) is new.
  const allowances = new Map<string, Allowance>();
  const allowMs = (id: string, d: Device): number => {
    const known = allowances.get(id);
    if (known !== undefined && known.gaps === d.gaps && known.kind === d.kind) return known.ms;
    const ms = computeAllowMs(id, d);
    if (known === undefined) allowances.set(id, { gaps: d.gaps, kind: d.kind, ms });
    else {
      known.gaps = d.gaps;
      known.kind = d.kind;
      known.ms = ms;
    }
    return ms;
  };
  const computeAllowMs = (id: string, d: Device): number => {
    const fixed = p.deviceSilentAfterMin[id];
    if (fixed !== undefined) return fixed * 60_000;
    const gaps = d.gaps ?? []; // state stored before cadences were learned has none
    const kindMin = (p.silentAfterMin as Record<string, number>)[d.kind] ?? HEARTBEAT_MIN;
    // Until a device has shown its cadence, it gets the heartbeat allowance (a batching meter
    // installed a minute before its first batch would otherwise be "silent" after an hour).
    const floor = gaps.length < MIN_SAMPLES ? Math.max(kindMin, HEARTBEAT_MIN) : kindMin;
    return Math.max(floor, p.cadenceFactor * p90(gaps)) * 60_000;
  };
  const dueAt = (id: string, d: Device) => d.heard + allowMs(id, d);
  const deadline = (s: NoDataState): number | null => {
    let min: number | null = null;
    const silent = s.silent;
    for (const id in s.devices) {
      const d = s.devices[id];
      if (d !== undefined && (silent.length === 0 || !silent.includes(id)))
        min = Math.min(min ?? Infinity, dueAt(id, d));
    }
    return min;
  };
  /** Learns one arrival interval (minutes), capped at twice the current p90 once the cadence is known. */
  const learn = (d: Device | undefined, intervalMs: number): number[] => {
    const gaps = d?.gaps ?? [];
    const cur = p90(gaps);
    const m = Math.round(intervalMs / 60_000);
    const capped = gaps.length >= MIN_SAMPLES && cur > 0 ? Math.min(m, 2 * cur) : m;
    // The last cadenceSamples of [...gaps, capped], in one array.
    const keep = Math.min(gaps.length + 1, p.cadenceSamples);
    const next = new Array<number>(keep);
    const skip = gaps.length + 1 - keep;
    for (let i = 0; i < keep - 1; i++) next[i] = gaps[skip + i] as number;
    next[keep - 1] = capped;
    return next;
  };
  const hear = (prev: Device | undefined, kind: string, ts: number, now: number): Device => {
    const age = Math.max(0, now - ts);
    if (!prev) return { kind, heard: now, gaps: age >= SAME_ARRIVAL_MS ? learn(undefined, age) : [] };
    const since = now - prev.heard;
    if (since < SAME_ARRIVAL_MS) {
      // Same arrival: an older reading in it makes the arrival's interval longer.
      const known = prev.gaps ?? [];
      const last = known.at(-1);
      const grown = last !== undefined && age > last * 60_000;
      const gaps = grown ? learn({ ...prev, gaps: known.slice(0, -1) }, age) : known;
      return { kind, heard: Math.max(prev.heard, now), gaps };
    }
    return { kind, heard: now, gaps: learn(prev, Math.max(since, age)) };
  };
  const evidence = (s: NoDataState, ids: string[], at: number, cleared: boolean) => {
    const first = ids[0] ?? "";
    const d = s.devices[first];
    const quiet = d ? at - d.heard : 0;
    return {
      rule: "no_data" as const,
      // Callers pass the state after the transition, whose `major` says the severity it carries.
      severity: s.major ? ("major" as const) : ("warning" as const),
      threshold: {
        name: "allowed silence",
        value: d ? Math.round(allowMs(first, d) / 60_000) : 0,
        unit: "min",
      },
      observed: { name: "silence", value: Math.round(quiet / 60_000), unit: "min" },
      baseline: null,
      readings: [],
      confidence: null,
      message: cleared
        ? {
            en: `All devices report again (${zone.hhmm(at)}).`,
            "zh-CN": `所有设备已恢复上报（${zone.hhmm(at)}）。`,
          }
        : {
            en: `No data from ${ids.join(", ")} for ${durationEn(quiet)}: we cannot see this home; this is not "no water".`,
            "zh-CN": `设备${ids.join("、")}已${durationZh(quiet)}无数据：无法掌握该住户情况（并非"未用水"）。`,
          },
    };
  };
  const sev = (s: NoDataState, ids: string[], at: number) =>
    ids.length >= Object.keys(s.devices).length && !absenceAt(cfg.absences, at)
      ? ("major" as const)
      : ("warning" as const);
  /** While the whole home is silent as a warning inside an absence: when that absence ends. */
  const absenceEnd = (s: NoDataState, now: number): number | null =>
    s.silent.length > 0 && !s.major && s.silent.length >= Object.keys(s.devices).length
      ? (absenceAt(cfg.absences, now)?.to ?? null)
      : null;
  const withAbsenceEnd = (s: NoDataState, now: number): number | null => {
    const d = deadline(s);
    const end = absenceEnd(s, now);
    return end === null ? d : d === null ? end : Math.min(d, end);
  };
  return {
    id: "no_data",
    init: () => ({ devices: {}, silent: [] }),
    evaluate(s, r, now): Evaluation<NoDataState> {
      const prev = s.devices[r.deviceId];
      const kind = r.kind === "heartbeat" ? (prev?.kind ?? "heartbeat") : r.kind;
      const devices = { ...s.devices };
      devices[r.deviceId] = hear(prev, kind, r.ts, now);
      const silent = s.silent.length === 0 ? s.silent : s.silent.filter((id) => id !== r.deviceId);
      const state: NoDataState =
        silent.length > 0 && s.major ? { devices, silent, major: true } : { devices, silent };
      const transitions: Transition[] = [];
      if (s.silent.length > 0 && silent.length === 0) {
        transitions.push({
          kind: "clear",
          rule: "no_data",
          severity: s.major ? "major" : "warning",
          at: now,
          evidence: evidence(s, s.silent, now, true),
        });
      }
      return { state, transitions, deadline: withAbsenceEnd(state, now) };
    },
    evaluateDeadline(s, now): Evaluation<NoDataState> {
      const due = Object.entries(s.devices)
        .filter(([id, d]) => !s.silent.includes(id) && dueAt(id, d) <= now)
        .sort((a, b) => dueAt(...a) - dueAt(...b));
      if (due.length === 0) {
        // The whole home silent since inside a planned absence that has now ended: major from its end.
        const ended = !s.major && s.silent.length > 0 && sev(s, s.silent, now) === "major";
        if (!ended) return { state: s, transitions: [], deadline: withAbsenceEnd(s, now) };
        const state: NoDataState = { ...s, major: true };
        // Event time: the end of the absence the silence outlasted (the deadline may fire a little later).
        const ends = cfg.absences.map((a) => a.to).filter((to) => to <= now);
        const t: Transition = {
          kind: "update",
          rule: "no_data",
          severity: "major",
          at: ends.length > 0 ? Math.max(...ends) : now,
          evidence: evidence(state, s.silent, now, false),
        };
        return { state, transitions: [t], deadline: deadline(state) };
      }
      const silent = [...s.silent, ...due.map(([id]) => id)];
      const [id0, d0] = due[0] ?? ["", { kind: "", heard: now, gaps: [] }];
      const at = dueAt(id0, d0);
      const severity = sev({ ...s, silent }, silent, at);
      const state: NoDataState = { ...s, silent, ...(severity === "major" ? { major: true } : {}) };
      const kind = s.silent.length === 0 ? ("raise" as const) : ("update" as const);
      const t: Transition = {
        kind,
        rule: "no_data",
        severity,
        at,
        evidence: evidence(state, silent, now, false),
      };
      return { state, transitions: [t], deadline: withAbsenceEnd(state, now) };
    },
  };
}
