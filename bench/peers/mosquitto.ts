import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, spawnTracked, stopChild, until } from "../lib/proc.js";

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? "/usr/sbin/mosquitto";

export interface Mosquitto {
  port: number;
  child: ChildProcess;
  /** Resolves when some client's subscription to `topic` is logged by the broker. */
  subscribed(topic: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Debian's Mosquitto 2 on a free loopback port, anonymous, with an unbounded queue per subscriber
 * (max_queued_messages 0), so a slow subscriber delays messages instead of dropping QoS 1 ones and
 * every pipeline is measured on the same messages.
 */
export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), "jinlin-bench-mosquitto-"));
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      "max_queued_messages 0",
      "set_tcp_nodelay true",
      "log_dest stderr",
      "log_type error",
      "log_type subscribe",
      "",
    ].join("\n"),
  );
  const child = spawnTracked(MOSQUITTO, ["-c", conf]);
  let log = "";
  const waiters: (() => void)[] = [];
  child.stderr?.on("data", (d: Buffer) => {
    log = (log + d.toString()).slice(-100_000);
    for (const w of waiters.splice(0)) w();
  });
  const seen = (text: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`mosquitto: no '${text}' within ${timeoutMs} ms: ${log}`)),
        timeoutMs,
      );
      const check = () => {
        if (log.includes(text)) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  await until(() => accepts(port), 10_000, "mosquitto to listen");
  return {
    port,
    child,
    subscribed: (topic, timeoutMs = 10_000) => seen(` ${topic}`, timeoutMs),
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}
