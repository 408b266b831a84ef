import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, type TestBrowser, type TestPage } from "../helpers/browser.js";
import { closeClient, connect, waitUntil } from "../helpers/mqtt.js";
import { appendWater, hourly } from "./history.js";
import { type E2E, GRID, signIn, startE2E, text, until } from "./setup.js";

/** A small phone: the narrowest screen the dashboard promises to work on. */
const SMALL_PHONE = { width: 360, height: 740 };
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * What the audit measures, in the page (the test's TypeScript has no DOM types, so it is sent as text).
 * Decisions, documented in docs/dashboard.md ("Phones and accessibility"):
 * - overflow: the page never scrolls sideways (scrollWidth ≤ viewport), and no visible element reaches
 *   past the viewport's edges unless it sits inside a deliberate horizontal scroller (an ancestor with
 *   overflow-x auto/scroll/hidden: the navigation strip, the wrapper of wide tables). The scroller itself
 *   must fit.
 * - text: every visible piece of text in the DOM (and the text in form controls) is at least 16 CSS px.
 *   Chart axis labels are drawn on a canvas and are not measured here.
 * - targets: buttons, form controls, summaries and standalone links are at least 44×44 CSS px (WCAG 2.5.5,
 *   stricter than 2.2's 24×24 minimum); a checkbox counts through its label, which is the tap target.
 *   Links inside running text are exempt (the inline exception of WCAG 2.5.8).
 * - contrast: every visible text against its effective background (the element's and its ancestors'
 *   background colours composited until an opaque one) is ≥ 4.5:1, or ≥ 3:1 for large text (24 px, or
 *   18.66 px bold). Disabled controls are exempt (WCAG 1.4.3).
 * - labels: every visible input, select and textarea has a label element or an aria-label(ledby); a
 *   placeholder is not a label.
 */
const AUDIT = String.raw`(() => {
  const W = document.documentElement.clientWidth;
  const out = { scrollWidth: document.documentElement.scrollWidth, overflow: [], text: [], targets: [], contrast: [], labels: [] };
  const sel = (el) => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) {
      let s = e.tagName.toLowerCase();
      if (e.id) s += "#" + e.id;
      for (const c of e.classList) s += "." + c;
      const tid = e.getAttribute("data-testid");
      if (tid) s += "[data-testid=" + tid + "]";
      parts.unshift(s);
    }
    return parts.join(" > ");
  };
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 &&
      el.checkVisibility({ opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true });
  };
  const inScroller = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      const ox = getComputedStyle(e).overflowX;
      if (ox === "auto" || ox === "scroll" || ox === "hidden" || ox === "clip") return true;
    }
    return false;
  };
  const ownText = (el) => {
    let s = "";
    for (const n of el.childNodes) if (n.nodeType === 3) s += n.textContent;
    return s.trim();
  };
  const controls = "input:not([type=hidden]), select, textarea, button";
  const all = [...document.body.querySelectorAll("*")].filter(shown);

  for (const el of all) {
    const r = el.getBoundingClientRect();
    if ((r.right > W + 0.5 || r.left < -0.5) && !inScroller(el))
      out.overflow.push(sel(el) + " [" + Math.round(r.left) + ", " + Math.round(r.right) + "]");
  }

  const parse = (c) => {
    const m = /rgba?\(([\d.]+),?\s*([\d.]+),?\s*([\d.]+)(?:[,\s/]+([\d.]+%?))?\)/.exec(c);
    if (!m) return null;
    let a = m[4] === undefined ? 1 : parseFloat(m[4]);
    if (m[4] && m[4].endsWith("%")) a /= 100;
    return [parseFloat(m[1]), parseFloat(m[2]), parseFloat(m[3]), a];
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) layers.push(c);
      if (c && c[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (const l of layers.reverse()) bg = over(l, bg);
    return bg;
  };
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };

  for (const el of all) {
    const isControl = el.matches(controls) && !el.matches("[type=checkbox], [type=radio]");
    const words = isControl ? (el.value || ownText(el) || "x") : ownText(el);
    if (!words) continue;
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize);
    if (size < 16) out.text.push(sel(el) + " " + size + "px \"" + words.slice(0, 24) + "\"");
    if (el.closest(":disabled")) continue;
    const bg = background(el);
    const fg = parse(s.color);
    if (!fg) continue;
    const r = ratio(over(fg, bg), bg);
    const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
    if (r < (large ? 3 : 4.5))
      out.contrast.push(sel(el) + " " + r.toFixed(2) + ":1 \"" + words.slice(0, 24) + "\" " + s.color + " on rgb(" + bg.slice(0, 3).map(Math.round).join(", ") + ")");
  }

  const targets = "button, input:not([type=hidden]), select, textarea, summary, a";
  for (const el of all.filter((e) => e.matches(targets))) {
    if (el.tagName === "A") {
      // A link inside running text (its parent has words of its own) is exempt.
      if (ownText(el.parentElement)) continue;
    }
    const box = el.matches("[type=checkbox], [type=radio]") ? (el.closest("label") ?? el) : el;
    const r = box.getBoundingClientRect();
    if (r.width < 44 - 0.5 || r.height < 44 - 0.5)
      out.targets.push(sel(box) + " " + Math.round(r.width) + "×" + Math.round(r.height));
  }

  for (const el of all.filter((e) => e.matches("input:not([type=hidden]), select, textarea"))) {
    const labelled = [...(el.labels ?? [])].some((l) => l.textContent.trim() !== "") ||
      (el.getAttribute("aria-label") ?? "").trim() !== "" || el.hasAttribute("aria-labelledby");
    if (!labelled) out.labels.push(sel(el));
  }
  return out;
})()`;

interface Audit {
  scrollWidth: number;
  overflow: string[];
  text: string[];
  targets: string[];
  contrast: string[];
  labels: string[];
}

/** Roles a person operates or reads as a thing: each needs a name a screen reader can say. */
const NAMED =
  "button|link|textbox|searchbox|combobox|listbox|checkbox|radio|switch|spinbutton|slider|img|tab";
const NAMELESS = new RegExp(`^\\s*- (${NAMED})(?: \\[[^\\]]*\\])*(?::.*)?$`);

/** The accessibility tree's nameless buttons, links, fields and images (with the line above for context). */
async function nameless(page: Page): Promise<string[]> {
  const lines = (await page.locator("body").ariaSnapshot()).split("\n");
  return lines.flatMap((line, i) =>
    NAMELESS.test(line) ? [`${lines[i - 1]?.trim()} / ${line.trim()}`] : [],
  );
}

/** Audits the page as it is now; returns only the problems, so a failure lists them. */
async function audit(page: Page) {
  const a = (await page.evaluate(AUDIT)) as Audit;
  return {
    url: page.url().replace(/^https?:\/\/[^/]+/, ""),
    scrollWidth: a.scrollWidth <= SMALL_PHONE.width ? "fits" : `${a.scrollWidth}px`,
    overflow: a.overflow,
    smallText: a.text,
    smallTargets: a.targets,
    lowContrast: a.contrast,
    unlabelled: a.labels,
    nameless: await nameless(page),
  };
}
const CLEAN = {
  scrollWidth: "fits",
  overflow: [],
  smallText: [],
  smallTargets: [],
  lowContrast: [],
  unlabelled: [],
  nameless: [],
};

/** Keyboard state of the page: what has focus, and how it is drawn. */
const FOCUS = `(() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(),
    outline: s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor,
    outlineStyle: s.outlineStyle,
    outlineWidth: parseFloat(s.outlineWidth),
    boxShadow: s.boxShadow,
  };
})()`;
interface Ring {
  outline: string;
  outlineStyle: string;
  outlineWidth: number;
  boxShadow: string;
}

/**
 * Walks through a home's pages with sizes, colours, names and the keyboard measured at 360 × 740: the
 * sign-in page, the family's status page, the worker's inbox, an alert and a home with its charts, and
 * the operator's home, device health, people, thresholds and audit pages. Screenshots: 40-….
 */
describe("e2e: phones and accessibility (360 px)", () => {
  let env: E2E;
  let browser: TestBrowser;
  let householdId = "";
  let alertId = 0;
  let family = { login: "", password: "" };
  let worker = { login: "", password: "" };
  let operator = { login: "", password: "" };

  beforeAll(async () => {
    env = await startE2E();
    browser = await launchBrowser();
    householdId = env.home();
    // A month of ordinary water use (charts with a usual-range band), then a panic press: an open alert.
    const meter = await env.svc.provision("water", { householdId });
    const now = Date.now();
    appendWater(
      env.svc,
      householdId,
      meter.deviceId,
      hourly(now - 30 * DAY, now - HOUR, () => 6),
    );
    const panic = await env.svc.provision("button", { householdId });
    const device = await connect(env.svc.mqttPort, { username: panic.deviceId, password: panic.secret });
    await device.publishAsync(
      `devices/${panic.deviceId}/telemetry`,
      JSON.stringify([{ kind: "button", pressed: true }]),
      { qos: 1 },
    );
    await closeClient(device);
    const open = () =>
      env.svc.stores.db
        .prepare<[string], { id: number }>(
          "SELECT id FROM alerts WHERE household_id = ? AND rule = 'panic' AND status = 'open'",
        )
        .all(householdId);
    await waitUntil(() => open().length > 0, 10_000, "the panic alert");
    expect(open()).toHaveLength(1);
    alertId = open()[0]!.id;
    family = await env.user("family", { name: "陈敏", household: householdId });
    worker = await env.user("worker", { name: "Grid worker Li", grid: GRID, language: "en" });
    operator = await env.user("operator", { name: "值班运营员" });
  });
  afterAll(async () => {
    await browser?.close();
    await env?.stop();
  });

  const phone = () => browser.newPage(env.url, { viewport: SMALL_PHONE });
  /** Opens a page by its address and waits for what shows it has loaded. */
  async function visit(t: TestPage, hash: string, ready: string) {
    await t.page.goto(`/${hash}`);
    await t.page.locator(ready).first().waitFor();
  }
  /** Audits the page, saves a screenshot and expects no problem. */
  async function check(t: TestPage, shot: string) {
    // Charts draw on the next animation frame after their box is measured.
    await t.page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))");
    await t.shot(shot);
    expect(await audit(t.page)).toEqual({ ...CLEAN, url: t.page.url().replace(/^https?:\/\/[^/]+/, "") });
  }

  it("sign-in page, in both languages; html lang follows the language", async () => {
    const t = await phone();
    await visit(t, "", "[data-testid=login-form]");
    expect(await t.page.locator("html").getAttribute("lang")).toBe("zh-CN");
    await check(t, "40-a11y-login-zh");
    // The audit does see problems: 12 px text in the old --warning yellow-brown (3.0:1 on the page's
    // grey) and a 20 × 20 button without a name, put on the page for a moment.
    await t.page.evaluate(`(() => {
      const p = document.createElement("p");
      p.id = "probe";
      p.textContent = "probe";
      p.style.color = "#b38600";
      p.style.fontSize = "12px";
      const b = document.createElement("button");
      b.id = "probe-button";
      b.style.cssText = "min-width: 0; min-height: 0; width: 20px; height: 20px; padding: 0";
      document.getElementById("view").append(p, b);
    })()`);
    const probed = await audit(t.page);
    expect(probed.lowContrast).toEqual([expect.stringMatching(/p#probe 3\.0\d:1 "probe"/)]);
    expect(probed.smallText).toEqual([expect.stringMatching(/p#probe 12px "probe"/)]);
    expect(probed.smallTargets).toEqual([expect.stringMatching(/button#probe-button 20×20/)]);
    expect(probed.nameless).toEqual([expect.stringMatching(/- button$/)]);
    await t.page.evaluate(
      `document.getElementById("probe").remove(); document.getElementById("probe-button").remove()`,
    );
    await t.page.getByTestId("lang").click();
    await until(() => t.page.locator("html").getAttribute("lang")).toBe("en");
    await until(() => text(t.page.locator("h1"))).toBe("Sign in");
    // The switch is written in the other language and says so, for a screen reader's pronunciation.
    expect(await t.page.getByTestId("lang").getAttribute("lang")).toBe("zh-CN");
    await check(t, "40-a11y-login-en");
    await t.page.getByTestId("lang").click();
    await until(() => t.page.locator("html").getAttribute("lang")).toBe("zh-CN");
    expect(t.problems).toEqual([]);
  });

  it("the family's list and status page", async () => {
    const t = await phone();
    await signIn(t.page, family);
    expect(await t.page.locator("html").getAttribute("lang")).toBe("zh-CN");
    await visit(t, "#/family", `a[data-household="${householdId}"]`);
    await check(t, "41-a11y-family-list-zh");
    await visit(t, `#/family/${encodeURIComponent(householdId)}`, "[data-testid=summary]");
    await t.page.locator(`[data-testid=family-alerts] [data-alert="${alertId}"]`).waitFor();
    await check(t, "42-a11y-family-status-zh");
    expect(t.problems).toEqual([]);
  });

  it("the worker's inbox, an alert and a home with charts (English)", async () => {
    const t = await phone();
    await signIn(t.page, worker);
    await until(() => t.page.locator("html").getAttribute("lang")).toBe("en");
    await visit(t, "#/inbox", `[data-alert="${alertId}"]`);
    await check(t, "43-a11y-worker-inbox-en");
    await visit(t, `#/alert/${alertId}`, "[data-testid=alert-head]");
    await t.page.locator(".chart canvas").waitFor();
    await check(t, "44-a11y-worker-alert-en");
    await visit(t, `#/home/${encodeURIComponent(householdId)}`, "[data-testid=home-facts]");
    await t.page.locator(".chart canvas").first().waitFor();
    await check(t, "45-a11y-worker-home-en");
    expect(t.problems).toEqual([]);
  });

  it("keyboard only: sign in, open the alert from the inbox, acknowledge it; focus is always visible", async () => {
    const t = await phone();
    const p = t.page;
    await p.goto("/");
    await p.getByTestId("login-form").waitFor();
    const focused = async () => (await p.evaluate(FOCUS)) as Ring & { tag: string };
    const at = (q: string) => p.evaluate(`document.activeElement?.matches(${JSON.stringify(q)}) ?? false`);
    /** Tabs forward until `q` has focus; each control passed on the way shows a visible ring. */
    async function tabTo(q: string) {
      for (let i = 0; i < 60; i++) {
        await p.keyboard.press("Tab");
        if (await at(q)) break;
      }
      expect(await at(q)).toBe(true);
      // Drawn differently with focus than without (Shift+Tab away, look, Tab back), and thick enough.
      const on = await focused();
      await p.evaluate("globalThis.__a11yTarget = document.activeElement");
      await p.keyboard.press("Shift+Tab");
      const off = (await p.evaluate(
        `(() => { const s = getComputedStyle(globalThis.__a11yTarget); return { outline: s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor, boxShadow: s.boxShadow }; })()`,
      )) as Ring;
      await p.keyboard.press("Tab");
      expect(await at(q)).toBe(true);
      const ring = (on.outlineStyle !== "none" && on.outlineWidth >= 2) || on.boxShadow !== "none";
      expect({ q, ring, changed: on.outline !== off.outline || on.boxShadow !== off.boxShadow }).toEqual({
        q,
        ring: true,
        changed: true,
      });
    }
    await tabTo("input[name=login]");
    await p.keyboard.type(worker.login);
    await tabTo("input[name=password]");
    await p.keyboard.type(worker.password);
    await p.keyboard.press("Enter");
    await p.getByTestId("logout").waitFor();
    await p.locator(`[data-alert="${alertId}"]`).waitFor();
    await tabTo(`a[data-alert="${alertId}"]`);
    await p.keyboard.press("Enter");
    const head = p.getByTestId("alert-head");
    await until(() => head.getAttribute("data-status")).toBe("open");
    await tabTo("[data-action=acknowledge]");
    await t.shot("46-a11y-keyboard-focus-en");
    await p.keyboard.press("Enter");
    await until(() => head.getAttribute("data-status")).toBe("acknowledged");
    const status = env.svc.stores.db
      .prepare<[number], { status: string }>("SELECT status FROM alerts WHERE id = ?")
      .get(alertId);
    expect(status?.status).toBe("acknowledged");
    expect(t.problems).toEqual([]);
  });

  it("the operator's home, device health, people, thresholds and audit pages", async () => {
    const t = await phone();
    await signIn(t.page, operator);
    await visit(t, `#/home/${encodeURIComponent(householdId)}`, "[data-testid=devices] [data-device]");
    await check(t, "47-a11y-operator-home-zh");
    await visit(t, "#/devices", "[data-testid=device-health] [data-device]");
    await check(t, "48-a11y-operator-devices-zh");
    await visit(t, "#/people", "[data-person]");
    await check(t, "49-a11y-operator-people-zh");
    await visit(t, "#/rules", "[data-testid=rules-set]");
    await check(t, "50-a11y-operator-thresholds-zh");
    await visit(t, "#/audit", "table.audit");
    await check(t, "51-a11y-operator-audit-zh");
    expect(t.problems).toEqual([]);
  });
});
