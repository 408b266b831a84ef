import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InfluxConfig } from "../../core/config.js";
import type { DeviceKind, Reading } from "../../core/domain.js";
import { createLogger } from "../../core/log.js";
import { createInfluxForwarder } from "../../storage/influx/forwarder.js";
import { createLineWriter } from "../../storage/influx/http.js";
import { createInfluxOutbox } from "../../storage/sqlite/influx-outbox.js";
import { openDatabase } from "../../storage/sqlite/open.js";
import { createReadingStore } from "../../storage/sqlite/readings.js";
import { createRegistry } from "../../storage/sqlite/registry.js";

/** A throw-away InfluxDB 1.x server (Debian's influxd 1.6.7) with its own ports and directories. */
export interface Influxd {
  url: string;
  /** Stops the server; its data stays, so `start()` brings it back with the same contents and port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its directory. */
  destroy(): Promise<void>;
  createDatabase(name: string): Promise<void>;
  /** Runs InfluxQL and returns the first statement's series (throws on an InfluxQL error). */
  query(db: string, q: string): Promise<InfluxSeries[]>;
  /** Writes raw line protocol (precision ms), as a test's own fixture. */
  write(db: string, lines: string): Promise<void>;
  /** `SELECT count(field) FROM measurement WHERE …` as a number (0 when there is nothing). */
  count(db: string, measurement: string, field: string, where?: string): Promise<number>;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

const INFLUXD = process.env.INFLUXD_BIN ?? "/usr/bin/influxd";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function configText(dir: string, httpPort: number, rpcPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  pprof-enabled = false
[admin]
  enabled = false
[monitor]
  store-enabled = false
[subscriber]
  enabled = false
[continuous_queries]
  enabled = false
[logging]
  level = "error"
  suppress-logo = true
`;
}

async function waitForPing(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`influxd exited ${child.exitCode}: ${stderr()}`);
    try {
      const res = await fetch(`${url}/ping`);
      if (res.status === 204) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`influxd did not answer /ping within 20 s: ${stderr()}`);
}

export async function startInfluxd(): Promise<Influxd> {
  const dir = mkdtempSync(join(tmpdir(), "jinlin-influxd-"));
  const httpPort = await freePort();
  const rpcPort = await freePort();
  const configFile = join(dir, "influxdb.conf");
  writeFileSync(configFile, configText(dir, httpPort, rpcPort));
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    // A second influxd on the same directories would wait on the meta lock while /ping answers from
    // the first, and the first would then never be stopped: starting a running server does nothing.
    if (child && child.exitCode === null) return;
    let err = "";
    const proc = spawn(INFLUXD, ["-config", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    proc.stderr?.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    child = proc;
    // If the test process ends without destroy() (a crash, a killed worker), take influxd with it.
    const reap = () => proc.kill("SIGKILL");
    process.once("exit", reap);
    proc.once("exit", () => process.off("exit", reap));
    await waitForPing(url, proc, () => err);
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((r) => proc.once("exit", () => r()));
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  async function query(db: string, q: string): Promise<InfluxSeries[]> {
    const params = new URLSearchParams({ db, q, epoch: "ms" });
    const res = await fetch(`${url}/query`, { method: "POST", body: params });
    const body = (await res.json()) as { results?: { series?: InfluxSeries[]; error?: string }[] };
    const first = body.results?.[0];
    if (!res.ok || first?.error) throw new Error(`influxql failed (${res.status}): ${JSON.stringify(body)}`);
    return first?.series ?? [];
  }

  await start();
  return {
    url,
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async createDatabase(name) {
      await query(name, `CREATE DATABASE "${name}"`);
    },
    query,
    async write(db, lines) {
      const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ms`, {
        method: "POST",
        body: lines,
      });
      if (res.status !== 204) throw new Error(`write failed (${res.status}): ${await res.text()}`);
    },
    async count(db, measurement, field, where) {
      const series = await query(
        db,
        `SELECT count("${field}") FROM "${measurement}"${where ? ` WHERE ${where}` : ""}`,
      );
      const value = series[0]?.values[0]?.[1];
      return typeof value === "number" ? value : 0;
    },
  };
}

/** A real SQLite store in a temp dir, as the service opens it, for producing readings to forward. */
export function createTestStore() {
  const dir = mkdtempSync(join(tmpdir(), "jinlin-influx-store-"));
  const file = join(dir, "jinlin.db");
  const open = () => {
    const db = openDatabase(file, { sync: "normal" });
    const registry = createRegistry(db, Date.now);
    return { db, registry, readings: createReadingStore(db, registry.touchDevices) };
  };
  let current = open();
  let homes = 0;
  return {
    get db() {
      return current.db;
    },
    get registry() {
      return current.registry;
    },
    get readings() {
      return current.readings;
    },
    /** Closes and opens the file again, as a restarted service would. */
    reopen() {
      current.db.close();
      current = open();
    },
    /** A household with one device of each kind; ids carry `tag` so tests never share series. */
    addHome(tag: string, gridPath = "shanghai/xuhui/tianping") {
      homes++;
      const household = current.registry.addHousehold(
        { resident: "Test Resident", address: "1 Test Road", gridPath },
        `hh-${tag}-${homes}`,
      );
      const device = (kind: DeviceKind) =>
        current.registry.addDevice({
          householdId: household.id,
          kind,
          id: `${kind}-${tag}-${homes}`,
          secretHash: "x",
        }).id;
      return {
        household,
        water: device("water"),
        door: device("door"),
        motion: device("motion"),
        power: device("power"),
        climate: device("climate"),
        button: device("button"),
      };
    },
    append(readings: Reading[], householdId: string) {
      return current.readings.append(
        readings.map((reading) => ({ reading, householdId, receivedAt: Date.now() })),
      );
    },
    destroy() {
      if (current.db.open) current.db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestStore = ReturnType<typeof createTestStore>;

/** n water readings every stepMs from start, the register growing by litersStep each time. */
export function waterSeries(
  deviceId: string,
  start: number,
  n: number,
  stepMs = 60_000,
  litersStep = 1.5,
): Reading[] {
  return Array.from({ length: n }, (_, i) => ({
    deviceId,
    kind: "water" as const,
    ts: start + i * stepMs,
    fields: { totalLiters: 1000 + i * litersStep },
  }));
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = "condition") {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A new database on `influxd` with a random name (tests never share series), as the service's v1 config. */
export async function freshInfluxDatabase(
  influxd: Influxd,
  prefix = "jinlin",
  flushMs = 20,
): Promise<InfluxConfig> {
  const database = `${prefix}_${randomBytes(4).toString("hex")}`;
  await influxd.createDatabase(database);
  return {
    url: influxd.url,
    api: "v1",
    token: undefined,
    username: undefined,
    password: undefined,
    org: undefined,
    bucket: database,
    database,
    retentionPolicy: undefined,
    batchSize: 1_000,
    flushMs,
  };
}

/** Forwards everything in `store`'s outbox to `config` through the service's own forwarder, then stops it. */
export async function forwardAll(store: TestStore, config: InfluxConfig, timeoutMs = 20_000): Promise<void> {
  const outbox = createInfluxOutbox(store.db, Date.now);
  const forwarder = createInfluxForwarder({
    outbox,
    writer: createLineWriter(config),
    log: createLogger("silent"),
    batchSize: config.batchSize,
    flushMs: config.flushMs,
  });
  forwarder.start();
  await until(() => outbox.depth() === 0, timeoutMs, "readings forwarded");
  await forwarder.close();
}
