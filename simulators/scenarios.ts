import { z } from "zod";
import { DEVICE_KINDS, type DeviceKind, deviceKindSchema } from "../core/domain.js";
import { localDayOf, localParts, localToEpoch } from "../core/local-time.js";
import type { Rng } from "./random.js";

export const SCENARIO_KINDS = [
  "collapse",
  "hospital",
  "visiting-family",
  "late-rising",
  "illness",
  "night-wandering",
  "tap-left-running",
  "slow-leak",
  "heat-wave",
  "panic-button",
  "device-offline",
  "battery-dying",
  "meter-replaced",
  "clock-drift",
  "duplicates",
  "out-of-order",
  "malformed",
] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

/** A scenario as a user asks for it (CLI flag, JSON file): everything left out is drawn from the seed. */
export const scenarioSpecSchema = z.object({
  kind: z.enum(SCENARIO_KINDS),
  /** Home id (h0001); random when absent. */
  home: z.string().optional(),
  /** ISO-8601 with offset or epoch ms; random when absent. */
  at: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]).optional(),
  durationMin: z.number().positive().optional(),
  /** For device scenarios: which of the home's devices. */
  device: deviceKindSchema.optional(),
  /** How many instances (each at its own random home and time unless fixed). */
  count: z.number().int().min(1).max(1_000_000).default(1),
  flowLpm: z.number().positive().max(100).optional(),
  litersPerHour: z.number().positive().max(100).optional(),
  deltaC: z.number().min(-20).max(20).optional(),
  rate: z.number().min(0).max(1).optional(),
  delayMin: z.number().positive().max(720).optional(),
  driftMinPerDay: z.number().min(-1440).max(1440).optional(),
});
export type ScenarioSpec = z.input<typeof scenarioSpecSchema>;

export interface ScenarioParams {
  flowLpm?: number;
  litersPerHour?: number;
  deltaC?: number;
  rate?: number;
  delayMin?: number;
  driftMinPerDay?: number;
}

export interface ScenarioInstance {
  id: string;
  kind: ScenarioKind;
  homeId: string;
  /** The device it concerns, null when it concerns the whole household. */
  deviceId: string | null;
  deviceKind: DeviceKind | null;
  start: number;
  end: number;
  params: ScenarioParams;
}

export interface ScenarioHome {
  id: string;
  timezone: string;
  deviceId(kind: DeviceKind): string;
  /** Planned wake time (epoch ms) on the local day containing epochMs. */
  plannedWakeAt(epochMs: number): number;
}

export interface ResolveContext {
  homes: readonly ScenarioHome[];
  from: number;
  to: number;
  rng: Rng;
}

const MIN = 60_000;
const DAY = 1440 * MIN;
const DEVICE_SCENARIOS: ReadonlySet<ScenarioKind> = new Set([
  "device-offline",
  "battery-dying",
  "meter-replaced",
  "clock-drift",
  "duplicates",
  "out-of-order",
  "malformed",
]);

type ParsedSpec = z.infer<typeof scenarioSpecSchema>;

/** A random local time between minuteFrom and minuteTo on a random day that fits [from, latest]. */
function randomLocal(
  rng: Rng,
  tz: string,
  from: number,
  latest: number,
  minuteFrom: number,
  minuteTo: number,
): number {
  const t = rng.uniform(from, Math.max(from, latest));
  const p = localParts(tz, t);
  const at = localToEpoch(tz, p.year, p.month, p.day, rng.uniform(minuteFrom, minuteTo));
  return Math.min(Math.max(at, from), Math.max(from, latest));
}

function defaultDevice(kind: ScenarioKind, rng: Rng): DeviceKind {
  if (kind === "meter-replaced" || kind === "clock-drift") return "water";
  if (kind === "battery-dying") return rng.pick(["door", "motion", "button", "climate"] as const);
  return rng.pick(DEVICE_KINDS);
}

function draw(spec: ParsedSpec, rng: Rng): { durationMin: number; params: ScenarioParams } {
  const d = (lo: number, hi: number) => spec.durationMin ?? rng.uniform(lo, hi);
  const rate = spec.rate ?? rng.uniform(0.1, 0.5);
  switch (spec.kind) {
    case "collapse":
      return { durationMin: spec.durationMin ?? Number.POSITIVE_INFINITY, params: {} };
    case "slow-leak":
      return {
        durationMin: spec.durationMin ?? Number.POSITIVE_INFINITY,
        params: { litersPerHour: spec.litersPerHour ?? rng.uniform(0.5, 4) },
      };
    case "hospital":
      return { durationMin: d(3 * 1440, 10 * 1440), params: {} };
    case "visiting-family":
      return { durationMin: d(2 * 1440, 7 * 1440), params: {} };
    case "late-rising":
      return { durationMin: spec.delayMin ?? spec.durationMin ?? rng.uniform(90, 240), params: {} };
    case "illness":
      return { durationMin: d(3 * 1440, 7 * 1440), params: {} };
    case "night-wandering":
      return { durationMin: d(20, 90), params: {} };
    case "tap-left-running":
      return { durationMin: d(60, 240), params: { flowLpm: spec.flowLpm ?? rng.uniform(3, 8) } };
    case "heat-wave":
      return { durationMin: d(3 * 1440, 7 * 1440), params: { deltaC: spec.deltaC ?? rng.uniform(4, 8) } };
    case "panic-button":
      return { durationMin: 0, params: {} };
    case "device-offline":
      return { durationMin: d(60, 720), params: {} };
    case "battery-dying":
      return { durationMin: d(2 * 1440, 7 * 1440), params: {} };
    case "meter-replaced":
      return { durationMin: d(15, 30), params: {} };
    case "clock-drift": {
      const drift = spec.driftMinPerDay ?? rng.uniform(2, 15) * (rng.chance(0.5) ? 1 : -1);
      return { durationMin: d(1440, 7 * 1440), params: { driftMinPerDay: drift } };
    }
    case "duplicates":
    case "out-of-order":
    case "malformed":
      return { durationMin: d(120, 1440), params: { rate } };
  }
}

function startOf(spec: ParsedSpec, home: ScenarioHome, durMs: number, ctx: ResolveContext, rng: Rng): number {
  const { from, to } = ctx;
  const fixedAt = spec.at === undefined ? null : typeof spec.at === "number" ? spec.at : Date.parse(spec.at);
  const span = Number.isFinite(durMs) ? durMs : 6 * 60 * MIN;
  const latest = to - Math.min(span, (to - from) / 2);
  const tz = home.timezone;
  switch (spec.kind) {
    case "night-wandering":
      return fixedAt ?? randomLocal(rng, tz, from, latest, 150, 210);
    case "late-rising": {
      const dayT = fixedAt ?? rng.uniform(from, Math.max(from, to - DAY));
      return home.plannedWakeAt(dayT);
    }
    case "illness": {
      const t = fixedAt ?? rng.uniform(from, latest);
      return Math.max(from, localDayOf(tz, t).start);
    }
    case "collapse":
    case "slow-leak":
      return fixedAt ?? rng.uniform(from + (to - from) * 0.1, latest);
    default:
      return fixedAt ?? randomLocal(rng, tz, from, latest, 480, 1200);
  }
}

function resolveOne(spec: ParsedSpec, ctx: ResolveContext, rng: Rng, id: string): ScenarioInstance {
  const home = spec.home === undefined ? rng.pick(ctx.homes) : ctx.homes.find((h) => h.id === spec.home);
  if (!home) throw new RangeError(`scenario ${spec.kind}: no home ${String(spec.home)}`);
  const { durationMin, params } = draw(spec, rng);
  const durMs = durationMin * MIN;
  const start = Math.round(startOf(spec, home, durMs, ctx, rng));
  const end = Math.round(Math.min(ctx.to, start + durMs));
  const deviceKind = DEVICE_SCENARIOS.has(spec.kind) ? (spec.device ?? defaultDevice(spec.kind, rng)) : null;
  return {
    id,
    kind: spec.kind,
    homeId: home.id,
    deviceId: deviceKind ? home.deviceId(deviceKind) : null,
    deviceKind,
    start,
    end: Math.max(start, end),
    params,
  };
}

/** Turns user specs into concrete, seeded instances. Same specs and seed, same instances. */
export function resolveScenarios(specs: readonly ScenarioSpec[], ctx: ResolveContext): ScenarioInstance[] {
  const out: ScenarioInstance[] = [];
  specs.forEach((raw, i) => {
    const spec = scenarioSpecSchema.parse(raw);
    for (let k = 0; k < spec.count; k++) {
      const id = `s${String(out.length + 1).padStart(4, "0")}`;
      out.push(resolveOne(spec, ctx, ctx.rng.fork(`scenario-${i}-${k}`), id));
    }
  });
  return out;
}

/** One line of ground truth: what was injected, where and when. */
export interface GroundTruthRecord {
  household: string;
  device: string | null;
  scenario: ScenarioKind;
  start: string;
  end: string;
}

export function groundTruth(instances: readonly ScenarioInstance[]): GroundTruthRecord[] {
  return instances.map((s) => ({
    household: s.homeId,
    device: s.deviceId,
    scenario: s.kind,
    start: new Date(s.start).toISOString(),
    end: new Date(s.end).toISOString(),
  }));
}

/** NDJSON: one JSON object a line, newline-terminated. */
export function groundTruthNdjson(instances: readonly ScenarioInstance[]): string {
  return groundTruth(instances)
    .map((r) => `${JSON.stringify(r)}\n`)
    .join("");
}
