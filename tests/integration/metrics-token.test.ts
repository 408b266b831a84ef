import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { startTestService, type TestService } from "../helpers/service.js";

const TOKEN = "prometheus-scrape-token-0123456789";

describe("/metrics behind JINLIN_METRICS_TOKEN", () => {
  let svc: TestService;
  const metrics = (headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${svc.httpPort}/metrics`, { headers });

  beforeAll(async () => {
    svc = await startTestService({ JINLIN_METRICS_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it("answers a scraper that sends the token", async () => {
    const res = await metrics({ authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/jinlin_readings_accepted_total/);
  });

  it("refuses a request without the token, or with a wrong one, and reveals no counter", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN.slice(0, -1)}x` },
      { authorization: `Bearer ${TOKEN}${TOKEN}` },
      { authorization: TOKEN },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` },
    ];
    for (const headers of attempts) {
      const res = await metrics(headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="metrics"');
      const body = await res.text();
      expect(body).toContain("JINLIN_ERR_UNAUTHENTICATED");
      expect(body).not.toContain("jinlin_");
    }
  });

  it("keeps health checks open for the load balancer", async () => {
    const res = await fetch(`http://127.0.0.1:${svc.httpPort}/healthz`);
    expect(res.status).toBe(200);
  });

  it("rejects a token too short to be a secret at start-up", () => {
    expect(() => loadConfig({ JINLIN_METRICS_TOKEN: "short" })).toThrow(/JINLIN_METRICS_TOKEN.*16/);
  });
});
