import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The service's Prometheus metrics; one registry per service instance so tests can run several. */
export function createMetrics(connectedDevices: () => number) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "jinlin_" });
  const m = {
    registry,
    connected: new Gauge({
      name: "jinlin_connected_devices",
      help: "MQTT connections currently open",
      registers: [registry],
      collect() {
        this.set(connectedDevices());
      },
    }),
    accepted: new Counter({
      name: "jinlin_readings_accepted_total",
      help: "readings durably stored",
      registers: [registry],
    }),
    duplicates: new Counter({
      name: "jinlin_readings_duplicate_total",
      help: "redelivered readings already stored (not stored twice)",
      registers: [registry],
    }),
    rejected: new Counter({
      name: "jinlin_readings_rejected_total",
      help: "readings refused, by reason",
      labelNames: ["reason"] as const,
      registers: [registry],
    }),
    commitSeconds: new Histogram({
      name: "jinlin_ingest_commit_seconds",
      help: "time to commit one group of readings to SQLite (incl. fsync)",
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    commitSize: new Histogram({
      name: "jinlin_ingest_commit_readings",
      help: "readings per group commit",
      buckets: [1, 5, 20, 100, 500, 2000, 5000],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: "jinlin_mqtt_auth_failures_total",
      help: "refused MQTT connections, by cause",
      labelNames: ["why"] as const,
      registers: [registry],
    }),
    aclDenied: new Counter({
      name: "jinlin_mqtt_acl_denied_total",
      help: "publishes or subscriptions outside a device's own topic tree",
      registers: [registry],
    }),
    limited: new Counter({
      name: "jinlin_mqtt_limited_total",
      help: "MQTT connections refused or closed by a limit (per-address counts, packet size)",
      labelNames: ["limit"] as const,
      registers: [registry],
    }),
    reportsDropped: new Counter({
      name: "jinlin_mqtt_reports_dropped_total",
      help: "error reports not sent because the device was not reading its socket",
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;
