import { loadConfig } from "../../core/config.js";
import { createInfluxOutbox } from "../../storage/sqlite/influx-outbox.js";
import type { Command } from "../args.js";
import { openStores } from "../stores.js";

/** The lines InfluxDB refused (e.g. a field type clash), each with InfluxDB's own error: for operators. */
export const influxParked: Command = {
  name: "influx parked",
  summary:
    "list readings InfluxDB rejected and that were parked, with InfluxDB's error (safe while the service runs)",
  takesSettings: "data-dir",
  options: {
    limit: { type: "string", help: "at most this many (default 100)" },
    json: { type: "boolean", help: "print JSON" },
  },
  async run({ values, settings }, io) {
    const stores = openStores(loadConfig(io.env, settings));
    try {
      const outbox = createInfluxOutbox(stores.db, Date.now);
      const parked = outbox.listParked(Number(values.limit ?? 100) || 100);
      if (values.json)
        io.out(JSON.stringify({ parked: outbox.parkedCount(), waiting: outbox.depth(), lines: parked }));
      else {
        io.out(`${outbox.parkedCount()} parked, ${outbox.depth()} waiting to be forwarded`);
        for (const p of parked)
          io.out(
            `#${p.readingId}\t${new Date(p.parkedAt).toISOString()}\tHTTP ${p.status}\t${p.error}\n\t${p.line}`,
          );
      }
      return 0;
    } finally {
      stores.close();
    }
  },
};
