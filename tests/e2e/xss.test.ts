import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser } from "../helpers/browser.js";
import { closeClient, connect } from "../helpers/mqtt.js";
import { type E2E, GRID, signIn, startE2E, text, until } from "./setup.js";

const NAME = "<script>alert(1)</script>";
const ADDRESS = `<img src=x onerror="alert(2)">`;
const NOTES = `<b onmouseover=alert(3)>bold</b>`;

/** Nothing the page got from data may become markup: the names show as typed, no element, no dialog. */
async function rendersAsText(page: Page, where: string) {
  await until(() => text(page.locator("main"))).toContain(NAME);
  const injected = await page.evaluate(() => {
    const d = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } })
      .document;
    return d.querySelectorAll("main script, main img, main b, [onerror], [onmouseover]").length;
  });
  expect(injected, where).toBe(0);
}

describe("e2e: a resident called <script>alert(1)</script>", () => {
  let env: E2E;
  let browser: TestBrowser;

  beforeAll(async () => {
    env = await startE2E();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  it("is shown as text on every page that shows a resident", async () => {
    const operator = await browser.newPage(env.url);
    const o = await env.user("operator");
    await signIn(operator.page, o);
    await operator.page.locator("[data-nav=homes]").click();
    const form = operator.page.locator("form").filter({ has: operator.page.locator("input[name=resident]") });
    await operator.page.locator("details.add summary").click();
    await form.locator("input[name=resident]").fill(NAME);
    await form.locator("input[name=address]").fill(ADDRESS);
    await form.locator("select[name=gridPath]").selectOption(GRID);
    await form.locator("textarea[name=healthNotes]").fill(NOTES);
    await form.locator("button[type=submit]").click();
    await until(() => operator.page.url()).toContain("#/home/");
    await rendersAsText(operator.page, "home");
    await until(() => text(operator.page.getByTestId("home-facts"))).toContain(ADDRESS);
    await until(() => text(operator.page.getByTestId("home-facts"))).toContain(NOTES);
    const householdId = decodeURIComponent(operator.page.url().split("#/home/")[1]!);

    const button = await env.svc.provision("button", { householdId });
    const device = await connect(env.svc.mqttPort, { username: button.deviceId, password: button.secret });
    await device.publishAsync(
      `devices/${button.deviceId}/telemetry`,
      JSON.stringify({ kind: "button", pressed: true }),
      { qos: 1 },
    );
    await closeClient(device);

    await operator.page.locator("[data-nav=homes]").click();
    await rendersAsText(operator.page, "homes");
    await operator.page.locator("[data-nav=inbox]").click();
    await rendersAsText(operator.page, "inbox");
    await operator.shot("xss-inbox");
    await operator.page.locator("[data-alert]").first().click();
    await rendersAsText(operator.page, "alert");
    await operator.shot("xss-alert");

    const family = await browser.newPage(env.url);
    const f = await env.user("family", { household: householdId });
    await signIn(family.page, f);
    await rendersAsText(family.page, "family list");
    await family.page.locator(`a[data-household="${householdId}"]`).click();
    await rendersAsText(family.page, "family status");
    await family.page.evaluate(
      async ([name, address]) => {
        const res = await fetch("/api/auth/csrf");
        const { csrfToken: csrf } = (await res.json()) as { csrfToken: string };
        await fetch("/api/registrations", {
          method: "POST",
          headers: { "content-type": "application/json", "x-csrf-token": csrf },
          body: JSON.stringify({
            resident: name,
            address,
            gridPath: "e2e/district/community/grid-1",
            consent: { given: true, by: "family" },
          }),
        });
      },
      [NAME, ADDRESS],
    );
    await operator.page.locator("[data-nav=registrations]").click();
    await rendersAsText(operator.page, "registrations");

    for (const p of [operator, family]) {
      expect(p.dialogs).toEqual([]);
      expect(p.problems).toEqual([]);
    }
  });
});
