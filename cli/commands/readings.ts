import { z } from "zod";
import { loadConfig } from "../../core/config.js";
import type { StoredReading } from "../../core/domain.js";
import { type Command, UsageError } from "../args.js";
import { openStores } from "../stores.js";

/** A stored reading as the CLI and the API print it: fields flattened beside the envelope, times in ISO-8601. */
export function readingView(r: StoredReading) {
  return {
    id: r.id,
    deviceId: r.deviceId,
    householdId: r.householdId,
    kind: r.kind,
    ts: new Date(r.ts).toISOString(),
    receivedAt: new Date(r.receivedAt).toISOString(),
    ...r.fields,
    ...(r.kind === "water" ? { consumedLiters: r.consumedLiters, registerReset: r.registerReset } : {}),
  };
}

const sinceSchema = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

export const readingsCmd: Command = {
  name: "readings",
  summary: "print a device's stored readings (safe while the service runs)",
  takesSettings: "data-dir",
  options: {
    device: { type: "string", help: "device id", required: true },
    since: { type: "string", help: "only readings at or after this ISO-8601 time" },
    limit: { type: "string", help: "at most this many readings (default 1000)" },
    json: { type: "boolean", help: "print a JSON array" },
  },
  async run({ values, settings }, io) {
    let since: number | undefined;
    if (typeof values.since === "string") {
      const parsed = sinceSchema.safeParse(values.since);
      if (!parsed.success)
        throw new UsageError("--since must be ISO-8601 with a time zone, e.g. 2026-01-01T00:00:00Z");
      since = parsed.data;
    }
    const limit = z.coerce
      .number()
      .int()
      .positive()
      .max(1_000_000)
      .safeParse(values.limit ?? "1000");
    if (!limit.success) throw new UsageError("--limit must be a positive whole number");
    const stores = openStores(loadConfig(io.env, settings));
    try {
      const list = stores.readings
        .query({ deviceId: String(values.device), since, limit: limit.data })
        .map(readingView);
      if (values.json) io.out(JSON.stringify(list));
      else
        for (const r of list) {
          const { id: _id, deviceId: _d, householdId: _h, kind, ts, receivedAt: _r, ...fields } = r;
          io.out(`${ts}\t${kind}\t${JSON.stringify(fields)}`);
        }
      return 0;
    } finally {
      stores.close();
    }
  },
};
