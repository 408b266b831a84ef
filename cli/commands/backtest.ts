import { readFileSync } from "node:fs";
import { ZodError } from "zod";
import { type BacktestReading, runBacktest } from "../../alerts/engine/backtest.js";
import { resolveRuleParams } from "../../alerts/rules/params.js";
import type { Reading } from "../../core/domain.js";
import { ReplayFormatError, readReplayFile } from "../../simulators/replay-file.js";
import { type Command, UsageError } from "../args.js";

/**
 * The rules engine over a recorded trace, in virtual time, without a broker: the same evaluators the
 * service runs, so what it prints is what the service would have raised.
 */
export const backtest: Command = {
  name: "backtest",
  summary:
    "replay recorded readings (docs/replay.md) through the rules in virtual time and print every alert",
  takesSettings: "data-dir",
  options: {
    input: { type: "string", help: "trace file: NDJSON or CSV", required: true },
    rules: {
      type: "string",
      help: "JSON file of rule parameters overriding the defaults (see docs/detection.md)",
    },
    timezone: { type: "string", help: "the homes' IANA time zone (default Asia/Shanghai)" },
    json: { type: "boolean", help: "print alerts as NDJSON and the summary as the last line" },
  },
  async run({ values }, io) {
    let recorded: ReturnType<typeof readReplayFile>;
    try {
      recorded = readReplayFile(String(values.input));
    } catch (err) {
      if (err instanceof ReplayFormatError) throw new UsageError(err.message);
      throw err;
    }
    let params: ReturnType<typeof resolveRuleParams>;
    try {
      params = resolveRuleParams(
        typeof values.rules === "string" ? JSON.parse(readFileSync(values.rules, "utf8")) : {},
      );
    } catch (err) {
      const detail =
        err instanceof ZodError
          ? err.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")
          : (err as Error).message;
      throw new UsageError(`--rules: ${detail}`);
    }
    const timezone = typeof values.timezone === "string" ? values.timezone : "Asia/Shanghai";
    const homes = [...new Set(recorded.map((r) => r.householdId ?? r.deviceId))].map((homeId) => ({
      homeId,
      timezone,
      params,
    }));
    const readings: BacktestReading[] = recorded
      .sort((a, b) => a.ts - b.ts)
      .map((r) => ({
        homeId: r.householdId ?? r.deviceId,
        reading: { deviceId: r.deviceId, kind: r.kind, ts: r.ts, fields: r.fields } as Reading,
      }));
    const result = runBacktest({ homes, readings });
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    if (values.json) {
      for (const a of result.alerts) {
        io.out(
          JSON.stringify({
            home: a.homeId,
            rule: a.rule,
            severity: a.severity,
            raisedAt: iso(a.raisedAt),
            notifiedAt: iso(a.notifiedAt),
            clearedAt: iso(a.clearedAt),
            evidence: a.evidence,
          }),
        );
      }
      io.out(JSON.stringify({ summary: result.summary }));
      return 0;
    }
    for (const a of result.alerts)
      io.out(`${iso(a.raisedAt)}\t${a.homeId}\t${a.rule}\t${a.severity}\t${a.evidence.message.en}`);
    const s = result.summary;
    io.out(
      `\n${s.alerts} alerts over ${s.householdMonths.toFixed(2)} household-months: ${s.perHouseholdMonth.toFixed(2)} per household-month`,
    );
    for (const [rule, r] of Object.entries(s.byRule))
      if (r.alerts > 0)
        io.out(
          `  ${rule.padEnd(16)}${String(r.alerts).padStart(5)}  ${r.perHouseholdMonth.toFixed(2)}/household-month`,
        );
    return 0;
  },
};
