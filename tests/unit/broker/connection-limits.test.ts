import { PassThrough } from "node:stream";
import mqttPacket, { type Packet } from "mqtt-packet";
import { describe, expect, it } from "vitest";
import { createAuthThrottle } from "../../../broker/auth-throttle.js";
import { createAddressLimits, watchPacketSizes } from "../../../broker/connection-limits.js";

/** Feeds bytes to watchPacketSizes in chunks of `size` and returns the sizes it called too large. */
function watch(bytes: Buffer, max: number, size: number): number[] {
  const conn = new PassThrough();
  const seen: number[] = [];
  watchPacketSizes(conn, max, (n) => seen.push(n));
  for (let i = 0; i < bytes.length; i += size) conn.write(bytes.subarray(i, i + size));
  return seen;
}

const publish = (bytes: number): Buffer =>
  mqttPacket.generate({
    cmd: "publish",
    topic: "devices/m1/telemetry",
    payload: Buffer.alloc(bytes, 0x41),
    qos: 1,
    messageId: 7,
    retain: false,
    dup: false,
  } as Packet);

describe("watchPacketSizes", () => {
  // 127, 128, 16,383, 16,384 and 2,097,151 bytes are where the remaining length gains a byte (§2.2.3).
  const stream = Buffer.concat([
    publish(10),
    mqttPacket.generate({ cmd: "pingreq" } as Packet),
    publish(100),
    publish(16_300),
    publish(20_000),
    publish(200_000),
    mqttPacket.generate({ cmd: "disconnect" } as Packet),
  ]);

  it.each([1, 2, 3, 7, 1000, 65_536])(
    "never fires on packets under the limit, in chunks of %i bytes",
    (size) => {
      expect(watch(stream, 262_144, size)).toEqual([]);
    },
  );

  it.each([1, 2, 5, 65_536])(
    "fires once on the first packet over the limit, in chunks of %i bytes",
    (size) => {
      const big = publish(300_000);
      const remaining = big.length - 4; // less the header byte and 3 length bytes
      expect(watch(Buffer.concat([publish(10), big, publish(10)]), 262_144, size)).toEqual([remaining]);
    },
  );

  it("reads the header of a packet announcing 256 MiB - 1 without its body", () => {
    const header = Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]);
    expect(watch(header, 1024, 1)).toEqual([268_435_455]);
  });
});

describe("createAddressLimits", () => {
  it("counts open and pending connections per address", () => {
    const l = createAddressLimits({ maxOpen: 3, maxPending: 2 });
    expect(l.admit("a")).toBe("ok");
    expect(l.admit("a")).toBe("ok");
    expect(l.admit("a")).toBe("pending");
    expect(l.admit("b")).toBe("ok");
    l.settled("a");
    expect(l.admit("a")).toBe("ok");
    l.settled("a");
    expect(l.admit("a")).toBe("open");
    l.closed("a");
    expect(l.admit("a")).toBe("ok");
    expect(l.openFrom("a")).toBe(3);
  });
});

describe("createAuthThrottle", () => {
  it("waits after the threshold, doubling up to the maximum, and forgets old failures", () => {
    let now = 0;
    const t = createAuthThrottle({
      threshold: 3,
      baseMs: 1000,
      maxMs: 4000,
      now: () => now,
      forgetAfterMs: 60_000,
    });
    expect([t.failed("k"), t.failed("k")]).toEqual([false, false]);
    expect(t.waitFor("k")).toBe(0);
    expect(t.failed("k")).toBe(true);
    expect(t.waitFor("k")).toBe(1000);
    t.failed("k");
    expect(t.waitFor("k")).toBe(2000);
    t.failed("k");
    t.failed("k");
    expect(t.waitFor("k")).toBe(4000);
    now += 120_000; // a failure long after the last starts the count again
    expect(t.failed("k")).toBe(false);
    t.succeeded("k");
    expect(t.size()).toBe(0);
  });

  it("remembers at most maxKeys keys", () => {
    const t = createAuthThrottle({ threshold: 1, baseMs: 1000, maxMs: 1000, now: () => 0, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) t.failed(`id-${i}`);
    expect(t.size()).toBe(100);
  });
});
