import type { LocalDay } from "../core/local-time.js";
import { byStart, eventEnd, eventStart, type HomeEvent } from "./events.js";
import type { DayModifiers } from "./household-model.js";
import type { ScenarioInstance } from "./scenarios.js";

/** How the person's scenarios change one day before it is planned. */
export function dayModifiers(day: LocalDay, scenarios: readonly ScenarioInstance[]): DayModifiers {
  let wakeDelayMin = 0;
  let activity = 1;
  for (const s of scenarios) {
    if (s.kind === "late-rising" && s.start >= day.start && s.start < day.end) {
      wakeDelayMin += (s.end - s.start) / 60_000;
    }
    if (s.kind === "illness" && s.start < day.end && s.end > day.start) activity = Math.min(activity, 0.5);
  }
  return { wakeDelayMin, activity };
}

const ABSENCES: ReadonlySet<string> = new Set(["hospital", "visiting-family", "night-wandering"]);

/** Windows in which the person does nothing at home: away, or collapsed (open-ended). */
function quietWindows(scenarios: readonly ScenarioInstance[]): [number, number][] {
  const out: [number, number][] = [];
  for (const s of scenarios) {
    if (s.kind === "collapse") out.push([s.start, Number.POSITIVE_INFINITY]);
    // Lying in: no night toilet visit either between the usual wake time and the late one.
    else if (s.kind === "late-rising") out.push([s.start, s.end]);
    else if (ABSENCES.has(s.kind)) out.push([s.start, s.end]);
  }
  return out;
}

/** Removes whole activities that touch a quiet window, so no half door cycle or half shower remains. */
function removeQuiet(events: readonly HomeEvent[], windows: readonly [number, number][]): HomeEvent[] {
  if (windows.length === 0) return [...events];
  const spans = new Map<number, [number, number]>();
  for (const e of events) {
    const s = spans.get(e.group);
    if (s) {
      s[0] = Math.min(s[0], eventStart(e));
      s[1] = Math.max(s[1], eventEnd(e));
    } else spans.set(e.group, [eventStart(e), eventEnd(e)]);
  }
  const dropped = new Set<number>();
  for (const [g, [a, b]] of spans) if (windows.some(([ws, we]) => a < we && b >= ws)) dropped.add(g);
  return events.filter((e) => !dropped.has(e.group));
}

function leaveAndReturn(
  s: ScenarioInstance,
  inDay: (t: number) => boolean,
  group: number,
  out: HomeEvent[],
): void {
  if (inDay(s.start)) {
    out.push({ type: "motion", ts: s.start - 60_000, group });
    out.push({ type: "door", ts: s.start, open: true, group });
    out.push({ type: "door", ts: s.start + 15_000, open: false, group });
  }
  if (inDay(s.end)) {
    out.push({ type: "door", ts: s.end, open: true, group });
    out.push({ type: "door", ts: s.end + 12_000, open: false, group });
    out.push({ type: "motion", ts: s.end + 30_000, group });
  }
}

function added(s: ScenarioInstance, day: LocalDay, group: number): HomeEvent[] {
  const inDay = (t: number) => t >= day.start && t < day.end;
  const out: HomeEvent[] = [];
  switch (s.kind) {
    case "hospital":
    case "visiting-family":
    case "night-wandering":
      leaveAndReturn(s, inDay, group, out);
      break;
    case "collapse":
      // The fall itself is the last thing the motion sensor sees.
      if (inDay(s.start)) out.push({ type: "motion", ts: s.start, group });
      break;
    case "panic-button":
      if (inDay(s.start)) {
        out.push({ type: "button", ts: s.start, pressed: true, group });
        out.push({ type: "button", ts: s.start + 2_000, pressed: false, group });
      }
      break;
    case "tap-left-running":
      if (inDay(s.start)) {
        const liters = ((s.params.flowLpm ?? 6) * (s.end - s.start)) / 60_000;
        out.push({
          type: "water",
          start: s.start,
          durationMs: s.end - s.start,
          liters,
          fixture: "tap-left-running",
          group,
        });
      }
      break;
    case "slow-leak": {
      // Cut into one draw per day so an open-ended leak never needs an infinite event.
      const a = Math.max(s.start, day.start);
      const b = Math.min(s.end, day.end);
      if (b > a) {
        const liters = ((s.params.litersPerHour ?? 1) * (b - a)) / 3_600_000;
        out.push({ type: "water", start: a, durationMs: b - a, liters, fixture: "leak", group });
      }
      break;
    }
    default:
      break;
  }
  return out;
}

/**
 * Applies the household's person-level scenarios to a planned day: quiet windows remove activities,
 * scenarios add their own events (door at 03:00, a tap running, a leak, the panic button).
 * Added events use groups below zero so they never collide with planned activities.
 */
export function applyPersonScenarios(
  events: readonly HomeEvent[],
  day: LocalDay,
  scenarios: readonly ScenarioInstance[],
): HomeEvent[] {
  const out = removeQuiet(events, quietWindows(scenarios));
  scenarios.forEach((s, i) => {
    out.push(...added(s, day, -1 - i));
  });
  return out.sort(byStart);
}
