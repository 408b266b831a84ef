import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provisionSchema } from "../../cli/commands/provision.js";
import { provisionHomes } from "../../cli/provision-homes.js";
import { runSimulate } from "../../cli/simulate-run.js";
import { systemClock } from "../../core/clock.js";
import { createLogger } from "../../core/log.js";
import { waitUntil } from "../helpers/mqtt.js";
import { startTestService, type TestService } from "../helpers/service.js";

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc.stop();
});

const HOUR = 3_600_000;

describe("simulated emergencies through the real broker, scored against the ground truth", () => {
  it("raises the alert each injected emergency calls for, at its event time", async () => {
    const from = Math.floor((Date.now() - 20 * 24 * HOUR) / HOUR) * HOUR;
    const day = (n: number, hourLocal: number) => from + n * 24 * HOUR + hourLocal * HOUR;
    const truthFile = join(svc.dataDir, "truth.ndjson");
    const final = await runSimulate({
      url: `mqtt://127.0.0.1:${svc.mqttPort}`,
      simulation: {
        homes: 4,
        from,
        to: from + 18 * 24 * HOUR,
        seed: "scenarios-it",
        water: { mode: "periodic", intervalMin: 15 },
        scenarios: [
          { kind: "collapse", home: "h0001", at: new Date(day(16, 3)).toISOString(), count: 1 },
          { kind: "panic-button", home: "h0002", at: new Date(day(15, 4)).toISOString(), count: 1 },
          {
            kind: "tap-left-running",
            home: "h0003",
            at: new Date(day(16, 2)).toISOString(),
            durationMin: 240,
            count: 1,
          },
        ],
      },
      gridPath: "it/grid-1",
      speed: 0,
      groundTruthFile: truthFile,
      clock: systemClock,
      provision: (homes) =>
        provisionHomes(svc.stores, provisionSchema.parse(homes), { rotateExisting: true }),
      log: createLogger("silent"),
    });
    expect(final.errors).toBe(0);
    // The PUBACKs do not wait for the rules, which drain in slices: wait until every home's rule state
    // (saved at most once a second) has folded in its newest stored reading.
    await waitUntil(
      () => {
        const behind = svc.stores.db
          .prepare(
            `SELECT COUNT(*) AS n FROM (SELECT household_id, MAX(id) AS newest FROM readings GROUP BY household_id) r
           LEFT JOIN rule_state s USING (household_id) WHERE s.last_reading_id IS NULL OR s.last_reading_id < r.newest`,
          )
          .get() as { n: number };
        return behind.n === 0;
      },
      60_000,
      "the rules to catch up with the stored readings",
    );
    const truth = readFileSync(truthFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { household: string; scenario: string; start: string });
    const alerts = svc.stores.db
      .prepare("SELECT household_id AS home, rule, raised_at AS raisedAt FROM alerts ORDER BY raised_at")
      .all() as { home: string; rule: string; raisedAt: number }[];
    const expected: Record<string, string> = {
      collapse: "inactivity",
      "panic-button": "panic",
      "tap-left-running": "water_running",
    };
    for (const t of truth) {
      const start = Date.parse(t.start);
      const hit = alerts.find(
        (a) => a.home === t.household && a.rule === expected[t.scenario] && a.raisedAt >= start - 60_000,
      );
      expect(hit, `${t.scenario} at ${t.household}`).toBeDefined();
      const delayHours = (hit!.raisedAt - start) / HOUR;
      expect(delayHours, t.scenario).toBeLessThan(t.scenario === "collapse" ? 12.5 : 1.01);
    }
    // Crying wolf: the homes without a collapse had 18 ordinary days (72 home-days) between them.
    const falseInactivity = alerts.filter((a) => a.rule === "inactivity" && a.home !== "h0001");
    expect(falseInactivity.length).toBeLessThanOrEqual(1);
  }, 240_000);
});
