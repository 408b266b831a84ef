import { ACTIVE_STATUSES, type Alert, type AlertStore, isCheckingIn } from "./alert-types.js";
import { endCheckIn } from "./checkin.js";
import type { HomeState } from "./engine/home-evaluator.js";
import type { InactivityState } from "./rules/inactivity.js";
import type { NoDataState } from "./rules/no-data.js";

/**
 * Consent withdrawn (PIPL art. 15: processing stops): the home is not monitored until consent is given
 * again. See docs/privacy.md, "Withdrawing consent".
 */

/** The reason given on every alert closed by a pause; both languages, like the rules' messages. */
export const PAUSE_REASON = "监护已暂停：已撤回同意\nMonitoring paused: consent withdrawn";
export const PAUSE_ACTION = "monitoring_paused";

/**
 * Closes the home's alerts that still need someone (open, acknowledged, on the way): status "cleared" with
 * the reason as its note, no escalation or reminder left, and a "monitoring_paused" event. A resident
 * check-in still waiting ends as taken over, so the pause never teaches the rules a false alarm. Nobody is
 * notified: the people who withdrew consent asked for silence. Returns the closed alerts.
 */
export function closeAlertsForPause(store: AlertStore, householdId: string, now: number): Alert[] {
  return store.transaction(() =>
    store.list({ householdIds: [householdId], statuses: [...ACTIVE_STATUSES] }).map((a) => {
      const checkIn = isCheckingIn(a) && a.checkIn ? endCheckIn(a.checkIn, "taken_over", now) : a.checkIn;
      const closed = store.update(a.id, {
        status: "cleared",
        closedAt: now,
        nextActionAt: null,
        note: PAUSE_REASON,
        checkIn,
        updatedAt: now,
      });
      store.appendEvent({
        alertId: a.id,
        at: now,
        actor: "system",
        action: PAUSE_ACTION,
        fromStatus: a.status,
        toStatus: "cleared",
        detail: { reason: "consent_withdrawn" },
      });
      return closed;
    }),
  );
}

/**
 * The rules' state of a home whose pause ended at `resumedAt`. The silence was intended, so every device
 * heard before it counts as heard at `resumedAt` (no "no data" for the pause; a device that does not come
 * back is reported after its own allowance from then), and an inactivity alert the pause closed is
 * forgotten, so the gap is watched afresh from the resumption (the pause is also passed to the rules as a
 * planned absence, which restarts the gap clock). Idempotent: applying it twice changes nothing more.
 */
export function resumeAfterPause(state: HomeState, resumedAt: number): HomeState {
  const rules = { ...state.rules };
  const nd = rules.no_data as NoDataState | undefined;
  if (nd) {
    const stale = Object.keys(nd.devices).filter((id) => (nd.devices[id]?.heard ?? resumedAt) < resumedAt);
    if (stale.length > 0) {
      const devices = { ...nd.devices };
      for (const id of stale) {
        const d = devices[id];
        if (d) devices[id] = { ...d, heard: resumedAt };
      }
      rules.no_data = { devices, silent: nd.silent.filter((id) => !stale.includes(id)) };
    }
  }
  const ina = rules.inactivity as InactivityState | undefined;
  if (ina?.open && ina.open.at < resumedAt) rules.inactivity = { ...ina, open: null };
  return { ...state, rules };
}
