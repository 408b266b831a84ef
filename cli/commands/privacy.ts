import { writeFileSync } from "node:fs";
import { systemClock } from "../../core/clock.js";
import { loadConfig } from "../../core/config.js";
import { jinlinError } from "../../core/errors.js";
import { createLogger } from "../../core/log.js";
import { createRetention } from "../../storage/sqlite/retention.js";
import type { Command } from "../args.js";
import { createPrivacyApi } from "../privacy-api.js";
import { openStores } from "../stores.js";

function privacyApi(io: Parameters<Command["run"]>[1], settings: Record<string, string>) {
  const config = loadConfig(io.env, settings);
  const stores = openStores(config);
  // Logs go to standard error so that an export on standard output stays valid JSON.
  const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel, process.stderr);
  return { stores, api: createPrivacyApi({ db: stores.db, influx: config.influx, clock: systemClock, log }) };
}

export const householdExport: Command = {
  name: "household export",
  summary: "export everything held about one household as JSON (personal-data access; docs/privacy.md)",
  takesSettings: "all",
  positional: "id",
  options: {
    id: { type: "string", help: "household id (or give it as the argument)", required: true },
    out: { type: "string", help: "write to this file instead of standard output" },
  },
  async run({ values, settings }, io) {
    const { stores, api } = privacyApi(io, settings);
    try {
      const doc = JSON.stringify(api.exportHousehold(String(values.id)), null, 2);
      if (typeof values.out === "string") {
        writeFileSync(values.out, `${doc}\n`, { mode: 0o600 });
        io.err(`household ${values.id} exported to ${values.out}`);
      } else io.out(doc);
      return 0;
    } finally {
      stores.close();
    }
  },
};

export const householdErase: Command = {
  name: "household erase",
  summary: "IRREVERSIBLY erase one household's personal data and readings; revokes its devices",
  takesSettings: "all",
  positional: "id",
  options: {
    id: { type: "string", help: "household id (or give it as the argument)", required: true },
    confirm: { type: "string", help: "type the household id again to confirm", required: true },
    json: { type: "boolean", help: "print JSON" },
  },
  async run({ values, settings }, io) {
    if (values.confirm !== values.id) throw jinlinError("JINLIN_ERR_ERASE_UNCONFIRMED");
    const { stores, api } = privacyApi(io, settings);
    try {
      const r = await api.eraseHousehold(String(values.id), "cli");
      if (values.json)
        io.out(JSON.stringify({ erased: values.id, devices: r.deviceIds.length, deleted: r.deleted }));
      else {
        io.out(`household ${values.id} erased; ${r.deviceIds.length} device(s) revoked`);
        for (const [what, n] of Object.entries(r.deleted)) io.out(`  ${what}: ${n}`);
      }
      return 0;
    } finally {
      stores.close();
    }
  },
};

export const retentionRun: Command = {
  name: "retention run",
  summary: "delete what is older than the retention settings now (the service does it daily)",
  takesSettings: "all",
  options: { json: { type: "boolean", help: "print JSON" } },
  async run({ values, settings }, io) {
    const config = loadConfig(io.env, settings);
    const stores = openStores(config);
    try {
      const retention = createRetention(stores.db, {
        retention: config.retention,
        influxForwarding: config.influx !== null,
      });
      const report = await retention.run(Date.now());
      if (values.json) io.out(JSON.stringify(report));
      else {
        for (const [what, n] of Object.entries(report.deleted)) io.out(`${what}: ${n} deleted`);
        if (report.readingsHeldBack > 0)
          io.out(`${report.readingsHeldBack} old readings kept until the rules or InfluxDB have them`);
      }
      return 0;
    } finally {
      stores.close();
    }
  },
};
