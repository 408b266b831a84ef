import { readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { loadConfig } from "../../core/config.js";
import { DEVICE_KINDS, type DeviceKind } from "../../core/domain.js";
import { localDay } from "../../core/local-time.js";
import { createLogger } from "../../core/log.js";
import { createPublisher } from "../../simulators/publisher.js";
import {
  type RecordedReading,
  ReplayFormatError,
  readReplayFile,
  replayMessages,
} from "../../simulators/replay-file.js";
import { loadWeusedto, WEUSEDTO_TIMEZONE, weusedtoReadings } from "../../simulators/weusedto.js";
import { type Command, UsageError } from "../args.js";
import { provisionHomes } from "../provision-homes.js";
import { openStores } from "../stores.js";
import { provisionSchema } from "./provision.js";

const credentialsSchema = z.array(
  z.object({ devices: z.array(z.object({ id: z.string(), secret: z.string() })) }),
);

/** Creates a household per recorded household (or per device) and the devices the trace uses. */
async function provisionFor(
  readings: RecordedReading[],
  grid: string,
  dataDir: Record<string, string>,
  env: Record<string, string | undefined>,
) {
  const homes = new Map<string, Map<string, DeviceKind>>();
  for (const r of readings) {
    const home = r.householdId ?? r.deviceId;
    const devices = homes.get(home) ?? new Map<string, DeviceKind>();
    homes.set(home, devices);
    if (r.kind !== "heartbeat" && (DEVICE_KINDS as readonly string[]).includes(r.kind))
      devices.set(r.deviceId, r.kind as DeviceKind);
  }
  const stores = openStores(loadConfig(env, dataDir));
  try {
    const input = [...homes].map(([id, devices]) => ({
      id,
      resident: `Replay ${id}`,
      address: "(replayed trace)",
      gridPath: grid,
      devices: [...devices].map(([deviceId, kind]) => ({ id: deviceId, kind })),
    }));
    return await provisionHomes(stores, provisionSchema.parse(input), { rotateExisting: true });
  } finally {
    stores.close();
  }
}

export const replayCmd: Command = {
  name: "replay",
  summary: "publish a recorded trace (CSV or NDJSON, docs/replay.md) to a broker, accelerated",
  takesSettings: "data-dir",
  options: {
    file: { type: "string", help: "the trace", required: true },
    url: { type: "string", help: "broker URL, e.g. mqtt://127.0.0.1:1883", required: true },
    speed: { type: "string", help: "times faster than real time (default 3600; 0 = as fast as possible)" },
    credentials: { type: "string", help: "JSON from `jinlin provision` with the devices' secrets" },
    provision: {
      type: "boolean",
      help: "create the trace's households and devices through this CLI's store instead",
    },
    grid: { type: "string", help: "grid path for --provision (default replay/grid-1)" },
    "keep-time": {
      type: "boolean",
      help: "publish the recorded timestamps as they are (default: shift so the trace ends now)",
    },
    json: { type: "boolean", help: "print the final figures as JSON" },
  },
  async run({ values, settings }, io) {
    let readings: RecordedReading[];
    try {
      readings = readReplayFile(String(values.file));
    } catch (err) {
      if (err instanceof ReplayFormatError) throw new UsageError(err.message);
      throw err;
    }
    if (readings.length === 0) throw new UsageError("the trace holds no readings");
    const speed = Number(values.speed ?? 3600);
    if (!(speed >= 0)) throw new UsageError("--speed must be a number ≥ 0");
    let creds: { devices: { id: string; secret: string }[] }[];
    if (values.provision)
      creds = await provisionFor(
        readings,
        typeof values.grid === "string" ? values.grid : "replay/grid-1",
        settings,
        io.env,
      );
    else if (typeof values.credentials === "string")
      creds = credentialsSchema.parse(JSON.parse(readFileSync(values.credentials, "utf8")));
    else throw new UsageError("give --credentials FILE or --provision");
    const secrets = new Map(creds.flatMap((h) => h.devices.map((d) => [d.id, d.secret] as const)));
    const last = Math.max(...readings.map((r) => r.ts));
    // Whole weeks, so that weekdays and times of day stay as recorded; the trace then ends in the last week.
    const week = 7 * 86_400_000;
    const shift = values["keep-time"] ? 0 : Math.floor((Date.now() - 60_000 - last) / week) * week;
    const messages = replayMessages(readings, shift);
    const publisher = createPublisher({
      url: String(values.url),
      credentials: (id) => ({ username: id, password: secrets.get(id) ?? "" }),
      qos: 1,
      maxInFlight: 1000,
      log: createLogger("warn", process.stderr),
    });
    const started = Date.now();
    const first = messages[0]!.ts;
    for (const m of messages) {
      if (speed > 0) {
        const due = started + (m.ts - first) / speed;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      }
      await publisher.publish(m);
    }
    await publisher.close();
    const stats = publisher.stats();
    io.err(`replayed ${stats.sent} readings: ${stats.acked} acknowledged, ${stats.errors} errors`);
    if (values.json) io.out(JSON.stringify(stats));
    return stats.errors > 0 ? 1 : 0;
  },
};

export const weusedtoExport: Command = {
  name: "weusedto export",
  summary: "convert the WEUSEDTO dataset (one real home's fixtures) into a whole-home meter trace (NDJSON)",
  takesSettings: "data-dir",
  options: {
    dir: { type: "string", help: "the dataset folder (e.g. ../shared/data/weusedto)", required: true },
    out: { type: "string", help: "NDJSON file to write", required: true },
    device: { type: "string", help: "meter id (default weusedto-water)" },
    from: { type: "string", help: "first local day to include, YYYY-MM-DD (default: the dataset's first)" },
    days: { type: "string", help: "how many days (default: all)" },
  },
  async run({ values }, io) {
    const data = loadWeusedto(String(values.dir));
    const day = typeof values.from === "string" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(values.from) : null;
    if (typeof values.from === "string" && !day) throw new UsageError("--from YYYY-MM-DD");
    const from = day
      ? localDay(WEUSEDTO_TIMEZONE, Number(day[1]), Number(day[2]), Number(day[3])).start
      : data.from;
    const to = typeof values.days === "string" ? from + Number(values.days) * 86_400_000 : data.to;
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new UsageError("--from YYYY-MM-DD, --days N");
    const device = typeof values.device === "string" ? values.device : "weusedto-water";
    const lines: string[] = [];
    for (const r of weusedtoReadings(data, { deviceId: device, from, to })) {
      lines.push(JSON.stringify({ device, ts: new Date(r.ts).toISOString(), kind: "water", ...r.fields }));
    }
    writeFileSync(String(values.out), `${lines.join("\n")}\n`);
    io.out(`${lines.length} readings written to ${values.out}`);
    return 0;
  },
};
