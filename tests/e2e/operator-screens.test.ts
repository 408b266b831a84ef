import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser, type TestPage } from "../helpers/browser.js";
import { closeClient, connect, run } from "../helpers/mqtt.js";
import { appendWater, tapRun } from "./history.js";
import { type E2E, GRID, signIn, startE2E, text, until } from "./setup.js";

const MIN = 60_000;
const DAY = 86_400_000;
const GRID_2 = "e2e/district/community/grid-2";

/**
 * An operator's screens on a phone-sized page (简体中文), against the real service: provisioning a meter
 * (credentials shown once; mosquitto_pub connects with them and its reading shows on the page), rotate
 * and revoke; people and duties (a new grid worker sees their grid's homes and nothing else); a grid's
 * threshold previewed on a home's real history, saved, and in force on that home; and the audit log
 * listing what was just done, by whom and when.
 */
describe("e2e: operator screens", () => {
  let env: E2E;
  let browser: TestBrowser;
  let operator: TestPage;
  let homeId = "";
  let meter = { username: "", password: "" };

  beforeAll(async () => {
    env = await startE2E();
    browser = await launchBrowser();
    homeId = env.svc.stores.registry.addHousehold({
      resident: "黄阿公",
      address: "台江区 8号 101",
      gridPath: GRID,
    }).id;
    operator = await browser.newPage(env.url);
    await signIn(operator.page, await env.user("operator", { name: "值班运营员" }));
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  /** mosquitto_pub with the device's credentials, as a real meter's firmware would connect. */
  const pub = (creds: { username: string; password: string }, payload: object) =>
    run("mosquitto_pub", [
      ...["-p", String(env.svc.mqttPort), "-q", "1", "-i", `${creds.username}-pub`],
      ...["-u", creds.username, "-P", creds.password],
      ...["-t", `devices/${creds.username}/telemetry`, "-m", JSON.stringify(payload)],
    ]);
  /** "accepted" (CONNACK 0), or the broker's refusal code: 5 is "not authorized" (docs/protocol.md). */
  const connack = async (creds: { username: string; password: string }) => {
    try {
      await closeClient(await connect(env.svc.mqttPort, creds));
      return "accepted";
    } catch (err) {
      return (err as { code?: unknown }).code;
    }
  };
  const openHome = async (id: string) => {
    const p = operator.page;
    await p.locator("[data-nav=homes]").click();
    await p.locator(`[data-household="${id}"]`).click();
    await p.getByTestId("home-facts").waitFor();
  };
  const credentialsShown = async () => {
    const box = operator.page.getByTestId("credentials");
    await box.waitFor();
    return {
      username: await box.getByTestId("cred-username").inputValue(),
      password: await box.getByTestId("cred-password").inputValue(),
    };
  };

  it("provisions a meter: credentials once, mosquitto_pub connects with them, its reading shows", async () => {
    const p = operator.page;
    await openHome(homeId);
    await p.getByTestId("provision-open").click();
    await p.locator("select[name=kind]").selectOption("water");
    await p.locator("[data-action=provision]").click();
    meter = await credentialsShown();
    expect(meter.password.length).toBeGreaterThanOrEqual(20);
    await operator.shot("30-operator-provisioned-zh");
    // Shown once: the page opened again has no credentials, and the API never returns the secret.
    await p.reload();
    await p.getByTestId("devices").locator(`[data-device="${meter.username}"]`).waitFor();
    expect(await p.getByTestId("credentials").count()).toBe(0);
    expect(await text(p.locator("main"))).not.toContain(meter.password);

    const now = Date.now();
    expect((await pub(meter, [{ kind: "water", totalLiters: 100, ts: now - 20 * MIN }])).code).toBe(0);
    expect((await pub(meter, [{ kind: "water", totalLiters: 112, ts: now - 10 * MIN }])).code).toBe(0);
    expect((await pub(meter, { kind: "heartbeat", battery: 42 })).code).toBe(0);
    await p.reload();
    await until(() => text(p.locator("main"))).toContain("合计 12 升");
    await p.locator("[data-nav=devices]").click();
    const row = p.getByTestId("device-health").locator(`[data-device="${meter.username}"]`);
    await until(() => text(row)).toContain("电量 42%");
    await until(() => text(row)).toContain("黄阿公");
    await operator.shot("31-operator-device-health-zh");
  });

  it("rotates the secret (the old one stops working) and revokes the meter", async () => {
    const p = operator.page;
    await openHome(homeId);
    const row = p.getByTestId("devices").locator(`[data-device="${meter.username}"]`);
    await row.locator("[data-action=rotate]").click();
    const rotated = await credentialsShown();
    expect(rotated.username).toBe(meter.username);
    expect(rotated.password).not.toBe(meter.password);
    expect(await connack(meter)).toBe(5);
    expect(await connack(rotated)).toBe("accepted");
    await operator.shot("32-operator-rotated-zh");
    await row.locator("[data-action=revoke]").click();
    await until(() => text(row)).toContain("已停用");
    expect(await connack(rotated)).toBe(5);
    expect((await pub(rotated, { kind: "heartbeat", battery: 41 })).code).not.toBe(0);
    await operator.shot("33-operator-revoked-zh");
  });

  it("adds a grid and a grid worker for it, who then sees that grid's homes and nothing else", async () => {
    const p = operator.page;
    await p.locator("[data-nav=people]").click();
    const gridForm = p.locator("form").filter({ has: p.locator("input[name=path]") });
    await gridForm.locator("xpath=ancestor::details").locator("summary").click();
    await gridForm.locator("input[name=path]").fill(GRID_2);
    await gridForm.locator("input[name=name]").fill("二号网格");
    await gridForm.locator("button[type=submit]").click();
    await until(() => text(p.locator("main"))).toContain(GRID_2);
    const inGrid2 = env.svc.stores.registry.addHousehold({
      resident: "二号网格的林奶奶",
      address: "9号",
      gridPath: GRID_2,
    }).id;

    const form = p.getByTestId("person-form");
    await form.locator("xpath=ancestor::details").locator("summary").click();
    await form.locator("input[name=name]").fill("网格员王芳");
    await form.locator("select[name=role]").selectOption("worker");
    await form.locator("input[name=login]").fill("wangfang");
    await form.locator("select[name=gridPath]").selectOption(GRID_2);
    await form.locator("select[name=duty]").selectOption("primary");
    await form.locator("button[type=submit]").click();
    const password = await p.getByTestId("new-password").locator("input").inputValue();
    expect(password.length).toBeGreaterThanOrEqual(10);
    const card = p.locator("[data-person]").filter({ hasText: "网格员王芳" });
    await until(() => text(card)).toContain(`${GRID_2} · 主责`);
    await operator.shot("34-operator-people-zh");

    const worker = await browser.newPage(env.url);
    await signIn(worker.page, { login: "wangfang", password });
    await worker.page.locator("[data-nav=homes]").click();
    const homes = worker.page.getByTestId("homes");
    await until(() => text(homes)).toContain("二号网格的林奶奶");
    expect(await text(homes)).not.toContain("黄阿公");
    await worker.shot("35-new-worker-homes-zh");
    // A home of another grid does not exist for them, by URL or by API.
    const status = await worker.page.evaluate(
      async (id) => (await fetch(`/api/households/${id}`)).status,
      homeId,
    );
    expect(status).toBe(404);
    await worker.page.evaluate((id) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash =
        `#/home/${encodeURIComponent(id)}`;
    }, homeId);
    await until(() => text(worker.page.locator("main"))).toContain("未找到该住户");
    expect(await text(worker.page.locator("main"))).not.toContain("黄阿公");
    expect(
      await worker.page.evaluate(async (id) => (await fetch(`/api/households/${id}`)).status, inGrid2),
    ).toBe(200);
    expect(worker.problems.filter((x) => !/status of 404/.test(x))).toEqual([]);
  });

  it("sets a grid's threshold after a backtest preview; the home of that grid has it in force", async () => {
    // A home of the grid whose meter shows a tap left running for 45 min two days ago.
    const tapHome = env.svc.stores.registry.addHousehold({
      resident: "郑阿婆",
      address: "5号",
      gridPath: GRID,
    }).id;
    const tapMeter = await env.svc.provision("water", { householdId: tapHome });
    appendWater(env.svc, tapHome, tapMeter.deviceId, tapRun(Date.now() - 2 * DAY));
    const gridId = env.svc.stores.registry.ensureGrid(GRID).id;

    const p = operator.page;
    await p.locator("[data-nav=rules]").click();
    await p.getByTestId("rules-scope").selectOption(String(gridId));
    // The grid's settings have loaded (none yet) before the change is typed.
    await until(() => text(p.locator(`[data-testid=rules-set][data-scope="${gridId}"]`))).toBe(
      "仅使用默认值，无覆盖设置",
    );
    expect(await p.getByTestId("rules-params").inputValue()).toBe("{}");
    await p.getByTestId("rules-params").fill('{ "water_running": { "defaultThresholdMin": 30 } }');
    await p.getByTestId("rules-home").selectOption(tapHome);
    await p.getByTestId("rules-preview-btn").click();
    const row = p.getByTestId("rules-preview").locator("tr[data-rule=water_running]");
    // Columns: rule, alerts with the parameters in force, alerts with the proposal.
    await until(async () => (await row.locator("td").allInnerTexts()).slice(1)).toEqual(["0", "1"]);
    await until(() => text(p.getByTestId("rules-preview"))).toContain("最近 30 天");
    await operator.shot("36-operator-grid-threshold-preview-zh");
    await p.getByTestId("rules-reason").fill("本网格水箱小，长流水30分钟即提醒");
    await p.getByTestId("rules-save").click();
    await until(() => text(p.getByTestId("rules-set"))).toContain("本网格水箱小");
    await operator.shot("37-operator-grid-threshold-saved-zh");

    await openHome(tapHome);
    await until(() => text(p.getByTestId("rules-effective"))).toMatch(/"defaultThresholdMin": 30\b/);
    await until(() => text(p.locator(`[data-layer="grid:${gridId}:operator"]`))).toContain("本网格水箱小");
    await operator.shot("38-operator-home-grid-threshold-zh");
    // A home of another grid keeps the default.
    const other = env.svc.stores.registry.addHousehold({
      resident: "外网格",
      address: "1号",
      gridPath: GRID_2,
    }).id;
    await openHome(other);
    await until(() => text(p.getByTestId("rules-effective"))).toMatch(/"defaultThresholdMin": 57\b/);
  });

  it("the audit log lists what was just done, by whom and when", async () => {
    const p = operator.page;
    await p.locator("[data-nav=audit]").click();
    const rows = p.locator("tr[data-audit]");
    await rows.first().waitFor();
    const all = await rows.allInnerTexts();
    const changes = all.filter((r) => r.includes("修改"));
    const find = (what: string) => changes.find((r) => r.includes(what));
    for (const what of [
      "PUT /api/grids/:gridId/rules",
      "POST /api/people",
      "POST /api/grids",
      "POST /api/devices/:deviceId/revoke",
      "POST /api/devices/:deviceId/rotate",
      "POST /api/households/:householdId/devices",
    ]) {
      const r = find(what);
      expect(r, what).toBeDefined();
      expect(r).toContain("值班运营员");
      // When, on the operator's clock: a date such as 2026/11/22.
      expect(r).toMatch(/\d{4}\/\d{1,2}\/\d{1,2}/);
    }
    expect(find("PUT /api/grids/:gridId/rules")).toContain("本网格水箱小");
    expect(find("POST /api/devices/:deviceId/revoke")).toContain(meter.username);
    await operator.shot("39-operator-audit-zh");
    expect(operator.problems).toEqual([]);
  });
});
