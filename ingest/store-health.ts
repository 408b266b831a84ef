import { jinlinError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { GroupCommitter } from "./group-commit.js";

/** SQLite's and the OS's words for "no space left": SQLITE_FULL, or ENOSPC/EDQUOT from a write. */
function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === "SQLITE_FULL" || code === "ENOSPC" || code === "EDQUOT";
}

/**
 * Watches the commits of readings: a failed commit turns the store "not ready" (/readyz) and is rethrown as
 * JINLIN_ERR_STORE_FULL or JINLIN_ERR_STORE_WRITE_FAILED, so the broker withholds the PUBACK and the device
 * sends again later; the next commit that succeeds (space came back) makes it ready again. Nothing is
 * retried here: the readings of a failed commit are the devices' to send again.
 */
export function createStoreHealth(log: Logger, now: () => number) {
  let failing: { since: number; code: string; failures: number } | null = null;

  return {
    /** The committer as ingest uses it, with every commit's outcome recorded. */
    watch(committer: GroupCommitter): GroupCommitter {
      return {
        ...committer,
        submit: (readings) =>
          committer.submit(readings).then(
            () => {
              if (failing) {
                log.info({ code: failing.code, failures: failing.failures }, "store accepts readings again");
                failing = null;
              }
            },
            (err: unknown) => {
              const code = isDiskFull(err) ? "JINLIN_ERR_STORE_FULL" : "JINLIN_ERR_STORE_WRITE_FAILED";
              if (!failing) {
                failing = { since: now(), code, failures: 0 };
                log.error({ code, err }, "store cannot write readings; devices get no PUBACK until it can");
              }
              failing.failures++;
              throw jinlinError(code, (err as Error).message, err);
            },
          ),
      };
    },
    health(): { ok: boolean; detail?: string } {
      if (!failing) return { ok: true };
      const s = Math.round((now() - failing.since) / 1000);
      return { ok: false, detail: `${failing.code} for ${s} s (${failing.failures} commits refused)` };
    },
  };
}
