import { rmSync } from "node:fs";
import { join } from "node:path";
import { createScaledClock } from "../../core/clock.js";
import { loadConfig } from "../../core/config.js";
import { createLogger } from "../../core/log.js";
import { generatePassword, hashPassword } from "../../dashboard/auth/passwords.js";
import type { ScenarioSpec } from "../../simulators/scenarios.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";
import { type Command, UsageError } from "../args.js";
import { provisionHomes } from "../provision-homes.js";
import { progressLine, runSimulate } from "../simulate-run.js";
import { openStores } from "../stores.js";
import { provisionSchema } from "./provision.js";

const GRID = "fuzhou/gulou/demo-community/grid-1";

/** The demo's story: what happens when, in simulated minutes after the start. */
function demoScenarios(start: number): ScenarioSpec[] {
  const at = (minutes: number) => start + minutes * 60_000;
  return [
    { kind: "panic-button", home: "h0012", at: at(20), count: 1 },
    { kind: "tap-left-running", home: "h0007", at: at(60), durationMin: 180, count: 1 },
    { kind: "collapse", home: "h0003", at: at(150), count: 1 },
    { kind: "device-offline", home: "h0021", device: "water", at: at(90), durationMin: 24 * 60, count: 1 },
    { kind: "night-wandering", home: "h0015", count: 1 },
  ];
}

export const demo: Command = {
  name: "demo",
  summary:
    "run the service with a simulated neighbourhood of 30 homes on a compressed clock (what scripts/start.sh runs)",
  takesSettings: "all",
  options: {
    speed: {
      type: "string",
      help: "how much faster than real time the demo runs (default 60: an hour a minute)",
    },
    homes: { type: "string", help: "how many homes (default 30)" },
  },
  async run({ values, settings }, io) {
    const speed = Number(values.speed ?? 60);
    const homes = Number(values.homes ?? 30);
    if (!(speed >= 1 && speed <= 10_000) || !(homes >= 1 && homes <= 2000))
      throw new UsageError("--speed 1…10000, --homes 1…2000");
    const base = loadConfig(io.env, settings);
    const dataDir = join(base.dataDir, "demo");
    rmSync(dataDir, { recursive: true, force: true }); // the demo starts afresh each time
    const config = { ...base, dataDir };
    const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel);
    const clock = createScaledClock(Date.now(), speed);
    const start = clock.now();
    const { startService } = await import("../service.js");
    const service = await startService(config, { log, clock });
    const stores = openStores(config);
    seedPeople(stores);
    const logins = await demoLogins(stores);
    service.onAlert((a, news) => {
      if (news === "updated") return;
      const when = new Date(clock.now()).toISOString().slice(5, 16).replace("T", " ");
      io.out(
        `[sim ${when} UTC] alert #${a.id} ${news}: ${a.householdId} ${a.rule} (${a.severity}) — ${a.evidence.message["zh-CN"]} / ${a.evidence.message.en}`,
      );
    });
    io.out(
      [
        `Jinlin demo: ${homes} homes in grid ${GRID}, clock ${speed}× real time (data in ${dataDir}).`,
        `MQTT mqtt://localhost:${service.mqttPort} · HTTP http://localhost:${service.httpPort} (/healthz, /metrics, /docs)`,
        "Replaying 3 days of history, then live: a panic button (h0012) after ~20 simulated minutes, a tap left running (h0007),",
        "a collapse (h0003), a silent water meter (h0021) and a night-time wandering (h0015). Alerts are printed below as they happen.",
        `Dashboard: http://localhost:${service.httpPort}/ — sign in as ${logins.map((l) => `${l.login} / ${l.password}`).join(", ")} (new each run).`,
        `Try: JINLIN_DATA_DIR=${dataDir} node dist/cli/main.js alerts   ·   Ctrl-C stops.`,
      ].join("\n"),
    );
    const abort = new AbortController();
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      abort.abort();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    let last = 0;
    await runSimulate({
      url: `mqtt://127.0.0.1:${service.mqttPort}`,
      simulation: {
        homes,
        from: start - 3 * 86_400_000,
        to: start + 30 * 86_400_000,
        seed: "jinlin-demo",
        scenarios: demoScenarios(start),
      },
      gridPath: GRID,
      speed: 0,
      groundTruthFile: join(dataDir, "ground-truth.ndjson"),
      clock,
      provision: (h) => provisionHomes(stores, provisionSchema.parse(h), { rotateExisting: true }),
      signal: abort.signal,
      log,
      onProgress(p) {
        if (Date.now() - last < 15_000) return;
        last = Date.now();
        io.err(progressLine(p));
      },
    }).catch((err: unknown) => log.error({ err }, "demo simulation stopped"));
    stores.close();
    await service.close();
    return 0;
  },
};

function seedPeople(stores: ReturnType<typeof openStores>): void {
  const people = createPeopleStore(stores.db, Date.now);
  const grid = stores.registry.ensureGrid(GRID);
  const community = stores.registry.ensureGrid(GRID.split("/").slice(0, -1).join("/"));
  const worker = people.addPerson(
    { name: "李网格员", role: "worker", email: "grid-worker@example.org" },
    "p-demo-worker",
  );
  people.assign(worker.id, grid.id, "primary");
  const backup = people.addPerson(
    { name: "陈网格员", role: "worker", email: "backup-worker@example.org" },
    "p-demo-backup",
  );
  people.assign(backup.id, grid.id, "backup");
  const supervisor = people.addPerson(
    { name: "王主任", role: "worker", email: "community@example.org" },
    "p-demo-supervisor",
  );
  people.assign(supervisor.id, community.id, "supervisor");
  people.addPerson(
    { name: "Operator", role: "operator", email: "operator@example.org", language: "en" },
    "p-demo-operator",
  );
}

/** Dashboard sign-ins for the demo's grid worker and operator, with passwords generated for this run. */
async function demoLogins(stores: ReturnType<typeof openStores>) {
  const accounts = createAccountStore(stores.db, Date.now);
  const logins = [
    { personId: "p-demo-worker", login: "worker", password: generatePassword() },
    { personId: "p-demo-operator", login: "admin", password: generatePassword() },
  ];
  for (const l of logins) accounts.setCredentials(l.personId, l.login, await hashPassword(l.password));
  return logins;
}
