import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { barChart } from "./lib/chart.js";
import { machine } from "./lib/machine.js";
import { type Mix, payloadSet, withMix } from "./lib/payloads.js";
import { ROOT } from "./lib/proc.js";
import { createProgress } from "./lib/progress.js";
import { fmtInt, fmtMs, fmtRatio, table } from "./lib/stats.js";
import { ensureNodeRed } from "./peers/node-red.js";
import { capacity } from "./scenarios/capacity.js";
import { panicLatency } from "./scenarios/panic.js";
import { inproc, throughputSuite } from "./scenarios/suite.js";

/**
 * `npm run bench`: every figure of BENCHMARKS.md in one run, on this machine, all traffic on 127.0.0.1.
 * Tables on stdout (Markdown), progress on stderr, results in bench/results/.
 * BENCH_HOMES (500) and BENCH_DAYS (2) size the simulated traffic; BENCH_PROFILE=1 adds a --cpu-prof run;
 * BENCH_CAPACITY (5000,10000,19500) lists the idle-device steps.
 */
const HOMES = Number(process.env.BENCH_HOMES ?? 500);
const DAYS = Number(process.env.BENCH_DAYS ?? 2);
const STEPS = (process.env.BENCH_CAPACITY ?? "5000,10000,19500").split(",").map(Number);
const MIXES: Mix[] = ["single", "batched"];
const SHAPES = {
  single: { generators: 4, window: 4, maxMs: 120_000 },
  batched: { generators: 4, window: 1, maxMs: 120_000 },
};

async function main(): Promise<void> {
  const progress = createProgress(2 + MIXES.length * 5 + 4 + (process.env.BENCH_PROFILE ? 1 : 0));
  progress.step(`simulating ${HOMES} homes × ${DAYS} days (cached in bench/.cache)`);
  const set = payloadSet(HOMES, DAYS);
  progress.note(
    `${fmtInt(set.readings)} readings in ${fmtInt(set.messages)} messages from ${fmtInt(set.devices.length)} devices`,
  );
  progress.step("Node-RED in bench/.peers");
  const nodeRed = ensureNodeRed();
  if (nodeRed) progress.note(`Node-RED skipped: ${nodeRed}`);

  const suite = await throughputSuite(set, MIXES, SHAPES, progress, {
    nodeRed,
    withPeers: true,
    influx: true,
    profile: process.env.BENCH_PROFILE === "1",
  });
  progress.step("machine limit: decode + group commit, no network");
  const limits = [];
  for (const mix of MIXES) limits.push(await inproc(set, mix, progress));
  progress.step("100,000 deadlines: idle, then while committing at full speed");
  const timersIdle = await inproc(set, "timers", progress);
  const timersBusy = await inproc(set, "single", progress, true);
  progress.step("panic button → alert under 5,000 readings/s");
  const panic = await panicLatency(set, 5_000, 200, progress);
  progress.step(`capacity: ${STEPS.join(" / ")} idle devices`);
  const cap = await capacity(STEPS, progress);
  progress.done();

  const info = machine();
  const ratio = (mix: Mix, a: string, b: string) => {
    const x = suite.results.find((r) => r.mix === mix && r.system.startsWith(a));
    const y = suite.results.find((r) => r.mix === mix && r.system.startsWith(b));
    return x && y ? x.rate / y.rate : Number.NaN;
  };
  const ratios = Object.fromEntries(
    MIXES.map((m) => [
      m,
      {
        mosquitto: ratio(m, "Jinlin (", "Mosquitto"),
        diy: ratio(m, "Jinlin (", "DIY"),
        nodeRed: ratio(m, "Jinlin (", "Node-RED"),
      },
    ]),
  );
  const out: string[] = [];
  out.push(
    "### Machine\n",
    table(
      ["", ""],
      Object.entries(info).map(([k, v]) => [k, v]),
    ),
    "",
  );
  out.push(
    `Traffic: ${fmtInt(HOMES)} simulated homes × ${DAYS} days = ${fmtInt(set.readings)} readings from ${fmtInt(set.devices.length)} devices; ` +
      `single: ${fmtInt(set.messages)} messages (${(set.bytes / set.messages).toFixed(0)} B avg), batched: ${fmtInt(withMix(set, "batched").messages)} messages.\n`,
  );
  for (const mix of MIXES) {
    out.push(`### Sustained throughput, ${mix} (readings/s at each system's completion point)\n`);
    out.push(
      table(
        [
          "system",
          "completion point",
          "readings",
          "s",
          "readings/s",
          "Jinlin ÷ this",
          "PUBACK p50 ms",
          "PUBACK p99 ms",
          "load avg at start",
          "service CPU µs/reading",
        ],
        suite.results
          .filter((r) => r.mix === mix)
          .map((r) => {
            const jin = suite.results.find((x) => x.mix === mix && x.system.startsWith("Jinlin ("))!;
            const point = r.system.startsWith("Jinlin")
              ? "PUBACK after durable commit"
              : r.system.startsWith("Mosquitto")
                ? "delivered to subscriber"
                : r.system.startsWith("DIY")
                  ? "committed by subscriber"
                  : "in InfluxDB";
            return [
              r.system,
              point,
              fmtInt(r.readings),
              (r.elapsedMs / 1000).toFixed(1),
              fmtInt(r.rate),
              fmtRatio(jin.rate / r.rate),
              fmtMs(r.pubackP50),
              fmtMs(r.pubackP99),
              (r.extra?.load1 ?? Number.NaN).toFixed(1),
              // Only Jinlin's process is measured; its CPU per reading holds still when the machine is shared.
              r.extra?.cpuUsPerReading === undefined ? "" : r.extra.cpuUsPerReading.toFixed(0),
            ];
          }),
      ),
      "",
    );
    const inf = suite.results.find((r) => r.mix === mix && r.system.startsWith("Jinlin + Influx"));
    if (inf?.extra)
      out.push(
        `InfluxDB forwarder: InfluxDB held ${fmtInt(inf.extra.influxReadings ?? 0)} readings ${fmtMs((inf.extra.influxDrainMs ?? 0) / 1000)} s after the last PUBACK.\n`,
      );
  }
  if (suite.nodeRedSkipped) out.push(`Node-RED skipped: ${suite.nodeRedSkipped}\n`);
  out.push(
    "### Machine limit (one process, no network: decode + validate + group commit, synchronous=FULL)\n",
  );
  out.push(
    table(
      ["mix", "readings", "commits", "readings/s", "Jinlin end to end ÷ limit"],
      limits.map((l) => {
        const jin = suite.results.find((x) => x.mix === l.mix && x.system.startsWith("Jinlin ("));
        return [
          l.mix,
          fmtInt(l.readings),
          fmtInt(l.commits),
          fmtInt(l.rate),
          jin ? `${((jin.rate / l.rate) * 100).toFixed(0)} %` : "—",
        ];
      }),
    ),
    "",
  );
  out.push("### Latency\n");
  out.push(
    table(
      ["what", "p50 ms", "p99 ms", "max ms", "n"],
      [
        [
          `panic press → alert raised (live feed), background ${fmtInt(panic.backgroundRate)} readings/s`,
          fmtMs(panic.alertP50),
          fmtMs(panic.alertP99),
          fmtMs(panic.alertMax),
          `${panic.alerts}/${panic.presses}`,
        ],
        [
          "panic press → PUBACK, same run",
          fmtMs(panic.pubackP50),
          fmtMs(panic.pubackP99),
          "",
          String(panic.presses),
        ],
      ],
    ),
    "",
  );
  out.push("### Capacity\n");
  out.push(
    table(
      ["idle devices connected", "service RSS MiB", "RSS per device KB", "JS heap per device KB"],
      [
        ["0", (cap.base / 2 ** 20).toFixed(0), "", ""],
        ...cap.points.map((p) => [
          fmtInt(p.connected),
          (p.rss / 2 ** 20).toFixed(0),
          (p.rssPerDevice / 1024).toFixed(1),
          (p.heapPerDevice / 1024).toFixed(1),
        ]),
      ],
    ),
    "",
  );
  const jinSingle = suite.results.find((r) => r.system.startsWith("Jinlin (") && r.mix === "single");
  out.push(
    `Rule state per home (persisted JSON after ${DAYS} simulated days): avg ${fmtInt(jinSingle?.extra?.ruleStateAvgBytes ?? Number.NaN)} B, max ${fmtInt(jinSingle?.extra?.ruleStateMaxBytes ?? Number.NaN)} B over ${fmtInt(jinSingle?.extra?.ruleStateHomes ?? 0)} homes.\n`,
  );
  out.push(
    table(
      [
        "100,000 home deadlines (systemClock, one heap)",
        "schedule ms",
        "late p50 ms",
        "late p99 ms",
        "late max ms",
      ],
      [timersIdle, timersBusy].map((t) => [
        t.timers?.busy ? `while committing ${fmtInt(t.rate)} readings/s in the same process` : "idle process",
        fmtMs(t.timers?.scheduleMs ?? Number.NaN),
        fmtMs(t.timers?.p50 ?? Number.NaN),
        fmtMs(t.timers?.p99 ?? Number.NaN),
        fmtMs(t.timers?.max ?? Number.NaN),
      ]),
    ),
    "",
  );
  if (suite.profile) {
    out.push("### Service CPU profile, single mix (top self time)\n");
    out.push(
      table(
        ["self %", "function", "where"],
        suite.profile.map((p) => [(p.share * 100).toFixed(1), p.name, p.where]),
      ),
      "",
    );
  }
  const md = out.join("\n");
  process.stdout.write(`${md}\n`);
  const dir = join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "latest.md"), `${md}\n`);
  writeFileSync(
    join(dir, "latest.json"),
    `${JSON.stringify({ at: new Date().toISOString(), machine: info, homes: HOMES, days: DAYS, readings: set.readings, throughput: suite.results.map(({ dataDir: _d, ...r }: { dataDir?: string } & (typeof suite.results)[number]) => r), ratios, limits, timers: [timersIdle, timersBusy], panic, capacity: cap, profile: suite.profile }, null, 2)}\n`,
  );
  writeFileSync(
    join(dir, "throughput.svg"),
    barChart(
      `Sustained QoS 1 throughput, ${(info.cpu ?? "").split(" × ")[0]} cores, same run`,
      [
        ...suite.results.map((r) => ({
          group: `${r.mix} (${r.mix === "single" ? "1 reading/message" : "≤ 24 readings/message"})`,
          label: r.system,
          value: r.rate,
          highlight: r.system.startsWith("Jinlin"),
        })),
        ...limits.map((l) => ({
          group: `${l.mix === "single" ? "single (1 reading/message)" : "batched (≤ 24 readings/message)"}`,
          label: "machine limit (no network)",
          value: l.rate,
        })),
      ],
      "readings per second; Jinlin's completion point is the PUBACK after the fsync'd commit and the rules",
    ),
  );
}

void main().catch((err) => {
  process.stderr.write(`\nbench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
