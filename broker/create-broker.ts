import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type {
  AedesPublishPacket,
  Aedes as AedesType,
  AuthenticateError,
  Client,
  PublishPacket,
  Subscription,
} from "aedes";
import { Aedes } from "aedes";
import { DEFAULT_MQTT_LIMITS, type MqttLimits } from "../core/config-mqtt.js";
import { ERRORS, isJinlinError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { type ConnectionLimit, createConnectionGate } from "./connection-gate.js";
import type { AuthedDevice, DeviceLookup } from "./device-auth.js";
import { createLoginCheck } from "./login.js";
import { createRateLimiter } from "./rate-limiter.js";
import { deviceTopic, isInsideOwnTree, leafOf } from "./topics.js";

/** Why a reading was refused, as published on devices/<id>/errors. */
export interface WireRejection {
  index: number | null;
  code: string;
  reason: string;
  message: string;
}

/**
 * What the broker hands telemetry to. `handle` resolves once the accepted readings are durable (the broker
 * then lets Aedes send PUBACK) and returns the rejections to report; it rejects when nothing could be stored.
 */
export interface TelemetrySink {
  handle(
    device: AuthedDevice,
    payload: Buffer,
    meta: { qos: number; dup: boolean; messageId: number | undefined },
  ): Promise<WireRejection[]>;
}

export interface BrokerObserver {
  authFailed(why: string): void;
  aclDenied(): void;
  /** A connection refused or closed by a limit: per-address counts, packet size. */
  limited?(limit: ConnectionLimit): void;
  /** An error report not sent because the device is not reading its socket. */
  reportDropped?(): void;
}

export interface BrokerDeps {
  devices: DeviceLookup;
  telemetry: TelemetrySink;
  log: Logger;
  observer?: BrokerObserver;
  limits?: MqttLimits;
  now?: () => number;
}

export interface JinlinBroker {
  aedes: AedesType;
  /** Takes a new connection (TCP, TLS or WebSocket stream) through the per-address and packet limits. */
  handle(conn: Duplex, req?: IncomingMessage): void;
  connectedDevices(): number;
  /** Closes every connection of this device (after revocation or rotation). */
  disconnectDevice(deviceId: string): number;
  close(): Promise<void>;
}

/** A device sending garbage gets this many error reports at once, then this many a second (protocol.md). */
const REPORT_BURST = 100;
const REPORTS_PER_S = 20;

const authError = (returnCode: 2 | 3 | 4 | 5, message: string): AuthenticateError =>
  Object.assign(new Error(message), { returnCode }) as AuthenticateError;

export async function createBroker(deps: BrokerDeps): Promise<JinlinBroker> {
  const { log, telemetry } = deps;
  const limits = deps.limits ?? DEFAULT_MQTT_LIMITS;
  const devices = new WeakMap<Client, AuthedDevice>();
  const emptyIdNoClean = new WeakSet<Client>();
  const reports = createRateLimiter({ perSecond: REPORTS_PER_S, burst: REPORT_BURST });
  const publishes = createRateLimiter({
    perSecond: limits.deviceMessagesPerS,
    burst: limits.deviceMessagesPerS,
  });
  const login = createLoginCheck({
    devices: deps.devices,
    limits,
    now: deps.now ?? Date.now,
    log,
    ...(deps.observer ? { observer: deps.observer } : {}),
  });
  /** One warning per address and limit a minute, not one per refused socket of a flood. */
  const warned = new Map<string, number>();
  const warnOnce = (key: string, fields: Record<string, unknown>, msg: string) => {
    const now = Date.now();
    if ((warned.get(key) ?? 0) > now - 60_000) return;
    if (warned.size > 10_000) warned.clear();
    warned.set(key, now);
    log.warn(fields, msg);
  };

  const aedes = await Aedes.createBroker({
    // A device that stops reading its socket is dropped after 30 s; error reports are not even queued to it
    // once its socket buffer is full (authorizeForward), so it never holds up delivery to others.
    drainTimeout: 30_000,
    // No mqemitter queue: with a limit (Aedes' default is 100 deliveries in flight) a QoS 0 flood that
    // outpaces a subscriber builds a backlog, and when that subscriber disconnects mqemitter unwinds the
    // backlog in one synchronous recursion and the process dies with "Maximum call stack size exceeded".
    // Without it nothing queues; the deliveries to devices are bounded by authorizeForward and reportRejection.
    concurrency: 0,
    connectTimeout: limits.connectTimeoutMs,
    maxClientsIdLength: 128,
    maxTopicLevels: 8,
    heartbeatInterval: 60_000,
  });

  // Telemetry ends in authorizePublish: nobody may subscribe to it (authorizeForward, authorizeSubscribe) and
  // the service reads it there. Aedes would still run its publish series on every message after the PUBACK
  // (a Packet copy, the retained store, a persistence look-up for offline subscribers through two promises,
  // an mqemitter/qlobber match and the `published` hook): work for no receiver, on the hot path. Packets
  // handed over in authorizePublish are completed here instead; wills, status and error reports still go
  // through Aedes. A retained flag on telemetry is thereby ignored too (no device's reading kept in memory).
  const consumed = new WeakSet<PublishPacket>();
  // Aedes calls publish(packet, client, done) internally; its types declare only (packet, done).
  type Done = (err?: Error) => void;
  const internal = aedes as unknown as { publish(p: PublishPacket, c: Client | null | Done, d?: Done): void };
  const relay = internal.publish.bind(aedes);
  internal.publish = (packet, client, done) => {
    if (!consumed.has(packet)) return relay(packet, client, done);
    (typeof client === "function" ? client : done)?.();
  };

  const gate = createConnectionGate({
    aedes,
    limits,
    log,
    deviceIdOf: (client) => devices.get(client)?.id,
    warnOnce,
    ...(deps.observer?.limited ? { limited: deps.observer.limited } : {}),
  });

  aedes.preConnect = (client, packet, done) => {
    // [MQTT-3.1.3-8]: a zero-byte client id with CleanSession=0 gets CONNACK 2 (identifier rejected).
    if (packet.clientId === "" && packet.clean === false) emptyIdNoClean.add(client);
    // Keep-alive 0 (never) or hours would keep a dead connection forever: Aedes closes a silent client after
    // 1.5 × keep-alive [MQTT-3.1.2-24], so both are capped. MQTT 3.1.1 cannot tell the device; see protocol.md.
    const keepalive = packet.keepalive ?? 0;
    if (keepalive === 0 || keepalive > limits.maxKeepaliveS) packet.keepalive = limits.maxKeepaliveS;
    done(null, true);
  };

  aedes.authenticate = (client, username, password, done) => {
    if (emptyIdNoClean.has(client)) {
      log.warn(
        { remote: client.conn && "remoteAddress" in client.conn ? client.conn.remoteAddress : undefined },
        "empty client id without clean session",
      );
      done(authError(2, "identifier rejected"), false);
      return;
    }
    if (!username || !password) {
      deps.observer?.authFailed("anonymous");
      log.warn({ clientId: client.id }, "anonymous connection refused");
      done(authError(5, "not authorized"), false);
      return;
    }
    login(username, password.toString("utf8"), gate.addressOf(client)).then((outcome) => {
      if (outcome.ok) {
        devices.set(client, outcome.device);
        done(null, true);
        return;
      }
      // CONNACK 3 (server unavailable) makes a device retry later; 5 tells it the credentials are wrong.
      if (outcome.why === "busy") done(authError(3, "server unavailable"), false);
      else done(authError(5, "not authorized"), false);
    });
  };

  aedes.authorizePublish = (client, packet, done) => {
    const device = client ? devices.get(client) : undefined;
    // client is null when Aedes publishes a stored will for a device that is gone; wills were checked at connect.
    if (client === null) return done(null);
    // A device over its message rate is slowed, not refused: Aedes reads its next packets only after this.
    const wait = device ? publishes.reserve(device.id, Date.now()) : 0;
    if (wait > 0) setTimeout(() => authorizeOwnPublish(device, packet, done), wait);
    else authorizeOwnPublish(device, packet, done);
  };

  function authorizeOwnPublish(
    device: AuthedDevice | undefined,
    packet: PublishPacket,
    done: (err: Error | null) => void,
  ): void {
    if (
      !device ||
      !isInsideOwnTree(device.id, packet.topic) ||
      packet.topic.includes("+") ||
      packet.topic.includes("#")
    ) {
      deps.observer?.aclDenied();
      log.warn({ deviceId: device?.id, topic: packet.topic }, "publish outside own topic tree refused");
      done(new Error("publish outside devices/<own id>/ refused"));
      return;
    }
    const leaf = leafOf(device.id, packet.topic);
    if (leaf === "status") {
      done(null);
      return;
    }
    if (leaf !== "telemetry") {
      deps.observer?.aclDenied();
      log.warn({ deviceId: device.id, topic: packet.topic }, "publish to a topic devices may not use");
      done(new Error(`devices may publish only to telemetry and status, not ${leaf}`));
      return;
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    telemetry.handle(device, payload, { qos: packet.qos, dup: packet.dup, messageId: packet.messageId }).then(
      (rejections) => {
        for (const r of rejections) reportRejection(device.id, r);
        // Telemetry is consumed here; it is not relayed to subscribers (devices must not read each other),
        // so Aedes's publish after the PUBACK is skipped for it (see `aedes.publish` below).
        consumed.add(packet);
        done(null);
      },
      (err: unknown) => {
        const code = isJinlinError(err) ? err.code : "JINLIN_ERR_STORE_WRITE_FAILED";
        // Once a minute per device: while the disk is full every publish fails, and the log may share that disk.
        warnOnce(`store:${device.id}`, { deviceId: device.id, code }, "telemetry not stored; no PUBACK");
        reportRejection(device.id, {
          index: null,
          code,
          reason: "store_unavailable",
          message: ERRORS[code].message,
        });
        // No PUBACK: closing the connection makes the device redeliver after it reconnects.
        done(new Error("store unavailable"));
      },
    );
  }

  // Telemetry and status stay between device and service: nobody else subscribes to another device's tree,
  // and a device gets nothing relayed back from its own telemetry.
  // A report is dropped rather than written when it would fill the device's socket buffer: Aedes would then
  // wait for 'drain' while holding one of mqemitter's 100 delivery slots, a frozen subscriber would soon hold
  // them all, every publish would queue behind them, and when it disconnected the queue would unwind in one
  // recursion ("Maximum call stack size exceeded", reproduced in tests/integration/hostile-mqtt-flood.test.ts).
  aedes.authorizeForward = (client, packet: AedesPublishPacket) => {
    const device = devices.get(client);
    if (!device || leafOf(device.id, packet.topic) !== "errors") return null;
    const conn = client.conn as Duplex;
    const size = packet.topic.length + packet.payload.length + 8;
    if (conn.writableNeedDrain || conn.writableLength + size >= conn.writableHighWaterMark) {
      deps.observer?.reportDropped?.();
      warnOnce(`drop:${device.id}`, { deviceId: device.id }, "device is not reading; error reports dropped");
      return null;
    }
    return packet;
  };

  aedes.authorizeSubscribe = (client, sub: Subscription, done) => {
    const device = devices.get(client);
    if (!device || !isInsideOwnTree(device.id, sub.topic)) {
      deps.observer?.aclDenied();
      log.warn({ deviceId: device?.id, topic: sub.topic }, "subscription outside own topic tree refused");
      return done(null, null); // SUBACK 0x80
    }
    done(null, sub);
  };

  aedes.on("clientError", (client, err) => {
    log.warn({ deviceId: devices.get(client)?.id, clientId: client.id, err: err.message }, "client error");
  });
  aedes.on("connectionError", (client, err) => {
    log.warn({ deviceId: devices.get(client)?.id, err: err.message }, "connection error");
  });
  aedes.on("client", (client) => log.debug({ deviceId: devices.get(client)?.id }, "device connected"));
  aedes.on("clientDisconnect", (client) =>
    log.debug({ deviceId: devices.get(client)?.id }, "device disconnected"),
  );

  function reportRejection(deviceId: string, r: WireRejection): void {
    // Beyond the budget neither a report nor a log line: a device sending garbage in a loop would flood both.
    if (!reports.tryTake(deviceId, Date.now())) {
      deps.observer?.reportDropped?.();
      warnOnce(`rate:${deviceId}`, { deviceId }, "too many rejected readings; error reports rate-limited");
      return;
    }
    log.info({ deviceId, reason: r.reason, index: r.index }, "reading rejected");
    const packet = {
      cmd: "publish",
      topic: deviceTopic(deviceId, "errors"),
      payload: Buffer.from(JSON.stringify({ ...r, at: new Date().toISOString() })),
      qos: 0,
      retain: false,
      dup: false,
    } as PublishPacket;
    aedes.publish(packet, () => {});
  }

  return {
    aedes,
    handle: gate.handle,
    connectedDevices: () => aedes.connectedClients,
    disconnectDevice(deviceId) {
      let n = 0;
      const clients = (aedes as unknown as { clients: Record<string, Client> }).clients;
      for (const client of Object.values(clients)) {
        if (devices.get(client)?.id === deviceId) {
          client.close();
          n++;
        }
      }
      return n;
    },
    close: () => new Promise<void>((resolve) => aedes.close(() => resolve())),
  };
}
