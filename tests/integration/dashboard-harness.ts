import { rmSync } from "node:fs";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import type { Alert } from "../../alerts/alert-types.js";
import type { RuleId, Severity } from "../../alerts/engine/types.js";
import { DEFAULT_ESCALATION } from "../../alerts/escalation.js";
import { type AlertNews, createAlertLifecycle } from "../../alerts/lifecycle.js";
import { createNotificationOutbox } from "../../alerts/notify/outbox.js";
import { createPrivacyApi } from "../../cli/privacy-api.js";
import { createRulesApi } from "../../cli/rules-api.js";
import { wireAlerts } from "../../cli/wire-alerts.js";
import { createManualClock } from "../../core/clock.js";
import { loadConfig } from "../../core/config.js";
import { buildApp } from "../../dashboard/app.js";
import { createAccount } from "../../dashboard/auth/passwords.js";
import { idScopePreHandler } from "../../dashboard/auth/scope.js";
import type { AuthOptions, DashboardDeps } from "../../dashboard/auth/types.js";
import { checkInRoutes } from "../../dashboard/routes/checkin.js";
import { historyRoutes } from "../../dashboard/routes/history.js";
import { liveRoutes } from "../../dashboard/routes/live.js";
import { createAccountStore } from "../../storage/sqlite/accounts.js";
import { createAlertStore } from "../../storage/sqlite/alerts.js";
import { createDashboardReports } from "../../storage/sqlite/dashboard-reports.js";
import { createSqliteHistory } from "../../storage/sqlite/history.js";
import { createHouseholdsApiStore } from "../../storage/sqlite/households-api.js";
import { openDatabase, storePath } from "../../storage/sqlite/open.js";
import { createPeopleStore, type Duty, ROLES, type Role } from "../../storage/sqlite/people.js";
import { createReadingStore } from "../../storage/sqlite/readings.js";
import { createRegistry } from "../../storage/sqlite/registry.js";
import { captureLogs } from "../helpers/log-sink.js";
import { tempDir } from "../helpers/service.js";

export interface RouteRecord {
  method: string;
  url: string;
  roles: readonly Role[] | undefined;
  public: boolean;
}

/** A browser-like client over app.inject: keeps cookies, sends the CSRF token it was given. */
export class Client {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  constructor(private readonly app: FastifyInstance) {}

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await this.app.inject({
      method: method as InjectOptions["method"],
      url,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(this.csrf ? { "x-csrf-token": this.csrf } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { payload: body as InjectOptions["payload"] }),
    });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const gone =
        c.value === "" || c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() < Date.now());
      if (gone) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }
  get = (url: string) => this.request("GET", url);
  post = (url: string, body: unknown = {}) => this.request("POST", url, body);

  async fetchCsrf(): Promise<void> {
    this.csrf = (await this.get("/api/auth/csrf")).json<{ csrfToken: string }>().csrfToken;
  }
  async login(login: string, password: string): Promise<LightMyRequestResponse> {
    if (!this.csrf) await this.fetchCsrf();
    const res = await this.post("/api/auth/login", { login, password });
    if (res.statusCode === 200) this.csrf = res.json<{ csrfToken: string }>().csrfToken;
    return res;
  }
}

const START = Date.parse("2026-03-02T02:00:00Z");
/** The call/SMS gateway's shared secret: it signs check-in answers to /hooks/checkin/answer. */
export const GATEWAY_SECRET = "harness-gateway-secret-0123456789";

/** The real buildApp with the dashboard on a real SQLite file; no sockets (app.inject). */
export async function startDashboard(options: Partial<AuthOptions> = {}) {
  const dir = tempDir("jinlin-dash-");
  const db = openDatabase(storePath(dir), { sync: "normal" });
  const clock = createManualClock(START);
  const logs = captureLogs();
  const registry = createRegistry(db, clock.now);
  const alertStore = createAlertStore(db);
  const people = createPeopleStore(db, clock.now);
  const accounts = createAccountStore(db, clock.now);
  const homes = createHouseholdsApiStore(db, clock.now);
  const changes: [Alert, AlertNews][] = [];
  const listeners = new Set<(alert: Alert, news: AlertNews) => void>();
  const lifecycle = createAlertLifecycle({
    store: alertStore,
    clock,
    policy: DEFAULT_ESCALATION,
    notifier: { notify: () => {} },
    log: logs.log,
    onChange: (a, n) => {
      changes.push([a, n]);
      for (const l of listeners) l(a, n);
    },
  });
  // The rule settings, the alert service and the check-in API as cli/service.ts builds them (wireAlerts);
  // its own lifecycle is not started and notifies nobody: the dashboard uses the one above.
  const config = loadConfig({
    JINLIN_DATA_DIR: dir,
    JINLIN_WEBHOOK_URL: "http://127.0.0.1:9/gateway",
    JINLIN_WEBHOOK_SECRET: GATEWAY_SECRET,
  });
  const wired = wireAlerts(db, registry, clock, logs.log, { config, enqueue: () => 0 });
  const outbox = createNotificationOutbox(db, clock);
  const routes: RouteRecord[] = [];
  const disconnected: string[] = [];
  const dashboard: DashboardDeps = {
    accounts,
    homes,
    reports: createDashboardReports(db),
    registry,
    people,
    alerts: alertStore,
    lifecycle,
    disconnectDevice: (id) => disconnected.push(id) && 0,
    notifications: {
      stats: () => outbox.stats(clock.now()),
      list: (filter) => outbox.list(filter),
      retry: (id) => outbox.retry(id),
    },
    privacy: createPrivacyApi({
      db,
      influx: null,
      clock,
      log: logs.log,
      disconnect: (id) => disconnected.push(id),
    }),
    rules: createRulesApi({
      db,
      settings: wired.settings,
      registry,
      readings: createReadingStore(db, registry.touchDevices),
      service: wired.service,
      clock,
    }),
    clock,
    options,
    onRoute: (r) => {
      for (const method of [r.method].flat())
        routes.push({ method, url: r.url, roles: r.config?.roles, public: r.config?.public === true });
    },
  };
  const app = await buildApp({
    log: logs.log,
    readiness: [],
    version: "test",
    metricsText: async () => ({ contentType: "text/plain", body: "" }),
    dashboard,
  });
  // The history routes as cli/service.ts registers them, so the scope test covers them too.
  await app.register(historyRoutes, {
    history: createSqliteHistory(db),
    canSeeHousehold: (id) => registry.getHousehold(id) !== undefined,
    canSeeDevice: (id) => registry.getDevice(id) !== undefined,
    preHandler: [idScopePreHandler(dashboard)],
    routeConfig: { roles: ROLES },
    now: clock.now,
  });
  // The live stream and the resident check-in, as cli/service.ts registers them.
  await app.register(liveRoutes, {
    deps: dashboard,
    onAlert: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  });
  await app.register(checkInRoutes, { deps: dashboard, api: wired.checkInApi });
  await app.ready();
  let seq = 0;

  return {
    app,
    db,
    clock,
    logs,
    registry,
    people,
    accounts,
    homes,
    alertStore,
    lifecycle,
    outbox,
    routes,
    changes,
    disconnected,
    client: () => new Client(app),
    /** An account and a signed-in client for it. */
    async user(role: Role, setup: { grid?: string; duty?: Duty; household?: string } = {}) {
      const login = `${role}-${++seq}`;
      const password = `pw-${login}-correct-horse`;
      const account = await createAccount(
        { people, accounts, transaction: (fn) => db.transaction(fn)() },
        { role, login, name: `${role} ${seq}`, password },
      );
      if (setup.grid) people.assign(account.id, registry.ensureGrid(setup.grid).id, setup.duty ?? "primary");
      if (setup.household) people.linkFamily(account.id, setup.household, "daughter");
      const client = new Client(app);
      const res = await client.login(login, password);
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
      return { account, login, password, client };
    },
    household(gridPath: string, resident = `Resident ${++seq}`) {
      return registry.addHousehold({ resident, address: `${seq} Test Road`, gridPath });
    },
    raise(householdId: string, severity: Severity = "major", rule: RuleId = "inactivity"): Alert {
      const message = { "zh-CN": "测试", en: "test alert" };
      const evidence = {
        rule,
        severity,
        threshold: { name: "gap", value: 12, unit: "h" },
        observed: { name: "gap", value: 14, unit: "h" },
        baseline: null,
        readings: [],
        confidence: 0.9,
        message,
      };
      const [a] = lifecycle.apply(householdId, [
        { kind: "raise", rule, severity, at: clock.now(), evidence },
      ]);
      return a!;
    },
    async close() {
      await app.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type Dashboard = Awaited<ReturnType<typeof startDashboard>>;
