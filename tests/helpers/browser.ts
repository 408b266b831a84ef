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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** A helper still exiting can recreate files while the tree is removed: retry for a few seconds. */
async function removeProfile(profile: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(250);
    }
  }
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
    // Its own process group, so close() can stop the zygote and renderers with it.
    detached: true,
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
      const exited = new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r(null)));
      // Chromium's helpers (zygote, renderers, GPU/network services) outlive the browser process for a
      // moment and keep writing to the profile: stop the whole group, then remove the profile.
      killGroup(child, "SIGTERM");
      await Promise.race([exited, sleep(3_000)]);
      killGroup(child, "SIGKILL");
      await removeProfile(profile);
    },
  };
}
