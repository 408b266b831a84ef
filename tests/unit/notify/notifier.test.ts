import { afterEach, describe, expect, it } from "vitest";
import { createNotifier } from "../../../alerts/notify/notifier.js";
import type { NotificationSender } from "../../../alerts/notify/types.js";
import { createManualClock } from "../../../core/clock.js";
import type { Db } from "../../../storage/sqlite/open.js";
import { captureLogs } from "../../helpers/log-sink.js";
import { notifyDb, raised, T0 } from "../../helpers/notify/fixtures.js";

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

describe("notifier (outbox + dispatcher, as the service wires them)", () => {
  it("sends what the caller's transaction committed, and nothing it rolled back", async () => {
    const { db } = notifyDb();
    dbs.push(db);
    const sent: string[] = [];
    // Stands in for a channel; the real senders are exercised in tests/integration/notify-*.
    const sender: NotificationSender = {
      async send(item) {
        sent.push(item.idempotencyKey);
        return { kind: "sent" };
      },
    };
    const notifier = createNotifier({
      db,
      clock: createManualClock(T0),
      log: captureLogs().log,
      config: { smtp: null, webhook: null, maxAttempts: 3, backoff: { baseMs: 1_000, maxMs: 10_000 } },
      senders: { email: sender },
    });
    notifier.start();
    await notifier.dispatcher.idle();
    db.exec("CREATE TABLE test_alerts (id TEXT PRIMARY KEY)");
    const raise = db.transaction((id: string, fail: boolean) => {
      db.prepare("INSERT INTO test_alerts VALUES (?)").run(id);
      notifier.enqueue([raised(`${id}:raised`)]);
      if (fail) throw new Error("transition refused");
    });
    expect(() => raise("al-1", true)).toThrow("transition refused");
    raise("al-2", false);
    await notifier.dispatcher.idle();
    expect(sent).toEqual(["al-2:raised"]);
    await notifier.stop();
  });

  it("parks notifications for channels that are not configured", async () => {
    const { db } = notifyDb();
    dbs.push(db);
    const clock = createManualClock(T0);
    const notifier = createNotifier({
      db,
      clock,
      log: captureLogs().log,
      config: { smtp: null, webhook: null, maxAttempts: 3, backoff: { baseMs: 1_000, maxMs: 10_000 } },
    });
    notifier.start();
    expect(notifier.enqueue([raised("a"), raised("a")])).toBe(1);
    await notifier.dispatcher.idle();
    expect(notifier.outbox.stats(clock.now())).toMatchObject({ depth: 0, parked: 1 });
    await notifier.stop();
  });
});
