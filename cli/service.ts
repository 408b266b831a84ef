import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer, type Server as NetServer } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { Gauge } from "prom-client";
import type { Alert } from "../alerts/alert-types.js";
import { createDailySummaries } from "../alerts/daily-summary.js";
import type { AlertLifecycle, AlertNews } from "../alerts/lifecycle.js";
import { createNotifier } from "../alerts/notify/notifier.js";
import { createBroker } from "../broker/create-broker.js";
import { type Clock, systemClock, type TimerHandle } from "../core/clock.js";
import type { Config } from "../core/config.js";
import type { Logger } from "../core/log.js";
import { buildApp } from "../dashboard/app.js";
import { idScopePreHandler } from "../dashboard/auth/scope.js";
import type { DashboardDeps } from "../dashboard/auth/types.js";
import { checkInRoutes } from "../dashboard/routes/checkin.js";
import { historyRoutes } from "../dashboard/routes/history.js";
import { liveRoutes } from "../dashboard/routes/live.js";
import { createGroupCommitter } from "../ingest/group-commit.js";
import { createRulesQueue } from "../ingest/rules-queue.js";
import { createStoreHealth } from "../ingest/store-health.js";
import { createTelemetryIngest } from "../ingest/telemetry-ingest.js";
import { createInfluxForwarder } from "../storage/influx/forwarder.js";
import { createInfluxHistory } from "../storage/influx/history.js";
import { createInfluxQl, createLineWriter } from "../storage/influx/http.js";
import { createAccountStore } from "../storage/sqlite/accounts.js";
import { createDashboardReports } from "../storage/sqlite/dashboard-reports.js";
import { createSqliteHistory } from "../storage/sqlite/history.js";
import { createHouseholdsApiStore } from "../storage/sqlite/households-api.js";
import { createInfluxOutbox } from "../storage/sqlite/influx-outbox.js";
import { type Db, openDatabase, storePath } from "../storage/sqlite/open.js";
import { ROLES } from "../storage/sqlite/people.js";
import { createReadingStore } from "../storage/sqlite/readings.js";
import { createRegistry } from "../storage/sqlite/registry.js";
import { createSummaryFacts } from "../storage/sqlite/summary-facts.js";
import { createMetrics } from "./metrics.js";
import { createPrivacyApi } from "./privacy-api.js";
import { scheduleRetention } from "./retention-schedule.js";
import { createRulesApi } from "./rules-api.js";
import { VERSION } from "./version.js";
import { wireAlerts } from "./wire-alerts.js";

export interface ServiceDeps {
  log: Logger;
  clock?: Clock;
}

export interface RunningService {
  /** The alert lifecycle, for in-process callers (the dashboard API, tests). */
  alerts: AlertLifecycle;
  /** Alert changes after they are committed (live streams subscribe here). */
  onAlert(listener: (alert: Alert, news: AlertNews) => void): () => void;
  mqttPort: number;
  httpPort: number;
  tlsPort: number | null;
  close(): Promise<void>;
}

function listen(server: NetServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    // A neighbourhood reconnecting after a power cut dials in at once: a deep accept queue (Node's default
    // is 511) keeps the kernel from resetting those connections. Linux caps it at net.core.somaxconn.
    server.listen({ port, host, backlog: 4096 }, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: NetServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The composition root: the only place where the parts are wired together. */
export async function startService(config: Config, deps: ServiceDeps): Promise<RunningService> {
  const clock = deps.clock ?? systemClock;
  const log = deps.log;
  const db = openDatabase(storePath(config.dataDir), { sync: config.sqliteSync });
  const registry = createRegistry(db, clock.now);
  const readings = createReadingStore(db, registry.touchDevices);

  let connected = () => 0;
  const metrics = createMetrics(() => connected());
  const notifier = createNotifier({ db, clock, log: log.child({ mod: "notify" }), config: config.notify });
  const alerts = wireAlerts(
    db,
    registry,
    clock,
    log.child({ mod: "alerts" }),
    { config, enqueue: notifier.enqueue, parkHousehold: notifier.outbox.parkHousehold },
    // A home's readings still queued for the rules go first when its deadline fires (rules is set below,
    // before any deadline can fire: the alert service starts after it).
    { beforeDeadline: (id) => rules.home(id) },
  );
  const influx = wireInflux(config, db, clock, log, metrics);
  const summaries = createDailySummaries({
    source: { ...createSummaryFacts(db), household: registry.getHousehold },
    enqueue: notifier.enqueue,
    clock,
    log: log.child({ mod: "summary" }),
    publicUrl: config.publicUrl,
  });
  // Readings committed but not yet through the rules, drained in slices of a few ms (ingest/rules-queue.ts).
  const rules = createRulesQueue({ evaluate: alerts.onReadings });
  const committer = createGroupCommitter({
    sink: readings,
    windowMs: config.commitWindowMs,
    onCommitted(result, seconds, urgent) {
      metrics.commitSeconds.observe(seconds);
      metrics.commitSize.observe(result.stored.length + result.duplicates);
      if (result.duplicates > 0) metrics.duplicates.inc(result.duplicates);
      // The rules run after this turn, once the PUBACKs of this commit are written; a panic press's at once.
      if (urgent) rules.urgent(result.stored);
      else rules.push(result.stored);
      influx?.notify(result.stored.length);
    },
  });
  // A full disk (or any failed commit) makes /readyz not ready until a commit succeeds again.
  const storeHealth = createStoreHealth(log.child({ mod: "ingest" }), clock.now);
  const ingest = createTelemetryIngest({
    committer: storeHealth.watch(committer),
    clock,
    limits: config.limits,
    log: log.child({ mod: "ingest" }),
    observer: {
      accepted: (n) => metrics.accepted.inc(n),
      rejected: (reason) => metrics.rejected.inc({ reason }),
    },
  });
  const broker = await createBroker({
    limits: config.mqtt,
    devices: registry,
    telemetry: ingest,
    log: log.child({ mod: "broker" }),
    observer: {
      authFailed: (why) => metrics.authFailures.inc({ why }),
      aclDenied: () => metrics.aclDenied.inc(),
      limited: (limit) => metrics.limited.inc({ limit }),
      reportDropped: () => metrics.reportsDropped.inc(),
    },
  });
  connected = broker.connectedDevices;

  const mqttServer = createServer(broker.handle);
  const mqttPort = await listen(mqttServer, config.mqttPort, config.bind);
  let tlsServer: NetServer | null = null;
  let tlsPort: number | null = null;
  if (config.tls) {
    tlsServer = createTlsServer(
      { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) },
      broker.handle,
    );
    tlsPort = await listen(tlsServer, config.tls.port, config.bind);
  }

  let shuttingDown = false;
  const dashboardDeps: DashboardDeps = {
    accounts: createAccountStore(db, clock.now),
    homes: createHouseholdsApiStore(db, clock.now),
    reports: createDashboardReports(db),
    registry,
    people: alerts.people,
    alerts: alerts.alertStore,
    lifecycle: alerts.lifecycle,
    disconnectDevice: (id) => broker.disconnectDevice(id),
    homeChanged: (id, absence) => alerts.service.homeChanged(id, absence),
    rules: createRulesApi({
      db,
      settings: alerts.settings,
      registry,
      readings,
      service: alerts.service,
      clock,
    }),
    notifications: {
      stats: () => notifier.outbox.stats(clock.now()),
      list: (filter) => notifier.outbox.list(filter),
      retry: (id) => notifier.outbox.retry(id),
    },
    privacy: createPrivacyApi({
      db,
      influx: config.influx,
      clock,
      log: log.child({ mod: "privacy" }),
      disconnect: (id) => broker.disconnectDevice(id),
      async settle() {
        committer.flush();
        await new Promise((r) => setImmediate(r));
        rules.drainAll(); // an erase is rare: its home's readings go through the rules now, not in slices
      },
      forget: (id) => alerts.service.forget(id),
      later(fn, ms) {
        const t = clock.setTimer(clock.now() + ms, () => {
          pendingDrops.delete(t);
          fn();
        });
        pendingDrops.add(t);
      },
    }),
    clock,
  };
  const pendingDrops = new Set<TimerHandle>();
  const retention = scheduleRetention({ db, config, clock, log: log.child({ mod: "retention" }) });
  const app = await buildApp({
    log: log.child({ mod: "http" }),
    version: VERSION,
    readiness: [
      { name: "store", check: () => ({ ok: db.open && !shuttingDown }) },
      { name: "ingest", check: () => storeHealth.health() },
      { name: "mqtt", check: () => ({ ok: mqttServer.listening && !shuttingDown }) },
      {
        name: "notifications",
        check: () => {
          const st = notifier.outbox.stats(clock.now());
          // Ten minutes of undelivered notifications means someone is not being told about an alert.
          return st.oldestAgeMs !== null && st.oldestAgeMs > 600_000
            ? { ok: false, detail: `oldest waiting ${Math.round(st.oldestAgeMs / 1000)} s` }
            : { ok: true };
        },
      },
      ...(influx ? [{ name: "influx", check: () => influx.health() }] : []),
    ],
    metricsText: async () => ({
      contentType: metrics.registry.contentType,
      body: await metrics.registry.metrics(),
    }),
    metricsToken: config.metricsToken,
    mqttOverWebSocket: (stream, request) => broker.handle(stream, request),
    dashboard: dashboardDeps,
    server: {
      trustProxy: config.trustProxy,
      timeouts: config.httpTimeouts,
      ...(config.https
        ? { https: { cert: readFileSync(config.https.certFile), key: readFileSync(config.https.keyFile) } }
        : {}),
    },
  });
  const history = config.influx
    ? createInfluxHistory(createInfluxQl(config.influx), { retentionPolicy: config.influx.retentionPolicy })
    : createSqliteHistory(db);
  await app.register(historyRoutes, {
    history,
    canSeeHousehold: (id) => registry.getHousehold(id) !== undefined,
    canSeeDevice: (id) => registry.getDevice(id) !== undefined,
    householdTimeZone: (id) => registry.getHousehold(id)?.timezone,
    // Signed-in people only, and only for households (and their devices) in their scope: 404 otherwise.
    preHandler: [idScopePreHandler(dashboardDeps)],
    routeConfig: { roles: ROLES },
    now: clock.now,
  });
  await app.register(liveRoutes, { deps: dashboardDeps, onAlert: alerts.onAlert });
  await app.register(checkInRoutes, { deps: dashboardDeps, api: alerts.checkInApi });
  await app.listen({ port: config.httpPort, host: config.bind });
  notifier.start();
  influx?.start();
  summaries.start();
  retention.start();
  const httpPort = (app.server.address() as AddressInfo).port;
  log.info(
    { mqttPort, httpPort, tlsPort, https: config.https !== null, dataDir: config.dataDir },
    "jinlin is running",
  );

  alerts.service.start();
  return {
    onAlert: alerts.onAlert,
    alerts: alerts.lifecycle,
    mqttPort,
    httpPort,
    tlsPort,
    async close() {
      if (shuttingDown) return;
      shuttingDown = true;
      log.info("shutting down: no new connections, finishing in-flight commits");
      const closing = [closeServer(mqttServer), ...(tlsServer ? [closeServer(tlsServer)] : [])];
      committer.flush();
      await new Promise((r) => setImmediate(r)); // let settled commits write their PUBACKs
      await broker.close();
      committer.close();
      rules.drainAll();
      alerts.service.stop();
      summaries.stop();
      await retention.stop();
      for (const t of pendingDrops) t.cancel();
      await notifier.stop();
      await influx?.close();
      await app.close();
      await Promise.all(closing);
      db.close();
      log.info("stopped");
    },
  };
}

/** The InfluxDB forwarder and its gauges, when JINLIN_INFLUX_URL is set. */
function wireInflux(
  config: Config,
  db: Db,
  clock: Clock,
  log: Logger,
  metrics: ReturnType<typeof createMetrics>,
) {
  if (!config.influx) return null;
  const outbox = createInfluxOutbox(db, clock.now);
  const influx = createInfluxForwarder({
    outbox,
    writer: createLineWriter(config.influx),
    log: log.child({ mod: "influx" }),
    clock,
    batchSize: config.influx.batchSize,
    flushMs: config.influx.flushMs,
  });
  new Gauge({
    name: "jinlin_influx_outbox_depth",
    help: "readings stored but not yet confirmed by InfluxDB",
    registers: [metrics.registry],
    collect() {
      this.set(influx.status().depth);
    },
  });
  new Gauge({
    name: "jinlin_influx_parked_lines",
    help: "readings InfluxDB rejected, parked for an operator (jinlin influx parked)",
    registers: [metrics.registry],
    collect() {
      this.set(outbox.parkedCount());
    },
  });
  new Gauge({
    name: "jinlin_influx_outbox_oldest_seconds",
    help: "age of the oldest reading waiting for InfluxDB",
    registers: [metrics.registry],
    collect() {
      this.set(influx.status().oldestSeconds);
    },
  });
  return influx;
}
