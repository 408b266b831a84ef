import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser, type TestPage } from "../helpers/browser.js";
import { closeClient, connect } from "../helpers/mqtt.js";
import { appendWater, hourly } from "./history.js";
import { type E2E, GRID, signIn, startE2E, text, until } from "./setup.js";

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** "2026-03-02T08:30" on the home's clock (Asia/Shanghai), as a datetime-local input takes it. */
const shanghaiInput = (ms: number) =>
  new Intl.DateTimeFormat("sv-SE", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  })
    .format(ms)
    .replace(" ", "T");

/** Console problems other than the error answers this walk provokes on purpose. */
const unexpected = (t: TestPage, expected: RegExp[] = []) =>
  t.problems.filter((p) => !expected.some((re) => re.test(p)));

/**
 * The family's own screens on phone-sized pages, against the real service: a planned absence pauses the
 * inactivity rule (an open alert clears at once) and the worker sees it; the family edits the parent's
 * details and the worker sees them; a password change in English (old password required, other
 * sessions end); the week and month charts' usual band, learned from the 28 days before the window.
 */
describe("e2e: family screens", () => {
  let env: E2E;
  let browser: TestBrowser;
  let family: TestPage;
  let worker: TestPage;
  let householdId = "";
  let daughter = { login: "", password: "" };

  beforeAll(async () => {
    env = await startE2E();
    browser = await launchBrowser();
    householdId = env.home();
    daughter = await env.user("family", { name: "陈敏", household: householdId });
    [family, worker] = await Promise.all([browser.newPage(env.url), browser.newPage(env.url)]);
    await signIn(worker.page, await env.user("worker", { name: "网格员小李", grid: GRID }));
    await signIn(family.page, daughter);
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  const alertsOf = (home: string) =>
    env.svc.stores.db
      .prepare<[string], { rule: string; status: string }>(
        "SELECT rule, status FROM alerts WHERE household_id = ? ORDER BY id",
      )
      .all(home);

  /** A meter that saw water use 14 h ago and has reported an idle register every 15 min since. */
  async function quietFor14Hours(home: string) {
    const meter = await env.svc.provision("water", { householdId: home });
    const now = Date.now();
    const readings = [
      { kind: "water", totalLiters: 300, ts: now - 14 * HOUR - 10 * MIN },
      { kind: "water", totalLiters: 306, ts: now - 14 * HOUR },
    ];
    for (let ts = now - 14 * HOUR + 15 * MIN; ts < now; ts += 15 * MIN)
      readings.push({ kind: "water", totalLiters: 306, ts });
    const device = await connect(env.svc.mqttPort, { username: meter.deviceId, password: meter.secret });
    await device.publishAsync(`devices/${meter.deviceId}/telemetry`, JSON.stringify(readings), { qos: 1 });
    await closeClient(device);
  }

  it("a planned absence entered by the family pauses the inactivity rule; the worker sees it", async () => {
    const p = family.page;
    await p.locator(`a[data-household="${householdId}"]`).click();
    await until(() => text(p.getByTestId("summary"))).toContain("今日一切正常");
    const absences = p.getByTestId("absences");
    await until(() => text(absences)).toContain("没有登记的外出");
    await absences.locator("details.add summary").click();
    const form = absences.locator("form.absence-form");
    // In hospital since last night (13 h ago, on the home's clock), for three more days.
    await form.locator("input[name=from]").fill(shanghaiInput(Date.now() - 13 * HOUR));
    await form.locator("select[name=reason]").selectOption("hospital");
    await family.shot("20-family-absence-form-zh");
    await form.locator("button[type=submit]").click();
    await until(() => text(absences.locator("[data-absence]"))).toContain("住院");

    // The same 14 quiet hours in this home and in a neighbour's without an absence: past the 12 h
    // ceiling, the neighbour gets an inactivity alert; this home, whose resident is away, does not.
    const neighbour = env.svc.stores.registry.addHousehold({
      resident: "邻居",
      address: "13号",
      gridPath: GRID,
    }).id;
    await quietFor14Hours(householdId);
    await quietFor14Hours(neighbour);
    await until(() => alertsOf(neighbour)).toEqual([{ rule: "inactivity", status: "open" }]);
    expect(alertsOf(householdId)).toEqual([]);
    await p.locator("[data-nav=family]").click();
    await p.locator(`a[data-household="${householdId}"]`).click();
    await until(() => text(p.getByTestId("summary"))).toContain("外出中（已登记）");
    await until(() => text(p.getByTestId("summary"))).toContain("本月0次警报");
    await family.shot("21-family-away-zh");

    const w = worker.page;
    await w.goto(`/#/home/${encodeURIComponent(householdId)}`);
    await until(() => text(w.getByTestId("absences"))).toContain("住院");
    await worker.shot("22-worker-home-absence-zh");
    expect(unexpected(family)).toEqual([]);
    expect(unexpected(worker)).toEqual([]);
  });

  it("the family edits the parent's details; the worker sees the change", async () => {
    const p = family.page;
    const details = p.getByTestId("parent-details");
    await details.locator("summary").click();
    const f = p.getByTestId("parent-form");
    await until(() => f.locator("input[name=address]").inputValue()).toBe("鼓楼区 温泉路 12号 501");
    await f.locator("input[name=phone]").fill("0591-6666-1234");
    await f.locator("textarea[name=healthNotes]").fill("糖尿病，早上7点打胰岛素");
    await f.locator("textarea[name=accessNotes]").fill("门卫处有备用钥匙");
    await f.locator("input[name='c0.name']").fill("陈敏");
    await f.locator("input[name='c0.phone']").fill("13711112222");
    await f.locator("input[name='c0.relation']").fill("女儿");
    await f.getByTestId("parent-consent").check();
    await family.shot("23-family-parent-details-zh");
    await f.locator("button[type=submit]").click();
    await until(() => text(p.locator("#toast"))).toBe("已保存，网格员会看到新的资料");

    const w = worker.page;
    await w.reload();
    const facts = w.getByTestId("home-facts");
    await until(() => text(facts)).toContain("糖尿病，早上7点打胰岛素");
    await until(() => text(facts)).toContain("0591-6666-1234");
    await until(() => text(facts)).toContain("门卫处有备用钥匙");
    await until(() => text(facts)).toContain("陈敏 (女儿)");
    expect(await text(w.locator("main"))).not.toMatch(/\bnull\b|undefined/);
    await worker.shot("24-worker-sees-new-details-zh");
    // Another family cannot even see that the home exists.
    const stranger = await browser.newPage(env.url);
    const otherHome = env.home("别家", "1号");
    await signIn(stranger.page, await env.user("family", { household: otherHome }));
    const status = await stranger.page.evaluate(async (id) => {
      const csrf = ((await (await fetch("/api/auth/csrf")).json()) as { csrfToken: string }).csrfToken;
      const r = await fetch(`/api/households/${id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json", "x-csrf-token": csrf },
        body: JSON.stringify({ phone: "110" }),
      });
      return r.status;
    }, householdId);
    expect(status).toBe(404);
    expect(unexpected(family)).toEqual([]);
  });

  it("a password change in English: the old one is required, the new one works, other sessions end", async () => {
    const other = await browser.newPage(env.url); // the same daughter on a second phone
    await signIn(other.page, daughter);
    const p = family.page;
    await p.getByTestId("lang").click();
    await until(() => p.locator("html").getAttribute("lang")).toBe("en");
    await p.locator("[data-nav=account]").click();
    const f = p.getByTestId("password-form");
    const next = "a-brand-new-family-password";
    await f.locator("input[name=currentPassword]").fill("not-my-password-at-all");
    await f.locator("input[name=newPassword]").fill(next);
    await f.locator("input[name=repeat]").fill(next);
    await f.locator("button[type=submit]").click();
    await until(() => text(p.locator("#toast"))).toBe("Wrong user name or password");
    await family.shot("25-family-password-wrong-en");
    await f.locator("input[name=currentPassword]").fill(daughter.password);
    await f.locator("button[type=submit]").click();
    await until(() => text(p.locator("#toast"))).toBe("Password changed; your other devices were signed out");
    await family.shot("26-family-password-changed-en");
    // This page stays signed in (its session was replaced); the second phone is signed out.
    await p.locator("[data-nav=family]").click();
    await until(() => text(p.locator("main"))).toContain("陈阿婆");
    await other.page.reload();
    await other.page.getByTestId("login-form").waitFor();
    // The old password no longer works; the new one does.
    await signInExpectingError(other, daughter.login, daughter.password);
    await until(() => text(other.page.locator("#toast"))).toBe("用户名或密码不正确");
    await signIn(other.page, { login: daughter.login, password: next });
    await other.shot("27-family-second-phone-new-password-zh");
    daughter = { ...daughter, password: next };
    expect(unexpected(family, [/status of 401.*\/api\/auth\/password/])).toEqual([]);
    expect(
      unexpected(other, [/status of 401.*\/api\/(auth\/login|households|registrations|live|auth\/me)/]),
    ).toEqual([]);
  });

  async function signInExpectingError(t: TestPage, login: string, password: string) {
    const form = t.page.getByTestId("login-form");
    await form.locator("input[name=login]").fill(login);
    await form.locator("input[name=password]").fill(password);
    await form.locator("button[type=submit]").click();
  }

  it("week and month views: the usual band is learned from the 28 days before the window", async () => {
    // 62 days of 2 L an hour, except the last 7 days at 6 L an hour. The day view's baseline (the 28
    // days before today) holds 6 of those busier days; the week's and the month's hold none.
    const homeId = env.home("周阿公", "2号");
    const meter = await env.svc.provision("water", { householdId: homeId });
    const now = Date.now();
    appendWater(
      env.svc,
      homeId,
      meter.deviceId,
      hourly(now - 62 * DAY, now, (ts) => (ts > now - 7 * DAY ? 6 : 2)),
    );
    const w = worker.page;
    await w.goto(`/#/home/${encodeURIComponent(homeId)}`);
    await until(() => text(w.getByTestId("band-legend"))).toBe("通常范围");
    for (const period of ["week", "month"]) {
      await w.locator(`[data-period=${period}]`).click();
      await until(() => w.locator(`[data-period=${period}].active`).count()).toBe(1);
      await until(() => text(w.getByTestId("band-legend"))).toBe("通常范围");
      await worker.shot(`28-worker-home-band-${period}-zh`);
    }
    // What the charts drew, asked the way the page asks it.
    const highs = await w.evaluate(
      async ({ id, now }) => {
        const out: Record<string, number[]> = {};
        for (const [name, days] of [
          ["day", 1],
          ["week", 7],
          ["month", 30],
        ] as const) {
          const q = `every=1h&from=${now - days * 86_400_000}&to=${now}`;
          const r = (await (await fetch(`/api/households/${id}/water/normal?${q}`)).json()) as {
            band: { high: number }[];
          };
          out[name] = [...new Set(r.band.map((b) => b.high))];
        }
        return out;
      },
      { id: homeId, now },
    );
    expect(highs).toEqual({ day: [6], week: [2], month: [2] });
    expect(unexpected(worker)).toEqual([]);
  });
});
