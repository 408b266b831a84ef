import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, launchBrowser, type TestBrowser, type TestPage } from "../helpers/browser.js";
import { httpClient } from "../helpers/http-client.js";
import { type E2E, GRID, signIn, startE2E, text, until } from "./setup.js";

type Json = Record<string, unknown>;

/**
 * Export and erase of one home from the dashboard (docs/privacy.md), on a phone-sized page against the
 * real service. A family member registers her mother (a real registration, approved by the operator);
 * the operator downloads the home's export and erases it, typing the household id; the neighbour's home
 * stays as it was. The daughter's page offers her the export, and never the erase.
 */
describe("e2e: export and erase of a home's personal data", () => {
  let env: E2E;
  let browser: TestBrowser;
  let operator: TestPage;
  let daughter: TestPage;
  let daughterLogin = { login: "", password: "" };
  let homeA = "";
  let homeB = "";
  let meterSecret = "";

  beforeAll(async () => {
    env = await startE2E();
    browser = await launchBrowser();
    const op = await env.user("operator", { name: "值班运营员" });
    daughterLogin = await env.user("family", { name: "林女士" });
    const fam = httpClient(env.url);
    expect((await fam.login(daughterLogin.login, daughterLogin.password)).status).toBe(200);
    const reg = await fam.request("POST", "/api/registrations", {
      resident: "林秀英",
      address: "三坊七巷 12号",
      gridPath: GRID,
      phone: "13800000001",
      healthNotes: "冰箱里有胰岛素",
      emergencyContacts: [{ name: "邻居", phone: "13900000002" }],
      consent: { given: true, by: "resident" },
      meterSerial: "meter-priv-a",
    });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const opApi = httpClient(env.url);
    expect((await opApi.login(op.login, op.password)).status).toBe(200);
    const ok = await opApi.request("POST", `/api/registrations/${reg.body.id}/approve`, {});
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    homeA = (ok.body.household as { id: string }).id;
    meterSecret = (ok.body.device as { mqtt: { password: string } }).mqtt.password;
    homeB = env.svc.stores.registry.addHousehold({
      resident: "赵桂兰",
      address: "台江区 3号",
      gridPath: GRID,
    }).id;
    operator = await browser.newPage(env.url);
    await signIn(operator.page, op);
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  const openHome = async (id: string) => {
    const p = operator.page;
    await p.locator("[data-nav=homes]").click();
    await p.locator(`[data-household="${id}"]`).click();
    await p.getByTestId("home-facts").waitFor();
  };

  it("downloads the home's export: the resident's data, the other home's and the secrets not", async () => {
    const p = operator.page;
    await openHome(homeA);
    const [download] = await Promise.all([
      p.waitForEvent("download"),
      p.getByTestId("privacy-export").click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^jinlin-${homeA}-\\d{4}-\\d{2}-\\d{2}\\.json$`));
    const body = await readFile(await download.path(), "utf8");
    const doc = JSON.parse(body) as Json & { household: Json; devices: Json[]; family: Json[] };
    expect(doc).toMatchObject({ format: "jinlin-household-export", householdId: homeA });
    expect(doc.household).toMatchObject({ resident: "林秀英", address: "三坊七巷 12号" });
    expect(doc.devices.map((d) => d.id)).toEqual(["meter-priv-a"]);
    expect(body).not.toContain(meterSecret);
    expect(body).not.toMatch(/secretHash|passwordHash|idHash|scrypt|\$s0\$/i);
    expect(body).not.toContain("赵桂兰");
    expect(body).not.toContain(homeB);
    await until(() => text(p.locator("#toast"))).toBe("已导出");
  });

  it("offers the daughter who registered her mother the export, and no erase", async () => {
    daughter = await browser.newPage(env.url);
    const p = daughter.page;
    await signIn(p, daughterLogin);
    await p.locator(`[data-household="${homeA}"]`).click();
    const exportBtn = p.getByTestId("privacy-export");
    await exportBtn.waitFor();
    expect(await p.getByTestId("privacy-erase-open").count()).toBe(0);
    const [download] = await Promise.all([p.waitForEvent("download"), exportBtn.click()]);
    const doc = JSON.parse(await readFile(await download.path(), "utf8")) as Json & { household: Json };
    expect(doc).toMatchObject({ householdId: homeA, household: { resident: "林秀英" } });
    await daughter.shot("61-privacy-family-export-zh");
    expect(daughter.problems).toEqual([]);
  });

  it("erases only after the household id is typed, then the home is gone and the other one is not", async () => {
    const p = operator.page;
    const before = env.svc.stores.registry.getHousehold(homeB);
    await openHome(homeA);
    await p.getByTestId("privacy-erase-open").click();
    const dialog = p.getByTestId("privacy-erase-dialog");
    await dialog.waitFor();
    expect(await text(dialog)).toContain("无法撤销");
    await p.screenshot({ path: join(ARTIFACTS, "60-privacy-erase-dialog-zh.png") });
    // Cancel leaves everything as it was.
    await dialog.getByTestId("privacy-erase-cancel").click();
    await dialog.waitFor({ state: "detached" });
    expect(env.svc.stores.registry.getHousehold(homeA)).toBeDefined();

    await p.getByTestId("privacy-erase-open").click();
    const confirm = p.getByTestId("privacy-confirm");
    const erase = p.getByTestId("privacy-erase");
    // A wrong confirmation (another home's id, a near miss, a plain "yes") is refused.
    for (const wrong of [homeB, homeA.slice(0, -1), "yes"]) {
      await confirm.fill(wrong);
      expect(await erase.isDisabled()).toBe(true);
    }
    await confirm.press("Enter");
    expect(env.svc.stores.registry.getHousehold(homeA)).toBeDefined();

    await confirm.fill(homeA);
    expect(await erase.isDisabled()).toBe(false);
    await erase.click();
    await until(() => new URL(p.url()).hash).toBe("#/homes");
    await until(() => text(p.locator("#toast"))).toBe(`住户 ${homeA} 的全部数据已删除`);
    const list = p.getByTestId("homes");
    await list.locator(`[data-household="${homeB}"]`).waitFor();
    expect(await list.locator(`[data-household="${homeA}"]`).count()).toBe(0);
    expect(env.svc.stores.registry.getHousehold(homeA)).toBeUndefined();
    expect(env.svc.stores.registry.getHousehold(homeB)).toEqual(before);
    await openHome(homeB);
    expect(await text(p.locator("h1"))).toBe("赵桂兰");
    expect(operator.problems).toEqual([]);
  });
});
