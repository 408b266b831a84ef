import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser, type TestPage } from "../helpers/browser.js";
import { closeClient, connect } from "../helpers/mqtt.js";
import { type E2E, GRID, liveConnected, signIn, startE2E, text, until } from "./setup.js";

/**
 * The whole story on phone-sized screens: a daughter signs up and registers her father (zh-CN), a grid
 * worker approves (English), an operator provisions a panic button (credentials shown once), the button
 * is pressed over MQTT, the alert appears live in the worker's open inbox, the worker goes through
 * acknowledge → on my way → arrived → resolve, and the daughter sees the outcome, also live.
 */
describe("e2e: registration to resolved emergency", () => {
  let env: E2E;
  let browser: TestBrowser;
  let family: TestPage;
  let worker: TestPage;
  let operator: TestPage;
  let householdId = "";
  let button = { username: "", password: "" };
  let meter = { username: "", password: "" };

  beforeAll(async () => {
    env = await startE2E();
    browser = await launchBrowser();
    [family, worker, operator] = await Promise.all([
      browser.newPage(env.url),
      browser.newPage(env.url),
      browser.newPage(env.url),
    ]);
  });
  /** Publishes readings as the device would: MQTT with its own credentials, QoS 1. */
  async function publish(creds: { username: string; password: string }, readings: object[]) {
    const device = await connect(env.svc.mqttPort, creds);
    await device.publishAsync(`devices/${creds.username}/telemetry`, JSON.stringify(readings), { qos: 1 });
    await closeClient(device);
  }

  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  it("a family member signs up and registers a parent (pending)", async () => {
    const p = family.page;
    await p.goto("/");
    await until(() => p.locator("html").getAttribute("lang")).toBe("zh-CN");
    await family.shot("01-login-zh");
    await p.getByTestId("to-signup").click();
    const f = p.getByTestId("signup-form");
    await f.locator("input[name=name]").fill("林晓");
    await f.locator("input[name=login]").fill("linxiao");
    await f.locator("input[name=password]").fill("a-long-family-password");
    await f.locator("button[type=submit]").click();
    await p.locator("[data-nav=register]").click();
    const r = p.getByTestId("register-form");
    await r.locator("input[name=resident]").fill("林阿公");
    await r.locator("input[name=address]").fill("仓霞街道 8号 302");
    await r.locator("select[name=gridPath]").selectOption(GRID);
    await r.locator("input[name=phone]").fill("0591-8888-0000");
    await r.locator("textarea[name=healthNotes]").fill("高血压，每天早上服药");
    await r.locator("textarea[name=accessNotes]").fill("钥匙在邻居301家");
    await r.locator("input[name='c0.name']").fill("林晓");
    await r.locator("input[name='c0.phone']").fill("13800000000");
    await r.locator("input[name=meterSerial]").fill("WM-E2E-0001");
    await r.getByTestId("consent").check();
    await family.shot("02-register-parent-zh");
    await r.locator("button[type=submit]").click();
    const pending = p.locator("[data-registration]");
    await until(() => text(pending)).toContain("林阿公");
    await until(() => text(pending)).toContain("待审核");
    await family.shot("03-family-pending-zh");
  });

  it("a grid worker (English) approves it; the meter's credentials are shown once", async () => {
    const w = await env.user("worker", { name: "Li Wei", grid: GRID });
    const p = worker.page;
    await p.goto("/");
    await p.getByTestId("lang").click();
    await until(() => p.locator("html").getAttribute("lang")).toBe("en");
    await signIn(p, w);
    await until(() => text(p.getByTestId("inbox-empty"))).toBe("No open alerts.");
    await p.locator("[data-nav=registrations]").click();
    const card = p.locator("[data-registration]").filter({ hasText: "林阿公" });
    await card.locator("[data-action=approve]").click();
    await until(() => card.getByTestId("cred-username").inputValue()).toBe("WM-E2E-0001");
    await until(() => card.getByTestId("cred-password").inputValue()).not.toBe("");
    meter = {
      username: await card.getByTestId("cred-username").inputValue(),
      password: await card.getByTestId("cred-password").inputValue(),
    };
    await worker.shot("04-worker-approved-en");
    householdId = env.svc.stores.registry.listHouseholds().find((h) => h.resident === "林阿公")!.id;
  });

  it("an operator provisions a panic button and sees its credentials once", async () => {
    const o = await env.user("operator", { name: "Admin" });
    const p = operator.page;
    await signIn(p, o);
    await p.locator("[data-nav=homes]").click();
    await p.locator(`[data-household="${householdId}"]`).click();
    await until(() => text(p.getByTestId("home-facts"))).toContain("钥匙在邻居301家");
    await p.getByTestId("provision-open").click();
    await p.locator("select[name=kind]").selectOption("button");
    await p.locator("[data-action=provision]").click();
    const creds = p.getByTestId("credentials");
    await creds.waitFor();
    button = {
      username: await creds.getByTestId("cred-username").inputValue(),
      password: await creds.getByTestId("cred-password").inputValue(),
    };
    expect(button.password.length).toBeGreaterThan(10);
    await p.locator(`[data-device="${button.username}"]`).waitFor();
    await operator.shot("05-operator-home-zh");
  });

  it("once the devices report, the family sees a calm status", async () => {
    const now = Date.now();
    await publish(meter, [
      { kind: "water", totalLiters: 100, ts: now - 20 * 60_000 },
      { kind: "water", totalLiters: 112.5, ts: now - 10 * 60_000 },
    ]);
    await publish(button, [{ kind: "heartbeat", battery: 87 }]);
    const fp = family.page;
    await fp.locator("[data-nav=family]").click();
    await fp.locator(`a[data-household="${householdId}"]`).click();
    await until(() => text(fp.getByTestId("summary"))).toContain("今日一切正常");
    await until(() => text(fp.getByTestId("summary"))).toContain("本月0次警报");
    await until(() => text(fp.getByTestId("summary"))).toContain("最后用水");
    await family.shot("06-family-status-calm-zh");
  });

  it("a panic press appears live in the worker's open inbox, without reload", async () => {
    const fp = family.page;

    const p = worker.page;
    await p.locator("[data-nav=inbox]").click();
    await liveConnected(p);
    await p.evaluate(() => {
      (globalThis as unknown as { marker: string }).marker = "same page";
    });
    await publish(button, [{ kind: "button", pressed: true }]);
    const card = p.locator("[data-alert][data-rule=panic]");
    await until(() => text(card)).toContain("林阿公");
    await until(() => text(card)).toContain("critical");
    expect(await p.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBe("same page");
    await worker.shot("07-worker-inbox-live-en");
    await until(() => text(fp.getByTestId("summary"))).toContain("需要关注");
  });

  it("the worker acknowledges, goes, arrives and resolves with an outcome", async () => {
    const p = worker.page;
    await p.locator("[data-alert][data-rule=panic]").click();
    await until(() => text(p.getByTestId("home-facts"))).toContain("高血压，每天早上服药");
    await until(() => text(p.getByTestId("home-facts"))).toContain("13800000000");
    await worker.shot("08-worker-alert-en");
    const head = p.getByTestId("alert-head");
    await p.locator("[data-action=acknowledge]").click();
    await until(() => head.getAttribute("data-status")).toBe("acknowledged");
    await p.locator("[data-action=on-my-way]").click();
    await until(() => head.getAttribute("data-status")).toBe("visiting");
    await p.locator("[data-action=arrived]").click();
    await until(() => p.locator("[data-action=arrived]").count()).toBe(0);
    await p.getByTestId("resolve-open").click();
    await p.getByTestId("outcome-select").selectOption("safe");
    await p.getByTestId("note").fill("He had pressed it by mistake; all fine.");
    await p.locator("[data-action=resolve]").click();
    await until(() => head.getAttribute("data-status")).toBe("resolved");
    await until(() => text(head.getByTestId("outcome"))).toBe("Outcome: safe and well");
    await worker.shot("09-worker-resolved-en");
  });

  it("the family member sees the outcome, and the worker the response times", async () => {
    const fp = family.page;
    const alert = fp.getByTestId("family-alerts").locator("[data-alert]");
    await until(() => text(alert.getByTestId("outcome"))).toBe("处理结果：老人安好");
    await until(() => text(fp.getByTestId("summary"))).toContain("本月1次警报");
    await family.shot("10-family-outcome-zh");
    await worker.page.locator("[data-nav=metrics]").click();
    await until(() => text(worker.page.locator("main"))).toContain("1 alerts");
    await worker.shot("11-worker-metrics-en");
    for (const t of [family, worker, operator]) expect(t.problems).toEqual([]);
  });

  it("with a week of history, the water charts show the home's usual range, with its legend", async () => {
    // A second meter with 2 L an hour for the 9 days before now, written straight to the store (the
    // rules and the MQTT path are covered above; this is about the chart).
    const { deviceId } = await env.svc.provision("water", { householdId });
    const H = 3_600_000;
    const now = Date.now();
    const start = now - 9 * 24 * H;
    env.svc.stores.readings.append(
      Array.from({ length: 9 * 24 }, (_, i) => ({
        reading: {
          deviceId,
          kind: "water" as const,
          ts: start + i * H,
          fields: { totalLiters: 500 + 2 * i },
        },
        householdId,
        receivedAt: now,
      })),
    );
    const p = operator.page; // 简体中文
    await p.locator("[data-nav=homes]").click();
    await p.locator(`[data-household="${householdId}"]`).click();
    await until(() => text(p.getByTestId("band-legend"))).toBe("通常范围");
    // A week's band is learned from the 28 days before the week: only 2 days of history there.
    await p.locator("[data-period=week]").click();
    await until(() => text(p.getByTestId("water-legend"))).toContain("通常范围尚未可用");
    expect(await p.getByTestId("band-legend").count()).toBe(0);
    await p.locator("[data-period=day]").click();
    await until(() => text(p.getByTestId("band-legend"))).toBe("通常范围");
    await operator.shot("12-operator-home-band-zh");
    // Operators see the home's rule thresholds and can preview an override on its real history.
    await until(() => text(p.getByTestId("rules-effective"))).toContain("{");
    await p.getByTestId("rules-params").fill("{}");
    await p.getByTestId("rules-preview-btn").click();
    await until(() => text(p.getByTestId("rules-preview"))).toContain("最近 30 天");
    // And the notification outbox, in their navigation.
    await p.locator("[data-nav=notifications]").click();
    await until(() => text(p.getByTestId("notify-stats"))).toContain("等待中");
    const w = worker.page; // English, on the resolved alert
    await w.goto(`/#/alert/${encodeURIComponent(await firstAlertId())}`);
    await until(() => text(w.getByTestId("band-legend"))).toBe("usual range");
    await worker.shot("13-worker-alert-band-en");
    // The UI takes "now" from the service's clock (GET /api/auth/me), not the browser's.
    const serviceNow = await w.evaluate(
      async () => ((await (await fetch("/api/auth/me")).json()) as { now: number }).now,
    );
    expect(Math.abs(serviceNow - Date.now())).toBeLessThan(60_000);
    for (const t of [worker, operator]) expect(t.problems).toEqual([]);
  });

  async function firstAlertId(): Promise<string> {
    const a = env.svc.stores.db
      .prepare<[string], { id: number }>("SELECT id FROM alerts WHERE household_id = ? ORDER BY id LIMIT 1")
      .get(householdId);
    return String(a?.id);
  }
});
