import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../helpers/mqtt.js";
import { tempDir } from "../helpers/service.js";
import { CLI } from "../helpers/service-proc.js";

const HOUR = 3_600_000;
/** 21 days of an ordinary routine (Asia/Shanghai): water at 07, 09, 12, 15, 18 and 21 h, a meter reading every 15 min. */
function trace(stopAt: number | null): string {
  const start = Date.parse("2026-03-01T00:00:00+08:00");
  const lines: string[] = [];
  let total = 1000;
  for (let t = start; t < start + 21 * 24 * HOUR; t += 15 * 60_000) {
    const local = new Date(t + 8 * HOUR);
    const use = [7, 9, 12, 15, 18, 21].includes(local.getUTCHours()) && local.getUTCMinutes() === 0;
    if (use && (stopAt === null || t < stopAt)) total += 8;
    lines.push(
      JSON.stringify({
        device: "m1",
        household: "home-1",
        ts: new Date(t).toISOString(),
        kind: "water",
        totalLiters: total,
      }),
    );
  }
  lines.push(
    JSON.stringify({
      device: "b1",
      household: "home-1",
      ts: new Date(start + 3 * 24 * HOUR).toISOString(),
      kind: "button",
      pressed: true,
    }),
  );
  return `${lines.join("\n")}\n`;
}

describe("jinlin backtest", () => {
  it("prints the alerts the service would raise: a daytime collapse within hours and every panic press", async () => {
    const dir = tempDir();
    const file = join(dir, "trace.ndjson");
    const collapse = Date.parse("2026-03-19T09:30:00+08:00");
    writeFileSync(file, trace(collapse));
    const r = await run(process.execPath, [CLI, "backtest", "--input", file, "--json"], {
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.pop() as {
      summary: { alerts: number; byRule: Record<string, { alerts: number }> };
    };
    const alerts = lines as {
      rule: string;
      raisedAt: string;
      home: string;
      evidence: { message: { en: string } };
    }[];
    expect(summary.summary.alerts).toBe(alerts.length);
    expect(alerts.filter((a) => a.rule === "panic")).toHaveLength(1);
    const inactivity = alerts.filter((a) => a.rule === "inactivity" && Date.parse(a.raisedAt) >= collapse);
    expect(inactivity.length).toBeGreaterThanOrEqual(1);
    const delayHours = (Date.parse(inactivity[0]!.raisedAt) - collapse) / HOUR;
    expect(delayHours).toBeLessThan(6);
    expect(inactivity[0]!.evidence.message.en).toMatch(/water/i);
    // Before the collapse this regular home gave no inactivity alert after its learning days.
    expect(
      alerts.filter(
        (a) =>
          a.rule === "inactivity" &&
          Date.parse(a.raisedAt) < collapse &&
          Date.parse(a.raisedAt) > Date.parse("2026-03-08T00:00:00+08:00"),
      ),
    ).toEqual([]);
  });

  it("refuses rule parameters that do not exist, naming them", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "t.ndjson"), trace(null));
    writeFileSync(join(dir, "rules.json"), JSON.stringify({ inactivity: { ceilingHours: "twelve" } }));
    const r = await run(process.execPath, [
      CLI,
      "backtest",
      "--input",
      join(dir, "t.ndjson"),
      "--rules",
      join(dir, "rules.json"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--rules");
  });
});
