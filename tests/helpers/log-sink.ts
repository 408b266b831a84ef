import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../core/log.js";

/** A pino logger whose lines tests can read, the way pino's own tests assert on output. */
export function captureLogs(level = "debug"): {
  log: Logger;
  lines: () => Record<string, unknown>[];
  text: () => string;
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString("utf8"));
      cb();
    },
  });
  const log = createLogger(level, stream);
  const text = () => chunks.join("");
  const lines = () =>
    text()
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, text };
}
