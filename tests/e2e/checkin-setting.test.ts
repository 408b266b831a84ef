import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser, type TestPage } from "../helpers/browser.js";
import { type E2E, GRID, signIn, startE2E, text, until } from "./setup.js";

/**
 * The grid worker switches on the resident check-in on a home's page (简体中文, phone size), against
 * the real service: the setting is stored, shown again after a reload, and the page stays clean.
 */
describe("e2e: resident check-in setting", () => {
  let env: E2E;
  let browser: TestBrowser;
  let worker: TestPage;
  let homeId = "";

  beforeAll(async () => {
    env = await startE2E();
    browser = await launchBrowser();
    homeId = env.svc.stores.registry.addHousehold({
      resident: "林阿婆",
      address: "鼓楼区 3号 202",
      gridPath: GRID,
    }).id;
    worker = await browser.newPage(env.url);
    await signIn(worker.page, await env.user("worker", { name: "网格员小陈", grid: GRID }));
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  it("switches it on with 20 minutes on the button, and shows it again after a reload", async () => {
    const p = worker.page;
    const openHome = async () => {
      await p.locator("[data-nav=homes]").click();
      await p.locator(`[data-household="${homeId}"]`).click();
      await p.locator("[data-testid=checkin] form").waitFor();
    };
    await openHome();
    const card = p.locator("[data-testid=checkin]");
    expect(await text(card.locator("xpath=..").locator("h2"))).toBe("派人前先联系老人");
    // Without a phone number and a gateway, the page says why a call is not possible.
    expect(await text(card)).toContain("打电话需要填写老人的电话号码");
    await card.locator("input[name=enabled]").check();
    await card.locator("input[name=minutes]").fill("20");
    await card.locator("input[name=channel-button]").check();
    await card.scrollIntoViewIfNeeded();
    await worker.shot("checkin-setting");
    await card.locator("button[type=submit]").click();
    await until(() => text(p.locator("body"))).toContain("已保存");

    await p.reload();
    await openHome();
    expect(await card.locator("input[name=enabled]").isChecked()).toBe(true);
    expect(await card.locator("input[name=minutes]").inputValue()).toBe("20");
    const stored = env.svc.stores.db
      .prepare("SELECT enabled, minutes, channels FROM checkin_settings WHERE household_id = ?")
      .get(homeId);
    expect(stored).toEqual({ enabled: 1, minutes: 20, channels: '["button"]' });
    expect(worker.problems).toEqual([]);
  });
});
