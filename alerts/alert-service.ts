import type { Clock, TimerHandle } from "../core/clock.js";
import type { Reading, StoredReading } from "../core/domain.js";
import type { Logger } from "../core/log.js";
import type { ClearReason } from "./alert-types.js";
import { createDeadlineScheduler } from "./deadline-scheduler.js";
import { createHomeEvaluator, type HomeEvaluator, type HomeState } from "./engine/home-evaluator.js";
import type { Interval, Transition } from "./engine/types.js";
import type { AlertLifecycle } from "./lifecycle.js";
import { resumeAfterPause } from "./monitoring-pause.js";
import type { InactivityState } from "./rules/inactivity.js";
import type { NoDataState } from "./rules/no-data.js";
import type { RuleParams } from "./rules/params.js";

/** What the alert service needs from storage; the SQLite rule-state store implements it. */
export interface RuleStateSource {
  load(householdId: string): { state: string; lastReadingId: number } | undefined;
  save(rows: { householdId: string; state: string; lastReadingId: number; deadline: number | null }[]): void;
  deadlines(): { householdId: string; deadline: number }[];
  readingsAfter(householdId: string, afterId: number): { id: number; reading: Reading }[];
}

export interface HomeSettings {
  timezone: string;
  absences: Interval[];
  params?: RuleParams;
  /** Consent withdrawn (PIPL art. 15): the home is not evaluated at all (alerts/monitoring-pause.ts). */
  paused?: boolean;
  /** When the home's latest consent pause ended, if lately: its rules' state is resumed from then. */
  resumedAt?: number;
}

export interface AlertServiceDeps {
  lifecycle: AlertLifecycle;
  states: RuleStateSource;
  /** The home's time zone, planned absences and resolved rule parameters; undefined for an unknown home. */
  home(householdId: string): HomeSettings | undefined;
  pendingAlertActions(): { id: number; nextActionAt: number | null }[];
  /** Closes the home's alerts that still need someone, because consent was withdrawn. */
  closeForPause?(householdId: string): void;
  /**
   * Before a home's deadline or one of its alerts' actions (escalation, check-in end) is judged: evaluates its
   * readings that are committed but still waiting for the rules (ingest's rules queue), so a deadline never
   * fires past a reading that already arrived.
   */
  beforeDeadline?(householdId: string): void;
  clock: Clock;
  log: Logger;
}

interface LiveHome {
  evaluator: HomeEvaluator;
  state: HomeState;
  lastReadingId: number;
  deadline: number | null;
}

const homeKey = (id: string) => `h:${id}`;
const STATE_FLUSH_MS = 1000;
/** Homes' states written per turn of the event loop (a few ms of JSON and inserts). */
const STATE_FLUSH_CHUNK = 50;
const alertKey = (id: number) => `a:${id}`;

/**
 * Runs every home's rules on committed readings and on deadlines, persists rule state, and hands the
 * transitions to the alert lifecycle. One timer for all homes and alerts (a deadline heap).
 */
export function createAlertService(deps: AlertServiceDeps) {
  const { lifecycle, states, clock, log } = deps;
  const homes = new Map<string, LiveHome>();
  const scheduler = createDeadlineScheduler(clock, (key) => {
    try {
      if (key.startsWith("h:")) onHomeDeadline(key.slice(2));
      else onAlertAction(Number(key.slice(2)));
    } catch (err) {
      log.error({ err, key }, "deadline handling failed");
    }
  });

  function evaluatorFor(householdId: string): HomeEvaluator | undefined {
    const settings = deps.home(householdId);
    if (!settings || settings.paused) return undefined;
    return createHomeEvaluator({ homeId: householdId, ...settings });
  }

  /** The home's live state: from memory, or loaded and brought up to date with readings not yet folded in. */
  function live(householdId: string): LiveHome | undefined {
    const cached = homes.get(householdId);
    if (cached) return cached;
    const evaluator = evaluatorFor(householdId);
    if (!evaluator) return undefined;
    const saved = states.load(householdId);
    const now = clock.now();
    const home: LiveHome = {
      evaluator,
      state: saved ? (JSON.parse(saved.state) as HomeState) : evaluator.init(now),
      lastReadingId: saved?.lastReadingId ?? 0,
      deadline: null,
    };
    homes.set(householdId, home);
    const missed = states.readingsAfter(householdId, home.lastReadingId);
    if (missed.length > 0) {
      const ev = evaluator.evaluateBatch(
        home.state,
        missed.map((m) => m.reading),
        now,
      );
      home.state = ev.state;
      home.deadline = ev.deadline;
      home.lastReadingId = missed[missed.length - 1]!.id;
      lifecycle.apply(householdId, ev.transitions);
    }
    return home;
  }

  // Rule state is written at most once a second, not with every commit: that was a second fsync per
  // group commit (BENCHMARKS.md). Nothing is lost by waiting: after a crash, live() folds in every reading
  // stored after the saved lastReadingId.
  const dirty = new Set<string>();
  let flushTimer: TimerHandle | null = null;

  // Homes taken from `dirty` by the last timer and not written yet: they are written a chunk per turn of the
  // event loop, so 500 homes' states (about 2 MB of JSON) never hold the loop for 100 ms while a panic press
  // waits in its socket. Homes dirtied meanwhile wait for the next timer, as before.
  let pending: string[] = [];
  let chunkScheduled = false;

  function rowsFor(ids: readonly string[]) {
    const rows = [];
    for (const id of ids) {
      const h = homes.get(id);
      if (h)
        rows.push({
          householdId: id,
          state: JSON.stringify(h.state),
          lastReadingId: h.lastReadingId,
          deadline: h.deadline,
        });
    }
    return rows;
  }

  /** Writes these homes' states; on failure they stay dirty and the timer retries in 10 s. */
  function write(ids: readonly string[]): boolean {
    try {
      states.save(rowsFor(ids));
      return true;
    } catch (err) {
      // The disk is full (or the store failed): keep the homes dirty and try again; nothing is lost meanwhile,
      // since after a crash live() folds in every reading stored after the saved lastReadingId.
      for (const id of ids) dirty.add(id);
      for (const id of pending) dirty.add(id);
      pending = [];
      log.error({ err }, "rule state not saved; retrying in 10 s");
      flushTimer?.cancel();
      flushTimer = clock.setTimer(clock.now() + 10 * STATE_FLUSH_MS, flush);
      return false;
    }
  }

  function writeChunk(): void {
    chunkScheduled = false;
    const ids = pending.splice(0, STATE_FLUSH_CHUNK);
    if (ids.length > 0 && write(ids) && pending.length > 0) scheduleChunk();
  }

  function scheduleChunk(): void {
    if (chunkScheduled) return;
    chunkScheduled = true;
    setImmediate(writeChunk);
  }

  function flush(): void {
    flushTimer = null;
    for (const id of dirty) pending.push(id);
    dirty.clear();
    writeChunk();
  }

  /** Everything now, in one transaction (shutdown). */
  function flushAll(): void {
    flushTimer?.cancel();
    flushTimer = null;
    const ids = [...new Set([...pending, ...dirty])];
    pending = [];
    dirty.clear();
    write(ids);
  }

  function persist(ids: Iterable<string>): void {
    for (const id of ids) {
      const h = homes.get(id);
      if (!h) continue;
      dirty.add(id);
      scheduler.schedule(homeKey(id), h.deadline);
    }
    if (dirty.size > 0 && !flushTimer) flushTimer = clock.setTimer(clock.now() + STATE_FLUSH_MS, flush);
  }

  /**
   * An alert's escalation, reminder or check-in end is due. The home's readings still queued for the rules go
   * first: water, or the resident's "I'm OK" press, that arrived before the check-in ended clears it instead
   * of a dispatch.
   */
  function onAlertAction(id: number): void {
    const householdId = deps.beforeDeadline ? lifecycle.householdOf(id) : undefined;
    if (householdId) deps.beforeDeadline?.(householdId);
    lifecycle.escalate(id);
  }

  function onHomeDeadline(householdId: string): void {
    deps.beforeDeadline?.(householdId);
    const home = live(householdId);
    if (!home) return;
    const ev = home.evaluator.evaluateDeadline(home.state, clock.now());
    home.state = ev.state;
    home.deadline = ev.deadline;
    lifecycle.apply(householdId, ev.transitions);
    persist([householdId]);
  }

  /**
   * Consent withdrawn: write the home's rules' memory without a deadline, drop it, cancel its timer and
   * close its alerts; nothing is evaluated until consent is given again. After a pause: load the home with
   * its state resumed (resumeAfterPause). True while the home is paused.
   */
  function pauseOrResume(householdId: string): boolean {
    const settings = deps.home(householdId);
    if (settings?.paused) {
      const h = homes.get(householdId);
      const row = h && { householdId, state: JSON.stringify(h.state), lastReadingId: h.lastReadingId };
      try {
        if (row) states.save([{ ...row, deadline: null }]);
      } catch (err) {
        log.error({ err, householdId }, "rule state not saved at the pause; a restart replays its readings");
      }
      homes.delete(householdId);
      dirty.delete(householdId);
      scheduler.cancel(homeKey(householdId));
      deps.closeForPause?.(householdId);
      return true;
    }
    if (settings?.resumedAt !== undefined) {
      const h = live(householdId);
      if (h) h.state = resumeAfterPause(h.state, settings.resumedAt);
    }
    return false;
  }

  return {
    /** Feeds newly committed readings (ingest's onCommitted) through their homes' rules. */
    onReadings(stored: readonly StoredReading[]): Transition[] {
      const byHome = new Map<string, StoredReading[]>();
      for (const r of stored) {
        const list = byHome.get(r.householdId);
        if (list) list.push(r);
        else byHome.set(r.householdId, [r]);
      }
      const now = clock.now();
      const all: Transition[] = [];
      for (const [householdId, readings] of byHome) {
        const home = live(householdId);
        if (!home) continue;
        const fresh = readings.filter((r) => r.id > home.lastReadingId);
        if (fresh.length === 0) continue;
        const ev = home.evaluator.evaluateBatch(home.state, fresh.map(toReading), now);
        home.state = ev.state;
        home.deadline = ev.deadline;
        home.lastReadingId = Math.max(home.lastReadingId, ...fresh.map((r) => r.id));
        lifecycle.apply(householdId, ev.transitions);
        all.push(...ev.transitions);
      }
      persist(byHome.keys());
      return all;
    },
    /** An alert's next escalation time changed (raised, escalated, acknowledged…). */
    alertScheduleChanged(alertId: number, nextActionAt: number | null): void {
      scheduler.schedule(alertKey(alertId), nextActionAt);
    },
    /**
     * Absences or rule parameters of a home changed: rebuild its evaluator (its learned state stays) and
     * re-evaluate now, so an absence entered for today pauses the inactivity clock at once. `absence`: one was
     * recorded (or moved) by a person; if it holds now, the home's open "not seen" alerts are cleared for it
     * (lifecycle.absenceRecorded), and the inactivity rule forgets its cleared alert, so that after the
     * absence the gap is watched afresh from its end instead of waiting for water that may never come.
     */
    homeChanged(householdId: string, absence?: ClearReason): void {
      if (pauseOrResume(householdId)) return;
      const home = absence ? live(householdId) : homes.get(householdId);
      const evaluator = evaluatorFor(householdId);
      if (!home || !evaluator) return;
      home.evaluator = evaluator;
      if (absence) {
        const cleared = lifecycle.absenceRecorded(householdId, absence);
        if (cleared.some((a) => a.rule === "inactivity" && a.status === "cleared"))
          home.state = withoutOpenInactivity(home.state);
        if (cleared.some((a) => a.rule === "no_data" && a.status === "cleared"))
          home.state = withoutOpenNoData(home.state);
      }
      onHomeDeadline(householdId);
    },
    /** Global or grid settings changed: every home in memory gets a new evaluator on its next evaluation. */
    allHomesChanged(): void {
      for (const [id, home] of homes) {
        const evaluator = evaluatorFor(id);
        if (evaluator) home.evaluator = evaluator;
      }
    },
    /**
     * The household was erased: drop its rules' memory, its deadline and any rule state waiting to be
     * written, so nothing fires into (or is recreated for) a household that no longer exists. Readings of
     * the home still queued for the rules are skipped afterwards, because the home is unknown by then.
     */
    forget(householdId: string): void {
      homes.delete(householdId);
      dirty.delete(householdId);
      scheduler.cancel(homeKey(householdId));
    },
    /** After a restart: re-arm every home's deadline and every open alert's escalation timer. */
    start(): void {
      for (const { householdId, deadline } of states.deadlines())
        scheduler.schedule(homeKey(householdId), deadline);
      for (const a of deps.pendingAlertActions()) scheduler.schedule(alertKey(a.id), a.nextActionAt);
    },
    stop(): void {
      scheduler.stop();
      flushAll();
    },
    timers: () => scheduler.size(),
  };
}

export type AlertService = ReturnType<typeof createAlertService>;

/** The inactivity rule's state with no open alert: the next gap raises a new one (its model and last use stay). */
function withoutOpenInactivity(state: HomeState): HomeState {
  const s = state.rules.inactivity as InactivityState | undefined;
  if (!s?.open) return state;
  return { ...state, rules: { ...state.rules, inactivity: { ...s, open: null } } };
}

/**
 * The no_data rule's state after an absence cleared its (major) alert: the devices stay known as silent,
 * but no longer as a major alert, so when the absence ends with the home still silent the rule raises a
 * major one again (a deadline at the absence's end) — a meter that died while the resident was away must
 * not leave the home unwatched after their return.
 */
function withoutOpenNoData(state: HomeState): HomeState {
  const s = state.rules.no_data as NoDataState | undefined;
  if (!s?.major) return state;
  return { ...state, rules: { ...state.rules, no_data: { devices: s.devices, silent: s.silent } } };
}

function toReading(r: StoredReading): Reading {
  return { deviceId: r.deviceId, kind: r.kind, ts: r.ts, fields: r.fields } as Reading;
}
