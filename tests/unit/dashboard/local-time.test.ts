import { describe, expect, it } from "vitest";
import { localClock, localDate, startOfLocalDay, startOfLocalMonth } from "../../../core/local-time.js";
import { durations, responseTimes } from "../../../dashboard/routes/response-times.js";

describe("household local time", () => {
  it("finds local midnight and the month's start in Shanghai (UTC+8, no DST)", () => {
    const t = Date.parse("2026-03-02T02:00:00Z");
    expect(new Date(startOfLocalDay(t, "Asia/Shanghai")).toISOString()).toBe("2026-03-01T16:00:00.000Z");
    expect(new Date(startOfLocalMonth(t, "Asia/Shanghai")).toISOString()).toBe("2026-02-28T16:00:00.000Z");
    expect(localClock(Date.parse("2026-03-02T00:12:00Z"), "Asia/Shanghai")).toBe("08:12");
    expect(localDate(Date.parse("2026-03-01T17:00:00Z"), "Asia/Shanghai")).toBe("2026-03-02");
  });

  it("handles a daylight-saving day (Europe/Berlin, 29 March 2026 has 23 hours)", () => {
    const noon = Date.parse("2026-03-29T10:00:00Z");
    expect(new Date(startOfLocalDay(noon, "Europe/Berlin")).toISOString()).toBe("2026-03-28T23:00:00.000Z");
    const next = Date.parse("2026-03-30T10:00:00Z");
    expect(new Date(startOfLocalDay(next, "Europe/Berlin")).toISOString()).toBe("2026-03-29T22:00:00.000Z");
  });
});

describe("response times", () => {
  it("takes nearest-rank median and p90", () => {
    expect(durations([5, 1, 3, 2, 4])).toEqual({ count: 5, medianMs: 3, p90Ms: 5, meanMs: 3 });
    expect(durations([])).toEqual({ count: 0, medianMs: null, p90Ms: null, meanMs: null });
  });

  it("groups per grid and per acknowledging worker", () => {
    const row = (id: number, grid: string, by: string | null, ack: number | null) => ({
      alertId: id,
      gridId: 1,
      gridPath: grid,
      createdAt: 1000,
      acknowledgedBy: by,
      acknowledgedAt: ack,
      visitingAt: null,
      arrivedAt: null,
      closedAt: null,
    });
    const r = responseTimes([row(1, "a", "w1", 1100), row(2, "a", "w2", 1300), row(3, "b", null, null)]);
    expect(r.overall.toAcknowledge).toMatchObject({ count: 2, medianMs: 100 });
    expect(r.byGrid.map((g) => [g.gridPath, g.alerts])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    expect(r.byWorker.map((w) => [w.personId, w.toAcknowledge.medianMs])).toEqual([
      ["w1", 100],
      ["w2", 300],
    ]);
  });
});
