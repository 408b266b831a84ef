import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request } from "node:https";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addAccount } from "../helpers/accounts.js";
import { closeClient } from "../helpers/mqtt.js";
import { startTestService, type TestService, tempDir } from "../helpers/service.js";
import { selfSignedCert } from "../helpers/tls-cert.js";

const HSTS = "max-age=31536000; includeSubDomains";

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A browser-like client over HTTPS that trusts only the test's own CA (no certificate checks turned off). */
function client(base: string, ca?: Buffer) {
  const jar = new Map<string, string>();
  let csrf = "";
  function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    return new Promise<Reply>((resolve, reject) => {
      const url = new URL(path, base);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const go = url.protocol === "https:" ? request : httpRequest;
      const req = go(
        url,
        {
          method,
          ...(ca ? { ca } : {}),
          headers: {
            ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } : {}),
            ...(csrf ? { "x-csrf-token": csrf } : {}),
            ...(payload ? { "content-type": "application/json" } : {}),
            ...headers,
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => {
            text += d;
          });
          res.on("end", () => {
            for (const c of res.headers["set-cookie"] ?? []) {
              const [pair] = c.split(";");
              const [k, ...v] = (pair ?? "").split("=");
              if (k) jar.set(k.trim(), v.join("="));
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }
  return {
    send,
    async login(login: string, password: string, headers: Record<string, string> = {}) {
      csrf = (
        JSON.parse((await send("GET", "/api/auth/csrf", undefined, headers)).body) as { csrfToken: string }
      ).csrfToken;
      const r = await send("POST", "/api/auth/login", { login, password }, headers);
      if (r.status === 200) csrf = (JSON.parse(r.body) as { csrfToken: string }).csrfToken;
      return r;
    },
  };
}

const operator = (svc: TestService, login: string) => addAccount(svc.stores.db, "operator", login);

function sessionCookie(r: Reply): string {
  const c = (r.headers["set-cookie"] ?? []).find((x) => x.startsWith("jinlin_session="));
  if (!c) throw new Error(`no session cookie: ${r.status} ${r.body}`);
  return c;
}

describe("the dashboard over HTTPS (JINLIN_HTTPS_CERT / _KEY)", () => {
  let svc: TestService;
  let ca: Buffer;
  beforeAll(async () => {
    const cert = selfSignedCert(tempDir());
    ca = cert.ca;
    svc = await startTestService({ JINLIN_HTTPS_CERT: cert.certFile, JINLIN_HTTPS_KEY: cert.keyFile });
  });
  afterAll(async () => svc?.stop());

  it("signs in over HTTPS with a Secure, HttpOnly, SameSite=Strict session cookie and sends HSTS", async () => {
    const op = await operator(svc, "op-https");
    const c = client(`https://localhost:${svc.httpPort}`, ca);
    const res = await c.login(op.login, op.password);
    expect(res.status).toBe(200);
    const cookie = sessionCookie(res);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(res.headers["strict-transport-security"]).toBe(HSTS);
    const homes = await c.send("GET", "/api/households");
    expect(homes.status).toBe(200);
    expect(homes.headers["strict-transport-security"]).toBe(HSTS);
  });

  it("refuses clients that do not trust the certificate, and plain HTTP on the same port", async () => {
    await expect(client(`https://localhost:${svc.httpPort}`).send("GET", "/healthz")).rejects.toThrow(
      /self-signed|certificate/,
    );
    const plain = await fetch(`http://127.0.0.1:${svc.httpPort}/healthz`).then(
      (r) => r.status,
      () => "refused",
    );
    expect(plain).not.toBe(200);
  });

  it("carries MQTT over WSS at /mqtt with a device's credentials", async () => {
    const meter = await svc.provision("water");
    const c = await mqtt.connectAsync(`wss://localhost:${svc.httpPort}/mqtt`, {
      username: meter.deviceId,
      password: meter.secret,
      ca,
      rejectUnauthorized: true,
      reconnectPeriod: 0,
    });
    await c.publishAsync(`devices/${meter.deviceId}/telemetry`, '{"kind":"water","totalLiters":42}', {
      qos: 1,
    });
    expect(svc.stores.readings.query({ deviceId: meter.deviceId })).toEqual([
      expect.objectContaining({ deviceId: meter.deviceId, kind: "water" }),
    ]);
    await closeClient(c);
    await expect(
      mqtt.connectAsync(`wss://localhost:${svc.httpPort}/mqtt`, {
        username: meter.deviceId,
        password: "wrong",
        ca,
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow();
  });
});

describe("behind a reverse proxy (JINLIN_TRUST_PROXY)", () => {
  let trusting: TestService;
  let plain: TestService;
  beforeAll(async () => {
    trusting = await startTestService({ JINLIN_TRUST_PROXY: "127.0.0.1" });
    plain = await startTestService();
  });
  afterAll(async () => {
    await trusting?.stop();
    await plain?.stop();
  });
  const viaProxy = (client: string) => ({ "x-forwarded-proto": "https", "x-forwarded-for": client });

  it("believes X-Forwarded-Proto from the trusted proxy: Secure cookie and HSTS", async () => {
    const op = await operator(trusting, "op-proxy");
    const res = await client(`http://127.0.0.1:${trusting.httpPort}`).login(
      op.login,
      op.password,
      viaProxy("203.0.113.9"),
    );
    expect(res.status).toBe(200);
    expect(sessionCookie(res)).toMatch(/; Secure/);
    expect(res.headers["strict-transport-security"]).toBe(HSTS);
  });

  it("ignores forwarded headers when no proxy is trusted: no Secure flag, no HSTS over plain HTTP", async () => {
    const op = await operator(plain, "op-plain");
    const res = await client(`http://127.0.0.1:${plain.httpPort}`).login(
      op.login,
      op.password,
      viaProxy("203.0.113.9"),
    );
    expect(res.status).toBe(200);
    expect(sessionCookie(res)).not.toMatch(/Secure/);
    expect(res.headers["strict-transport-security"]).toBeUndefined();
  });

  it("rate-limits sign-ins per client address as the proxy reports it", async () => {
    const statuses = async (address: string, n: number) => {
      const c = client(`http://127.0.0.1:${trusting.httpPort}`);
      const out: number[] = [];
      for (let i = 0; i < n; i++)
        out.push((await c.login(`nobody-${i}`, "wrong-password", viaProxy(address))).status);
      return out;
    };
    const first = await statuses("198.51.100.7", 12);
    expect(first.slice(0, 10).every((s) => s !== 429)).toBe(true);
    expect(first.slice(10)).toEqual([429, 429]);
    // Another household's browser behind the same proxy is not locked out by the first one.
    expect((await statuses("198.51.100.8", 1))[0]).not.toBe(429);
  });
});
