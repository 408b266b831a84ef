import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Mix, payloadSet, withMix } from "./lib/payloads.js";
import { ROOT } from "./lib/proc.js";
import { createProgress } from "./lib/progress.js";
import { fmtInt, table } from "./lib/stats.js";
import { jinlinThroughput } from "./scenarios/throughput-jinlin.js";
import { mosquittoRelay } from "./scenarios/throughput-peers.js";

/**
 * `npm run bench:ci`: a short guard (< 60 s) against gross throughput regressions, judged only by a
 * ratio measured in the same run on the same machine — Jinlin's durable rate ÷ Mosquitto's QoS 1
 * relay rate — never by absolute times. Fails when a ratio falls below half of bench/baseline.json.
 * `npm run bench:ci -- --record` writes the baseline from this run.
 */
const BASELINE = join(ROOT, "bench", "baseline.json");
const MIXES: Mix[] = ["single", "batched"];
/** Small enough that a run, build excluded, stays well under 60 s on 2 cores. */
const CI_HOMES = 60;
const SHAPES = {
  single: { generators: 3, window: 4, maxMs: 20_000 },
  batched: { generators: 3, window: 1, maxMs: 20_000 },
};

interface Baseline {
  recordedAt: string;
  machine: string;
  homes: number;
  days: number;
  jinlinOverMosquitto: Record<Mix, number>;
}

async function main(): Promise<number> {
  const record = process.argv.includes("--record");
  if (!existsSync(process.env.MOSQUITTO_BIN ?? "/usr/sbin/mosquitto")) {
    process.stderr.write("bench:ci skipped: Mosquitto is not installed (apt-get install -y mosquitto)\n");
    return 0;
  }
  const hardStop = setTimeout(() => {
    process.stderr.write("bench:ci did not finish within 120 s\n");
    process.exit(1);
  }, 120_000);
  const progress = createProgress(1 + MIXES.length * 2);
  progress.step(`simulated traffic: ${CI_HOMES} homes × 1 day`);
  const set = payloadSet(CI_HOMES, 1);
  const ratios = {} as Record<Mix, number>;
  const rows: string[][] = [];
  for (const mix of MIXES) {
    const s = withMix(set, mix);
    progress.step(`Jinlin, ${mix}`);
    const j = await jinlinThroughput(s, SHAPES[mix], progress, { label: "Jinlin" });
    progress.step(`Mosquitto relay, ${mix}`);
    const m = await mosquittoRelay(s, SHAPES[mix], progress);
    ratios[mix] = j.rate / m.rate;
    rows.push([mix, fmtInt(j.rate), fmtInt(m.rate), ratios[mix].toFixed(3)]);
  }
  clearTimeout(hardStop);
  progress.done();
  process.stdout.write(
    `${table(["mix", "Jinlin readings/s", "Mosquitto relay readings/s", "ratio"], rows)}\n`,
  );
  if (record) {
    const b: Baseline = {
      recordedAt: new Date().toISOString(),
      machine: `${process.arch} ${process.version}`,
      homes: CI_HOMES,
      days: 1,
      jinlinOverMosquitto: ratios,
    };
    writeFileSync(BASELINE, `${JSON.stringify(b, null, 2)}\n`);
    process.stdout.write(`baseline written to ${BASELINE}\n`);
    return 0;
  }
  if (!existsSync(BASELINE)) {
    process.stdout.write("no bench/baseline.json: nothing to compare with (record one with --record)\n");
    return 0;
  }
  const base = JSON.parse(readFileSync(BASELINE, "utf8")) as Baseline;
  let failed = false;
  for (const mix of MIXES) {
    const floor = base.jinlinOverMosquitto[mix] / 2;
    if (ratios[mix] < floor) {
      failed = true;
      process.stdout.write(
        `REGRESSION ${mix}: Jinlin/Mosquitto ${ratios[mix].toFixed(3)} < ${floor.toFixed(3)} (half of the baseline ${base.jinlinOverMosquitto[mix].toFixed(3)})\n`,
      );
    } else
      process.stdout.write(
        `ok ${mix}: ${ratios[mix].toFixed(3)} ≥ ${floor.toFixed(3)} (half of the baseline)\n`,
      );
  }
  return failed ? 1 : 0;
}

void main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`bench:ci failed to run: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
