import { readFileSync } from "node:fs";
import { z } from "zod";
import { loadConfig } from "../../core/config.js";
import { deviceIdSchema, deviceKindSchema, householdInputSchema } from "../../core/domain.js";
import { jinlinError } from "../../core/errors.js";
import { type Command, UsageError } from "../args.js";
import { provisionHomes } from "../provision-homes.js";
import { openStores } from "../stores.js";

export const provisionSchema = z.array(
  householdInputSchema.extend({
    id: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/)
      .optional(),
    devices: z
      .array(z.object({ id: deviceIdSchema.optional(), kind: deviceKindSchema }))
      .max(20)
      .default([]),
  }),
);
export type ProvisionInput = z.input<typeof provisionSchema>;

/**
 * Bulk provisioning: households and their devices from a JSON file (or stdin), in one transaction,
 * printing every device's MQTT credentials once. The simulators provision their homes this way.
 */
export const provision: Command = {
  name: "provision",
  summary: "create many households and devices from JSON; prints their MQTT credentials once",
  takesSettings: "data-dir",
  options: {
    file: {
      type: "string",
      help: "JSON array of {id?, resident, address, gridPath, timezone?, devices: [{id?, kind}]}; - for stdin",
      required: true,
    },
    "rotate-existing": {
      type: "boolean",
      help: "give existing devices with the same id a new secret (else they are an error)",
    },
  },
  async run({ values, settings }, io) {
    const raw = readFileSync(values.file === "-" ? 0 : String(values.file), "utf8");
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (err) {
      throw new UsageError(`--file is not JSON: ${(err as Error).message}`);
    }
    const parsed = provisionSchema.safeParse(body);
    if (!parsed.success) {
      throw jinlinError(
        "JINLIN_ERR_INPUT_INVALID",
        parsed.error.issues
          .slice(0, 10)
          .map((i) => `${i.path.join(".")}: ${i.message}`)
          .join("; "),
      );
    }
    const stores = openStores(loadConfig(io.env, settings));
    try {
      const out = await provisionHomes(stores, parsed.data, {
        rotateExisting: values["rotate-existing"] === true,
      });
      io.out(JSON.stringify(out));
      return 0;
    } finally {
      stores.close();
    }
  },
};
