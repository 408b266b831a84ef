/**
 * Device silent: no reading or heartbeat for longer than the device's reporting interval allows.
 * This is "we cannot see", never "nothing happened": it is its own rule so that a dead meter never
 * becomes an inactivity alert and a living person is never presumed fine because a meter died.
 * Liveness is judged on receipt (`now`), not event time: a batch that arrives proves the device
 * works even if its readings are old. Defaults allow 2.5–4 reporting intervals plus slack: water
 * meters report every 15 min idle (60 min), NB-IoT batching meters need a per-device override,
 * door/button sensors send a heartbeat every 12 h (26 h).
 */
import { z } from "zod";
import { DEVICE_KINDS } from "../../core/domain.js";
import type { Evaluation, Rule, RuleConfig, Transition } from "../engine/types.js";
import { durationEn, durationZh } from "./shared/text.js";
import { zoneFor } from "./shared/zone.js";

export const noDataParamsSchema = z.object({
  silentAfterMin: z.partialRecord(z.enum([...DEVICE_KINDS, "heartbeat"]), z.number().min(1)),
  /** Per device id, e.g. an NB-IoT meter that uploads every 6 h. */
  deviceSilentAfterMin: z.record(z.string(), z.number().min(1)),
});
export type NoDataParams = z.infer<typeof noDataParamsSchema>;
export const noDataDefaults: NoDataParams = {
  silentAfterMin: {
    water: 60,
    motion: 120,
    power: 60,
    climate: 120,
    door: 1560,
    button: 1560,
    heartbeat: 1560,
  },
  deviceSilentAfterMin: {},
};

export interface NoDataState {
  devices: Record<string, { kind: string; heard: number }>;
  silent: string[];
}

export function createNoDataRule(cfg: RuleConfig<NoDataParams>): Rule<NoDataState> {
  const zone = zoneFor(cfg.timezone);
  const allowMs = (id: string, kind: string) =>
    (cfg.params.deviceSilentAfterMin[id] ??
      (cfg.params.silentAfterMin as Record<string, number>)[kind] ??
      1560) * 60_000;
  const dueAt = (id: string, d: { kind: string; heard: number }) => d.heard + allowMs(id, d.kind);
  const deadline = (s: NoDataState): number | null => {
    let min: number | null = null;
    for (const [id, d] of Object.entries(s.devices))
      if (!s.silent.includes(id)) min = Math.min(min ?? Infinity, dueAt(id, d));
    return min;
  };
  const evidence = (s: NoDataState, ids: string[], at: number, cleared: boolean) => {
    const first = ids[0] ?? "";
    const d = s.devices[first];
    const quiet = d ? at - d.heard : 0;
    return {
      rule: "no_data" as const,
      severity: sev(s, ids),
      threshold: { name: "allowed silence", value: d ? allowMs(first, d.kind) / 60_000 : 0, unit: "min" },
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
  const sev = (s: NoDataState, ids: string[]) =>
    ids.length >= Object.keys(s.devices).length ? ("major" as const) : ("warning" as const);
  return {
    id: "no_data",
    init: () => ({ devices: {}, silent: [] }),
    evaluate(s, r, now): Evaluation<NoDataState> {
      const prev = s.devices[r.deviceId];
      const kind = r.kind === "heartbeat" ? (prev?.kind ?? "heartbeat") : r.kind;
      const devices = { ...s.devices, [r.deviceId]: { kind, heard: Math.max(prev?.heard ?? now, now) } };
      const silent = s.silent.filter((id) => id !== r.deviceId);
      const state = { devices, silent };
      const transitions: Transition[] = [];
      if (s.silent.length > 0 && silent.length === 0) {
        transitions.push({
          kind: "clear",
          rule: "no_data",
          severity: sev(s, s.silent),
          at: now,
          evidence: evidence(s, s.silent, now, true),
        });
      }
      return { state, transitions, deadline: deadline(state) };
    },
    evaluateDeadline(s, now): Evaluation<NoDataState> {
      const due = Object.entries(s.devices)
        .filter(([id, d]) => !s.silent.includes(id) && dueAt(id, d) <= now)
        .sort((a, b) => dueAt(...a) - dueAt(...b));
      if (due.length === 0) return { state: s, transitions: [], deadline: deadline(s) };
      const silent = [...s.silent, ...due.map(([id]) => id)];
      const state = { ...s, silent };
      const [id0, d0] = due[0] ?? ["", { kind: "", heard: now }];
      const at = dueAt(id0, d0);
      const kind = s.silent.length === 0 ? ("raise" as const) : ("update" as const);
      const t: Transition = {
        kind,
        rule: "no_data",
        severity: sev(state, silent),
        at,
        evidence: evidence(state, silent, now, false),
      };
      return { state, transitions: [t], deadline: deadline(state) };
    },
  };
}
