import { readdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { type Mix, payloadSet, withMix } from "./lib/payloads.js";
import { ROOT } from "./lib/proc.js";
import { createProgress } from "./lib/progress.js";
import { fmtInt } from "./lib/stats.js";
import { summariseProfile } from "./profile-summary.js";
import { panicLatency } from "./scenarios/panic.js";
import { jinlinThroughput } from "./scenarios/throughput-jinlin.js";

/**
 * A quick measurement of Jinlin alone for A/B work on the hot path: `node dist/bench/ab.js
 * [single|batched|panic] [runs] [--prof]` (panic: press → alert under BENCH_PANIC_RATE, 5,000 readings/s). Prints one line per run with the 1-minute load average beside the rate, so figures
 * taken on a shared machine can be judged. BENCH_HOMES / BENCH_DAYS size the traffic (150 × 1).
 */
const HOMES = Number(process.env.BENCH_HOMES ?? 150);
const DAYS = Number(process.env.BENCH_DAYS ?? 1);
const [mixArg = "single", runsArg = "1"] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const mix = mixArg as Mix;
const prof = process.argv.includes("--prof");
const SHAPE = { generators: 4, window: mix === "single" ? 4 : 1, maxMs: 120_000 };

async function panic(): Promise<void> {
  const set = payloadSet(HOMES, DAYS);
  const progress = createProgress(Number(runsArg));
  for (let i = 0; i < Number(runsArg); i++) {
    progress.step(`panic run ${i + 1}`);
    const before = loadavg()[0] ?? 0;
    const r = await panicLatency(set, Number(process.env.BENCH_PANIC_RATE ?? 5_000), 150, progress);
    const after = loadavg()[0] ?? 0;
    process.stdout.write(
      `panic\talert p50 ${r.alertP50.toFixed(0)} p99 ${r.alertP99.toFixed(0)} max ${r.alertMax.toFixed(0)} ms (${r.alerts}/${r.presses})\tPUBACK p50 ${r.pubackP50.toFixed(0)} p99 ${r.pubackP99.toFixed(0)} ms\tbackground ${fmtInt(r.backgroundRate)}/${fmtInt(r.backgroundTarget)} readings/s\tload ${before.toFixed(2)}→${after.toFixed(2)}\n`,
    );
  }
  progress.done();
}

async function main(): Promise<void> {
  if (mixArg === "panic") return panic();
  const set = withMix(payloadSet(HOMES, DAYS), mix);
  const progress = createProgress(Number(runsArg));
  for (let i = 0; i < Number(runsArg); i++) {
    progress.step(`Jinlin ${mix} run ${i + 1}`);
    const dir = join(ROOT, "bench", "out", `ab-prof-${Date.now()}`);
    const before = loadavg()[0] ?? 0;
    const r = await jinlinThroughput(set, SHAPE, progress, {
      label: "Jinlin",
      execArgv: prof ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [],
    });
    const after = loadavg()[0] ?? 0;
    process.stdout.write(
      `${mix}\t${fmtInt(r.rate)} readings/s\tservice CPU ${(r.extra?.cpuUsPerReading ?? 0).toFixed(1)} µs/reading (main thread ${(r.extra?.mainThreadCpuUsPerReading ?? 0).toFixed(1)})\tPUBACK p50 ${r.pubackP50.toFixed(0)} p99 ${r.pubackP99.toFixed(0)} ms\tload ${before.toFixed(2)}→${after.toFixed(2)}\n`,
    );
    if (prof) {
      const f = readdirSync(dir).find((x) => x.endsWith(".cpuprofile"));
      if (f) {
        process.stdout.write(`profile ${join(dir, f)}\n`);
        for (const row of summariseProfile(join(dir, f), 30))
          process.stdout.write(`${(row.share * 100).toFixed(1).padStart(5)}%  ${row.name}  ${row.where}\n`);
      }
    }
  }
  progress.done();
}

void main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
