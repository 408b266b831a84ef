import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { localDayOf } from "../../core/local-time.js";
import { loadWeusedto, WEUSEDTO_TIMEZONE } from "../../simulators/weusedto.js";
import { run } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/service.js";
import { CLI, useServiceProcess } from "../helpers/service-proc.js";

const DATA = fileURLToPath(new URL("../../../shared/data/weusedto", import.meta.url));
const dataDir = tempDir();
const env = { JINLIN_DATA_DIR: dataDir };
const svc = useServiceProcess({ ...env, JINLIN_SQLITE_SYNC: "normal" });

describe("jinlin replay", () => {
  it("replays a week of the real WEUSEDTO home through the service and reproduces its daily totals", async () => {
    const trace = join(dataDir, "weusedto.ndjson");
    const exported = await run(
      process.execPath,
      [CLI, "weusedto", "export", "--dir", DATA, "--out", trace, "--from", "2019-03-04", "--days", "7"],
      { env },
    );
    expect(exported.code).toBe(0);
    const shifted = await run(
      process.execPath,
      [
        CLI,
        "replay",
        "--file",
        trace,
        "--url",
        `mqtt://127.0.0.1:${svc().mqttPort}`,
        "--provision",
        "--speed",
        "0",
        "--json",
      ],
      { env, timeoutMs: 60_000 },
    );
    expect(shifted.code).toBe(0);
    const sent = JSON.parse(shifted.stdout) as { sent: number; acked: number; errors: number };
    expect(sent.acked).toBe(sent.sent);

    const out = await run(
      process.execPath,
      [CLI, "readings", "--device", "weusedto-water", "--limit", "100000", "--json"],
      { env },
    );
    const stored = JSON.parse(out.stdout) as { ts: string; consumedLiters: number | null }[];
    expect(stored.length).toBe(sent.sent);
    // Shifted by whole weeks: group the stored consumption by the recorded local day again.
    const data = loadWeusedto(DATA);
    const firstRecorded = Date.parse("2019-03-03T23:00:00Z"); // 2019-03-04 00:00 in Rome
    const shift = Date.parse(stored[0]!.ts) - firstRecorded;
    expect(shift % (7 * 86_400_000)).toBe(0);
    const perDay = new Map<string, number>();
    for (const x of stored) {
      const day = localDayOf(WEUSEDTO_TIMEZONE, Date.parse(x.ts) - shift).key;
      perDay.set(day, (perDay.get(day) ?? 0) + (x.consumedLiters ?? 0));
    }
    const days = [...data.dailyTotals].filter(([d]) => d >= "2019-03-04" && d < "2019-03-11");
    expect(days.length).toBeGreaterThanOrEqual(5);
    for (const [day, liters] of days) expect(Math.abs((perDay.get(day) ?? 0) - liters)).toBeLessThan(1);
  }, 120_000);

  it("refuses a malformed trace with the line that is wrong", async () => {
    const bad = join(dataDir, "bad.ndjson");
    writeFileSync(
      bad,
      '{"device":"a","ts":"2019-01-01T00:00:00Z","kind":"water","totalLiters":1}\n{"device":"a","ts":"x","kind":"water"}\n',
    );
    const r = await run(
      process.execPath,
      [CLI, "replay", "--file", bad, "--url", `mqtt://127.0.0.1:${svc().mqttPort}`, "--provision"],
      { env },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("bad.ndjson:2");
  });
});
