import { z } from "zod";
import { MQTT_LIMIT_SETTINGS, type MqttLimits, mqttLimitsConfig } from "./config-mqtt.js";
import { NOTIFY_SETTINGS, type NotifyConfig, notifyConfig, notifyProblems } from "./config-notify.js";
import { jinlinError } from "./errors.js";

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/**
 * Every setting: its environment variable is JINLIN_<NAME>, its flag --<name-in-kebab-case>.
 * The description is what `jinlin serve --help` and the README's table print.
 */
export const SETTINGS = {
  MQTT_PORT: { schema: port.default(1883), help: "MQTT over TCP port (0 picks a free port)" },
  HTTP_PORT: {
    schema: port.default(8080),
    help: "HTTP port: dashboard, API, /metrics, MQTT over WebSocket at /mqtt",
  },
  BIND: { schema: z.string().min(1).default("0.0.0.0"), help: "host/address to bind" },
  DATA_DIR: { schema: z.string().min(1).default("./data"), help: "directory for the SQLite store" },
  LOG_LEVEL: {
    schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    help: "log level",
  },
  MQTT_TLS_PORT: { schema: port.default(8883), help: "MQTT over TLS port (used when cert and key are set)" },
  TLS_CERT: { schema: z.string().optional(), help: "PEM certificate file for MQTT over TLS" },
  TLS_KEY: { schema: z.string().optional(), help: "PEM private key file for MQTT over TLS" },
  HTTPS_CERT: {
    schema: z.string().optional(),
    help: "PEM certificate file: the dashboard, API and MQTT over WebSocket (/mqtt) are served over HTTPS",
  },
  HTTPS_KEY: { schema: z.string().optional(), help: "PEM private key file for HTTPS" },
  TRUST_PROXY: {
    schema: z.string().optional(),
    help: "addresses/CIDRs of reverse proxies whose X-Forwarded-For/-Proto are believed (docs/deploy.md)",
  },
  METRICS_TOKEN: {
    schema: z.string().min(16, "at least 16 characters").optional(),
    help: "when set, /metrics answers only requests with `Authorization: Bearer <token>` (Prometheus `authorization`)",
  },
  HTTP_REQUEST_TIMEOUT_S: {
    schema: positiveInt.max(3600).default(30),
    help: "an HTTP request (headers and body) must arrive within this; responses such as /api/live are not cut",
  },
  HTTP_HEADERS_TIMEOUT_S: {
    schema: positiveInt.max(3600).default(10),
    help: "an HTTP request's headers must arrive within this (at most JINLIN_HTTP_REQUEST_TIMEOUT_S)",
  },
  MAX_PAYLOAD_BYTES: {
    schema: positiveInt.max(16 * 1024 * 1024).default(65_536),
    help: "largest accepted MQTT payload",
  },
  MAX_BATCH: {
    schema: positiveInt.max(100_000).default(2_000),
    help: "most readings in one telemetry message",
  },
  MAX_READING_AGE_DAYS: {
    schema: positiveInt.default(30),
    help: "readings older than this are rejected (ts_too_old)",
  },
  MAX_CLOCK_SKEW_S: {
    schema: z.coerce.number().int().min(0).default(300),
    help: "readings further in the future are rejected",
  },
  COMMIT_WINDOW_MS: {
    schema: z.coerce.number().min(0).max(1000).default(2),
    help: "group commit: how long a commit waits to gather readings from other devices",
  },
  SQLITE_SYNC: {
    schema: z.enum(["full", "normal"]).default("full"),
    help: "SQLite synchronous mode: full survives power loss, normal survives a process crash",
  },
  INFLUX_URL: {
    schema: z
      .url({ protocol: /^https?$/ })
      .refine(
        (u) => !/^https?:\/\/[^/]*@/.test(u),
        "credentials go in JINLIN_INFLUX_TOKEN or _USERNAME/_PASSWORD",
      )
      .optional(),
    help: "InfluxDB base URL (e.g. http://localhost:8086); when set, every stored reading is forwarded",
  },
  INFLUX_API: {
    schema: z.enum(["v1", "v2"]).default("v2"),
    help: "InfluxDB write API: v2 for 1.8+, 2.x, 3.x and Cloud; v1 for 1.7 and older",
  },
  INFLUX_TOKEN: {
    schema: z.string().min(1).optional(),
    help: "InfluxDB API token (v2 API; 1.8: user:password)",
  },
  INFLUX_USERNAME: { schema: z.string().min(1).optional(), help: "InfluxDB user (v1 API)" },
  INFLUX_PASSWORD: { schema: z.string().min(1).optional(), help: "InfluxDB password (v1 API)" },
  INFLUX_ORG: { schema: z.string().min(1).optional(), help: "InfluxDB organisation (v2 API)" },
  INFLUX_BUCKET: { schema: z.string().min(1).optional(), help: "InfluxDB bucket (v2 API)" },
  INFLUX_DATABASE: {
    schema: z.string().min(1).optional(),
    help: "InfluxDB database for v1 writes and InfluxQL queries (defaults to the bucket)",
  },
  INFLUX_RETENTION_POLICY: {
    schema: z.string().min(1).optional(),
    help: "InfluxDB retention policy (v1 API)",
  },
  INFLUX_BATCH_SIZE: {
    schema: positiveInt.max(50_000).default(5_000),
    help: "most lines in one InfluxDB write",
  },
  INFLUX_FLUSH_MS: {
    schema: positiveInt.max(60_000).default(1_000),
    help: "how often readings waiting for InfluxDB are sent when a batch is not full",
  },
  PUBLIC_URL: {
    schema: z.url({ protocol: /^https?$/ }).default("http://localhost:8080"),
    help: "the dashboard's address as people reach it (links in notifications)",
  },
  RETENTION_READINGS_DAYS: {
    schema: positiveInt.default(400),
    help: "readings older than this are deleted daily (a year plus: year-on-year baselines still work)",
  },
  RETENTION_ALERTS_DAYS: {
    schema: positiveInt.min(90).default(730),
    help: "resolved or cleared alerts (with their events) closed longer ago than this are deleted daily",
  },
  RETENTION_AUDIT_DAYS: {
    schema: positiveInt.min(180).default(730),
    help: "audit log entries older than this are deleted daily (at least 180: network logs are kept 6 months)",
  },
  RETENTION_NOTIFICATIONS_DAYS: {
    schema: positiveInt.min(7).default(90),
    help: "delivered notifications older than this are deleted daily from the outbox",
  },
  ...MQTT_LIMIT_SETTINGS,
  ...NOTIFY_SETTINGS,
} as const;

type Settings = typeof SETTINGS;
export type SettingName = keyof Settings;

const configSchema = z.object(
  Object.fromEntries(Object.entries(SETTINGS).map(([k, v]) => [k, v.schema])) as {
    [K in SettingName]: Settings[K]["schema"];
  },
);

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  mqttPort: number;
  httpPort: number;
  bind: string;
  dataDir: string;
  logLevel: RawConfig["LOG_LEVEL"];
  tls: { port: number; certFile: string; keyFile: string } | null;
  /** Connection, packet, keep-alive and login limits of the MQTT broker (core/config-mqtt.ts). */
  mqtt: MqttLimits;
  /** null: plain HTTP (or HTTPS ends at a reverse proxy, see trustProxy). */
  https: { certFile: string; keyFile: string } | null;
  /** Fastify's trustProxy: the proxies whose X-Forwarded-* headers are believed; false: none. */
  trustProxy: string | false;
  /** How long a slow HTTP client may take to send a request's headers and the whole request. */
  httpTimeouts: { requestMs: number; headersMs: number };
  /** /metrics needs `Authorization: Bearer <token>` when set; open otherwise (docs/security.md). */
  metricsToken: string | undefined;
  retention: RetentionConfig;
  limits: {
    maxPayloadBytes: number;
    maxBatch: number;
    maxReadingAgeMs: number;
    maxClockSkewMs: number;
  };
  commitWindowMs: number;
  sqliteSync: "full" | "normal";
  publicUrl: string;
  notify: NotifyConfig;
  /** null when JINLIN_INFLUX_URL is not set: readings stay in SQLite only. */
  influx: InfluxConfig | null;
}

/** How long each kind of record is kept, in days (storage/sqlite/retention.ts). */
export interface RetentionConfig {
  readingsDays: number;
  alertsDays: number;
  auditDays: number;
  notificationsDays: number;
}

export interface InfluxConfig {
  url: string;
  api: "v1" | "v2";
  /** v2: `Authorization: Token …`; v1: basic auth when username is set. */
  token: string | undefined;
  username: string | undefined;
  password: string | undefined;
  org: string | undefined;
  /** v2 writes. */
  bucket: string;
  /** v1 writes and InfluxQL queries (/query?db=…). */
  database: string;
  retentionPolicy: string | undefined;
  batchSize: number;
  flushMs: number;
}

export function envName(name: SettingName): string {
  return `JINLIN_${name}`;
}

export function flagName(name: SettingName): string {
  return name.toLowerCase().replaceAll("_", "-");
}

/**
 * The one place that reads configuration. `flags` (from the CLI) win over `env`.
 * Throws JINLIN_ERR_CONFIG_INVALID listing every problem.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  flags: Record<string, string> = {},
): Config {
  const raw: Record<string, string | undefined> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const value = flags[flagName(name)] ?? env[envName(name)];
    raw[name] = value === "" ? undefined : value;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0]) as SettingName;
      return `${envName(name)} (--${flagName(name)}): ${i.message}`;
    });
    throw jinlinError("JINLIN_ERR_CONFIG_INVALID", `\n  ${problems.join("\n  ")}`);
  }
  const c = parsed.data;
  const problems = notifyProblems(c);
  if ((c.TLS_CERT === undefined) !== (c.TLS_KEY === undefined))
    problems.push("JINLIN_TLS_CERT and JINLIN_TLS_KEY must be set together");
  if ((c.HTTPS_CERT === undefined) !== (c.HTTPS_KEY === undefined))
    problems.push("JINLIN_HTTPS_CERT and JINLIN_HTTPS_KEY must be set together");
  if (c.HTTP_HEADERS_TIMEOUT_S > c.HTTP_REQUEST_TIMEOUT_S)
    problems.push("JINLIN_HTTP_HEADERS_TIMEOUT_S must not be greater than JINLIN_HTTP_REQUEST_TIMEOUT_S");
  // Readings up to MAX_READING_AGE_DAYS old are still accepted: retention must not delete what ingest takes.
  if (c.RETENTION_READINGS_DAYS <= c.MAX_READING_AGE_DAYS)
    problems.push("JINLIN_RETENTION_READINGS_DAYS must be greater than JINLIN_MAX_READING_AGE_DAYS");
  if (problems.length > 0) throw jinlinError("JINLIN_ERR_CONFIG_INVALID", `\n  ${problems.join("\n  ")}`);
  return {
    mqttPort: c.MQTT_PORT,
    httpPort: c.HTTP_PORT,
    bind: c.BIND,
    dataDir: c.DATA_DIR,
    logLevel: c.LOG_LEVEL,
    tls: c.TLS_CERT && c.TLS_KEY ? { port: c.MQTT_TLS_PORT, certFile: c.TLS_CERT, keyFile: c.TLS_KEY } : null,
    mqtt: mqttLimitsConfig(c),
    https: c.HTTPS_CERT && c.HTTPS_KEY ? { certFile: c.HTTPS_CERT, keyFile: c.HTTPS_KEY } : null,
    trustProxy: c.TRUST_PROXY?.trim() ? c.TRUST_PROXY.trim() : false,
    metricsToken: c.METRICS_TOKEN,
    httpTimeouts: { requestMs: c.HTTP_REQUEST_TIMEOUT_S * 1000, headersMs: c.HTTP_HEADERS_TIMEOUT_S * 1000 },
    retention: {
      readingsDays: c.RETENTION_READINGS_DAYS,
      alertsDays: c.RETENTION_ALERTS_DAYS,
      auditDays: c.RETENTION_AUDIT_DAYS,
      notificationsDays: c.RETENTION_NOTIFICATIONS_DAYS,
    },
    limits: {
      maxPayloadBytes: c.MAX_PAYLOAD_BYTES,
      maxBatch: c.MAX_BATCH,
      maxReadingAgeMs: c.MAX_READING_AGE_DAYS * 86_400_000,
      maxClockSkewMs: c.MAX_CLOCK_SKEW_S * 1000,
    },
    commitWindowMs: c.COMMIT_WINDOW_MS,
    sqliteSync: c.SQLITE_SYNC,
    influx: influxConfig(c),
    publicUrl: c.PUBLIC_URL.replace(/\/$/, ""),
    notify: notifyConfig(c),
  };
}

function influxConfig(c: RawConfig): InfluxConfig | null {
  if (c.INFLUX_URL === undefined) return null;
  const problems: string[] = [];
  const target = c.INFLUX_BUCKET ?? c.INFLUX_DATABASE;
  if (target === undefined) problems.push("JINLIN_INFLUX_BUCKET or JINLIN_INFLUX_DATABASE must be set");
  if (c.INFLUX_API === "v2" && c.INFLUX_TOKEN === undefined)
    problems.push("JINLIN_INFLUX_TOKEN must be set for JINLIN_INFLUX_API=v2 (or set JINLIN_INFLUX_API=v1)");
  if ((c.INFLUX_USERNAME === undefined) !== (c.INFLUX_PASSWORD === undefined))
    problems.push("JINLIN_INFLUX_USERNAME and JINLIN_INFLUX_PASSWORD must be set together");
  if (problems.length > 0 || target === undefined)
    throw jinlinError("JINLIN_ERR_CONFIG_INVALID", `\n  ${problems.join("\n  ")}`);
  return {
    url: c.INFLUX_URL.replace(/\/+$/, ""),
    api: c.INFLUX_API,
    token: c.INFLUX_TOKEN,
    username: c.INFLUX_USERNAME,
    password: c.INFLUX_PASSWORD,
    org: c.INFLUX_ORG,
    bucket: c.INFLUX_BUCKET ?? target,
    database: c.INFLUX_DATABASE ?? target,
    retentionPolicy: c.INFLUX_RETENTION_POLICY,
    batchSize: c.INFLUX_BATCH_SIZE,
    flushMs: c.INFLUX_FLUSH_MS,
  };
}
