import { describe, expect, it } from "vitest";
import { createAlertService } from "../../../alerts/alert-service.js";
import type { AlertLifecycle } from "../../../alerts/lifecycle.js";
import { createManualClock } from "../../../core/clock.js";
import type { StoredReading } from "../../../core/domain.js";
import { createLogger } from "../../../core/log.js";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const turn = () => new Promise((r) => setImmediate(r));

/** The alert service over an in-memory rule-state store that records each save (one transaction each). */
function service() {
  const clock = createManualClock(T0);
  const saves: string[][] = [];
  // Only `apply` is reached here (motion readings raise nothing); the rest of the lifecycle is unused.
  const lifecycle = { apply: () => [] } as unknown as AlertLifecycle;
  const svc = createAlertService({
    lifecycle,
    clock,
    log: createLogger("silent"),
    states: {
      load: () => undefined,
      save: (rows) => saves.push(rows.map((r) => r.householdId)),
      deadlines: () => [],
      readingsAfter: () => [],
    },
    home: () => ({ timezone: "Asia/Shanghai", absences: [] }),
    pendingAlertActions: () => [],
  });
  return { svc, clock, saves };
}

let nextId = 1;
const motion = (householdId: string): StoredReading => ({
  id: nextId++,
  deviceId: `pir-${householdId}`,
  householdId,
  kind: "motion",
  ts: T0,
  receivedAt: T0,
  fields: { detected: true },
  consumedLiters: null,
  registerReset: false,
});

describe("rule state is written once a second, a chunk of homes per turn of the event loop", () => {
  it("writes 120 dirty homes as 50 + 50 + 20 in separate turns, each home once", async () => {
    const { svc, clock, saves } = service();
    svc.onReadings(Array.from({ length: 120 }, (_, i) => motion(`h${i}`)));
    expect(saves).toEqual([]); // not with the readings' commit
    clock.advanceBy(1000);
    expect(saves.map((s) => s.length)).toEqual([50]);
    await turn();
    expect(saves.map((s) => s.length)).toEqual([50, 50]);
    await turn();
    expect(saves.map((s) => s.length)).toEqual([50, 50, 20]);
    expect(new Set(saves.flat()).size).toBe(120);
    svc.stop();
  });

  it("writes everything still waiting in one transaction when it stops", async () => {
    const { svc, clock, saves } = service();
    svc.onReadings(Array.from({ length: 80 }, (_, i) => motion(`h${i}`)));
    clock.advanceBy(1000);
    svc.onReadings([motion("late")]);
    svc.stop();
    expect(saves.map((s) => s.length)).toEqual([50, 31]);
    expect(saves[1]).toContain("late");
    await turn();
    expect(saves).toHaveLength(2); // the scheduled chunk finds nothing left
  });
});
