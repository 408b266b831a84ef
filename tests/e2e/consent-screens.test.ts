import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser, type TestPage } from "../helpers/browser.js";
import { httpClient } from "../helpers/http-client.js";
import { closeClient, connect } from "../helpers/mqtt.js";
import { type E2E, GRID, signIn, startE2E, text, until } from "./setup.js";

/**
 * Withdrawing consent from the dashboard (docs/privacy.md, "Withdrawing consent"), on phone-sized pages
 * against the real service. The daughter who registered her mother unticks consent: a dialog says what
 * stops and what stays; Cancel changes nothing; confirming pauses the home. Her page, the grid worker's
 * list and home page (简体中文) and the operator's home page (English) then say the home is not monitored,
 * with who withdrew it and when; the meter is refused. The operator gives consent again and the banner goes.
 * A home whose consent was never recorded is marked so, and is still monitored.
 */
describe("e2e: consent withdrawn, the home not monitored", () => {
  let env: E2E;
  let browser: TestBrowser;
  let daughter: TestPage;
  let worker: TestPage;
  let operator: TestPage;
  let home = "";
  let other = "";
  let meter = { id: "", secret: "" };

  beforeAll(async () => {
    env = await startE2E();
    browser = await launchBrowser();
    const op = await env.user("operator", { name: "Duty operator", language: "en" });
    const fam = await env.user("family", { name: "林女士" });
    const famApi = httpClient(env.url);
    expect((await famApi.login(fam.login, fam.password)).status).toBe(200);
    const reg = await famApi.request("POST", "/api/registrations", {
      resident: "林秀英",
      address: "三坊七巷 12号",
      gridPath: GRID,
      consent: { given: true, by: "resident" },
      meterSerial: "meter-consent-a",
    });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const opApi = httpClient(env.url);
    expect((await opApi.login(op.login, op.password)).status).toBe(200);
    const ok = await opApi.request("POST", `/api/registrations/${reg.body.id}/approve`, {});
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    home = (ok.body.household as { id: string }).id;
    meter = {
      id: "meter-consent-a",
      secret: (ok.body.device as { mqtt: { password: string } }).mqtt.password,
    };
    other = env.home("赵桂兰", "台江区 3号");
    [daughter, worker, operator] = await Promise.all([
      browser.newPage(env.url),
      browser.newPage(env.url),
      browser.newPage(env.url),
    ]);
    await signIn(daughter.page, fam);
    await signIn(worker.page, await env.user("worker", { name: "网格员小李", grid: GRID }));
    await signIn(operator.page, op);
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  const pausedAt = () => env.svc.stores.registry.getHousehold(home)?.monitoringPausedAt ?? null;
  const openHome = async (t: TestPage, id: string) => {
    await t.page.locator("[data-nav=homes]").click();
    await t.page.locator(`[data-household="${id}"]`).click();
    await t.page.getByTestId("home-facts").waitFor();
  };

  it("asks before withdrawing, says what it does, and Cancel changes nothing", async () => {
    const p = daughter.page;
    await p.locator(`[data-household="${home}"]`).click();
    await p.getByTestId("parent-details").locator("summary").click();
    const untickAndSave = async () => {
      await p.getByTestId("parent-consent").uncheck();
      await p.getByTestId("parent-form").locator("button[type=submit]").click();
    };
    await untickAndSave();
    const dialog = p.getByTestId("consent-dialog");
    await dialog.waitFor();
    const said = await text(dialog);
    expect(said).toContain("撤回同意并停止监护？");
    expect(said).toContain("设备将立即断开");
    expect(said).toContain("已保存的数据保留");
    await daughter.shot("70-consent-withdraw-dialog-zh");
    await dialog.getByTestId("consent-cancel").click();
    await dialog.waitFor({ state: "detached" });
    expect(pausedAt()).toBeNull();
    expect(await p.getByTestId("monitoring-paused").count()).toBe(0);

    await untickAndSave();
    await p.getByTestId("consent-withdraw-confirm").click();
    const banner = p.getByTestId("monitoring-paused");
    await banner.waitFor();
    expect(await text(banner)).toContain("未在监护：已撤回同意");
    expect(await text(banner)).toContain("林女士（家属）");
    expect(pausedAt()).not.toBeNull();
    expect(await p.getByTestId("summary").count()).toBe(0); // no "all is well" for a home not watched
    await daughter.shot("71-consent-family-paused-zh");
    await p.locator("[data-nav=family]").click();
    expect(await text(p.locator(`[data-household="${home}"] [data-testid=home-paused]`))).toBe(
      "未在监护：已撤回同意",
    );
    // The meter is refused while consent is withdrawn.
    await expect(
      connect(env.svc.mqttPort, { username: meter.id, password: meter.secret }),
    ).rejects.toMatchObject({ code: 5 });
    expect(daughter.problems).toEqual([]);
  });

  it("marks the paused home in the worker's list and on its page; the other home is watched", async () => {
    const p = worker.page;
    await p.locator("[data-nav=homes]").click();
    const list = p.getByTestId("homes");
    await list.locator(`[data-household="${home}"] [data-testid=home-paused]`).waitFor();
    expect(await text(list.locator(`[data-household="${home}"] [data-testid=home-paused]`))).toBe("未在监护");
    expect(await list.locator(`[data-household="${other}"] [data-testid=home-paused]`).count()).toBe(0);
    await worker.shot("72-consent-worker-list-zh");
    await openHome(worker, home);
    const banner = p.getByTestId("monitoring-paused");
    expect(await text(banner)).toContain("未在监护：已撤回同意");
    expect(await text(banner)).toContain("林女士（家属）");
    await worker.shot("73-consent-worker-home-zh");
    // Device health does not send the worker after a meter that is refused on purpose.
    await p.locator("[data-nav=devices]").click();
    const row = p.locator(`[data-device="${meter.id}"]`);
    expect(await text(row.locator(".badge"))).toBe("未在监护");
    await openHome(worker, other);
    expect(await p.getByTestId("monitoring-paused").count()).toBe(0);
    expect(await text(p.getByTestId("consent-unrecorded"))).toBe("未记录同意（仍在监护）");
    expect(worker.problems).toEqual([]);
  });

  it("lets the operator give consent again: the banner goes and the meter connects", async () => {
    const p = operator.page;
    await openHome(operator, home);
    const banner = p.getByTestId("monitoring-paused");
    expect(await text(banner)).toContain("Not monitored: consent withdrawn");
    expect(await text(banner)).toContain("林女士 (");
    await operator.shot("74-consent-operator-paused-en");
    await p.getByTestId("consent-give").click();
    await banner.waitFor({ state: "detached" });
    await until(() => pausedAt()).toBeNull();
    const c = await connect(env.svc.mqttPort, { username: meter.id, password: meter.secret });
    await closeClient(c);
    // Withdrawing from the carers' page asks too; Cancel keeps the home monitored.
    await p.getByTestId("consent-withdraw").click();
    const dialog = p.getByTestId("consent-dialog");
    expect(await text(dialog)).toContain("Withdraw consent and stop monitoring?");
    await dialog.getByTestId("consent-cancel").click();
    await dialog.waitFor({ state: "detached" });
    expect(pausedAt()).toBeNull();
    expect(operator.problems).toEqual([]);
  });
});
