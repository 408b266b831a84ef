import { type Socket, connect as tcpConnect } from "node:net";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAccount } from "../helpers/accounts.js";
import { closeClient, sleep } from "../helpers/mqtt.js";
import { startTestService, type TestService } from "../helpers/service.js";

// The whole request must arrive within 2 s, its headers within 1 s; Node checks at most every second.
const REQUEST_S = 2;
const HEADERS_S = 1;

/** A raw TCP client: what it received, and when (ms after connecting) the server closed it. */
function rawClient(port: number) {
  const socket: Socket = tcpConnect(port, "127.0.0.1");
  const start = Date.now();
  let received = "";
  socket.on("data", (d) => {
    received += d.toString("latin1");
  });
  socket.on("error", () => {});
  const closed = new Promise<number>((resolve) => socket.on("close", () => resolve(Date.now() - start)));
  return { socket, closed, received: () => received, isClosed: () => socket.destroyed };
}

/** Writes `text` one byte every 300 ms until the socket is closed or the text runs out. */
async function trickle(socket: Socket, text: string): Promise<void> {
  for (const ch of text) {
    if (socket.destroyed || socket.writableEnded) return;
    socket.write(ch);
    await sleep(300);
  }
}

describe("slow HTTP clients (slowloris) on the dashboard port", () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({
      JINLIN_HTTP_REQUEST_TIMEOUT_S: String(REQUEST_S),
      JINLIN_HTTP_HEADERS_TIMEOUT_S: String(HEADERS_S),
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it("closes a client that trickles its headers within the headers timeout and the check interval", async () => {
    const c = rawClient(svc.httpPort);
    void trickle(c.socket, `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ${"a".repeat(200)}\r\n\r\n`);
    const after = await c.closed;
    expect(after).toBeGreaterThanOrEqual(HEADERS_S * 1000 - 100);
    expect(after).toBeLessThan((HEADERS_S + 1) * 1000 + 1000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("closes a POST whose body trickles past the request timeout", async () => {
    const c = rawClient(svc.httpPort);
    const body = JSON.stringify({ login: "nobody", password: "x".repeat(200) });
    c.socket.write(
      `POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    void trickle(c.socket, body);
    const after = await c.closed;
    expect(after).toBeGreaterThanOrEqual(REQUEST_S * 1000 - 100);
    expect(after).toBeLessThan((REQUEST_S + 1) * 1000 + 1000);
    // The CSRF check may answer 403 before the body is read; the connection still ends with a 408.
    const last = c.received().slice(c.received().lastIndexOf("HTTP/1.1 "));
    expect(last).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
  });

  it("still answers a normal request", async () => {
    const res = await fetch(`http://127.0.0.1:${svc.httpPort}/healthz`);
    expect(res.status).toBe(200);
  });

  it("keeps a signed-in operator's /api/live stream open past the request timeout", async () => {
    const op = await addAccount(svc.stores.db, "operator", "slow-op");
    const base = `http://127.0.0.1:${svc.httpPort}`;
    const csrf = await fetch(`${base}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const cookieOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]);
    const login = await fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-csrf-token": csrfToken,
        cookie: cookieOf(csrf).join("; "),
      },
      body: JSON.stringify({ login: op.login, password: op.password }),
    });
    expect(login.status).toBe(200);
    const cookie = [...cookieOf(csrf), ...cookieOf(login)].join("; ");

    const c = rawClient(svc.httpPort);
    c.socket.write(`GET /api/live HTTP/1.1\r\nHost: localhost\r\nCookie: ${cookie}\r\n\r\n`);
    await sleep((REQUEST_S + 2) * 1000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(c.received()).toContain("text/event-stream");
    expect(c.isClosed()).toBe(false);
    c.socket.destroy();
  });

  it("keeps MQTT over WebSocket at /mqtt connected past the request timeout", async () => {
    const meter = await svc.provision("water");
    const c = await mqtt.connectAsync(`ws://127.0.0.1:${svc.httpPort}/mqtt`, {
      username: meter.deviceId,
      password: meter.secret,
      reconnectPeriod: 0,
      keepalive: 60,
    });
    await sleep((REQUEST_S + 2) * 1000);
    expect(c.connected).toBe(true);
    await c.publishAsync(`devices/${meter.deviceId}/telemetry`, '{"kind":"water","totalLiters":7}', {
      qos: 1,
    });
    expect(svc.stores.readings.query({ deviceId: meter.deviceId })).toEqual([
      expect.objectContaining({ deviceId: meter.deviceId, kind: "water" }),
    ]);
    await closeClient(c);
  });
});
