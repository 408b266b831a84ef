import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDeadlineScheduler } from "../../alerts/deadline-scheduler.js";
import { systemClock } from "../../core/clock.js";
import { loadConfig } from "../../core/config.js";
import type { DeviceKind } from "../../core/domain.js";
import { decodeTelemetry } from "../../ingest/decode.js";
import { createGroupCommitter } from "../../ingest/group-commit.js";
import { openDatabase } from "../../storage/sqlite/open.js";
import { createReadingStore } from "../../storage/sqlite/readings.js";
import { createRegistry } from "../../storage/sqlite/registry.js";
import type { PayloadSet } from "../lib/payloads.js";

/**
 * The machine's limit, in one process with no network: the same payloads decoded and validated
 * (ingest/decode.ts) and committed by the group committer into the SQLite reading store, as the
 * service does, minus MQTT and the rules. Optionally 100,000 home deadlines on the system clock at
 * the same time, to see how late they fire on a busy event loop.
 * argv: payload-set file, mode ("ingest" | "timers" | "both"), sqlite sync.
 */
export interface InprocResult {
  readings: number;
  messages: number;
  elapsedMs: number;
  commits: number;
  timers?: { count: number; scheduleMs: number; lateness: number[] };
}

const [file, mode, sync] = process.argv.slice(2) as [string, "ingest" | "timers" | "both", "full" | "normal"];
const TIMERS = 100_000;

function timers(spreadMs: number): Promise<NonNullable<InprocResult["timers"]>> {
  const lateness: number[] = [];
  return new Promise((resolve) => {
    const start = Date.now() + 1_000;
    const t0 = performance.now();
    const s = createDeadlineScheduler(systemClock, (_key, at) => {
      lateness.push(Date.now() - at);
      if (lateness.length === TIMERS) resolve({ count: TIMERS, scheduleMs, lateness });
    });
    for (let i = 0; i < TIMERS; i++) s.schedule(`h:home-${i}`, start + Math.floor((i * spreadMs) / TIMERS));
    const scheduleMs = performance.now() - t0;
    // A reference timer keeps the process alive: systemClock's timers are unref'd.
    setTimeout(() => {}, spreadMs + 60_000).unref();
    const keep = setInterval(() => {}, 1000);
    void new Promise((r) => setTimeout(r, spreadMs + 30_000)).then(() => clearInterval(keep));
  });
}

async function ingest(set: PayloadSet): Promise<Omit<InprocResult, "timers">> {
  const dir = mkdtempSync(join(tmpdir(), "jinlin-bench-inproc-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const db = openDatabase(join(dir, "jinlin.db"), { sync });
  const registry = createRegistry(db, Date.now);
  const devices = new Map<string, { id: string; kind: DeviceKind; householdId: string }>();
  db.transaction(() => {
    for (const h of set.homes)
      registry.addHousehold({ resident: "Bench", address: "1 Bench Road", gridPath: "bench/d/s/g" }, h);
    for (const d of set.devices) {
      registry.addDevice({ householdId: d.homeId, kind: d.kind, id: d.id, secretHash: "x" });
      devices.set(d.id, { id: d.id, kind: d.kind, householdId: d.homeId });
    }
  })();
  const store = createReadingStore(db, registry.touchDevices);
  let commits = 0;
  const committer = createGroupCommitter({ sink: store, windowMs: 2, onCommitted: () => commits++ });
  const limits = loadConfig({}).limits;
  // Devices' messages interleaved as they would arrive: one message of each device in turn.
  const queue: { device: { id: string; kind: DeviceKind; householdId: string }; payload: Buffer }[] = [];
  const longest = Math.max(...set.devices.map((d) => d.payloads.length));
  for (let i = 0; i < longest; i++)
    for (const d of set.devices)
      if (i < d.payloads.length)
        queue.push({ device: devices.get(d.id)!, payload: Buffer.from(d.payloads[i]!) });
  const IN_FLIGHT = 4_000;
  let readings = 0;
  const t0 = performance.now();
  let pending: Promise<void>[] = [];
  for (const m of queue) {
    const now = Date.now();
    const { readings: ok } = decodeTelemetry(m.payload, m.device, now, limits);
    readings += ok.length;
    pending.push(
      committer.submit(
        ok.map((reading) => ({ reading, householdId: m.device.householdId, receivedAt: now })),
      ),
    );
    if (pending.length >= IN_FLIGHT) {
      await Promise.all(pending);
      pending = [];
      // Sockets deliver messages in macrotasks: let the loop turn (timers, I/O) as a network would. Without
      // it, commits that complete synchronously (a full group) would starve the timers for the whole run.
      await new Promise((r) => setImmediate(r));
    }
  }
  await Promise.all(pending);
  const elapsedMs = performance.now() - t0;
  committer.close();
  db.close();
  return { readings, messages: queue.length, elapsedMs, commits };
}

async function main(): Promise<void> {
  const set = JSON.parse(readFileSync(file, "utf8")) as PayloadSet;
  if (mode === "timers") {
    process.send?.({
      type: "done",
      result: { readings: 0, messages: 0, elapsedMs: 0, commits: 0, timers: await timers(10_000) },
    });
  } else if (mode === "both") {
    const t = timers(10_000);
    const r = await ingest(set);
    process.send?.({ type: "done", result: { ...r, timers: await t } });
  } else {
    process.send?.({ type: "done", result: await ingest(set) });
  }
  setTimeout(() => process.exit(0), 100);
}

void main();
