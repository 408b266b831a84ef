import { loadConfig } from "../../core/config.js";
import { deviceKindSchema } from "../../core/domain.js";
import { hashSecret, newSecret } from "../../core/secrets.js";
import { type Command, UsageError } from "../args.js";
import { openStores } from "../stores.js";

export const deviceAdd: Command = {
  name: "device add",
  summary: "provision a device; prints its MQTT credentials once",
  takesSettings: "data-dir",
  options: {
    household: { type: "string", help: "household id", required: true },
    kind: { type: "string", help: "water | door | motion | power | climate | button", required: true },
    id: { type: "string", help: "device id, e.g. the meter serial (default: generated)" },
    json: { type: "boolean", help: "print JSON" },
  },
  async run({ values, settings }, io) {
    const kind = deviceKindSchema.safeParse(values.kind);
    if (!kind.success) throw new UsageError(`--kind must be one of ${deviceKindSchema.options.join(", ")}`);
    const config = loadConfig(io.env, settings);
    const secret = newSecret();
    const secretHash = await hashSecret(secret);
    const stores = openStores(config);
    try {
      const device = stores.registry.addDevice({
        householdId: String(values.household),
        kind: kind.data,
        secretHash,
        ...(typeof values.id === "string" ? { id: values.id } : {}),
      });
      if (values.json) io.out(JSON.stringify({ ...device, secret }));
      else {
        io.out(`device ${device.id} (${device.kind}) added to household ${device.householdId}`);
        io.out(`MQTT username: ${device.id}`);
        io.out(`MQTT password: ${secret}`);
        io.out("The password is shown only now; Jinlin keeps only its hash.");
      }
      return 0;
    } finally {
      stores.close();
    }
  },
};

export const deviceRotate: Command = {
  name: "device rotate",
  summary: "issue a new secret for a device (the old one stops working); prints it once",
  takesSettings: "data-dir",
  options: {
    id: { type: "string", help: "device id", required: true },
    json: { type: "boolean", help: "print JSON" },
  },
  async run({ values, settings }, io) {
    const secret = newSecret();
    const secretHash = await hashSecret(secret);
    const stores = openStores(loadConfig(io.env, settings));
    try {
      stores.registry.setSecretHash(String(values.id), secretHash);
      if (values.json) io.out(JSON.stringify({ id: values.id, secret }));
      else io.out(`device ${values.id}: new MQTT password ${secret} (shown only now)`);
      return 0;
    } finally {
      stores.close();
    }
  },
};

export const deviceRevoke: Command = {
  name: "device revoke",
  summary: "revoke a device: it can no longer connect",
  takesSettings: "data-dir",
  options: { id: { type: "string", help: "device id", required: true } },
  async run({ values, settings }, io) {
    const stores = openStores(loadConfig(io.env, settings));
    try {
      stores.registry.revokeDevice(String(values.id));
      io.out(`device ${values.id} revoked`);
      return 0;
    } finally {
      stores.close();
    }
  },
};

export const deviceList: Command = {
  name: "device list",
  summary: "list a household's devices with their last-seen time",
  takesSettings: "data-dir",
  options: {
    household: { type: "string", help: "household id", required: true },
    json: { type: "boolean", help: "print JSON" },
  },
  async run({ values, settings }, io) {
    const stores = openStores(loadConfig(io.env, settings));
    try {
      const list = stores.registry.listDevices(String(values.household));
      if (values.json) io.out(JSON.stringify(list));
      else
        for (const d of list) {
          const seen = d.lastSeenAt ? new Date(d.lastSeenAt).toISOString() : "never";
          io.out(`${d.id}\t${d.kind}\tlast seen ${seen}${d.revokedAt ? "\trevoked" : ""}`);
        }
      return 0;
    } finally {
      stores.close();
    }
  },
};
