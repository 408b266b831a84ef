import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { createAccount } from "../../dashboard/auth/passwords.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import { createPeopleStore, type Duty, type Role } from "../../storage/sqlite/people.js";
import { startTestService, type TestService } from "../helpers/service.js";

export const GRID = "e2e/district/community/grid-1";

/** A real service on port 0 and accounts made the way `jinlin user add` makes them. */
export async function startE2E() {
  const svc = await startTestService();
  const db = svc.stores.db;
  const people = createPeopleStore(db, Date.now);
  const accounts = createAccountStore(db, Date.now);
  svc.stores.registry.ensureGrid(GRID);
  let seq = 0;
  return {
    svc,
    url: `http://127.0.0.1:${svc.httpPort}`,
    async user(
      role: Role,
      setup: {
        name?: string;
        grid?: string;
        duty?: Duty;
        household?: string;
        language?: "zh-CN" | "en";
      } = {},
    ) {
      const login = `${role}${++seq}`;
      const password = `pw-${login}-correct-horse`;
      const account = await createAccount(
        { people, accounts, transaction: (fn) => db.transaction(fn)() },
        { role, login, name: setup.name ?? `${role} ${seq}`, password, language: setup.language ?? "zh-CN" },
      );
      if (setup.grid)
        people.assign(account.id, svc.stores.registry.ensureGrid(setup.grid).id, setup.duty ?? "primary");
      if (setup.household) people.linkFamily(account.id, setup.household, "daughter");
      return { id: account.id, login, password };
    },
    /** A household in the e2e grid (the resident the family walks use unless another is named). */
    home(resident = "陈阿婆", address = "鼓楼区 温泉路 12号 501"): string {
      return svc.stores.registry.addHousehold({ resident, address, gridPath: GRID }).id;
    },
    stop: () => svc.stop(),
  };
}

export type E2E = Awaited<ReturnType<typeof startE2E>>;
export type { TestService };

/** Signs in through the login form and waits for the first page of the role. */
export async function signIn(page: Page, who: { login: string; password: string }) {
  await page.goto("/");
  await page.locator("[data-testid=login-form] input[name=login]").fill(who.login);
  await page.locator("[data-testid=login-form] input[name=password]").fill(who.password);
  await page.locator("[data-testid=login-form] button[type=submit]").click();
  await page.locator("[data-testid=logout]").waitFor();
}

/** Waits until the live stream (GET /api/live) is connected. */
export async function liveConnected(page: Page) {
  await page.locator("#top .live[data-live=live]").waitFor();
}

/** Retries until the assertion holds (10 s): the page updates asynchronously. */
export const until = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 10_000, interval: 100 });

/** The element's visible text, once it exists. */
export const text = (l: Locator) => l.textContent({ timeout: 10_000 });
