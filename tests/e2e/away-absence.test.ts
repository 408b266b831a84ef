import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser, type TestPage } from "../helpers/browser.js";
import { closeClient, connect } from "../helpers/mqtt.js";
import { type E2E, GRID, signIn, startE2E, text, until } from "./setup.js";

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const ZONE = "Asia/Shanghai";

/** The day of an instant on the home's clock, as "2026-11-23". */
const shanghaiDay = (ms: number) =>
  new Intl.DateTimeFormat("sv-SE", {
    timeZone: ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(ms);

/**
 * A visit that finds the resident away: the worker resolves the inactivity alert with "false alarm: away"
 * and records the absence in the same form (until tomorrow 18:00 on the home's clock); another outcome
 * offers no absence.
 */
describe("e2e: false alarm away records an absence", () => {
  let env: E2E;
  let browser: TestBrowser;
  let worker: TestPage;
  const homes: string[] = [];

  /** An inactivity alert: last water use 14 h ago, an idle register every 15 min since. */
  async function inactivityAlert(householdId: string) {
    const meter = await env.svc.provision("water", { householdId });
    const now = Date.now();
    const readings = [
      { kind: "water", totalLiters: 112, ts: now - 14 * HOUR - 5 * MIN },
      ...Array.from({ length: 56 }, (_, i) => ({
        kind: "water",
        totalLiters: 120,
        ts: now - (56 - i) * 15 * MIN,
      })),
    ];
    const device = await connect(env.svc.mqttPort, { username: meter.deviceId, password: meter.secret });
    await device.publishAsync(`devices/${meter.deviceId}/telemetry`, JSON.stringify(readings), { qos: 1 });
    await closeClient(device);
    return until(
      () =>
        env.svc.stores.db
          .prepare<[string], { id: number }>(
            "SELECT id FROM alerts WHERE household_id = ? AND rule = 'inactivity' AND status = 'open'",
          )
          .get(householdId)?.id,
    ).toBeTypeOf("number");
  }

  const alertId = (householdId: string) =>
    env.svc.stores.db
      .prepare<[string], { id: number }>("SELECT id FROM alerts WHERE household_id = ?")
      .get(householdId)?.id ?? 0;

  /** What the API answers the signed-in worker. */
  const apiGet = async <T>(url: string) =>
    (await worker.page.evaluate(
      async (u) => (await fetch(u, { credentials: "same-origin" })).json(),
      url,
    )) as T;
  type Absences = { absences: { from: number; to: number; reason: string }[] };

  beforeAll(async () => {
    env = await startE2E();
    browser = await launchBrowser();
    for (const resident of ["周阿婆", "吴阿公"])
      homes.push(
        env.svc.stores.registry.addHousehold({
          resident,
          address: "鼓楼区 1号",
          gridPath: GRID,
          timezone: ZONE,
        }).id,
      );
    worker = await browser.newPage(env.url);
    await signIn(worker.page, await env.user("worker", { name: "网格员小王", grid: GRID }));
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  it("resolving with 'false alarm: away' records the absence until tomorrow 18:00", async () => {
    const [home] = homes as [string];
    await inactivityAlert(home);
    const id = alertId(home);
    const p = worker.page;
    await p.goto(`/#/alert/${id}`);
    const head = p.getByTestId("alert-head");
    await until(() => head.getAttribute("data-status")).toBe("open");
    await p.getByTestId("resolve-open").click();
    const away = p.getByTestId("away-absence");
    expect(await away.isVisible()).toBe(false);
    await p.getByTestId("outcome-select").selectOption("false_alarm_away");
    await until(() => away.isVisible()).toBe(true);
    expect(await away.getByTestId("record-absence").isChecked()).toBe(true);

    // Without "until" nothing is resolved: the worker is told what is missing.
    await p.locator("[data-action=resolve]").click();
    await until(() => text(p.locator("#toast"))).toBe("请填写外出截止时间（须晚于开始时间）");
    expect(await head.getAttribute("data-status")).toBe("open");

    const tomorrow = shanghaiDay(Date.now() + DAY);
    await away.locator("select[name=reason]").selectOption("travel");
    await away.locator("input[name=to]").fill(`${tomorrow}T18:00`);
    await worker.shot("away-absence-form-zh");
    await p.locator("[data-action=resolve]").click();
    await until(() => head.getAttribute("data-status")).toBe("resolved");
    await until(() => text(p.locator("#toast"))).toBe("已处理，外出已登记");
    await until(() => text(head.getByTestId("outcome"))).toBe("处理结果：误报：老人外出");

    const { alert } = await apiGet<{ alert: { raisedAt: number } }>(`/api/alerts/${id}`);
    const { absences } = await apiGet<Absences>(`/api/households/${encodeURIComponent(home)}/absences`);
    expect(absences).toEqual([
      expect.objectContaining({
        reason: "travel",
        from: Math.floor(alert.raisedAt / MIN) * MIN,
        to: Date.parse(`${tomorrow}T18:00:00+08:00`),
      }),
    ]);
    expect(worker.problems).toEqual([]);
  });

  it("another outcome offers no absence and records none", async () => {
    const [, home] = homes as [string, string];
    await inactivityAlert(home);
    const p = worker.page;
    await p.goto(`/#/alert/${alertId(home)}`);
    const head = p.getByTestId("alert-head");
    await until(() => head.getAttribute("data-status")).toBe("open");
    await p.getByTestId("resolve-open").click();
    await p.getByTestId("outcome-select").selectOption("false_alarm_away");
    await until(() => p.getByTestId("away-absence").isVisible()).toBe(true);
    await p.getByTestId("outcome-select").selectOption("safe");
    await until(() => p.getByTestId("away-absence").isVisible()).toBe(false);
    await p.locator("[data-action=resolve]").click();
    await until(() => head.getAttribute("data-status")).toBe("resolved");
    const { absences } = await apiGet<Absences>(`/api/households/${encodeURIComponent(home)}/absences`);
    expect(absences).toEqual([]);
    expect(worker.problems).toEqual([]);
  });
});
