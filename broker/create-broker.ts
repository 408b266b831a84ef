import type {
  AedesPublishPacket,
  Aedes as AedesType,
  AuthenticateError,
  Client,
  PublishPacket,
  Subscription,
} from "aedes";
import { Aedes } from "aedes";
import type { Logger } from "../core/log.js";
import {
  type AuthedDevice,
  type AuthOutcome,
  createDeviceAuthenticator,
  type DeviceLookup,
} from "./device-auth.js";
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
}

export interface BrokerDeps {
  devices: DeviceLookup;
  telemetry: TelemetrySink;
  log: Logger;
  observer?: BrokerObserver;
}

export interface JinlinBroker {
  aedes: AedesType;
  connectedDevices(): number;
  /** Closes every connection of this device (after revocation or rotation). */
  disconnectDevice(deviceId: string): number;
  close(): Promise<void>;
}

const authError = (returnCode: 2 | 4 | 5, message: string): AuthenticateError =>
  Object.assign(new Error(message), { returnCode }) as AuthenticateError;

export async function createBroker(deps: BrokerDeps): Promise<JinlinBroker> {
  const { log, telemetry } = deps;
  const authenticate = createDeviceAuthenticator(deps.devices);
  const devices = new WeakMap<Client, AuthedDevice>();
  const emptyIdNoClean = new WeakSet<Client>();

  const aedes = await Aedes.createBroker({
    // A device that stops reading its socket is dropped after 30 s instead of stalling delivery to all.
    drainTimeout: 30_000,
    connectTimeout: 10_000,
    maxClientsIdLength: 128,
    maxTopicLevels: 8,
    heartbeatInterval: 60_000,
  });

  aedes.preConnect = (client, packet, done) => {
    // [MQTT-3.1.3-8]: a zero-byte client id with CleanSession=0 gets CONNACK 2 (identifier rejected).
    if (packet.clientId === "" && packet.clean === false) emptyIdNoClean.add(client);
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
    authenticate(username, password.toString("utf8")).then(
      (outcome: AuthOutcome) => {
        if (outcome.ok) {
          devices.set(client, outcome.device);
          done(null, true);
          return;
        }
        deps.observer?.authFailed(outcome.why);
        log.warn(
          { deviceId: username, clientId: client.id, why: outcome.why },
          "device authentication failed",
        );
        done(authError(5, "not authorized"), false);
      },
      (err: unknown) => {
        log.error({ deviceId: username, err }, "authentication error");
        done(authError(5, "not authorized"), false);
      },
    );
  };

  aedes.authorizePublish = (client, packet, done) => {
    const device = client ? devices.get(client) : undefined;
    // client is null when Aedes publishes a stored will for a device that is gone; wills were checked at connect.
    if (client === null) return done(null);
    if (
      !device ||
      !isInsideOwnTree(device.id, packet.topic) ||
      packet.topic.includes("+") ||
      packet.topic.includes("#")
    ) {
      deps.observer?.aclDenied();
      log.warn({ deviceId: device?.id, topic: packet.topic }, "publish outside own topic tree refused");
      return done(new Error("publish outside devices/<own id>/ refused"));
    }
    const leaf = leafOf(device.id, packet.topic);
    if (leaf === "status") return done(null);
    if (leaf !== "telemetry") {
      deps.observer?.aclDenied();
      log.warn({ deviceId: device.id, topic: packet.topic }, "publish to a topic devices may not use");
      return done(new Error(`devices may publish only to telemetry and status, not ${leaf}`));
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    telemetry.handle(device, payload, { qos: packet.qos, dup: packet.dup, messageId: packet.messageId }).then(
      (rejections) => {
        for (const r of rejections) reportRejection(device.id, r);
        // Telemetry is consumed here; it is not relayed to subscribers (devices must not read each other).
        done(null);
      },
      (err: unknown) => {
        log.error({ deviceId: device.id, err }, "telemetry could not be stored; not acknowledged");
        reportRejection(device.id, {
          index: null,
          code: "JINLIN_ERR_STORE_FULL",
          reason: "store_unavailable",
          message: String((err as Error).message ?? err),
        });
        // No PUBACK: closing the connection makes the device redeliver after it reconnects.
        done(new Error("store unavailable"));
      },
    );
  };

  // Telemetry and status stay between device and service: nobody else subscribes to another device's tree,
  // and a device gets nothing relayed back from its own telemetry.
  aedes.authorizeForward = (client, packet: AedesPublishPacket) => {
    const device = devices.get(client);
    if (!device) return null;
    return leafOf(device.id, packet.topic) === "errors" ? packet : null;
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
