import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { Aedes, Client } from "aedes";
import type { MqttLimits } from "../core/config-mqtt.js";
import type { Logger } from "../core/log.js";
import { createAddressLimits, watchPacketSizes } from "./connection-limits.js";

export type ConnectionLimit = "open_per_address" | "pending_per_address" | "packet_too_large";

/** The remote address of a TCP/TLS socket, or of the HTTP request a WebSocket stream came in on. */
function remoteAddressOf(conn: Duplex, req?: IncomingMessage): string {
  return (conn as Partial<Socket>).remoteAddress ?? req?.socket.remoteAddress ?? "unknown";
}

/**
 * Where every MQTT connection (TCP, TLS, WebSocket) enters: refused at once when its address has too many
 * open or pre-CONNACK connections, otherwise handed to Aedes with its packet sizes watched.
 */
export function createConnectionGate(deps: {
  aedes: Aedes;
  limits: MqttLimits;
  log: Logger;
  deviceIdOf: (client: Client) => string | undefined;
  warnOnce: (key: string, fields: Record<string, unknown>, msg: string) => void;
  limited?: (limit: ConnectionLimit) => void;
}) {
  const { aedes, limits, log } = deps;
  const perAddress = createAddressLimits({
    maxOpen: limits.maxConnectionsPerAddress,
    maxPending: limits.maxPendingPerAddress,
  });
  const addresses = new WeakMap<Client, string>();
  const settle = new WeakMap<Client, () => void>();
  aedes.on("connackSent", (_packet, client) => settle.get(client)?.());

  function handle(conn: Duplex, req?: IncomingMessage): void {
    const address = remoteAddressOf(conn, req);
    const admitted = perAddress.admit(address);
    if (admitted !== "ok") {
      const limit = admitted === "open" ? "open_per_address" : "pending_per_address";
      deps.limited?.(limit);
      deps.warnOnce(
        `${limit}:${address}`,
        {
          code: "JINLIN_ERR_MQTT_CONNECTION_LIMIT",
          remote: address,
          limit,
          open: perAddress.openFrom(address),
        },
        "MQTT connection refused: too many from one address",
      );
      conn.destroy();
      return;
    }
    let pending = true;
    const settled = () => {
      if (!pending) return;
      pending = false;
      perAddress.settled(address);
    };
    conn.once("close", () => {
      settled();
      perAddress.closed(address);
    });
    const client = aedes.handle(conn, req);
    addresses.set(client, address);
    settle.set(client, settled);
    watchPacketSizes(conn, limits.maxPacketBytes, (announced) => {
      deps.limited?.("packet_too_large");
      log.warn(
        {
          code: "JINLIN_ERR_MQTT_PACKET_TOO_LARGE",
          deviceId: deps.deviceIdOf(client),
          remote: address,
          announced,
          max: limits.maxPacketBytes,
        },
        "MQTT packet larger than the limit; connection closed",
      );
      conn.destroy();
    });
  }

  return { handle, addressOf: (client: Client) => addresses.get(client) ?? "unknown" };
}
