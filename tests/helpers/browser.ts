import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));
/** A phone: grid workers use the dashboard on theirs. */
export const PHONE = { width: 390, height: 844 };

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--remote-debugging-port=0",
];

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors and CSP violations seen so far: a clean page has none. */
  problems: string[];
  /** Alert/confirm dialogs the page opened (an injected script would open one). */
  dialogs: string[];
  shot(name: string): Promise<string>;
}

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (its own cookies and storage) at phone size, on `baseUrl`. */
  newPage(baseUrl: string, options?: { viewport?: { width: number; height: number } }): Promise<TestPage>;
  close(): Promise<void>;
}

function devtoolsUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`chromium did not start:\n${err}`)), 15_000);
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited with ${code}:\n${err}`));
    });
  });
}

/**
 * Debian's Chromium, started by hand with a fresh --user-data-dir and a DevTools port the kernel picks,
 * driven by playwright-core over CDP. Each newPage is its own browser context, so a family member, a
 * grid worker and an operator can be signed in side by side.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "jinlin-chromium-"));
  const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, "about:blank"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const browser = await chromium.connectOverCDP(await devtoolsUrl(child));
  mkdirSync(ARTIFACTS, { recursive: true });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async newPage(baseUrl, options = {}) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: options.viewport ?? PHONE,
        deviceScaleFactor: 1,
        hasTouch: true,
        isMobile: true,
        timezoneId: "Asia/Shanghai",
      });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      const page = await context.newPage();
      const problems: string[] = [];
      const dialogs: string[] = [];
      page.on("console", (m) => {
        // Asking "who am I?" while signed out is answered 401 by design; every other error counts.
        const signedOutProbe = /status of 401/.test(m.text()) && m.location().url.endsWith("/api/auth/me");
        if ((m.type() === "error" && !signedOutProbe) || /Content.Security.Policy/i.test(m.text()))
          problems.push(`${m.text()} ${m.location().url}`);
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("dialog", (d) => {
        dialogs.push(`${d.type()}: ${d.message()}`);
        // confirm() guards destructive buttons: accept those; an alert() would mean injected script.
        void (d.type() === "confirm" ? d.accept() : d.dismiss());
      });
      return {
        page,
        context,
        problems,
        dialogs,
        async shot(name) {
          const path = join(ARTIFACTS, `${name}.png`);
          // A sticky header would be drawn mid-page in a full-page screenshot: unstick it meanwhile.
          const top = page.locator("#top");
          await top.evaluate((el) => el.style.setProperty("position", "static"));
          await page.screenshot({ path, fullPage: true });
          await top.evaluate((el) => el.style.removeProperty("position"));
          return path;
        },
      };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r(null)));
      // Chromium's helper processes can still be writing to the profile for a moment after the browser exits.
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
