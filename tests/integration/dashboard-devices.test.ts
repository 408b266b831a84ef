import { afterEach, describe, expect, it } from "vitest";
import { createAccount } from "../../dashboard/auth/passwords.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import { createPeopleStore } from "../../storage/sqlite/people.js";
import { closeClient, connect, waitUntil } from "../helpers/mqtt.js";
import { startTestService, type TestService } from "../helpers/service.js";

const running: TestService[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

/** A client over real HTTP to the running service: cookies and the CSRF header, as a browser sends them. */
function httpClient(port: number) {
  const jar = new Map<string, string>();
  let csrf = "";
  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(csrf ? { "x-csrf-token": csrf } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [k, v] = pair!.split("=") as [string, string];
      jar.set(k, v);
    }
    // biome-ignore lint/suspicious/noExplicitAny: the test reads arbitrary response JSON and asserts on it
    type Body = Record<string, any>;
    return { status: res.status, json: (await res.json().catch(() => null)) as Body };
  }
  return {
    call,
    async signIn(login: string, password: string) {
      csrf = (await call("GET", "/api/auth/csrf")).json.csrfToken;
      const res = await call("POST", "/api/auth/login", { login, password });
      csrf = res.json.csrfToken;
      return res;
    },
  };
}

async function operator(svc: TestService) {
  const { db } = svc.stores;
  await createAccount(
    {
      people: createPeopleStore(db, Date.now),
      accounts: createAccountStore(db, Date.now),
      transaction: (fn) => db.transaction(fn)(),
    },
    { role: "operator", login: "admin", name: "Admin", password: "operator-password-1" },
  );
  const c = httpClient(svc.httpPort);
  expect((await c.signIn("admin", "operator-password-1")).status).toBe(200);
  return c;
}

describe("device provisioning over the dashboard API", () => {
  it("issues MQTT credentials that connect, and revocation disconnects the device at once", async () => {
    const svc = await startTestService();
    running.push(svc);
    const op = await operator(svc);
    const h = await op.call("POST", "/api/households", {
      resident: "Chen Jie",
      address: "5 Test Road",
      gridPath: "test/g1",
      accessNotes: "door code 1234",
    });
    expect(h.status).toBe(201);
    const prov = await op.call("POST", `/api/households/${h.json.id}/devices`, {
      kind: "water",
      id: "meter-77",
    });
    expect(prov.status).toBe(201);
    const { username, password } = prov.json.mqtt;
    expect(username).toBe("meter-77");

    const client = await connect(svc.mqttPort, { username, password });
    let closed = false;
    client.on("close", () => {
      closed = true;
    });
    const revoked = await op.call("POST", "/api/devices/meter-77/revoke");
    expect(revoked.json).toMatchObject({ disconnected: 1, device: { id: "meter-77" } });
    expect(revoked.json.device.revokedAt).not.toBeNull();
    await waitUntil(() => closed, 5000, "the broker to drop the revoked device");
    await expect(connect(svc.mqttPort, { username, password })).rejects.toThrow();
    await closeClient(client);

    const health = await op.call("GET", "/api/devices/health");
    expect(health.json.devices).toEqual([expect.objectContaining({ deviceId: "meter-77", silent: false })]);
    const audit = await op.call("GET", `/api/audit?householdId=${h.json.id}`);
    expect(audit.json.entries.map((e: { what: string }) => e.what)).toEqual([
      "POST /api/devices/:deviceId/revoke",
      "POST /api/households/:householdId/devices",
      "POST /api/households",
    ]);
    expect(svc.logs.text()).not.toContain(password);
    expect(svc.logs.text()).not.toContain("operator-password-1");
  });

  it("rotates a secret: the old one stops working, the new one connects", async () => {
    const svc = await startTestService();
    running.push(svc);
    const op = await operator(svc);
    const dev = await svc.provision("door");
    const old = await connect(svc.mqttPort, { username: dev.deviceId, password: dev.secret });
    let closed = false;
    old.on("close", () => {
      closed = true;
    });
    const rotated = await op.call("POST", `/api/devices/${dev.deviceId}/rotate`);
    expect(rotated.status).toBe(200);
    await waitUntil(() => closed, 5000, "the old session to be dropped");
    await closeClient(old);
    await expect(connect(svc.mqttPort, { username: dev.deviceId, password: dev.secret })).rejects.toThrow();
    const fresh = await connect(svc.mqttPort, {
      username: dev.deviceId,
      password: rotated.json.mqtt.password,
    });
    await closeClient(fresh);
  });
});
