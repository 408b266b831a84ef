import { afterEach, describe, expect, it } from "vitest";
import type { Reading } from "../../../core/domain.js";
import { createGroupCommitter, MAX_GROUP } from "../../../ingest/group-commit.js";
import type { ReadingToAppend } from "../../../ingest/reading-sink.js";
import { type Db, openDatabase } from "../../../storage/sqlite/open.js";
import { createReadingStore } from "../../../storage/sqlite/readings.js";
import { createRegistry } from "../../../storage/sqlite/registry.js";
import { tempDir } from "../../helpers/service.js";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const open: Db[] = [];

function setup(windowMs: number) {
  const db = openDatabase(`${tempDir()}/jinlin.db`, { sync: "full" });
  open.push(db);
  const registry = createRegistry(db, () => T0);
  const h = registry.addHousehold({ resident: "A", address: "B", gridPath: "c/d" });
  const store = createReadingStore(db, registry.touchDevices);
  const commits: { ids: number[]; urgent: boolean }[] = [];
  const committer = createGroupCommitter({
    sink: store,
    windowMs,
    onCommitted: (result, _s, urgent) => commits.push({ ids: result.stored.map((r) => r.id), urgent }),
  });
  const item = (reading: Reading): ReadingToAppend => ({ reading, householdId: h.id, receivedAt: T0 });
  const motion = (i: number) =>
    item({ deviceId: "m1", kind: "motion", ts: T0 + i * 1000, fields: { detected: true } });
  const press = item({ deviceId: "b1", kind: "button", ts: T0 + 500, fields: { pressed: true } });
  return { store, committer, commits, motion, press };
}

afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

describe("group commit", () => {
  it("commits readings from many submitters in one transaction and settles them all", async () => {
    const s = setup(5);
    const done = [s.committer.submit([s.motion(1)]), s.committer.submit([s.motion(2), s.motion(3)])];
    expect(s.store.count()).toBe(0); // nothing is acknowledged before the commit
    await Promise.all(done);
    expect(s.store.count()).toBe(3);
    expect(s.commits).toEqual([{ ids: [1, 2, 3], urgent: false }]);
  });

  it("commits a panic press at once, alone, while the group being gathered keeps waiting", async () => {
    const s = setup(1000);
    const gathering = s.committer.submit([s.motion(1), s.motion(2)]);
    await s.committer.submitUrgent([s.press]);
    // The press is stored, durable and reported as urgent; the telemetry is still in its window.
    expect(s.store.query({ deviceId: "b1" }).map((r) => r.fields)).toEqual([{ pressed: true }]);
    expect(s.store.count()).toBe(1);
    expect(s.committer.pending()).toBe(2);
    expect(s.commits).toEqual([{ ids: [1], urgent: true }]);
    s.committer.flush();
    await gathering;
    expect(s.store.count()).toBe(3);
  });

  it("commits a group at once when it reaches MAX_GROUP readings, so no commit holds the event loop long", async () => {
    const s = setup(1000);
    const done = Array.from({ length: 2 * MAX_GROUP + 7 }, (_, i) => s.committer.submit([s.motion(i)]));
    // Two full groups committed as they filled up, inside the window; the rest is still being gathered.
    expect(s.commits.map((c) => c.ids.length)).toEqual([MAX_GROUP, MAX_GROUP]);
    expect(s.store.count()).toBe(2 * MAX_GROUP);
    expect(s.committer.pending()).toBe(7);
    s.committer.flush();
    await Promise.all(done);
    expect(s.store.count()).toBe(2 * MAX_GROUP + 7);
    expect(MAX_GROUP).toBeLessThanOrEqual(1_000);
  });

  it("rejects every submitter of a group the store refused, and takes no more after close", async () => {
    const s = setup(5);
    const broken = createGroupCommitter({
      sink: {
        append() {
          throw new Error("disk full");
        },
      },
      windowMs: 1,
    });
    await expect(Promise.all([broken.submit([s.motion(1)]), broken.submit([s.motion(2)])])).rejects.toThrow(
      "disk full",
    );
    await expect(broken.submitUrgent([s.press])).rejects.toThrow("disk full");
    s.committer.close();
    await expect(s.committer.submit([s.motion(3)])).rejects.toThrow("ingest is closed");
  });
});
