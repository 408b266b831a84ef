import { connect, type Socket } from "node:net";
import type { IConnectPacket } from "mqtt-packet";
import mqttPacket from "mqtt-packet";

/**
 * A lean MQTT 3.1.1 client for load generation: pre-encoded QoS 1 PUBLISH frames and a hand-written
 * PUBACK scanner. MQTT.js costs ~10x more CPU per message; on 2 cores that CPU is taken from the
 * system under test, so the generators must be as cheap as possible (all systems face the same ones).
 */
export interface RawClientOptions {
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  keepaliveS: number;
  /** Like the simulators' devices: a QoS 1 will on devices/<id>/status. */
  willTopic?: string;
}

export interface RawClient {
  /** Sends one QoS 1 PUBLISH; `onAck` runs when its PUBACK arrives. */
  publish(topic: Buffer, payload: Buffer, onAck: () => void): void;
  inFlight(): number;
  close(): void;
  readonly socket: Socket;
}

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** Fixed header + variable header + payload of a QoS 1 PUBLISH [MQTT-3.3.1]. */
export function encodePublish(topic: Buffer, id: number, payload: Buffer): Buffer {
  const len = 2 + topic.length + 2 + payload.length;
  const head = varint(len);
  const buf = Buffer.allocUnsafe(1 + head.length + len);
  let o = 0;
  buf[o++] = 0x32;
  for (const b of head) buf[o++] = b;
  buf.writeUInt16BE(topic.length, o);
  o += 2;
  topic.copy(buf, o);
  o += topic.length;
  buf.writeUInt16BE(id, o);
  o += 2;
  payload.copy(buf, o);
  return buf;
}

export function rawConnect(o: RawClientOptions, timeoutMs = 30_000): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: o.host, port: o.port, noDelay: true });
    const acks = new Map<number, () => void>();
    let nextId = 1;
    let connected = false;
    let rest: Buffer | null = null;
    const timer = setTimeout(() => fail(new Error(`connect timeout ${o.clientId}`)), timeoutMs);
    function fail(err: Error): void {
      clearTimeout(timer);
      socket.destroy();
      if (!connected) reject(err);
    }
    const client: RawClient = {
      socket,
      publish(topic, payload, onAck) {
        let id = nextId;
        while (acks.has(id)) id = id === 65535 ? 1 : id + 1;
        nextId = id === 65535 ? 1 : id + 1;
        acks.set(id, onAck);
        socket.write(encodePublish(topic, id, payload));
      },
      inFlight: () => acks.size,
      close() {
        socket.end(Buffer.from([0xe0, 0x00]));
      },
    };
    function frame(type: number, body: Buffer, start: number): void {
      if (type === 4) {
        const id = body.readUInt16BE(start);
        const cb = acks.get(id);
        if (cb) {
          acks.delete(id);
          cb();
        }
      } else if (type === 2 && !connected) {
        clearTimeout(timer);
        const rc = body[start + 1];
        if (rc !== 0) {
          fail(Object.assign(new Error(`CONNACK ${rc}`), { code: rc }));
          return;
        }
        connected = true;
        resolve(client);
      }
    }
    socket.on("data", (chunk: Buffer) => {
      const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
      let i = 0;
      for (;;) {
        if (i + 2 > buf.length) break;
        let len = 0;
        let mul = 1;
        let j = i + 1;
        let complete = false;
        while (j < buf.length) {
          const b = buf[j++]!;
          len += (b & 0x7f) * mul;
          mul *= 128;
          if ((b & 0x80) === 0) {
            complete = true;
            break;
          }
        }
        if (!complete || j + len > buf.length) break;
        frame(buf[i]! >> 4, buf, j);
        i = j + len;
      }
      rest = i < buf.length ? buf.subarray(i) : null;
    });
    socket.on("error", (err) => fail(err));
    socket.on("close", () => {
      clearTimeout(timer);
      if (!connected) reject(new Error(`closed before CONNACK ${o.clientId}`));
    });
    socket.write(
      mqttPacket.generate({
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clientId: o.clientId,
        clean: true,
        keepalive: o.keepaliveS,
        ...(o.username ? { username: o.username } : {}),
        ...(o.password ? { password: Buffer.from(o.password) } : {}),
        ...(o.willTopic
          ? { will: { topic: o.willTopic, payload: Buffer.from("offline"), qos: 1, retain: false } }
          : {}),
      } as IConnectPacket),
    );
  });
}
