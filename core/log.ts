import { type DestinationStream, type Logger, pino } from "pino";

export type { Logger };

/** Paths never written to a log line, whatever a caller passes in. */
export const REDACT_PATHS = [
  "password",
  "secret",
  "*.password",
  "*.secret",
  "token",
  "*.token",
  "req.headers.authorization",
  "req.headers.cookie",
  "res.headers['set-cookie']",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: "[redacted]" }, base: { svc: "jinlin" } },
    destination,
  );
}
