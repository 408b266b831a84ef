/**
 * Detection evaluation on the WEUSEDTO home (docs/detection.md). Plain Node after `tsc`:
 *   npm run build && node dist/alerts/engine/eval-detection.js [--data DIR] [--trials N] [--seed S] [--json FILE]
 * Prints false alarms per household-month on the real trace and detection delays for injected
 * collapses and taps left running, next to the deployed "under 10 L in 12 h" rule.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import type { Reading } from "../../core/domain.js";
import { zoneFor } from "../../core/local-time.js";
import {
  loadWeusedto,
  WEUSEDTO_TIMEZONE,
  type WeusedtoData,
  weusedtoReadings,
} from "../../simulators/weusedto.js";
import { resolveRuleParams } from "../rules/params.js";
import type { AlertRecord } from "./backtest.js";
import {
  type Injection,
  legacyTrialDelay,
  mulberry32,
  quantile,
  replayTrace,
  runTrial,
  type TraceRun,
  type TraceSource,
} from "./detection-trials.js";
import { replayWithFeedback } from "./feedback-replay.js";
import type { HomeConfig } from "./home-evaluator.js";
import { legacyEpisodes } from "./legacy-rule.js";
import { syntheticHome } from "./synthetic-home.js";

const argsSchema = z.object({
  data: z.string().default("../shared/data/weusedto"),
  trials: z.coerce.number().int().min(1).max(100_000).default(400),
  seed: z.coerce.number().int().default(20240501),
  json: z.string().optional(),
  /** Inactivity overrides for a sweep, e.g. --alpha 0.01 --learn-max 12. */
  alpha: z.coerce.number().optional(),
  "learn-max": z.coerce.number().optional(),
  /** Door-based outings: tail share and outings needed before "usually back within" is trusted. */
  "out-alpha": z.coerce.number().optional(),
  "out-min": z.coerce.number().optional(),
  /** A per-home ceiling, as the false-alarm feedback (rules/inactivity-feedback.ts) would set it. */
  ceiling: z.coerce.number().optional(),
  /**
   * Two-stage response, modelled on the alert records (docs/detection.md): an inactivity alert first
   * calls the resident; the worker is told only if no water flows and nobody answers within
   * `checkin-min` minutes. `answer` is the assumed chance that a resident who is fine answers.
   */
  "checkin-min": z.coerce.number().min(0).max(240).default(30),
  answer: z.coerce.number().min(0).max(1).default(0.9),
  /** Per-home false-alarm feedback in the loop (alerts/engine/feedback-replay.ts). */
  feedback: z.enum(["yes", "no"]).default("no"),
  /** Also evaluate a seeded synthetic regular older person (alerts/engine/synthetic-home.ts). */
  synthetic: z.enum(["yes", "no"]).default("yes"),
  /** Give the synthetic home its door sensor (the door-based "out" judgement); no = water only. */
  door: z.enum(["yes", "no"]).default("yes"),
});

const H = 3_600_000;
const DAY = 24 * H;
const MONTH = 30.4375 * DAY;

function parseArgs(argv: readonly string[]): z.infer<typeof argsSchema> {
  const raw: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i]?.replace(/^--/, "");
    if (k) raw[k] = argv[i + 1] ?? "";
  }
  return argsSchema.parse(raw);
}

const DOOR_STATUS_MS = 6 * H;

/**
 * The door's readings in (from, to]: each opening (and its closing a minute later), and a "closed"
 * status report every 6 h. After a collapse the person opens no door.
 */
function* doorReadings(
  doors: readonly number[],
  from: number,
  to: number,
  stopAt: number,
): Generator<Reading> {
  const events: Reading[] = [];
  const door = (ts: number, open: boolean): Reading => ({
    deviceId: "door-1",
    kind: "door",
    ts,
    fields: { open },
  });
  for (const t of doors)
    if (t > from && t <= to && t < stopAt) events.push(door(t, true), door(t + 60_000, false));
  for (let t = Math.ceil(from / DOOR_STATUS_MS) * DOOR_STATUS_MS; t <= to; t += DOOR_STATUS_MS) {
    if (t > from) events.push(door(t, false));
  }
  yield* events.filter((r) => r.ts <= to).sort((a, b) => a.ts - b.ts);
}

function source(data: WeusedtoData & { doors?: number[] }): TraceSource {
  return {
    from: data.from,
    to: data.to,
    *readings(from: number, to: number, inject?: Injection) {
      const opts = {
        deviceId: "meter-1",
        from: Math.max(data.from, from),
        to: Math.min(data.to, to),
        ...(inject?.kind === "collapse" ? { stopWaterAt: inject.at } : {}),
        ...(inject?.kind === "tap" ? { leak: { from: inject.at, lpm: inject.lpm } } : {}),
      };
      const water = weusedtoReadings(data, opts);
      if (!data.doors) {
        for (const r of water) if (r.ts > from) yield r;
        return;
      }
      const stop = inject?.kind === "collapse" ? inject.at : Number.POSITIVE_INFINITY;
      const doors = doorReadings(data.doors, from, Math.min(data.to, to), stop)[Symbol.iterator]();
      let d = doors.next();
      for (const r of water) {
        if (r.ts <= from) continue;
        for (; !d.done && d.value.ts < r.ts; d = doors.next()) yield d.value;
        yield r;
      }
      for (; !d.done; d = doors.next()) yield d.value;
    },
  };
}

/** Minutes since the last real use (≥ 0.3 L in a minute) before t, up to `maxMin`. */
function minutesSinceUse(data: WeusedtoData, t: number, maxMin: number): number {
  const m0 = Math.floor(t / 60_000);
  for (let k = 0; k <= maxMin; k++) if ((data.minutes.get(m0 - k) ?? 0) >= 0.3) return k;
  return Number.POSITIVE_INFINITY;
}

const fmtH = (ms: number | null) => (ms === null ? "n/a" : `${(ms / H).toFixed(2)} h`);
const openAt = (alerts: readonly AlertRecord[], rule: string, t: number) =>
  alerts.some((a) => a.rule === rule && a.raisedAt <= t && (a.clearedAt === null || a.clearedAt > t));

type Args = z.infer<typeof argsSchema>;

export function evaluateDetection(opts: Args) {
  const weusedto = evaluateHome(loadWeusedto(resolve(opts.data)), WEUSEDTO_TIMEZONE, opts);
  const synthetic =
    opts.synthetic === "yes" ? evaluateHome(syntheticData(opts), "Asia/Shanghai", opts) : null;
  return { weusedto, synthetic };
}

function syntheticData(opts: Args): WeusedtoData & { doors?: number[] } {
  const home = syntheticHome(opts.seed, 365, "Asia/Shanghai", Date.UTC(2024, 0, 1));
  if (opts.door === "yes") return home;
  const { doors: _doors, ...water } = home;
  return water;
}

function evaluateHome(data: WeusedtoData & { doors?: number[] }, timezone: string, opts: Args) {
  const src = source(data);
  const zone = zoneFor(timezone);
  const inactivity = {
    ...(opts.alpha !== undefined ? { alpha: opts.alpha } : {}),
    ...(opts["learn-max"] !== undefined ? { learnMaxGapHours: opts["learn-max"] } : {}),
    ...(opts.ceiling !== undefined ? { ceilingHours: opts.ceiling } : {}),
    ...(opts["out-alpha"] !== undefined ? { outAlpha: opts["out-alpha"] } : {}),
    ...(opts["out-min"] !== undefined ? { outMinSamples: opts["out-min"] } : {}),
  };
  const params = resolveRuleParams({ inactivity });
  const home: HomeConfig = { homeId: "home", timezone, params };
  const fb =
    opts.feedback === "yes" ? replayWithFeedback(home, { inactivity }, src, (ts) => zone.dayKey(ts)) : null;
  const run = fb ?? replayTrace(home, src, (ts) => zone.dayKey(ts));
  /** The home as configured on the day of `t` (the feedback layer changes it over time). */
  const homeAt = (t: number): HomeConfig => {
    if (!fb) return home;
    let i = -1;
    for (let k = 0; k < fb.snapshots.length && (fb.snapshots[k]?.at ?? Infinity) < t; k++) i = k;
    return { ...home, params: fb.paramsAt[i] ?? params };
  };
  const months = (data.to - data.from) / MONTH;
  const mid = data.from + (data.to - data.from) / 2;
  const learnedFrom = data.from + 14 * DAY;
  const fa = falseAlarms(run.alerts, months, mid, data, learnedFrom, opts);
  const legacy = legacyEpisodes(src.readings(data.from - 1, data.to));
  const rnd = mulberry32(opts.seed);
  const collapse = collapseTrials(
    opts.trials,
    rnd,
    data,
    src,
    homeAt,
    run,
    zone,
    opts["checkin-min"] * 60_000,
  );
  const tap = tapTrials(Math.max(1, Math.floor(opts.trials / 2)), rnd, data, src, homeAt, run);
  const bytes = Object.fromEntries(
    Object.entries(run.states.home?.rules ?? {}).map(([k, v]) => [k, JSON.stringify(v).length]),
  );
  return {
    days: (data.to - data.from) / DAY,
    householdMonths: months,
    falseAlarms: fa,
    legacy: { alerts: legacy.length, perHouseholdMonth: legacy.length / months },
    collapse,
    tap,
    stateBytes: { total: JSON.stringify(run.states.home).length, byRule: bytes },
    feedbackChanges: fb?.changes ?? null,
  };
}

function falseAlarms(
  alerts: AlertRecord[],
  months: number,
  mid: number,
  data: WeusedtoData,
  learnedFrom: number,
  opts: Args,
) {
  const byRule: Record<string, number> = {};
  for (const a of alerts) byRule[a.rule] = (byRule[a.rule] ?? 0) + 1;
  const inact = alerts.filter((a) => a.rule === "inactivity");
  const gapEnd = (a: AlertRecord) => a.clearedAt ?? data.to;
  const away = inact.filter((a) => gapEnd(a) - (a.raisedAt - a.evidence.observed.value * 60_000) >= DAY);
  const half = (lo: number, hi: number) =>
    inact.filter((a) => a.raisedAt >= lo && a.raisedAt < hi && !away.includes(a)).length;
  const halfMonths = months / 2;
  return {
    total: alerts.length,
    perHouseholdMonth: alerts.length / months,
    byRule: Object.fromEntries(
      Object.entries(byRule).map(([k, n]) => [k, { alerts: n, perHouseholdMonth: n / months }]),
    ),
    inactivity: {
      alerts: inact.length,
      awayTrips: away.length,
      notAway: inact.length - away.length,
      notAwayPerMonth: (inact.length - away.length) / months,
      firstHalfPerMonth: half(data.from, mid) / halfMonths,
      secondHalfPerMonth: half(mid, data.to + 1) / halfMonths,
      duringLearning: inact.filter((a) => a.raisedAt < learnedFrom).length,
      checkIn: checkInModel(inact, away, months, opts),
      list: inact.map((a) => ({
        raisedAt: new Date(a.raisedAt).toISOString(),
        severity: a.severity,
        message: a.evidence.message.en,
      })),
    },
  };
}

/**
 * What the worker sees under a check-in first: an alert whose gap ends (water again) within M
 * minutes of the call never reaches them; with the answering model, a resident who is fine answers
 * the rest with probability p (an expected count, not a draw). Away trips are kept apart.
 */
function checkInModel(inact: AlertRecord[], away: AlertRecord[], months: number, opts: Args) {
  const m = opts["checkin-min"] * 60_000;
  const other = inact.filter((a) => !away.includes(a));
  const unresolved = (xs: AlertRecord[]) =>
    xs.filter((a) => a.clearedAt === null || a.clearedAt > a.notifiedAt + m).length;
  const o = unresolved(other);
  const t = unresolved(away);
  return {
    minutes: opts["checkin-min"],
    answerProbability: opts.answer,
    residentCallsPerMonth: other.length / months,
    workerOtherNoAnswerModel: o,
    workerOtherNoAnswerModelPerMonth: o / months,
    workerOtherWithAnswerPerMonth: ((1 - opts.answer) * o) / months,
    workerAwayNoAnswerModel: t,
    workerAwayWithAnswer: (1 - opts.answer) * t,
  };
}

function collapseTrials(
  n: number,
  rnd: () => number,
  data: WeusedtoData,
  src: TraceSource,
  homeAt: (t: number) => HomeConfig,
  run: TraceRun,
  zone: ReturnType<typeof zoneFor>,
  checkInMs: number,
) {
  const lo = data.from + 21 * DAY;
  const span = data.to - 2 * DAY - lo;
  const day: number[] = [];
  const night: number[] = [];
  const legacyAll: number[] = [];
  const legacyDay: number[] = [];
  let missed = 0;
  let skipped = 0;
  let legacyOpen = 0;
  const reasons: Record<string, number> = {};
  for (let done = 0, tries = 0; done < n && tries < n * 20; tries++) {
    const at = Math.floor((lo + rnd() * span) / 60_000) * 60_000;
    // At home and up: water used in the 8 h before; no inactivity alert already open.
    if (minutesSinceUse(data, at, 480) > 480 || openAt(run.alerts, "inactivity", at)) {
      skipped++;
      continue;
    }
    done++;
    const daytime = zone.hour(at) >= 8 && zone.hour(at) < 20;
    const r = runTrial(homeAt(at), src, run.snapshots, { kind: "collapse", at }, "inactivity", 48 * H);
    if (r.delayMs === null) missed++;
    else (daytime ? day : night).push(r.delayMs);
    if (r.reason) reasons[r.reason] = (reasons[r.reason] ?? 0) + 1;
    const l = legacyTrialDelay(src, { kind: "collapse", at }, 48 * H);
    if (l === "open") legacyOpen++;
    else if (l !== null) {
      legacyAll.push(l);
      if (daytime) legacyDay.push(l);
    }
  }
  const all = [...day, ...night];
  // A collapsed resident neither answers nor uses water: the worker hears M minutes later.
  const plusM = (xs: number[]) => xs.map((x) => x + checkInMs);
  const stats = (xs: number[]) => ({
    n: xs.length,
    median: quantile(xs, 0.5),
    p90: quantile(xs, 0.9),
    max: quantile(xs, 1),
  });
  return {
    skipped,
    missed,
    reasons,
    all: stats(all),
    daytime: stats(day),
    night: stats(night),
    withCheckIn: { all: stats(plusM(all)), daytime: stats(plusM(day)), night: stats(plusM(night)) },
    legacy: { alreadyAlarming: legacyOpen, all: stats(legacyAll), daytime: stats(legacyDay) },
  };
}

function tapTrials(
  n: number,
  rnd: () => number,
  data: WeusedtoData,
  src: TraceSource,
  homeAt: (t: number) => HomeConfig,
  run: TraceRun,
) {
  const lo = data.from + 21 * DAY;
  const span = data.to - DAY - lo;
  const delays: number[] = [];
  let missed = 0;
  for (let i = 0; i < n; i++) {
    const at = Math.floor((lo + rnd() * span) / 60_000) * 60_000;
    const r = runTrial(homeAt(at), src, run.snapshots, { kind: "tap", at, lpm: 6 }, "water_running", 6 * H);
    if (r.delayMs === null) missed++;
    else delays.push(r.delayMs);
  }
  return { n, missed, median: quantile(delays, 0.5), p90: quantile(delays, 0.9), max: quantile(delays, 1) };
}

function report(name: string, r: ReturnType<typeof evaluateHome>): string {
  const fa = r.falseAlarms;
  const lines = [
    `${name}: ${r.days.toFixed(1)} days = ${r.householdMonths.toFixed(2)} household-months`,
    `False alarms (all rules): ${fa.total} = ${fa.perHouseholdMonth.toFixed(2)} per household-month`,
    ...Object.entries(fa.byRule).map(
      ([k, v]) => `  ${k}: ${v.alerts} = ${v.perHouseholdMonth.toFixed(2)}/month`,
    ),
    `  inactivity: ${fa.inactivity.alerts} alerts, ${fa.inactivity.awayTrips} on away trips (gap ≥ 24 h), ${fa.inactivity.notAway} others = ${fa.inactivity.notAwayPerMonth.toFixed(2)}/month (first half ${fa.inactivity.firstHalfPerMonth.toFixed(2)}, second half ${fa.inactivity.secondHalfPerMonth.toFixed(2)}; ${fa.inactivity.duringLearning} in the first 14 days)`,
    `  check-in first (${fa.inactivity.checkIn.minutes} min): resident calls ${fa.inactivity.checkIn.residentCallsPerMonth.toFixed(2)}/month; worker, other: ${fa.inactivity.checkIn.workerOtherNoAnswerModelPerMonth.toFixed(2)}/month if nobody answers, ${fa.inactivity.checkIn.workerOtherWithAnswerPerMonth.toFixed(2)}/month if a resident who is fine answers with p = ${fa.inactivity.checkIn.answerProbability}; away trips ${fa.inactivity.checkIn.workerAwayNoAnswerModel} / ${fa.inactivity.checkIn.workerAwayWithAnswer.toFixed(1)}`,
    `Legacy "10 L in 12 h": ${r.legacy.alerts} alerts = ${r.legacy.perHouseholdMonth.toFixed(2)} per household-month`,
    `Collapse (${r.collapse.all.n} trials, ${r.collapse.missed} missed in 48 h): median ${fmtH(r.collapse.all.median)}, p90 ${fmtH(r.collapse.all.p90)}`,
    `  daytime 08–20 (${r.collapse.daytime.n}): median ${fmtH(r.collapse.daytime.median)}, p90 ${fmtH(r.collapse.daytime.p90)}; night (${r.collapse.night.n}): median ${fmtH(r.collapse.night.median)}, p90 ${fmtH(r.collapse.night.p90)}`,
    `  worker delay with check-in (+${fa.inactivity.checkIn.minutes} min): daytime median ${fmtH(r.collapse.withCheckIn.daytime.median)}, p90 ${fmtH(r.collapse.withCheckIn.daytime.p90)}; night median ${fmtH(r.collapse.withCheckIn.night.median)}; all median ${fmtH(r.collapse.withCheckIn.all.median)}`,
    `  by trigger: ${JSON.stringify(r.collapse.reasons)}`,
    `  legacy: median ${fmtH(r.collapse.legacy.all.median)}, p90 ${fmtH(r.collapse.legacy.all.p90)}; daytime median ${fmtH(r.collapse.legacy.daytime.median)}, p90 ${fmtH(r.collapse.legacy.daytime.p90)} (${r.collapse.legacy.alreadyAlarming} trials already alarming)`,
    `Tap left running +6 L/min (${r.tap.n} trials, ${r.tap.missed} missed in 6 h): median ${fmtH(r.tap.median)}, p90 ${fmtH(r.tap.p90)}, max ${fmtH(r.tap.max)}; legacy: cannot detect`,
    ...(r.feedbackChanges
      ? [
          `Feedback layer changes: ${r.feedbackChanges.length}; last: ${r.feedbackChanges.at(-1)?.reasons.join(" ") ?? "none"}`,
        ]
      : []),
    `Rule state: ${r.stateBytes.total} bytes per home (JSON); by rule ${JSON.stringify(r.stateBytes.byRule)}`,
  ];
  return `${lines.join("\n")}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const opts = parseArgs(process.argv.slice(2));
  const result = evaluateDetection(opts);
  process.stdout.write(report("WEUSEDTO (real, Europe/Rome)", result.weusedto));
  if (result.synthetic)
    process.stdout.write(`\n${report("Synthetic regular older person (Asia/Shanghai)", result.synthetic)}`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(result, null, 2));
}
