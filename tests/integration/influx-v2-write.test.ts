import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, test } from "vitest";
import { createManualClock } from "../../core/clock.js";
import type { InfluxConfig } from "../../core/config.js";
import { createLogger } from "../../core/log.js";
import { createInfluxForwarder } from "../../storage/influx/forwarder.js";
import { createLineWriter } from "../../storage/influx/http.js";
import { createInfluxOutbox } from "../../storage/sqlite/influx-outbox.js";
import { createTestStore, type TestStore, until, waterSeries } from "../helpers/influxd.js";

/**
 * A real InfluxDB 2.x/3.x cannot run here (only Debian's 1.6.7 is installed), so the v2 write path is
 * checked against a local HTTP server that answers the way the v2 API documents.
 */
interface Received {
  at: number;
  url: string;
  headers: IncomingMessage["headers"];
  lines: string[];
}
type Answer = (req: Received, res: ServerResponse) => void;

async function fakeInflux(answer: Answer) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw;
      const r = {
        at: Date.now(),
        url: req.url ?? "",
        headers: req.headers,
        lines: body.toString().split("\n").filter(Boolean),
      };
      received.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const T0 = Date.UTC(2026, 10, 2, 8, 0, 0);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function v2Config(url: string): InfluxConfig {
  return {
    url,
    api: "v2",
    token: "s3cret-token",
    username: undefined,
    password: undefined,
    org: "acme",
    bucket: "jinlin",
    database: "jinlin",
    retentionPolicy: undefined,
    batchSize: 1_000,
    flushMs: 20,
  };
}

async function setup(answer: Answer, readings = 100, config: Partial<InfluxConfig> = {}) {
  const server = await fakeInflux(answer);
  const store: TestStore = createTestStore();
  const home = store.addHome("v2");
  store.append(waterSeries(home.water, T0, readings), home.household.id);
  const outbox = createInfluxOutbox(store.db, Date.now);
  const forwarder = createInfluxForwarder({
    outbox,
    writer: createLineWriter({ ...v2Config(server.url), ...config }),
    log: createLogger("silent"),
    batchSize: 1_000,
    flushMs: 20,
    backoff: { baseMs: 10, maxMs: 5_000 },
    stoppedRetryMs: 60_000,
  });
  cleanups.push(
    server.close,
    () => store.destroy(),
    () => forwarder.close(),
  );
  forwarder.start();
  return { server, store, home, outbox, forwarder };
}

const ok: Answer = (_req, res) => res.writeHead(204).end();

describe("v2 write API (fake server)", () => {
  test("POSTs gzip line protocol to /api/v2/write with the token, org, bucket and ms precision", async () => {
    const { server, outbox } = await setup(ok);
    await until(() => outbox.depth() === 0);
    const req = server.received[0]!;
    expect(req.url).toBe("/api/v2/write?org=acme&bucket=jinlin&precision=ms");
    expect(req.headers.authorization).toBe("Token s3cret-token");
    expect(req.headers["content-encoding"]).toBe("gzip");
    expect(req.headers["content-type"]).toMatch(/^text\/plain/);
    expect(server.received.flatMap((r) => r.lines)).toHaveLength(100);
    expect(req.lines[1]).toMatch(
      /^water,device=water-v2-1,grid=\d+,household=hh-v2-1 baseline=F,consumed_l=1.5,register_reset=F,total_l=1001.5 1793606460000$/,
    );
  });

  test("v1 API: /write with db, rp and basic auth", async () => {
    const { server, outbox } = await setup(ok, 10, {
      api: "v1",
      username: "jinlin",
      password: "pw",
      database: "homes",
      retentionPolicy: "one_year",
    });
    await until(() => outbox.depth() === 0);
    expect(server.received[0]?.url).toBe("/write?db=homes&rp=one_year&precision=ms");
    expect(server.received[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("jinlin:pw").toString("base64")}`,
    );
  });

  test("400: the batch is split until the bad line stands alone; it is parked, the rest is written", async () => {
    const bad = `water,device=water-v2-1`;
    const badTs = String(T0 + 37 * 60_000);
    const { server, outbox } = await setup((req, res) => {
      if (req.lines.some((l) => l.startsWith(bad) && l.endsWith(badTs)))
        res
          .writeHead(400, { "content-type": "application/json" })
          .end('{"code":"invalid","message":"bad line"}');
      else res.writeHead(204).end();
    });
    await until(() => outbox.depth() === 0);
    const written = server.received
      .filter((r) => r.lines.every((l) => !l.endsWith(badTs)))
      .flatMap((r) => r.lines);
    expect(new Set(written).size).toBe(99);
    expect(server.received.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(100)) + 1);
    const parked = outbox.listParked();
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ status: 400, error: '{"code":"invalid","message":"bad line"}' });
    expect(parked[0]?.line.endsWith(badTs)).toBe(true);
  });

  for (const status of [429, 503]) {
    test(`${status} with Retry-After: 1 waits one second (not the 10 ms backoff), then delivers`, async () => {
      let calls = 0;
      const { server, outbox } = await setup((_req, res) => {
        calls++;
        if (calls === 1) res.writeHead(status, { "retry-after": "1" }).end('{"code":"too many requests"}');
        else res.writeHead(204).end();
      });
      await until(() => outbox.depth() === 0);
      const [first, second] = server.received;
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
      expect(second!.lines).toEqual(first!.lines);
    });
  }

  test("500 without Retry-After backs off and retries until it succeeds", async () => {
    let calls = 0;
    const { server, outbox, forwarder } = await setup((_req, res) => {
      calls++;
      if (calls <= 3) res.writeHead(500).end("boom");
      else res.writeHead(204).end();
    });
    await until(() => outbox.depth() === 0);
    expect(server.received).toHaveLength(4);
    expect(forwarder.status().state).toBe("ok");
  });

  test("401 stops forwarding and reports it; nothing leaves the outbox", async () => {
    const { server, outbox, forwarder } = await setup((_req, res) =>
      res
        .writeHead(401, { "content-type": "application/json" })
        .end('{"code":"unauthorized","message":"unauthorized access"}'),
    );
    await until(() => forwarder.status().state === "stopped");
    await new Promise((r) => setTimeout(r, 300));
    expect(server.received).toHaveLength(1);
    expect(outbox.depth()).toBe(100);
    expect(forwarder.status()).toMatchObject({ state: "stopped", lastStatus: 401, depth: 100 });
    expect(forwarder.health()).toEqual({ ok: false, detail: "influx answered 401" });
  });
});

test("readiness: an idle forwarder is healthy; one that confirms nothing while readings wait is stalled", async () => {
  const server = await fakeInflux((_req, res) => res.writeHead(503).end("unavailable"));
  const store = createTestStore();
  const home = store.addHome("stall");
  const clock = createManualClock(T0);
  const outbox = createInfluxOutbox(store.db, clock.now);
  const forwarder = createInfluxForwarder({
    outbox,
    writer: createLineWriter(v2Config(server.url)),
    log: createLogger("silent"),
    clock,
    batchSize: 100,
    flushMs: 10_000,
    backoff: { baseMs: 10_000, maxMs: 10_000 },
    stallAfterMs: 300_000,
  });
  cleanups.push(
    server.close,
    () => store.destroy(),
    () => forwarder.close(),
  );
  forwarder.start();
  for (let i = 0; i < 60; i++) {
    // ten idle minutes, the forwarder looking every 10 s
    clock.advanceBy(10_000);
    await new Promise((r) => setTimeout(r, 2));
  }
  expect(forwarder.health()).toEqual({ ok: true });
  store.append(waterSeries(home.water, T0, 5), home.household.id);
  clock.advanceBy(10_000);
  await until(() => server.received.length === 1);
  expect(forwarder.health()).toEqual({ ok: true });
  for (let i = 0; i < 30; i++) {
    const before = server.received.length;
    // Advance only once the forwarder has taken the 503 and armed its retry (its one timer), or a busy
    // machine lets the clock jump past a retry that is not armed yet.
    await until(() => clock.pendingTimers() === 1);
    clock.advanceBy(10_000);
    await until(() => server.received.length > before);
  }
  expect(forwarder.health()).toEqual({ ok: false, detail: "no write confirmed for 310 s" });
  expect(forwarder.status()).toMatchObject({
    state: "retrying",
    lastStatus: 503,
    depth: 5,
    oldestSeconds: expect.any(Number),
  });
});
