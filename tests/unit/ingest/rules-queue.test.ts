import { once } from "node:events";
import { type AddressInfo, createConnection, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { StoredReading } from "../../../core/domain.js";
import { createRulesQueue } from "../../../ingest/rules-queue.js";

const T0 = Date.parse("2026-03-01T00:00:00Z");
let nextId = 1;

function motion(householdId: string): StoredReading {
  const id = nextId++;
  return {
    id,
    deviceId: `m-${householdId}`,
    householdId,
    kind: "motion",
    ts: T0 + id * 1000,
    receivedAt: T0 + id * 1000,
    fields: { detected: true },
    consumedLiters: null,
    registerReset: false,
  };
}

/** The rules as the queue sees them: every call recorded; each call costs `costMs` on a fake clock. */
function fakeRules(costMs: number) {
  let now = 0;
  const calls: number[][] = [];
  return {
    calls,
    evaluated: () => calls.flat(),
    elapsed: () => now,
    evaluate(readings: StoredReading[]) {
      calls.push(readings.map((r) => r.id));
      now += costMs;
    },
  };
}

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

describe("rules queue", () => {
  it("evaluates in slices, and the event loop reads a socket between slices", async () => {
    const server = createServer();
    servers.push(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const client = createConnection((server.address() as AddressInfo).port, "127.0.0.1");
    sockets.push(client);
    const [conn] = (await once(server, "connection")) as [Socket];
    sockets.push(conn);
    await once(client, "connect");

    const rules = fakeRules(1);
    let left = -1;
    const queue = createRulesQueue({
      evaluate(readings) {
        // The first slice's first chunk sends the "panic press": it is in the socket from here on.
        if (rules.calls.length === 0) client.write("press");
        rules.evaluate(readings);
      },
      elapsed: rules.elapsed,
      sliceMs: 4,
      chunk: 10,
    });
    conn.once("data", () => {
      left = queue.size();
    });
    const batch = Array.from({ length: 200 }, () => motion("h1"));
    queue.push(batch);
    expect(rules.calls).toEqual([]); // nothing before this turn's PUBACKs are written
    while (queue.size() > 0) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 20));
    // The press was read while most readings still waited for the rules, not after all 200.
    expect(left).toBeGreaterThan(100);
    expect(rules.calls[0]).toHaveLength(10);
    expect(rules.evaluated()).toEqual(batch.map((r) => r.id)); // all of them, once, in commit order
  });

  it("takes a press's home out of the queue and evaluates it at once, its queued readings first", async () => {
    const rules = fakeRules(0);
    const queue = createRulesQueue({ evaluate: rules.evaluate, elapsed: rules.elapsed, chunk: 2 });
    const first = [motion("h1"), motion("h2"), motion("h1"), motion("h3")];
    queue.push(first);
    const press = { ...motion("h1"), kind: "button", fields: { pressed: true } } as StoredReading;
    queue.urgent([press]);
    expect(rules.calls).toEqual([[first[0]!.id, first[2]!.id, press.id]]);
    expect(queue.size()).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(rules.calls.slice(1)).toEqual([[first[1]!.id, first[3]!.id]]);
    expect(queue.size()).toBe(0);
  });

  it("evaluates one home's queued readings when its deadline is about to be judged, and no other's", () => {
    const rules = fakeRules(1);
    const queue = createRulesQueue({ evaluate: rules.evaluate, elapsed: rules.elapsed, defer: () => {} });
    const queued = [motion("h1"), motion("h2"), motion("h1")];
    queue.push(queued);
    queue.home("h1");
    expect(rules.calls).toEqual([[queued[0]!.id, queued[2]!.id]]);
    queue.home("h1");
    queue.home("h9");
    expect(rules.calls).toHaveLength(1); // nothing queued for them: the rules are not called
    expect(queue.size()).toBe(1);
    queue.drainAll();
    expect(rules.evaluated()).toEqual([queued[0]!.id, queued[2]!.id, queued[1]!.id]);
  });

  it("gives the rules longer slices when they fall behind, up to the cap", async () => {
    const rules = fakeRules(1);
    const queue = createRulesQueue({
      evaluate: rules.evaluate,
      elapsed: rules.elapsed,
      sliceMs: 4,
      highWater: 100,
      maxSliceMs: 10,
      chunk: 10,
    });
    queue.push(Array.from({ length: 300 }, () => motion("h1")));
    await new Promise((r) => setImmediate(r));
    expect(rules.calls).toHaveLength(10); // 300 waiting = 3 × high water: 12 ms asked, 10 ms allowed
    await new Promise((r) => setImmediate(r));
    expect(rules.calls).toHaveLength(18); // 200 waiting: 8 ms
    queue.drainAll();
    expect(rules.evaluated()).toHaveLength(300);
  });
});
