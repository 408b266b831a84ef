/**
 * Rules micro-benchmark: the simulator's readings (people's days, water, power, climate, door, motion,
 * heartbeats, 30 % NB-IoT batches) decoded as ingest decodes them, then replayed message by message
 * through each home's evaluator as the service does (evaluateBatch per message, evaluateDeadline when
 * a home's deadline is due). Reports the evaluators' µs per reading; nothing else is timed.
 *
 *   npm run bench:rules -- [--homes 20] [--days 7] [--rounds 3]
 *
 * It also prints a fingerprint of every transition (kind, rule, severity, at, evidence) and the final
 * states, so two builds can be checked to raise exactly the same alerts.
 */
import { createHash } from "node:crypto";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createHomeEvaluator, type HomeEvaluator, type HomeState } from "../alerts/engine/home-evaluator.js";
import type { Reading } from "../core/domain.js";
import { decodeTelemetry } from "../ingest/decode.js";
import { planSimulation, simulate } from "../simulators/run.js";
import type { ScenarioKind } from "../simulators/scenarios.js";

interface Message {
  homeId: string;
  at: number;
  readings: Reading[];
}

const SCENARIOS: ScenarioKind[] = [
  "collapse",
  "panic-button",
  "tap-left-running",
  "slow-leak",
  "heat-wave",
  "night-wandering",
  "device-offline",
  "late-rising",
  "out-of-order",
  "duplicates",
];

const LIMITS = {
  maxPayloadBytes: 1 << 20,
  maxBatch: 1000,
  maxReadingAgeMs: 365 * 86_400_000,
  maxClockSkewMs: 86_400_000,
};

function load(
  homes: number,
  days: number,
): { messages: Message[]; tz: Map<string, string>; readings: number } {
  const to = Date.UTC(2026, 10, 1);
  const plan = planSimulation({
    homes,
    from: to - days * 86_400_000,
    to,
    seed: "rules-micro",
    nbiotShare: 0.3,
    // Alerts to fingerprint: two of each of these, at homes and times drawn from the seed.
    scenarios: SCENARIOS.map((kind) => ({ kind, count: 2 })),
  });
  const tz = new Map(plan.homes.map((h) => [h.id, h.timezone]));
  const messages: Message[] = [];
  let readings = 0;
  for (const m of simulate(plan)) {
    if (m.kind === "status" || !m.topic.endsWith("/telemetry")) continue;
    const kind = m.deviceId.slice(m.homeId.length + 1) as Parameters<typeof decodeTelemetry>[1]["kind"];
    const out = decodeTelemetry(Buffer.from(m.payload), { id: m.deviceId, kind }, m.ts, LIMITS);
    if (out.readings.length === 0) continue;
    messages.push({ homeId: m.homeId, at: m.ts, readings: out.readings });
    readings += out.readings.length;
  }
  return { messages, tz, readings };
}

interface Home {
  evaluator: HomeEvaluator;
  state: HomeState;
  deadline: number | null;
}

/** One replay; returns the evaluators' time (ns) and a hash of every transition and the final states. */
function replay(
  messages: readonly Message[],
  tz: ReadonlyMap<string, string>,
): { ns: bigint; hash: string; transitions: number } {
  const homes = new Map<string, Home>();
  const hash = createHash("sha256");
  let transitions = 0;
  let ns = 0n;
  const start = messages[0]?.at ?? 0;
  for (const [homeId, timezone] of tz) {
    const evaluator = createHomeEvaluator({ homeId, timezone });
    homes.set(homeId, { evaluator, state: evaluator.init(start), deadline: null });
  }
  const note = (
    homeId: string,
    ts: readonly { kind: string; rule: string; severity: string; at: number }[],
  ) => {
    for (const t of ts) hash.update(`${homeId} ${JSON.stringify(t)}\n`);
    transitions += ts.length;
  };
  for (const m of messages) {
    const h = homes.get(m.homeId);
    if (!h) continue;
    if (h.deadline !== null && h.deadline <= m.at) {
      const t0 = process.hrtime.bigint();
      const ev = h.evaluator.evaluateDeadline(h.state, Math.max(h.deadline, start));
      ns += process.hrtime.bigint() - t0;
      h.state = ev.state;
      h.deadline = ev.deadline;
      note(m.homeId, ev.transitions);
    }
    const t0 = process.hrtime.bigint();
    const ev = h.evaluator.evaluateBatch(h.state, m.readings, m.at);
    ns += process.hrtime.bigint() - t0;
    h.state = ev.state;
    h.deadline = ev.deadline;
    note(m.homeId, ev.transitions);
  }
  for (const [id, h] of homes) hash.update(`${id} ${JSON.stringify(h.state)}\n`);
  return { ns, hash: hash.digest("hex").slice(0, 16), transitions };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      homes: { type: "string", default: "20" },
      days: { type: "string", default: "7" },
      rounds: { type: "string", default: "3" },
    },
  });
  const { messages, tz, readings } = load(Number(values.homes), Number(values.days));
  const rounds = Number(values.rounds);
  const us: number[] = [];
  let last = { hash: "", transitions: 0 };
  for (let i = 0; i < rounds + 1; i++) {
    const r = replay(messages, tz);
    // The first round warms the JIT and the zone caches; it is not counted.
    if (i > 0) us.push(Number(r.ns) / 1000 / readings);
    last = r;
  }
  us.sort((a, b) => a - b);
  const median = us[Math.floor(us.length / 2)] ?? 0;
  const la = loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
  process.stdout.write(
    `${JSON.stringify({
      homes: tz.size,
      messages: messages.length,
      readings,
      transitions: last.transitions,
      fingerprint: last.hash,
      usPerReading: us.map((x) => Number(x.toFixed(2))),
      median: Number(median.toFixed(2)),
      load: la,
    })}\n`,
  );
}

main();
