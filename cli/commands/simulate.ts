import { readFileSync } from "node:fs";
import { z } from "zod";
import { systemClock } from "../../core/clock.js";
import { loadConfig } from "../../core/config.js";
import { createLogger } from "../../core/log.js";
import { SCENARIO_KINDS, scenarioSpecSchema } from "../../simulators/scenarios.js";
import { type Command, UsageError } from "../args.js";
import { provisionHomes } from "../provision-homes.js";
import { progressLine, runSimulate } from "../simulate-run.js";
import { openStores } from "../stores.js";
import { provisionSchema } from "./provision.js";

const numbers = z.object({
  households: z.coerce.number().int().min(1).max(200_000),
  days: z.coerce.number().min(0).max(29),
  liveDays: z.coerce.number().min(0).max(365),
  speed: z.coerce.number().min(0),
});

function scenarioList(values: Record<string, string | boolean | undefined>) {
  const specs: unknown[] = [];
  if (typeof values.scenarios === "string" && values.scenarios !== "") {
    for (const kind of values.scenarios.split(",")) {
      if (!(SCENARIO_KINDS as readonly string[]).includes(kind.trim()))
        throw new UsageError(`unknown scenario '${kind}'; one of ${SCENARIO_KINDS.join(", ")}`);
      specs.push({ kind: kind.trim() });
    }
  }
  if (typeof values["scenario-file"] === "string")
    specs.push(...(JSON.parse(readFileSync(values["scenario-file"], "utf8")) as unknown[]));
  const parsed = z.array(scenarioSpecSchema).safeParse(specs);
  if (!parsed.success)
    throw new UsageError(
      `scenarios: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}

export const simulateCmd: Command = {
  name: "simulate",
  summary:
    "drive Jinlin over MQTT with simulated homes (provisioned through this CLI's store), with scenarios and ground truth",
  takesSettings: "data-dir",
  options: {
    url: { type: "string", help: "broker URL, e.g. mqtt://127.0.0.1:1883", required: true },
    households: { type: "string", help: "how many homes (default 30)" },
    days: { type: "string", help: "days of history before now to replay first (default 1)" },
    from: {
      type: "string",
      help: "start of the history instead (ISO-8601): with --seed, the same traffic every run",
    },
    "live-days": {
      type: "string",
      help: "then keep running live in real time for this many days (default 0)",
    },
    speed: {
      type: "string",
      help: "replay the history this many times faster than real time (default 0: as fast as possible)",
    },
    seed: { type: "string", help: "seed: same seed, same traffic (default jinlin)" },
    scenarios: {
      type: "string",
      help: `comma list injected at random homes and times: ${SCENARIO_KINDS.join(", ")}`,
    },
    "scenario-file": {
      type: "string",
      help: "JSON array of scenario specs (kind, home, at, durationMin, …); see docs/simulators.md",
    },
    "ground-truth": {
      type: "string",
      help: "write the injected scenarios here as NDJSON (default ground-truth.ndjson)",
    },
    grid: { type: "string", help: "grid path of the simulated homes (default demo/sim/grid-1)" },
    json: { type: "boolean", help: "print the final figures as JSON" },
  },
  async run({ values, settings }, io) {
    const n = numbers.safeParse({
      households: values.households ?? 30,
      days: values.days ?? 1,
      liveDays: values["live-days"] ?? 0,
      speed: values.speed ?? 0,
    });
    if (!n.success)
      throw new UsageError(n.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join("; "));
    let now = Date.now();
    if (typeof values.from === "string") {
      const from = Date.parse(values.from);
      if (!Number.isFinite(from))
        throw new UsageError("--from must be ISO-8601, e.g. 2026-03-01T00:00:00+08:00");
      now = from + n.data.days * 86_400_000;
    }
    const config = loadConfig(io.env, settings);
    const stores = openStores(config);
    const abort = new AbortController();
    process.once("SIGINT", () => abort.abort());
    let lastLine = 0;
    try {
      const final = await runSimulate({
        url: String(values.url),
        simulation: {
          homes: n.data.households,
          from: Math.round(now - n.data.days * 86_400_000),
          to: Math.round(now + Math.max(n.data.liveDays * 86_400_000, 1000)),
          seed: typeof values.seed === "string" ? values.seed : "jinlin",
          scenarios: scenarioList(values),
        },
        gridPath: typeof values.grid === "string" ? values.grid : "demo/sim/grid-1",
        speed: n.data.speed,
        groundTruthFile:
          typeof values["ground-truth"] === "string" ? values["ground-truth"] : "ground-truth.ndjson",
        clock: systemClock,
        provision: (homes) => provisionHomes(stores, provisionSchema.parse(homes), { rotateExisting: true }),
        signal: abort.signal,
        // stdout carries the result (--json): warnings go to stderr.
        log: createLogger(config.logLevel === "info" ? "warn" : config.logLevel, process.stderr),
        onProgress(p) {
          if (Date.now() - lastLine < 1000) return;
          lastLine = Date.now();
          io.err(progressLine(p));
        },
      });
      io.err(progressLine(final));
      if (values.json) io.out(JSON.stringify(final));
      return final.errors > 0 ? 1 : 0;
    } finally {
      stores.close();
    }
  },
};
