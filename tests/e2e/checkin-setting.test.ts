import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Transition } from "../../alerts/engine/types.js";
import { launchBrowser, type TestBrowser, type TestPage } from "../helpers/browser.js";
import { type E2E, GRID, signIn, startE2E, text, until } from "./setup.js";

/**
 * The grid worker switches on the resident check-in on a home's page (简体中文, phone size), against
 * the real service: the setting is stored, shown again after a reload, and the page stays clean. An
 * alert then raised waits for the resident, and the inbox, the alert and the home say so (not "open").
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

  it("an alert waiting for the resident reads 'checking with the resident (until HH:MM)' in inbox, alert and home", async () => {
    // The check-in needs a channel that can reach the resident: a registered button.
    await env.svc.provision("button", { householdId: homeId });
    const now = Date.now();
    const raise: Transition = {
      kind: "raise",
      rule: "inactivity",
      severity: "major",
      at: now,
      evidence: {
        rule: "inactivity",
        severity: "major",
        threshold: { name: "gap limit (hour)", value: 300, unit: "min" },
        observed: { name: "gap without water", value: 320, unit: "min" },
        baseline: null,
        readings: [],
        confidence: null,
        message: { "zh-CN": "自 08:00 起未用水。", en: "No water since 08:00." },
      },
    };
    const [alert] = env.svc.alerts.apply(homeId, [raise]);
    expect(alert?.checkIn?.result).toBeNull();
    const until20 = new Intl.DateTimeFormat("zh-CN", {
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
      timeZone: "Asia/Shanghai",
    }).format(alert!.checkIn!.until);
    const expected = `正在联系老人确认（至 ${until20}）`;

    const p = worker.page;
    await p.locator("[data-nav=inbox]").click();
    const card = p.locator(`[data-alert="${alert!.id}"]`);
    await until(() => text(card.getByTestId("checkin-status"))).toBe(expected);
    expect(await text(card)).not.toContain("待处理");
    await worker.shot("checkin-waiting-inbox");

    await card.click();
    const head = p.getByTestId("alert-head");
    await until(() => text(head.getByTestId("checkin-status"))).toBe(expected);
    expect(await head.getAttribute("data-status")).toBe("open");

    await p.locator("[data-nav=homes]").click();
    await p.locator(`[data-household="${homeId}"]`).click();
    await until(() => text(p.locator(`a[data-alert="${alert!.id}"] [data-testid=checkin-status]`))).toBe(
      expected,
    );

    // In English too.
    await p.getByTestId("lang").click();
    await until(() => p.locator("html").getAttribute("lang")).toBe("en");
    await until(() => text(p.locator(`a[data-alert="${alert!.id}"] [data-testid=checkin-status]`))).toBe(
      `Checking with the resident (until ${until20})`,
    );

    // Once the resident presses "I'm OK", it reads as cleared like any other: the label goes.
    env.svc.alerts.answer(alert!.id, "ok", "button");
    await p.reload();
    const row = p.locator(`a[data-alert="${alert!.id}"]`);
    await until(() => text(row)).toContain("cleared");
    expect(await row.getByTestId("checkin-status").count()).toBe(0);
    expect(worker.problems).toEqual([]);
  });
});
