import { connect as netConnect, type Socket } from "node:net";
import mqttPacket, { type Packet } from "mqtt-packet";

function str(s: string | Buffer): Buffer {
  const b = Buffer.isBuffer(s) ? s : Buffer.from(s, "utf8");
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/**
 * Encodes an MQTT 3.1.1 CONNECT by hand: client libraries (MQTT.js, mqtt-packet, mosquitto) refuse to
 * produce some packets a broker must still handle, such as an empty client id without clean session.
 */
export function encodeConnect(c: {
  clientId: string;
  clean: boolean;
  username?: string;
  password?: string;
  keepalive?: number;
}): Buffer {
  const flags =
    (c.username !== undefined ? 0x80 : 0) | (c.password !== undefined ? 0x40 : 0) | (c.clean ? 0x02 : 0);
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(c.keepalive ?? 30);
  const body = Buffer.concat([
    str("MQTT"),
    Buffer.from([4, flags]),
    keepalive,
    str(c.clientId),
    ...(c.username !== undefined ? [str(c.username)] : []),
    ...(c.password !== undefined ? [str(c.password)] : []),
  ]);
  const len: number[] = [];
  let n = body.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    len.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x10, ...len]), body]);
}

/** Sends raw bytes and returns the first packet the broker answers with, or null if it closed first. */
export function rawExchange(port: number, bytes: Buffer): Promise<Packet | null> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1");
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    let answered = false;
    parser.on("packet", (p: Packet) => {
      answered = true;
      socket.destroy();
      resolve(p);
    });
    socket.on("data", (d) => parser.parse(d));
    socket.on("error", reject);
    socket.on("close", () => {
      if (!answered) resolve(null);
    });
    socket.write(bytes);
  });
}

export interface RawClient {
  socket: Socket;
  /** Every packet the broker sent, in order. */
  packets: Packet[];
  send(packet: Record<string, unknown>): boolean;
  /** Resolves with the first packet (from now on or already received) that matches, or rejects after ms. */
  next(match: (p: Packet) => boolean, ms?: number): Promise<Packet>;
  closed: Promise<void>;
}

/**
 * A bare TCP MQTT client that does only what it is told: it can stop reading its socket (`socket.pause()`),
 * never send CONNECT, or flood, which MQTT.js and mosquitto clients will not do.
 */
export function rawClient(port: number, options: { localAddress?: string } = {}): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    // Another loopback address (127.0.0.2, …) stands for another remote address in per-address limits.
    const socket = netConnect({ port, host: "127.0.0.1", ...options });
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const packets: Packet[] = [];
    const waiters = new Set<(p: Packet) => void>();
    parser.on("packet", (p: Packet) => {
      packets.push(p);
      for (const w of [...waiters]) w(p);
    });
    socket.on("data", (d) => parser.parse(d));
    const closed = new Promise<void>((r) => socket.once("close", () => r()));
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      socket.on("error", () => {});
      resolve({
        socket,
        packets,
        closed,
        send: (packet) => socket.write(mqttPacket.generate(packet as unknown as Packet)),
        next(match, ms = 5000) {
          const seen = packets.find(match);
          if (seen) return Promise.resolve(seen);
          return new Promise((res, rej) => {
            const timer = setTimeout(() => {
              waiters.delete(check);
              rej(new Error("expected packet did not arrive"));
            }, ms);
            function check(p: Packet) {
              if (!match(p)) return;
              clearTimeout(timer);
              waiters.delete(check);
              res(p);
            }
            waiters.add(check);
          });
        },
      });
    });
  });
}

/**
 * Sends CONNECT with device credentials; resolves with the CONNACK return code, or null when the broker
 * closed the connection without one.
 */
export async function rawConnect(
  port: number,
  device: { deviceId: string; secret: string },
  options: { keepalive?: number; localAddress?: string } = {},
): Promise<{ code: number | null; client: RawClient }> {
  const client = await rawClient(port, options.localAddress ? { localAddress: options.localAddress } : {});
  client.socket.write(
    encodeConnect({
      clientId: device.deviceId,
      clean: true,
      username: device.deviceId,
      password: device.secret,
      keepalive: options.keepalive ?? 60,
    }),
  );
  const ack = await Promise.race([
    client.next((p) => p.cmd === "connack", 10_000).catch(() => null),
    client.closed.then(() => null),
  ]);
  return { code: ack?.cmd === "connack" ? (ack.returnCode ?? null) : null, client };
}

/** Connects a raw client with device credentials and waits for CONNACK 0. */
export async function rawDevice(
  port: number,
  device: { deviceId: string; secret: string },
  options: { keepalive?: number; localAddress?: string } = {},
): Promise<RawClient> {
  const { code, client } = await rawConnect(port, device, options);
  if (code !== 0) throw new Error(`device was not accepted (CONNACK ${code})`);
  return client;
}
