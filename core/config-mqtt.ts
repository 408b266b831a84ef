/**
 * Limits the MQTT broker puts on connections (broker/connection-limits.ts, broker/auth-throttle.ts), in the
 * shape of core/config.ts SETTINGS, to be spread into it. Defaults are sized for one service with up to
 * tens of thousands of devices, some of them behind a carrier's NAT (many devices, one address).
 */
import { z } from "zod";

const positiveInt = z.coerce.number().int().positive();
const count = z.coerce.number().int().min(0);

export const MQTT_LIMIT_SETTINGS = {
  MQTT_MAX_PACKET_BYTES: {
    schema: positiveInt
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(262_144),
    help: "largest MQTT packet; a device announcing a larger one is disconnected before it is buffered",
  },
  MQTT_CONNECT_TIMEOUT_S: {
    schema: positiveInt.max(300).default(10),
    help: "a TCP connection that has not completed CONNECT in this many seconds is closed",
  },
  MQTT_MAX_KEEPALIVE_S: {
    schema: positiveInt.max(65_535).default(1_800),
    help: "keep-alive cap: a larger (or 0) keep-alive is treated as this, so a silent device is closed after 1.5 × it",
  },
  MQTT_MAX_PENDING_PER_ADDRESS: {
    schema: count.default(1_000),
    help: "connections from one address still before CONNACK; more are closed at once (0: no limit)",
  },
  MQTT_MAX_CONNECTIONS_PER_ADDRESS: {
    schema: count.default(10_000),
    help: "open MQTT connections from one address; more are closed at once (0: no limit; NAT needs many)",
  },
  MQTT_DEVICE_MESSAGES_PER_S: {
    schema: positiveInt.max(1_000_000).default(1_000),
    help: "publishes one device may send a second (a second's worth at once); faster ones are slowed down",
  },
  MQTT_AUTH_FAILURES_PER_DEVICE: {
    schema: positiveInt.default(5),
    help: "failed logins for one device id before it must wait (1 s, doubling to 5 min) between attempts",
  },
  MQTT_AUTH_FAILURES_PER_ADDRESS: {
    schema: positiveInt.default(50),
    help: "failed logins from one address before it must wait (1 s, doubling to 60 s) between attempts",
  },
} as const;

type LimitSettings = typeof MQTT_LIMIT_SETTINGS;
export type MqttLimitsRawConfig = { [K in keyof LimitSettings]: z.infer<LimitSettings[K]["schema"]> };

export interface MqttLimits {
  maxPacketBytes: number;
  connectTimeoutMs: number;
  maxKeepaliveS: number;
  maxPendingPerAddress: number;
  maxConnectionsPerAddress: number;
  deviceMessagesPerS: number;
  authFailuresPerDevice: number;
  authFailuresPerAddress: number;
}

export function mqttLimitsConfig(c: MqttLimitsRawConfig): MqttLimits {
  return {
    maxPacketBytes: c.MQTT_MAX_PACKET_BYTES,
    connectTimeoutMs: c.MQTT_CONNECT_TIMEOUT_S * 1000,
    maxKeepaliveS: c.MQTT_MAX_KEEPALIVE_S,
    maxPendingPerAddress: c.MQTT_MAX_PENDING_PER_ADDRESS,
    maxConnectionsPerAddress: c.MQTT_MAX_CONNECTIONS_PER_ADDRESS,
    deviceMessagesPerS: c.MQTT_DEVICE_MESSAGES_PER_S,
    authFailuresPerDevice: c.MQTT_AUTH_FAILURES_PER_DEVICE,
    authFailuresPerAddress: c.MQTT_AUTH_FAILURES_PER_ADDRESS,
  };
}

/** What the broker uses when it is created without configuration (tests, tools). */
export const DEFAULT_MQTT_LIMITS: MqttLimits = mqttLimitsConfig(
  z
    .object(
      Object.fromEntries(Object.entries(MQTT_LIMIT_SETTINGS).map(([k, v]) => [k, v.schema])) as {
        [K in keyof LimitSettings]: LimitSettings[K]["schema"];
      },
    )
    .parse({}),
);
