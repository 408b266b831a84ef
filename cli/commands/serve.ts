import { loadConfig } from "../../core/config.js";
import { createLogger } from "../../core/log.js";
import type { Command } from "../args.js";

export const serve: Command = {
  name: "serve",
  summary: "run the service: MQTT broker, ingest, HTTP (what `npm start` runs)",
  takesSettings: "all",
  options: {},
  async run({ settings }, io) {
    const config = loadConfig(io.env, settings);
    const log = createLogger(config.logLevel);
    // Loaded here so that the other commands start without Fastify and Aedes.
    const { startService } = await import("../service.js");
    const service = await startService(config, { log });
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal }, "signal received");
        service.close().then(resolve, (err: unknown) => {
          log.error({ err }, "error during shutdown");
          resolve();
        });
      };
      process.once("SIGTERM", () => stop("SIGTERM"));
      process.once("SIGINT", () => stop("SIGINT"));
    });
    return 0;
  },
};
