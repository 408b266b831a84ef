/**
 * The rules on the simulator's neighbourhood, as the live service sees it: an ordinary older person
 * per home, periodic meters every 15 min and NB-IoT meters in batches 4× a day, climate every 30 min
 * (an unheated Fuzhou/Shanghai flat in November), motion, door, power, heartbeats. Readings are
 * decoded from the published payloads and evaluated at their publish time, like ingest does.
 */
import { describe, expect, it } from "vitest";
import { type BacktestReading, runBacktest } from "../../../alerts/engine/backtest.js";
import type { Reading } from "../../../core/domain.js";
import { planSimulation, simulate } from "../../../simulators/run.js";

const DAY = 86_400_000;

function* decoded(plan: ReturnType<typeof planSimulation>): Generator<BacktestReading> {
  for (const m of simulate(plan)) {
    if (m.kind === "status") continue;
    const body = JSON.parse(m.payload) as unknown;
    const items = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
    for (const { kind, ts, ...rest } of items) {
      const fields = Object.fromEntries(
        Object.entries(rest).filter(([, v]) => typeof v === "number" || typeof v === "boolean"),
      );
      const t = Date.parse(String(ts));
      const reading = { deviceId: m.deviceId, kind, ts: t, fields } as Reading;
      yield { homeId: m.homeId, reading, receivedAt: Math.max(m.ts, t) };
    }
  }
}

describe("a new home on the simulator", () => {
  it("raises no alert of any rule in its first 14 days (periodic and NB-IoT meters, a November in Shanghai)", () => {
    const from = Date.parse("2026-11-01T00:00:00+08:00");
    const to = from + 14 * DAY;
    const plan = planSimulation({ homes: 6, from, to, seed: "jinlin-14d", nbiotShare: 0.5 });
    expect(plan.homes.some((h) => h.water.mode === "nbiot")).toBe(true);
    expect(plan.homes.some((h) => h.water.mode === "periodic")).toBe(true);
    const res = runBacktest({
      homes: plan.homes.map((h) => ({ homeId: h.id, timezone: h.timezone })),
      readings: decoded(plan),
      end: to,
    });
    const seen = res.alerts.map((a) => `${a.homeId} ${a.rule} ${a.evidence.message.en}`);
    expect(seen).toEqual([]);
    // Compact state: a few kB per home with every rule's learning in it.
    for (const s of Object.values(res.states)) expect(JSON.stringify(s).length).toBeLessThan(6_000);
  }, 180_000);
});
