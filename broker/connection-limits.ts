import type { Duplex } from "node:stream";

/**
 * Counts MQTT connections per remote address: all open ones, and those still before CONNACK (pending). A
 * flood of half-open or never-authenticating sockets from one address is refused at accept time, before
 * Aedes allocates a client, while devices from other addresses connect as usual.
 */
export function createAddressLimits(options: { maxOpen: number; maxPending: number }) {
  const open = new Map<string, number>();
  const pending = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string, d: number) => {
    const n = (m.get(k) ?? 0) + d;
    if (n <= 0) m.delete(k);
    else m.set(k, n);
  };

  return {
    /** Admits a new connection (counted as open and pending) or says which limit it hits. */
    admit(address: string): "ok" | "open" | "pending" {
      if (options.maxOpen > 0 && (open.get(address) ?? 0) >= options.maxOpen) return "open";
      if (options.maxPending > 0 && (pending.get(address) ?? 0) >= options.maxPending) return "pending";
      bump(open, address, 1);
      bump(pending, address, 1);
      return "ok";
    },
    /** The connection got past CONNACK (or closed): it no longer counts as pending. */
    settled(address: string): void {
      bump(pending, address, -1);
    },
    closed(address: string): void {
      bump(open, address, -1);
    },
    openFrom: (address: string) => open.get(address) ?? 0,
    pendingFrom: (address: string) => pending.get(address) ?? 0,
  };
}

/**
 * Watches the bytes Aedes reads from a connection and calls `tooLarge` as soon as a packet's fixed header
 * announces a remaining length over `maxBytes` (MQTT 3.1.1 §2.2.3), before its body arrives: mqtt-packet
 * (Aedes 1.2) has no packet size limit and would buffer up to 256 MiB per packet. It listens to 'data',
 * which a stream in paused mode emits from each read() Aedes makes, so it neither adds a stream to the
 * path nor changes how Aedes reads.
 */
export function watchPacketSizes(
  conn: Duplex,
  maxBytes: number,
  tooLarge: (announced: number) => void,
): void {
  let skip = 0; // body bytes of the current packet still to pass
  let inHeader = false; // the first byte was seen, the length is being read
  let length = 0;
  let multiplier = 1;
  const onData = (chunk: Buffer) => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        continue;
      }
      if (!inHeader) {
        inHeader = true;
        length = 0;
        multiplier = 1;
        i++;
        continue;
      }
      const byte = chunk[i++] as number;
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      if (byte & 0x80 && multiplier <= 128 ** 3) continue; // at most 4 length bytes; mqtt-packet refuses more
      inHeader = false;
      if (length > maxBytes) {
        conn.off("data", onData);
        tooLarge(length);
        return;
      }
      skip = length;
    }
  };
  conn.on("data", onData);
}
