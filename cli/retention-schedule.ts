import type { Clock, TimerHandle } from "../core/clock.js";
import type { Config } from "../core/config.js";
import type { Logger } from "../core/log.js";
import type { Db } from "../storage/sqlite/open.js";
import { createRetention, type RetentionReport } from "../storage/sqlite/retention.js";

const DAY_MS = 86_400_000;
/** The first run waits until start-up (rule replay, reconnecting devices) is over. */
export const FIRST_RETENTION_RUN_MS = 10 * 60_000;

/** Retention once a day in the running service (docs/privacy.md); a run never overlaps the next. */
export function scheduleRetention(deps: { db: Db; config: Config; clock: Clock; log: Logger }) {
  const { clock, log } = deps;
  const retention = createRetention(deps.db, {
    retention: deps.config.retention,
    influxForwarding: deps.config.influx !== null,
  });
  let timer: TimerHandle | null = null;
  let running: Promise<RetentionReport | null> | null = null;
  let stopped = false;

  async function runOnce(): Promise<RetentionReport | null> {
    try {
      const report = await retention.run(clock.now());
      log.info({ deleted: report.deleted, readingsHeldBack: report.readingsHeldBack }, "retention run done");
      return report;
    } catch (err) {
      log.error({ err }, "retention run failed; the next one is tomorrow");
      return null;
    }
  }
  function arm(at: number): void {
    timer = clock.setTimer(at, () => {
      timer = null;
      running = runOnce().finally(() => {
        running = null;
        if (!stopped) arm(clock.now() + DAY_MS);
      });
    });
  }
  return {
    start(): void {
      arm(clock.now() + FIRST_RETENTION_RUN_MS);
    },
    /** Stops the timer and waits for a run in progress (the store closes after this). */
    async stop(): Promise<void> {
      stopped = true;
      timer?.cancel();
      await running;
    },
  };
}
