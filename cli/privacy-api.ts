import type { Clock } from "../core/clock.js";
import type { InfluxConfig } from "../core/config.js";
import type { Logger } from "../core/log.js";
import type { PrivacyApi } from "../dashboard/routes/privacy.js";
import { dropHouseholdSeries } from "../storage/influx/erase.js";
import { createInfluxQl } from "../storage/influx/http.js";
import { eraseHousehold } from "../storage/sqlite/household-erase.js";
import { exportHousehold, householdRegistrants } from "../storage/sqlite/household-export.js";
import type { Db } from "../storage/sqlite/open.js";

export interface PrivacyDeps {
  db: Db;
  /** InfluxDB, when readings are forwarded there: an erase drops the household's series too. */
  influx: InfluxConfig | null;
  clock: Clock;
  log: Logger;
  /** Closes the devices' MQTT connections (the running service); absent in the CLI. */
  disconnect?(deviceId: string): void;
  /** Lets readings already accepted reach the store before they are deleted (the group commit's flush). */
  settle?(): Promise<void>;
  /**
   * Runs `fn` once more after `ms` (the running service): a batch the InfluxDB forwarder had already sent
   * when the erase began may land after the first DROP SERIES, so the DROP is repeated once it is through.
   */
  later?(fn: () => void, ms: number): void;
  /**
   * The erased household leaves the running service's memory: the alert service drops its rule state,
   * deadline and pending flush (absent in the CLI). Called once the devices are revoked and their accepted
   * readings are through the rules, and again when SQLite is erased.
   */
  forget?(householdId: string): void;
}

/** Longer than one InfluxDB write may take (its timeout is 30 s). */
export const REPEAT_DROP_MS = 60_000;

/** Export and erase as the dashboard and the CLI use them: SQLite first, then InfluxDB's series. */
export function createPrivacyApi(deps: PrivacyDeps): PrivacyApi {
  const { db, influx, clock, log } = deps;
  return {
    exportHousehold: (id) => exportHousehold(db, id, clock.now()),
    registeredBy: (id) => householdRegistrants(db, id),
    async eraseHousehold(id, actor) {
      const result = await eraseHousehold(db, id, {
        actor,
        now: clock.now(),
        async afterRevoke(deviceIds) {
          for (const d of deviceIds) deps.disconnect?.(d);
          await deps.settle?.();
          // Its readings are through the rules now and no more can come: no deadline of the home may raise
          // an alert (and notify someone) while its rows are being deleted.
          deps.forget?.(id);
        },
      });
      // Again, synchronously after the commit (no timer can fire in between): anything that brought the
      // home back into memory during the erase goes too.
      deps.forget?.(id);
      if (influx) {
        const drop = () => dropHouseholdSeries(createInfluxQl(influx), id);
        try {
          await drop();
          deps.later?.(() => {
            drop().catch((err: unknown) =>
              log.error(
                { err, householdId: id },
                "erase: second InfluxDB DROP SERIES failed; see docs/privacy.md",
              ),
            );
          }, REPEAT_DROP_MS);
        } catch (err) {
          // SQLite is erased (that is what the audit entry records); InfluxDB can be retried by hand.
          log.error({ err, householdId: id }, "erase: InfluxDB series not dropped; see docs/privacy.md");
          return { ...result, deleted: { ...result.deleted, influxFailed: 1 } };
        }
      }
      log.info({ householdId: id, devices: result.deviceIds.length }, "household erased");
      return result;
    },
  };
}
