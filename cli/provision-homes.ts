import type { z } from "zod";
import { jinlinError } from "../core/errors.js";
import { hashSecret, newSecret } from "../core/secrets.js";
import type { provisionSchema } from "./commands/provision.js";
import type { openStores } from "./stores.js";

export interface ProvisionedHome {
  householdId: string;
  devices: { id: string; kind: string; secret: string }[];
}

/**
 * Creates households and devices in one transaction (existing households are reused) and returns each
 * device's secret: the only moment it exists in clear. Hashing runs first, in parallel on libuv's pool.
 */
export async function provisionHomes(
  stores: ReturnType<typeof openStores>,
  homes: z.output<typeof provisionSchema>,
  options: { rotateExisting: boolean },
): Promise<ProvisionedHome[]> {
  const secrets = await Promise.all(
    homes.map((h) =>
      Promise.all(
        h.devices.map(async () => {
          const secret = newSecret();
          return { secret, hash: await hashSecret(secret) };
        }),
      ),
    ),
  );
  return stores.db.transaction((): ProvisionedHome[] =>
    homes.map((h, i) => {
      const { devices, id, ...input } = h;
      const household = (id && stores.registry.getHousehold(id)) || stores.registry.addHousehold(input, id);
      return {
        householdId: household.id,
        devices: devices.map((d, j) => {
          const s = secrets[i]![j]!;
          const existing = d.id ? stores.registry.getDevice(d.id) : undefined;
          if (existing) {
            if (!options.rotateExisting) throw jinlinError("JINLIN_ERR_DEVICE_EXISTS", existing.id);
            stores.registry.setSecretHash(existing.id, s.hash);
            return { id: existing.id, kind: existing.kind, secret: s.secret };
          }
          const device = stores.registry.addDevice({
            householdId: household.id,
            kind: d.kind,
            secretHash: s.hash,
            ...(d.id ? { id: d.id } : {}),
          });
          return { id: device.id, kind: device.kind, secret: s.secret };
        }),
      };
    }),
  )();
}
