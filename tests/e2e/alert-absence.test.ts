import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCheckInStore } from "../../storage/sqlite/checkin.js";
import { inactivityRaise } from "../helpers/alerts.js";
import { launchBrowser, type TestBrowser, type TestPage } from "../helpers/browser.js";
import { type E2E, GRID, signIn, startE2E, text, until } from "./setup.js";

/** "14:30" on the home's clock (Asia/Shanghai), as the pages print it. */
const clock = (ms: number) =>
  new Intl.DateTimeFormat("zh-CN", {
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZone: "Asia/Shanghai",
  }).format(ms);

/**
 * The family's page and the worker's screens on the same alerts, against the real service: an alert
 * waiting for the resident's check-in reads as such for the family too (then its real state), and an
 * absence the daughter records while an alert is open clears it, which the worker's inbox, the alert page
 * and the family's page all say, naming who recorded it.
 */
describe("e2e: alert states the family and the worker see", () => {
  let env: E2E;
  let browser: TestBrowser;
  let worker: TestPage;
  let daughter: TestPage;
  let homeId = "";

  beforeAll(async () => {
    env = await startE2E();
    browser = await launchBrowser();
    homeId = env.home("郑阿婆", "鼓楼区 5号 301");
    worker = await browser.newPage(env.url);
    await signIn(worker.page, await env.user("worker", { name: "网格员小刘", grid: GRID }));
    daughter = await browser.newPage(env.url);
    await signIn(daughter.page, await env.user("family", { name: "郑女士", household: homeId }));
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  it("the family see 'checking with the resident (until HH:MM)' while she is asked, then the real state", async () => {
    await env.svc.provision("button", { householdId: homeId });
    const checkIns = createCheckInStore(env.svc.stores.db, Date.now);
    checkIns.set(homeId, { enabled: true, minutes: 30, channels: ["button"] }, "test");
    const [alert] = env.svc.alerts.apply(homeId, [inactivityRaise(Date.now())]);
    expect(alert?.checkIn?.result).toBeNull();
    const p = daughter.page;
    await p.goto(`/#/family/${encodeURIComponent(homeId)}`);
    const row = p.getByTestId("family-alerts").locator(`[data-alert="${alert!.id}"]`);
    const expected = `正在联系老人确认（至 ${clock(alert!.checkIn!.until)}）`;
    await until(() => text(row.getByTestId("checkin-status"))).toBe(expected);
    expect(await text(row)).not.toContain("待处理");
    await daughter.shot("family-alert-checkin-zh");

    // She answers "I'm OK": the family's page (live) shows it as cleared, the check-in label gone.
    env.svc.alerts.answer(alert!.id, "ok", "button");
    await until(() => row.getByTestId("checkin-status").count()).toBe(0);
    await until(() => text(row)).toContain("已自动解除");
    checkIns.set(homeId, { enabled: false, minutes: 30, channels: ["button"] }, "test");
    expect(daughter.problems).toEqual([]);
  });

  it("an absence the daughter records clears the open alert; inbox, alert page and family page say who recorded it", async () => {
    const [alert] = env.svc.alerts.apply(homeId, [inactivityRaise(Date.now() - 60_000)]);
    expect(alert).toMatchObject({ status: "open", checkIn: null });
    const w = worker.page;
    await w.goto("/#/inbox");
    await until(() => w.locator(`[data-alert="${alert!.id}"]`).count()).toBe(1);

    // The daughter: "she is at my place until Sunday", from now (the form's default start).
    const p = daughter.page;
    await p.goto(`/#/family/${encodeURIComponent(homeId)}`);
    const absences = p.getByTestId("absences");
    await absences.locator("details.add summary").click();
    await absences.locator("form.absence-form select[name=reason]").selectOption("travel");
    await absences.locator("form.absence-form button[type=submit]").click();
    await until(() => absences.locator("[data-absence]").count()).toBe(1);

    const label = "已解除：家属登记了外出";
    const familyRow = p.getByTestId("family-alerts").locator(`[data-alert="${alert!.id}"]`);
    await until(() => text(familyRow.getByTestId("cleared-absence"))).toBe(label);
    await daughter.shot("family-alert-cleared-absence-zh");

    // The worker's active inbox loses it (live); the closed tab and the alert page say why.
    await until(() => w.locator(`[data-alert="${alert!.id}"]`).count()).toBe(0);
    await w.locator('a[href="#/inbox/closed"]').click();
    const card = w.locator(`[data-alert="${alert!.id}"]`);
    await until(() => text(card.getByTestId("cleared-absence"))).toBe(label);
    await card.click();
    const head = w.getByTestId("alert-head");
    await until(() => text(head.getByTestId("cleared-absence"))).toBe(label);
    expect(await head.getAttribute("data-status")).toBe("cleared");
    expect(await text(w.locator("ol.events"))).toContain(label);
    await worker.shot("alert-cleared-absence-zh");

    await w.getByTestId("lang").click();
    await until(() => text(head.getByTestId("cleared-absence"))).toBe("cleared: absence recorded by family");
    expect(worker.problems).toEqual([]);
    expect(daughter.problems).toEqual([]);
  });
});
