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
}

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
        },
      });
      if (influx) {
        try {
          await dropHouseholdSeries(createInfluxQl(influx), id);
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
