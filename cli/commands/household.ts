import { loadConfig } from "../../core/config.js";
import type { Command } from "../args.js";
import { openStores } from "../stores.js";

export const householdAdd: Command = {
  name: "household add",
  summary: "register a household (one resident living alone) in a grid",
  takesSettings: "data-dir",
  options: {
    resident: { type: "string", help: "resident's name", required: true },
    address: { type: "string", help: "street address", required: true },
    grid: {
      type: "string",
      help: "grid path, e.g. fuzhou/taijiang/cangxia/grid-1 (created on first use)",
      required: true,
    },
    timezone: { type: "string", help: "IANA time zone (default Asia/Shanghai)" },
    language: { type: "string", help: "zh-CN (default) or en" },
    id: { type: "string", help: "household id (default: generated)" },
    consent: {
      type: "boolean",
      help: "record the resident's consent (or the family's for them, PIPL); withdrawing it later pauses monitoring",
    },
    json: { type: "boolean", help: "print JSON" },
  },
  async run({ values, settings }, io) {
    const config = loadConfig(io.env, settings);
    const stores = openStores(config);
    try {
      const input = {
        resident: String(values.resident),
        address: String(values.address),
        gridPath: String(values.grid),
        ...(typeof values.timezone === "string" ? { timezone: values.timezone } : {}),
        // addHousehold validates the language; an unknown one is refused there with a clear message.
        ...(typeof values.language === "string" ? { language: values.language as "zh-CN" | "en" } : {}),
        ...(values.consent === true ? { consent: true } : {}),
      };
      const h = stores.registry.addHousehold(input, typeof values.id === "string" ? values.id : undefined);
      if (values.json) io.out(JSON.stringify(h));
      else io.out(`household ${h.id} added in grid ${h.gridPath}`);
      return 0;
    } finally {
      stores.close();
    }
  },
};

export const householdList: Command = {
  name: "household list",
  summary: "list households",
  takesSettings: "data-dir",
  options: { json: { type: "boolean", help: "print JSON" } },
  async run({ values, settings }, io) {
    const stores = openStores(loadConfig(io.env, settings));
    try {
      const list = stores.registry.listHouseholds();
      if (values.json) io.out(JSON.stringify(list));
      else for (const h of list) io.out(`${h.id}\t${h.gridPath}\t${h.resident}`);
      return 0;
    } finally {
      stores.close();
    }
  },
};
