import { afterEach, describe, expect, it } from "vitest";
import { type Dashboard, startDashboard } from "./dashboard-harness.js";

const open: Dashboard[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.close();
});
async function start(options = {}) {
  const d = await startDashboard(options);
  open.push(d);
  return d;
}

describe("dashboard sign-in", () => {
  it("signs in with a session cookie that is HttpOnly and SameSite, and signs out", async () => {
    const d = await start();
    const { client, account } = await d.user("operator");
    const me = await client.get("/api/auth/me");
    expect(me.statusCode).toBe(200);
    expect(me.json().account).toMatchObject({ id: account.id, role: "operator" });
    expect(JSON.stringify(me.json())).not.toMatch(/password|hash/i);

    const fresh = d.client();
    await fresh.fetchCsrf();
    const res = await fresh.post("/api/auth/login", {
      login: account.login,
      password: `pw-${account.login}-correct-horse`,
    });
    const cookie = res.cookies.find((c) => c.name === "jinlin_session")!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    expect(cookie.secure).toBeFalsy(); // plain HTTP here; "auto" sets Secure under HTTPS

    expect((await client.post("/api/auth/logout")).statusCode).toBe(204);
    const after = await client.get("/api/auth/me");
    expect(after.statusCode).toBe(401);
    expect(after.json()).toEqual({ error: { code: "JINLIN_ERR_UNAUTHENTICATED", message: "sign in first" } });
  });

  it("sets Secure on cookies when configured", async () => {
    const d = await start({ secureCookies: true });
    const { login, password } = await d.user("worker");
    const c = d.client();
    const res = await c.login(login, password);
    expect(res.cookies.find((k) => k.name === "jinlin_session")?.secure).toBe(true);
  });

  it("rejects a wrong password with one message for unknown logins and known ones", async () => {
    const d = await start();
    const { login } = await d.user("family");
    const c = d.client();
    const wrong = await c.login(login, "not-the-password");
    const unknown = await c.login("nobody-here", "not-the-password");
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().error.code).toBe("JINLIN_ERR_LOGIN_FAILED");
  });

  it("locks an account after 5 failures, even for the right password, until the lock expires", async () => {
    const d = await start();
    const { login, password } = await d.user("worker");
    const c = d.client();
    for (let i = 0; i < 5; i++) expect((await c.login(login, "wrong-password!")).statusCode).toBe(401);
    const locked = await c.login(login, password);
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe("JINLIN_ERR_LOGIN_LOCKED");
    d.clock.advanceBy(15 * 60_000 + 1);
    expect((await c.login(login, password)).statusCode).toBe(200);
  });

  it("rate-limits sign-in attempts per client address", async () => {
    const d = await start({ loginRateLimit: { max: 3, windowMs: 60_000 } });
    const c = d.client();
    await c.fetchCsrf();
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push((await c.post("/api/auth/login", { login: "x-user", password: "y" })).statusCode);
    expect(codes).toEqual([401, 401, 401, 429]);
    const last = await c.post("/api/auth/login", { login: "x-user", password: "y" });
    expect(last.json().error.code).toBe("JINLIN_ERR_RATE_LIMITED");
  });

  it("refuses state-changing requests without the CSRF token, including sign-in", async () => {
    const d = await start();
    const { client, login, password } = await d.user("family");
    const token = client.csrf;
    client.csrf = undefined;
    const res = await client.post("/api/auth/logout");
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("JINLIN_ERR_CSRF_INVALID");
    client.csrf = "forged-token";
    expect((await client.post("/api/auth/logout")).statusCode).toBe(403);
    client.csrf = token;
    expect((await client.post("/api/auth/logout")).statusCode).toBe(204);

    const bare = d.client();
    expect((await bare.post("/api/auth/login", { login, password })).statusCode).toBe(403);
  });

  it("changes a password: the old one stops working and other sessions end", async () => {
    const d = await start();
    const { client, login, password } = await d.user("worker");
    const other = d.client();
    await other.login(login, password);
    const weak = await client.post("/api/auth/password", { currentPassword: password, newPassword: "short" });
    expect(weak.statusCode).toBe(400);
    const bad = await client.post("/api/auth/password", {
      currentPassword: "wrong-one!!",
      newPassword: "a-new-long-password",
    });
    expect(bad.statusCode).toBe(401);
    const ok = await client.post("/api/auth/password", {
      currentPassword: password,
      newPassword: "a-new-long-password",
    });
    expect(ok.statusCode).toBe(204);
    expect((await client.get("/api/auth/me")).statusCode).toBe(200);
    expect((await other.get("/api/auth/me")).statusCode).toBe(401);
    expect((await d.client().login(login, password)).statusCode).toBe(401);
    expect((await d.client().login(login, "a-new-long-password")).statusCode).toBe(200);
  });

  it("ends sessions that idle too long", async () => {
    const d = await start();
    const { client } = await d.user("family");
    d.clock.advanceBy(2 * 3_600_000 + 1);
    expect((await client.get("/api/auth/me")).statusCode).toBe(401);
  });

  it("lets a family member register an account and be signed in", async () => {
    const d = await start();
    const c = d.client();
    await c.fetchCsrf();
    const res = await c.post("/api/auth/register", {
      login: "li.na@example.com",
      password: "long-enough-pw",
      name: "Li Na",
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().account).toMatchObject({ role: "family", login: "li.na@example.com" });
    c.csrf = res.json().csrfToken;
    expect((await c.get("/api/auth/me")).json().account.name).toBe("Li Na");
    const again = await c.post("/api/auth/register", {
      login: "LI.NA@example.com",
      password: "long-enough-pw",
      name: "X",
    });
    expect(again.json().error.code).toBe("JINLIN_ERR_LOGIN_TAKEN");
  });

  it("never logs a password or a session id", async () => {
    const d = await start();
    const { client, login, password } = await d.user("operator");
    await client.login(login, "wrong-password-1");
    await client.login(login, password);
    await client.post("/api/auth/password", {
      currentPassword: password,
      newPassword: "another-long-password",
    });
    const created = await client.post("/api/people", { name: "W", role: "worker", login: "w-1" });
    const text = d.logs.text();
    expect(text).toContain("signed in");
    for (const secret of [
      password,
      "wrong-password-1",
      "another-long-password",
      created.json().password,
      ...client.cookies.values(),
    ])
      expect(text).not.toContain(secret);
  });

  it("sends security headers with a same-origin CSP", async () => {
    const d = await start();
    const res = await d.client().get("/api/auth/csrf");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["x-frame-options"]).toBeDefined();
  });

  it("answers malformed bodies in the error format", async () => {
    const d = await start();
    const { client } = await d.user("operator");
    const res = await client.request("POST", "/api/grids", "{not json", {
      "content-type": "application/json",
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("JINLIN_ERR_JSON_INVALID");
    const bad = await client.post("/api/grids", { path: "Not A Path" });
    expect(bad.json().error.code).toBe("JINLIN_ERR_INPUT_INVALID");
    const none = await client.get("/api/nope");
    expect(none.statusCode).toBe(404);
  });
});
