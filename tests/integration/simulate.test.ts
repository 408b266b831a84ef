import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/service.js";
import { CLI, useServiceProcess } from "../helpers/service-proc.js";

const dataDir = tempDir();
const env = { JINLIN_DATA_DIR: dataDir };
const svc = useServiceProcess({ ...env, JINLIN_SQLITE_SYNC: "normal" });

describe("jinlin simulate", () => {
  it("drives 1,000 homes (6,000 devices, a connection each) from a separate process; every reading is stored", async () => {
    const truth = join(dataDir, "truth.ndjson");
    const r = await run(
      process.execPath,
      [
        CLI,
        "simulate",
        "--url",
        `mqtt://127.0.0.1:${svc().mqttPort}`,
        "--households",
        "1000",
        "--days",
        "0.05",
        "--seed",
        "t1000",
        "--ground-truth",
        truth,
        "--json",
      ],
      { env, timeoutMs: 240_000 },
    );
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const stats = JSON.parse(r.stdout) as {
      homes: number;
      sent: number;
      acked: number;
      errors: number;
      readings: number;
      connections: number;
    };
    expect(stats).toMatchObject({ homes: 1000, errors: 0 });
    expect(stats.acked).toBe(stats.sent);
    expect(stats.connections).toBeGreaterThanOrEqual(3000); // every device that had something to say
    expect(r.stderr).toMatch(/homes 1000 · sent \d+ · acked \d+ · errors 0/);

    const metrics = await (await fetch(`http://127.0.0.1:${svc().httpPort}/metrics`)).text();
    const accepted = Number(/jinlin_readings_accepted_total (\d+)/.exec(metrics)?.[1]);
    expect(accepted).toBe(stats.readings);
    expect(readFileSync(truth, "utf8")).toBe(""); // no scenarios asked for, none injected
  }, 300_000);

  it("is deterministic: the same seed writes the same ground truth", async () => {
    const a = join(dataDir, "a.ndjson");
    const b = join(dataDir, "b.ndjson");
    const from = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 86_400_000).toISOString();
    for (const file of [a, b]) {
      const r = await run(
        process.execPath,
        [
          CLI,
          "simulate",
          "--url",
          `mqtt://127.0.0.1:${svc().mqttPort}`,
          "--households",
          "5",
          "--from",
          from,
          "--days",
          "0.5",
          "--seed",
          "same",
          "--scenarios",
          "collapse,panic-button,tap-left-running",
          "--ground-truth",
          file,
        ],
        { env, timeoutMs: 60_000 },
      );
      expect(r.code, r.stderr).toBe(0);
    }
    const lines = readFileSync(a, "utf8").trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(readFileSync(b, "utf8")).toBe(readFileSync(a, "utf8"));
    expect(lines.map((l) => (JSON.parse(l) as { scenario: string }).scenario).sort()).toEqual([
      "collapse",
      "panic-button",
      "tap-left-running",
    ]);
  }, 120_000);
});
